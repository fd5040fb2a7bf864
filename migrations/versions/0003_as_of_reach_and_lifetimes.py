"""as-of reach on span tables, organization lifetimes, only the indexes queries use

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:30:00

* ``membership_spans``, ``chair_spans`` and ``office_terms`` get ``reach_start`` and
  ``reach_end``: the outermost bounds of each span over every reading of its start and end.
  An as-of question selects its candidate spans with the day against them, through the new
  ``ix_*_as_of`` indexes. Existing rows get their reach computed here from ``readings``;
  the loader maintains it afterwards and ``csto-db check`` recomputes it.
* ``organizations`` gets ``membership_start`` and ``membership_end`` (partial dates): when an
  organization's membership begins and ends. The seeds fill them.
* The indexes on partial-date bounds (``*_lower``, ``*_upper``) go: no query selects by them.
  The single-column organization indexes of the two span tables give way to the composite
  as-of indexes, which lead with the same column (MariaDB's foreign keys need one of them,
  so the composite index is created first), and ``ix_readings_dispute_key`` to the index of
  the unique constraint on ``(dispute_key, preferred)``.

SQLite cannot add a NOT NULL column or a CHECK constraint in place: the three span tables
and ``organizations`` are rebuilt in batch mode, which drops their triggers, so the triggers
of revision 0002 are made again for them afterwards. The triggers on ``fact_citations``
name every fact table; they are dropped before the rebuild (SQLite re-reads them when a
rebuilt table is renamed into place) and made again after it.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REACH_TABLES = ("membership_spans", "chair_spans", "office_terms")

#: The as-of indexes: each table, the index and its columns.
AS_OF_INDEXES = {
    "membership_spans": ("ix_membership_spans_as_of", ["organization_code", "reach_start"]),
    "chair_spans": ("ix_chair_spans_as_of", ["organization_code", "reach_start"]),
    "office_terms": ("ix_office_terms_as_of", ["reach_start"]),
}

#: Single-column indexes that other indexes make redundant: the composite as-of indexes,
#: and the unique constraint on readings (dispute_key, preferred), lead with the same column.
REPLACED_INDEXES = {
    "membership_spans": ("ix_membership_spans_organization_code", "organization_code"),
    "chair_spans": ("ix_chair_spans_organization_code", "organization_code"),
    "readings": ("ix_readings_dispute_key", "dispute_key"),
}

#: Every partial date of revision 0001 whose bounds were indexed, by table.
BOUND_INDEXES = {
    "body_observers": ("start", "end"),
    "chair_spans": ("start", "end"),
    "document_parties": ("acted",),
    "documents": ("signed", "in_force"),
    "events": ("happened",),
    "forces": ("established",),
    "initiatives": ("proposed",),
    "meetings": ("held",),
    "membership_spans": ("start", "end"),
    "office_terms": ("start", "end", "appointed"),
    "operations": ("requested", "decided", "start", "end"),
    "positions": ("period",),
    "readings": ("value_date",),
}

LIFETIME_DATES = {
    "membership_start": "First day its membership counts: no member before it",
    "membership_end": "First day its membership no longer counts; empty while it lasts",
}


def _integrity_rules():
    """Revision 0002's module: its trigger definitions are made again after a rebuild."""
    path = Path(__file__).with_name("0002_integrity_rules.py")
    spec = importlib.util.spec_from_file_location("csto_migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dialect() -> str:
    name = op.get_context().dialect.name
    return "mariadb" if name == "mysql" else name


def _q(name: str) -> str:
    return op.get_context().dialect.identifier_preparer.quote(name)


def _bound_indexes():
    for table, dates in BOUND_INDEXES.items():
        for name in dates:
            for bound in ("lower", "upper"):
                yield table, f"ix_{table}_{name}_{bound}", f"{name}_{bound}"


# --- SQLite triggers around a rebuild ------------------------------------------------------


def _sqlite_drop_triggers(tables: Sequence[str]) -> None:
    rules = _integrity_rules()
    for name, table in rules._triggers():
        if table in tables or table == "fact_citations":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _sqlite_make_triggers(tables: Sequence[str]) -> None:
    rules = _integrity_rules()
    for table in tables:
        if table in rules.SPAN_TABLES:
            subject = rules.SPAN_TABLES[table]
            message = rules._overlap_message(table, subject)
            rules._sqlite_trigger(
                f"trg_{table}_no_overlap_insert",
                "BEFORE INSERT",
                table,
                rules._overlap_condition(table, subject, updating=False),
                message,
            )
            rules._sqlite_trigger(
                f"trg_{table}_no_overlap_update",
                "BEFORE UPDATE",
                table,
                rules._overlap_condition(table, subject, updating=True),
                message,
            )
        column = rules.FACT_TABLES[table]
        message = rules._uncited_message(table)
        rules._sqlite_trigger(
            f"trg_{table}_cited_insert",
            "BEFORE INSERT",
            table,
            rules._uncited_condition(f"NEW.{_q(column)}"),
            message,
        )
        rules._sqlite_trigger(
            f"trg_{table}_cited_update",
            f"BEFORE UPDATE OF {_q(column)}",
            table,
            f"NEW.{_q(column)} <> OLD.{_q(column)} AND "
            + rules._uncited_condition(f"NEW.{_q(column)}"),
            message,
        )
    rules._sqlite_trigger(
        "trg_fact_citations_keep_last_delete",
        "BEFORE DELETE",
        "fact_citations",
        rules._last_citation_condition(),
        rules.LAST_CITATION_MESSAGE,
    )
    rules._sqlite_trigger(
        "trg_fact_citations_keep_last_update",
        "BEFORE UPDATE OF fact_key",
        "fact_citations",
        "NEW.fact_key <> OLD.fact_key AND " + rules._last_citation_condition(),
        rules.LAST_CITATION_MESSAGE,
    )


# --- Upgrade -------------------------------------------------------------------------------


def _precision(name: str) -> sa.Enum:
    return sa.Enum(
        "day",
        "month",
        "year",
        "range",
        name=f"{name}_precision",
        native_enum=False,
        create_constraint=True,
        length=5,
    )


def _reach_sql(table: str) -> str:
    """Each span's reach from its stored dates and the readings of its start and end."""
    readings = (
        "SELECT {aggregate}(r.{column}) FROM dispute_subjects ds"
        " JOIN readings r ON r.dispute_key = ds.dispute_key"
        f" WHERE ds.fact_key = {_q(table)}.{_q('key')} AND ds.field = '{{field}}'"
        f" AND r.{{column}} {{beyond}} {_q(table)}.{{stored}}"
    )
    earliest = readings.format(
        aggregate="MIN", column="value_date_lower", field="start", beyond="<", stored="start_lower"
    )
    latest = readings.format(
        aggregate="MAX", column="value_date_upper", field="end", beyond=">", stored="end_upper"
    )
    return (
        f"UPDATE {_q(table)} SET reach_start = COALESCE(({earliest}), start_lower),"
        f" reach_end = CASE WHEN end_upper IS NULL THEN NULL"
        f" ELSE COALESCE(({latest}), end_upper) END"
    )


def upgrade() -> None:
    dialect = _dialect()
    for table in REACH_TABLES:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column(
                    "reach_start",
                    sa.Date(),
                    nullable=True,
                    comment="Earliest day any reading of the start can be",
                )
            )
            batch_op.add_column(
                sa.Column(
                    "reach_end",
                    sa.Date(),
                    nullable=True,
                    comment="Latest day any reading of the end can be; empty while any reading "
                    "leaves the span open",
                )
            )
        op.execute(_reach_sql(table))
    rebuilt = [*REACH_TABLES, "organizations"]
    if dialect == "sqlite":
        _sqlite_drop_triggers(rebuilt)
    for table in REACH_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                "reach_start",
                existing_type=sa.Date(),
                nullable=False,
                existing_comment="Earliest day any reading of the start can be",
            )
            batch_op.create_check_constraint("reach_start_outermost", "reach_start <= start_lower")
            batch_op.create_check_constraint(
                "reach_end_outermost",
                "reach_end IS NULL OR (end_upper IS NOT NULL AND end_upper <= reach_end)",
            )
    with op.batch_alter_table("organizations") as batch_op:
        for name, comment in LIFETIME_DATES.items():
            batch_op.add_column(
                sa.Column(f"{name}_edtf", sa.String(40), nullable=True, comment=comment + " (EDTF)")
            )
            batch_op.add_column(
                sa.Column(
                    f"{name}_lower",
                    sa.Date(),
                    nullable=True,
                    comment=f"Earliest day the {name} date can be",
                )
            )
            batch_op.add_column(
                sa.Column(
                    f"{name}_upper",
                    sa.Date(),
                    nullable=True,
                    comment=f"Latest day the {name} date can be",
                )
            )
            batch_op.add_column(
                sa.Column(
                    f"{name}_precision",
                    _precision(name),
                    nullable=True,
                    comment="day, month, year or range",
                )
            )
            batch_op.create_check_constraint(
                f"{name}_bounds_ordered", f"{name}_lower <= {name}_upper"
            )
            batch_op.create_check_constraint(
                f"{name}_all_or_none",
                f"({name}_edtf IS NULL AND {name}_lower IS NULL AND {name}_upper IS NULL"
                f" AND {name}_precision IS NULL) OR ({name}_edtf IS NOT NULL AND"
                f" {name}_lower IS NOT NULL AND {name}_upper IS NOT NULL"
                f" AND {name}_precision IS NOT NULL)",
            )
    if dialect == "sqlite":
        _sqlite_make_triggers(rebuilt)
    for table, (name, columns) in AS_OF_INDEXES.items():
        op.create_index(name, table, columns)
    for table, (name, _column) in REPLACED_INDEXES.items():
        op.drop_index(name, table_name=table)
    for table, name, _column in _bound_indexes():
        op.drop_index(name, table_name=table)


# --- Downgrade -----------------------------------------------------------------------------


def downgrade() -> None:
    dialect = _dialect()
    for table, name, column in _bound_indexes():
        op.create_index(name, table, [column])
    for table, (name, column) in REPLACED_INDEXES.items():
        op.create_index(name, table, [column])
    for table, (name, _columns) in AS_OF_INDEXES.items():
        op.drop_index(name, table_name=table)
    rebuilt = [*REACH_TABLES, "organizations"]
    if dialect == "sqlite":
        _sqlite_drop_triggers(rebuilt)
    with op.batch_alter_table("organizations") as batch_op:
        for name in reversed(LIFETIME_DATES):
            for check in ("all_or_none", "bounds_ordered"):
                batch_op.drop_constraint(
                    batch_op.f(f"ck_organizations_{name}_{check}"), type_="check"
                )
            batch_op.drop_constraint(
                batch_op.f(f"ck_organizations_{name}_precision"), type_="check"
            )
            for part in ("precision", "upper", "lower", "edtf"):
                batch_op.drop_column(f"{name}_{part}")
    for table in REACH_TABLES:
        with op.batch_alter_table(table) as batch_op:
            for check in ("reach_end_outermost", "reach_start_outermost"):
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{check}"), type_="check")
            batch_op.drop_column("reach_end")
            batch_op.drop_column("reach_start")
    if dialect == "sqlite":
        _sqlite_make_triggers(rebuilt)
