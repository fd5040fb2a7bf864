"""cow cells: the runs of a dataset's empty cells (COW IGO's -1) and COW's organization-years

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:40:00

``not_in_system``: each run of consecutive years for which a dataset leaves a state's cell
empty for an organization (COW IGO's codebook: -1, the state is not a member of the state
system), shaped as ``missing_data``. ``cow_years``: each organization-year row of COW IGO's
file, with the cells beside its state columns as the file writes them. With the spans and
``missing_data``, the COW import keeps every cell of the file, so that the file can be
written back. New tables only: no rebuild, the triggers stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARIADB = {
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def _text(name: str, length: int | None, comment: str) -> sa.Column[str]:
    kind: sa.types.TypeEngine[str] = sa.String(length=length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, comment=comment)


def upgrade() -> None:
    op.create_table(
        "not_in_system",
        sa.Column("organization_code", sa.String(length=100), nullable=False),
        sa.Column("state_iso3", sa.String(length=3), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False, comment="First year of the run"),
        sa.Column("last_year", sa.Integer(), nullable=False, comment="Last year of the run"),
        sa.Column(
            "source_key",
            sa.String(length=64),
            nullable=False,
            comment="The dataset whose cells these are: the row locates them (record, state "
            "column, years)",
        ),
        sa.CheckConstraint("first_year <= last_year", name=op.f("ck_not_in_system_years_ordered")),
        sa.ForeignKeyConstraint(
            ["organization_code"],
            ["organizations.code"],
            name=op.f("fk_not_in_system_organization_code_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_not_in_system_source_key_sources")
        ),
        sa.ForeignKeyConstraint(
            ["state_iso3"], ["states.iso3"], name=op.f("fk_not_in_system_state_iso3_states")
        ),
        sa.PrimaryKeyConstraint(
            "organization_code", "state_iso3", "first_year", name=op.f("pk_not_in_system")
        ),
        comment="Runs of years a dataset leaves a state's cell empty for an organization "
        "(COW IGO: -1, state not a member of the state system): neither member nor not, "
        "outside the system.",
        **_MARIADB,
    )
    op.create_index(
        op.f("ix_not_in_system_source_key"), "not_in_system", ["source_key"], unique=False
    )
    op.create_table(
        "cow_years",
        sa.Column(
            "organization_code", sa.String(length=100), nullable=False, comment="COW's ioname"
        ),
        sa.Column("year", sa.Integer(), nullable=False, comment="The row's year"),
        sa.Column(
            "source_key",
            sa.String(length=64),
            nullable=False,
            comment="The dataset file the row is from",
        ),
        _text("orgname", 200, "COW's orgname"),
        _text("sdate", 20, "COW's sdate: the start year"),
        _text("deaddate", 20, "COW's deaddate: the end year"),
        _text("dead", 20, "COW's dead flag"),
        _text("integrated", 20, "COW's integrated flag"),
        _text("replaced", 20, "COW's replaced flag"),
        _text("longorgname", 400, "COW's longorgname"),
        _text("ionum", 20, "COW's ionum, as the file writes it"),
        _text("igocode", 20, "COW's igocode (v1.1 number)"),
        _text("version", 40, "COW's version, as written"),
        _text(
            "accuracyofpre1965membershipdates",
            200,
            "COW's accuracy of pre-1965 membership dates",
        ),
        _text("sourcesandnotes", None, "COW's sources and notes"),
        _text("imputed", 20, "COW's imputed flag"),
        _text("political", 20, "COW's political flag"),
        _text("social", 20, "COW's social flag"),
        _text("economic", 20, "COW's economic flag"),
        sa.ForeignKeyConstraint(
            ["organization_code"],
            ["organizations.code"],
            name=op.f("fk_cow_years_organization_code_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_cow_years_source_key_sources")
        ),
        sa.PrimaryKeyConstraint("organization_code", "year", name=op.f("pk_cow_years")),
        comment="COW IGO's organization-year rows (layout 3.0a): which years the file codes "
        "an organization, and each row's cells beside the state columns, verbatim.",
        **_MARIADB,
    )
    op.create_index(op.f("ix_cow_years_source_key"), "cow_years", ["source_key"], unique=False)


def downgrade() -> None:
    # Each table goes with its index: MariaDB refuses to drop first an index a foreign key
    # needs.
    op.drop_table("cow_years")
    op.drop_table("not_in_system")
