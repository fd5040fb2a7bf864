"""missing data by state: an index on (state_iso3, first_year)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:45:00

``shared`` lists apart the organizations a dataset codes as missing data for either of two
states in a year. The primary key of ``missing_data`` begins with the organization, so
without this index that question reads the whole table: at 100 times COW's size (2.9
million runs) it took 25 times as long as on COW itself. An index added in place: no batch
rebuild, the triggers stay.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_missing_data_by_state", "missing_data", ["state_iso3", "first_year"], unique=False
    )


def downgrade() -> None:
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        # InnoDB let the new index serve the foreign key on state_iso3 and dropped the index
        # it had made for it; it refuses to drop this one until the key has another, which
        # it makes under the constraint's name, as it did before this revision.
        op.create_index(
            "fk_missing_data_state_iso3_states", "missing_data", ["state_iso3"], unique=False
        )
    op.drop_index("ix_missing_data_by_state", table_name="missing_data")
