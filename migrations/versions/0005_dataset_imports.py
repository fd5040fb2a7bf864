"""dataset imports: whole datasets as sources, states without ISO codes, cell locators

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:30:00

* ``dataset_imports``: each dataset file imported whole (its source, file name, sha256);
* ``facts.dataset_key`` and ``states.dataset_key``: the import that wrote a fact or added a
  state, so the seed loader leaves them alone;
* ``states.iso2`` and ``states.numeric`` nullable: a historical state ISO never coded
  (Baden, Austria-Hungary) is keyed by a user-assigned alpha-3 (``X..``) and has neither;
* ``citations.locator_*``: a citation may point at a range of dataset cells (file, record,
  column, years) whose text is the quote;
* membership status ``associate`` (COW's associate membership).

The new status changes a CHECK constraint; SQLite rebuilds ``membership_spans`` for it
("move and copy"), which drops the table's triggers from 0002: they are created again here,
from 0002's own definitions. ``states`` and ``facts`` are rebuilt too but carry no triggers.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("party", "member", "frozen", "suspended", "observer")
NEW_STATUSES = (*OLD_STATUSES, "associate")
STATUS_CHECK = "ck_membership_spans_membership_status"


def _locator_columns() -> list[sa.Column]:
    return [
        sa.Column(
            "locator_file",
            sa.String(length=200),
            nullable=True,
            comment="Dataset file the quote's cells are in",
        ),
        sa.Column(
            "locator_record",
            sa.String(length=100),
            nullable=True,
            comment="The record's name in that file (COW: the ioname)",
        ),
        sa.Column(
            "locator_column", sa.String(length=100), nullable=True, comment="The cells' column"
        ),
        sa.Column(
            "locator_first_year",
            sa.Integer(),
            nullable=True,
            comment="First year (row) of the cells",
        ),
        sa.Column(
            "locator_last_year", sa.Integer(), nullable=True, comment="Last year (row) of the cells"
        ),
    ]


def _integrity_rules():
    """Migration 0002 as a module: its trigger definitions are the ones to restore."""
    path = Path(__file__).with_name("0002_integrity_rules.py")
    spec = importlib.util.spec_from_file_location("csto_migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _restore_span_triggers_sqlite() -> None:
    rules = _integrity_rules()
    table, subject = "membership_spans", rules.SPAN_TABLES["membership_spans"]
    overlap = rules._overlap_message(table, subject)
    rules._sqlite_trigger(
        f"trg_{table}_no_overlap_insert",
        "BEFORE INSERT",
        table,
        rules._overlap_condition(table, subject, updating=False),
        overlap,
    )
    rules._sqlite_trigger(
        f"trg_{table}_no_overlap_update",
        "BEFORE UPDATE",
        table,
        rules._overlap_condition(table, subject, updating=True),
        overlap,
    )
    uncited = rules._uncited_message(table)
    key = rules._q("key")
    rules._sqlite_trigger(
        f"trg_{table}_cited_insert",
        "BEFORE INSERT",
        table,
        rules._uncited_condition(f"NEW.{key}"),
        uncited,
    )
    rules._sqlite_trigger(
        f"trg_{table}_cited_update",
        f"BEFORE UPDATE OF {key}",
        table,
        f"NEW.{key} <> OLD.{key} AND " + rules._uncited_condition(f"NEW.{key}"),
        uncited,
    )


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _set_statuses(statuses: tuple[str, ...]) -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:
        # The last-citation triggers on fact_citations name membership_spans; SQLite would
        # refuse to rename the rebuilt table over the dropped one while they point at it.
        op.execute("PRAGMA legacy_alter_table = ON")
    with op.batch_alter_table("membership_spans", recreate="always" if sqlite else "auto") as batch:
        batch.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch.create_check_constraint("membership_status", _status_check(statuses))
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = OFF")
        _restore_span_triggers_sqlite()


def upgrade() -> None:
    op.create_table(
        "dataset_imports",
        sa.Column("source_key", sa.String(length=64), nullable=False),
        sa.Column(
            "file_name", sa.String(length=200), nullable=False, comment="The file's name, no folder"
        ),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("organizations", sa.Integer(), nullable=False, comment="Organizations it wrote"),
        sa.Column("spans", sa.Integer(), nullable=False, comment="Membership spans it wrote"),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_dataset_imports_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_dataset_imports")),
        comment="Each dataset file imported whole, as its own source.",
        mariadb_charset="utf8mb4",
        mariadb_collate="utf8mb4_bin",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    for column in _locator_columns():
        op.add_column("citations", column)
    with op.batch_alter_table("facts") as batch:
        batch.add_column(
            sa.Column(
                "dataset_key",
                sa.String(length=64),
                nullable=True,
                comment="The dataset import that wrote the fact; empty for the seeds' facts",
            )
        )
        batch.create_foreign_key(
            batch.f("fk_facts_dataset_key_sources"), "sources", ["dataset_key"], ["key"]
        )
        batch.create_index(batch.f("ix_facts_dataset_key"), ["dataset_key"], unique=False)
    with op.batch_alter_table("states") as batch:
        batch.add_column(
            sa.Column(
                "dataset_key",
                sa.String(length=64),
                nullable=True,
                comment="The dataset import that added the state; empty for the seeds' states",
            )
        )
        batch.create_foreign_key(
            batch.f("fk_states_dataset_key_sources"), "sources", ["dataset_key"], ["key"]
        )
        batch.alter_column(
            "iso3",
            existing_type=sa.String(length=3),
            existing_nullable=False,
            comment="ISO 3166-1 alpha-3; X.. (user-assigned) for a state ISO never coded",
        )
        batch.alter_column(
            "iso2",
            existing_type=sa.String(length=2),
            nullable=True,
            comment="ISO 3166-1 alpha-2; empty for X.. codes",
        )
        batch.alter_column(
            "numeric",
            existing_type=sa.String(length=3),
            nullable=True,
            comment="ISO 3166-1 numeric; empty for X.. codes",
            existing_comment="ISO 3166-1 numeric",
        )
    _set_statuses(NEW_STATUSES)


def downgrade() -> None:
    # Schema 0002 cannot hold what the imports wrote (states without ISO codes, associate
    # members, locators): their rows leave first, facts before the citations they need.
    imported_facts = "SELECT f.key FROM facts AS f WHERE f.dataset_key IS NOT NULL"
    quoted_key = op.get_context().dialect.identifier_preparer.quote("key")
    op.execute(f"DELETE FROM membership_spans WHERE {quoted_key} IN ({imported_facts})")
    op.execute(f"DELETE FROM organizations WHERE code IN ({imported_facts})")
    op.execute(f"DELETE FROM fact_citations WHERE fact_key IN ({imported_facts})")
    op.execute("DELETE FROM facts WHERE dataset_key IS NOT NULL")
    imported_sources = "SELECT d.source_key FROM dataset_imports AS d"
    op.execute(f"DELETE FROM citations WHERE source_key IN ({imported_sources})")
    op.execute("DELETE FROM states WHERE dataset_key IS NOT NULL")
    sources = (
        [row[0] for row in op.get_bind().execute(sa.text(imported_sources))]
        if not op.get_context().as_sql
        else []
    )
    op.execute("DELETE FROM dataset_imports")
    for key in sources:
        op.execute(sa.text(f"DELETE FROM sources WHERE {quoted_key} = :key").bindparams(key=key))
    _set_statuses(OLD_STATUSES)
    with op.batch_alter_table("states") as batch:
        batch.alter_column(
            "numeric",
            existing_type=sa.String(length=3),
            nullable=False,
            comment="ISO 3166-1 numeric",
            existing_comment="ISO 3166-1 numeric; empty for X.. codes",
        )
        batch.alter_column(
            "iso2",
            existing_type=sa.String(length=2),
            nullable=False,
            comment=None,
            existing_comment="ISO 3166-1 alpha-2; empty for X.. codes",
        )
        batch.alter_column(
            "iso3", existing_type=sa.String(length=3), existing_nullable=False, comment=None
        )
        batch.drop_constraint(batch.f("fk_states_dataset_key_sources"), type_="foreignkey")
        batch.drop_column("dataset_key")
    with op.batch_alter_table("facts") as batch:
        # MariaDB keeps an index while a foreign key needs it: the key goes first.
        batch.drop_constraint(batch.f("fk_facts_dataset_key_sources"), type_="foreignkey")
        batch.drop_index(batch.f("ix_facts_dataset_key"))
        batch.drop_column("dataset_key")
    for column in reversed(_locator_columns()):
        op.drop_column("citations", column.name)
    op.drop_table("dataset_imports")
