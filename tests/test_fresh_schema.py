"""The two routes to the newest schema build the same one on the engine under test: the
migrations replayed through Alembic, and ``init``'s one pass on an empty database (the tables'
``create_all``, the triggers and constraints the migrations add, the revision stamped). Their
tables, columns, keys, indexes, constraints and triggers are equal, and so are the databases
the seeds fill; a release's database upgraded through the migrations equals a fresh build.
(Columns compare by name, not position: a migration adds a column after the others.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import dump_of
from sqlalchemy import inspect, text

from csto_db.build.init import init_database
from csto_db.store.db import make_engine
from csto_db.store.fresh_schema import create_schema, extras_ddl, recorded_extras
from csto_db.store.schema import SCHEMA_REVISION, current_revision, upgrade
from csto_db.store.schema_check import schema_objects

RELEASE_0_1_0 = Path(__file__).resolve().parent / "data" / "csto-0.1.0.db"


def _words(value: object) -> str:
    return " ".join(str(value).split())


def _table_comment(inspector, table: str) -> str | None:
    try:
        return inspector.get_table_comment(table).get("text")
    except NotImplementedError:  # SQLite keeps no comments
        return None


def schema_of(url: str) -> dict[str, object]:
    """Everything reflection sees of a database's schema, engine-neutral where the engine
    itself prints one thing two ways, plus the triggers and other objects (with digests of
    their definitions) that ``csto-db check`` compares."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables: dict[str, object] = {}
            for table in sorted(inspector.get_table_names()):
                tables[table] = {
                    # By name: a migration adds a column last, where a fresh build puts
                    # it as the table definition does (as `csto-db export` orders them).
                    "columns": {
                        column["name"]: (
                            _words(column["type"]),
                            column["nullable"],
                            _words(column.get("default")),
                            column.get("comment"),
                        )
                        for column in inspector.get_columns(table)
                    },
                    "primary key": inspector.get_pk_constraint(table),
                    "foreign keys": sorted(
                        (
                            key["name"],
                            tuple(key["constrained_columns"]),
                            key["referred_table"],
                            tuple(key["referred_columns"]),
                            sorted(key.get("options", {}).items()),
                        )
                        for key in inspector.get_foreign_keys(table)
                    ),
                    "indexes": sorted(
                        (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                        for index in inspector.get_indexes(table)
                    ),
                    "unique constraints": sorted(
                        (constraint["name"], tuple(constraint["column_names"]))
                        for constraint in inspector.get_unique_constraints(table)
                    ),
                    "checks": sorted(
                        (check["name"], _words(check["sqltext"]))
                        for check in inspector.get_check_constraints(table)
                    ),
                    "comment": _table_comment(inspector, table),
                    # MariaDB's charset and collation (``utf8mb4_bin`` keeps ``CST`` and
                    # ``cst`` two keys); SQLite and PostgreSQL report none.
                    "options": inspector.get_table_options(table),
                }
            return {
                "tables": tables,
                "views": sorted(inspector.get_view_names()),
                "objects": schema_objects(connection),
                "revision": current_revision(connection),
            }
    finally:
        engine.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            upgrade(connection)
    finally:
        engine.dispose()


def _create(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            create_schema(connection)
            connection.commit()
    finally:
        engine.dispose()


@pytest.fixture
def second_empty_db_url(server, tmp_path):
    """Another new, empty database on the engine under test."""
    if server is None:
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    url = server.create()
    yield url
    server.drop(url)


@pytest.mark.slow
def test_the_recorded_extras_are_those_the_migrations_make(empty_db_url):
    # The record init runs from is the one a build through the migrations reads back now.
    _migrate(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            dialect = "mariadb" if connection.dialect.name == "mysql" else connection.dialect.name
            assert extras_ddl(connection) == recorded_extras(dialect), (
                "run python -m csto_db.store.schema_check with every engine's URL"
            )
    finally:
        engine.dispose()


def test_one_pass_builds_the_schema_the_migrations_build(empty_db_url, second_empty_db_url):
    _migrate(empty_db_url)
    _create(second_empty_db_url)
    migrated, created = schema_of(empty_db_url), schema_of(second_empty_db_url)
    assert migrated["revision"] == created["revision"] == SCHEMA_REVISION
    assert migrated["tables"].keys() == created["tables"].keys()
    for table in migrated["tables"]:
        assert migrated["tables"][table] == created["tables"][table], table
    assert migrated == created
    assert created["objects"], "no triggers reflected: the comparison would prove nothing"


@pytest.mark.slow
def test_seeded_through_either_route_the_databases_are_equal(empty_db_url, second_empty_db_url):
    # The first is migrated by Alembic before init (which then only loads the seeds); the
    # second is empty, so init builds it in one pass.
    _migrate(empty_db_url)
    init_database(empty_db_url)
    init_database(second_empty_db_url)
    assert dump_of(empty_db_url) == dump_of(second_empty_db_url)
    assert schema_of(empty_db_url) == schema_of(second_empty_db_url)


@pytest.mark.slow
def test_a_release_upgraded_has_the_schema_of_a_fresh_build(server, tmp_path):
    if server is not None:
        pytest.skip("the release's database is a SQLite file: upgraded in the SQLite run")
    release = tmp_path / "csto-0.1.0.db"
    shutil.copyfile(RELEASE_0_1_0, release)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    init_database(f"sqlite:///{release}", prune=True)
    init_database(fresh)
    engine = make_engine(fresh)
    try:
        with engine.connect() as connection:
            # Built in one pass: init found the file empty.
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        engine.dispose()
    assert schema_of(f"sqlite:///{release}") == schema_of(fresh)
    assert dump_of(f"sqlite:///{release}") == dump_of(fresh)
