"""build record and row digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:05:43

Two tables ``csto-db init`` writes after loading the seeds and ``csto-db check`` reads:
``build_record`` (one row: the schema revision, a digest of the seed files and one of the
whole content) and ``row_digests`` (a digest of every row, by table and key), so that a row
changed, added or removed by another client is found and named. New tables only: no batch
rebuild of an existing table, so the triggers of 0002 stay in place on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: utf8mb4 and a binary collation on MariaDB, as every other table has (see the models).
MARIADB_OPTIONS = {
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


def upgrade() -> None:
    op.create_table(
        "build_record",
        sa.Column(
            "id",
            sa.Integer(),
            autoincrement=False,
            nullable=False,
            comment="Always 1: one build record",
        ),
        sa.Column(
            "revision", sa.String(length=32), nullable=False, comment="Schema revision of the build"
        ),
        sa.Column(
            "seeds_sha256",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 over the seed files' names and bytes",
        ),
        sa.Column(
            "content_sha256",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 over every row digest, in table and key order",
        ),
        sa.Column(
            "row_count", sa.Integer(), nullable=False, comment="Rows the seeds put in the database"
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_build_record_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_build_record")),
        comment="What `csto-db init` last built the database from; `check` compares.",
        **MARIADB_OPTIONS,
    )
    op.create_table(
        "row_digests",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column(
            "row_key",
            sa.String(length=400),
            nullable=False,
            comment="The row's primary key as text",
        ),
        sa.Column(
            "sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the row's values"
        ),
        sa.PrimaryKeyConstraint("table_name", "row_key", name=op.f("pk_row_digests")),
        comment="A digest of each row `init` wrote; `check` recomputes them.",
        **MARIADB_OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("row_digests")
    op.drop_table("build_record")
