"""The migrations on the engine under test: one head, upgrade, models match, up-down-up."""

from __future__ import annotations

import itertools

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from csto_db.models import Base
from csto_db.store.db import make_engine
from csto_db.store.schema import alembic_config, current_revision, downgrade, head_revision, upgrade


def revisions_base_to_head() -> list[str]:
    """Every revision in the order they apply."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def down_revision_of(revision: str) -> str | None:
    script = ScriptDirectory.from_config(alembic_config())
    down = script.get_revision(revision).down_revision
    assert not isinstance(down, tuple), f"{revision} is a merge point; step it by hand"
    return down


def user_triggers(connection) -> set[str]:
    """Names of the triggers in the database, whatever the engine."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    elif dialect == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = (
            "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
        )
    return set(connection.execute(text(query)).scalars())


@pytest.fixture
def engine(empty_db_url):
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def test_single_head_revision():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {heads}"
    assert heads[0] == head_revision()


def test_revisions_form_one_line_from_base():
    revisions = revisions_base_to_head()
    assert down_revision_of(revisions[0]) is None
    for before, after in itertools.pairwise(revisions):
        assert down_revision_of(after) == before


@pytest.mark.slow
def test_upgrade_from_empty_to_head_one_step_at_a_time(engine):
    with engine.connect() as connection:
        assert current_revision(connection) is None
        for revision in revisions_base_to_head():
            upgrade(connection, revision)
            assert current_revision(connection) == revision
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())


def test_models_match_migrations(engine):
    with engine.connect() as connection:
        upgrade(connection)
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        assert differences == []
        # The same comparison as `alembic check`, through env.py: raises on any difference.
        command.check(alembic_config(connection=connection))


@pytest.mark.slow
def test_up_down_up_one_revision_at_a_time(engine):
    revisions = revisions_base_to_head()
    with engine.connect() as connection:
        upgrade(connection)
        tables_at_head = set(inspect(connection).get_table_names())
        triggers_at_head = user_triggers(connection)
        for revision in reversed(revisions):
            down = down_revision_of(revision)
            downgrade(connection, down or "base")
            assert current_revision(connection) == down
        # Down at base nothing of the schema is left: no table but Alembic's, no trigger.
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        assert user_triggers(connection) == set()
        for revision in revisions:
            upgrade(connection, revision)
            assert current_revision(connection) == revision
        assert set(inspect(connection).get_table_names()) == tables_at_head
        assert user_triggers(connection) == triggers_at_head
        command.check(alembic_config(connection=connection))


@pytest.mark.slow
def test_migrations_leave_sqlite_foreign_keys_on(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("foreign keys are always enforced on PostgreSQL and MariaDB")
    with engine.connect() as connection:
        upgrade(connection)
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        downgrade(connection, revisions_base_to_head()[0])
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
