"""record version in the build record

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:30:00

``build_record.record_version``: the csto-db release whose seeds and answer rule built the
database. The schema gate refuses a database a newer release built, as it refuses a newer
schema. A database built before releases were recorded keeps it empty until the next
``csto-db init`` writes it. A column added in place: no batch rebuild, so the triggers of
0002 stay where they are on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "build_record",
        sa.Column(
            "record_version",
            sa.String(length=32),
            nullable=True,
            comment="The csto-db release that built the database; empty for a build "
            "older than the column",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("build_record") as batch:
        batch.drop_column("record_version")
