"""missing data: the runs of a dataset's cells coded as missing (COW IGO's -9)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:30:00

``missing_data``: each run of consecutive years for which a dataset codes a state's
membership in an organization as missing data, by organization, state and first year, with
its last year and the dataset it comes from. The COW import fills it with every run of
``-9`` cells, so that no answer rests on them as if they were known and the cells can be
written back as the file had them. A new table only: no rebuild, the triggers stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "missing_data",
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
        sa.CheckConstraint("first_year <= last_year", name=op.f("ck_missing_data_years_ordered")),
        sa.ForeignKeyConstraint(
            ["organization_code"],
            ["organizations.code"],
            name=op.f("fk_missing_data_organization_code_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["source_key"], ["sources.key"], name=op.f("fk_missing_data_source_key_sources")
        ),
        sa.ForeignKeyConstraint(
            ["state_iso3"], ["states.iso3"], name=op.f("fk_missing_data_state_iso3_states")
        ),
        sa.PrimaryKeyConstraint(
            "organization_code", "state_iso3", "first_year", name=op.f("pk_missing_data")
        ),
        comment="Runs of years a dataset codes as missing data (COW IGO: -9) for a state in an "
        "organization: neither member nor not, unknown.",
        mariadb_charset="utf8mb4",
        mariadb_collate="utf8mb4_bin",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    op.create_index(
        op.f("ix_missing_data_source_key"), "missing_data", ["source_key"], unique=False
    )


def downgrade() -> None:
    # The table goes with its index: MariaDB refuses to drop first an index a foreign key
    # needs.
    op.drop_table("missing_data")
