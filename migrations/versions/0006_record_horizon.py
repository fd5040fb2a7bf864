"""the record's horizon: the last day an organization's record covers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00

``organizations`` gets ``horizon`` (a partial date: ``horizon_edtf``, ``_lower``, ``_upper``,
``_precision``) and ``horizon_reasoning``: the last day its sources cover (the upper bound)
and why the record ends there. Past it no answer is ``certain``. The seeds fill it for the
curated organizations; a dataset import, for the organizations it writes.

SQLite cannot add a CHECK constraint in place: ``organizations`` is rebuilt in batch mode,
which drops its triggers, so they (and those on ``fact_citations``, which name every fact
table) are dropped before and made again after, from revision 0003's definitions.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "organizations"
EDTF_COMMENT = (
    "The last day its record covers (its upper bound): past it no answer is certain (EDTF)"
)
REASONING_COMMENT = "Why the record ends there: its newest source, or a dataset's last year"


def _as_of_migration():
    """Revision 0003's module: its helpers drop and make the SQLite triggers of a table
    rebuilt in batch mode."""
    path = Path(__file__).with_name("0003_as_of_reach_and_lifetimes.py")
    spec = importlib.util.spec_from_file_location("csto_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def upgrade() -> None:
    as_of = _as_of_migration()
    if _sqlite():
        as_of._sqlite_drop_triggers([TABLE])
    with op.batch_alter_table(TABLE) as batch_op:
        batch_op.add_column(
            sa.Column("horizon_edtf", sa.String(40), nullable=True, comment=EDTF_COMMENT)
        )
        batch_op.add_column(
            sa.Column(
                "horizon_lower",
                sa.Date(),
                nullable=True,
                comment="Earliest day the horizon date can be",
            )
        )
        batch_op.add_column(
            sa.Column(
                "horizon_upper",
                sa.Date(),
                nullable=True,
                comment="Latest day the horizon date can be",
            )
        )
        batch_op.add_column(
            sa.Column(
                "horizon_precision",
                as_of._precision("horizon"),
                nullable=True,
                comment="day, month, year or range",
            )
        )
        batch_op.add_column(
            sa.Column("horizon_reasoning", sa.Text(), nullable=True, comment=REASONING_COMMENT)
        )
        batch_op.create_check_constraint("horizon_bounds_ordered", "horizon_lower <= horizon_upper")
        batch_op.create_check_constraint(
            "horizon_all_or_none",
            "(horizon_edtf IS NULL AND horizon_lower IS NULL AND horizon_upper IS NULL"
            " AND horizon_precision IS NULL) OR (horizon_edtf IS NOT NULL AND"
            " horizon_lower IS NOT NULL AND horizon_upper IS NOT NULL"
            " AND horizon_precision IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            "horizon_has_reasoning", "horizon_edtf IS NULL OR horizon_reasoning IS NOT NULL"
        )
    if _sqlite():
        as_of._sqlite_make_triggers([TABLE])


def downgrade() -> None:
    as_of = _as_of_migration()
    if _sqlite():
        as_of._sqlite_drop_triggers([TABLE])
    with op.batch_alter_table(TABLE) as batch_op:
        for check in (
            "horizon_has_reasoning",
            "horizon_all_or_none",
            "horizon_bounds_ordered",
            "horizon_precision",
        ):
            batch_op.drop_constraint(batch_op.f(f"ck_{TABLE}_{check}"), type_="check")
        for column in (
            "horizon_reasoning",
            "horizon_precision",
            "horizon_upper",
            "horizon_lower",
            "horizon_edtf",
        ):
            batch_op.drop_column(column)
    if _sqlite():
        as_of._sqlite_make_triggers([TABLE])
