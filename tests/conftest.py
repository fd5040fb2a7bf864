"""Test fixtures: one suite, any engine. SQLite by default; a server when
CSTO_TEST_DATABASE_URL (or --db-url) names one. Each fixture hands out a fresh database."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEST_URL_VARIABLE = "CSTO_TEST_DATABASE_URL"


def dump_of(url: str) -> dict[str, list[dict]]:
    """The canonical dump of the database at ``url``: every row of every table."""
    from csto_db.build.canonical_dump import canonical_dump
    from csto_db.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return canonical_dump(connection)
    finally:
        engine.dispose()


def sqlite_file_dump(url: str) -> dict[str, list[dict]]:
    """Every row of every table of a SQLite file as stored, read without the models, which
    describe the newest schema: for a database at an older revision (release 0.1.0's)."""
    import sqlite3
    from contextlib import closing

    path = make_url(url).database
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        connection.row_factory = sqlite3.Row
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: sorted(
                (dict(row) for row in connection.execute(f'SELECT * FROM "{table}"')), key=repr
            )
            for table in tables
        }


#: The databases the suite made on a server, and the reader role made for each (by URL).
_CREATED: set[str] = set()
_READERS: dict[str, str] = {}


def reader_for(url: str | None) -> str | None:
    """The URL of a role that only reads the database at ``url``, made once with
    ``grant_reader`` and dropped with the database; None on SQLite and for a database the
    suite did not make. `sql` on a server runs only as such a role."""
    if url is None or url not in _CREATED:
        return None
    if url not in _READERS:
        from csto_db.errors import Error
        from csto_db.query_door.reader_role import grant_reader

        name = f"csto_reader_{uuid.uuid4().hex[:10]}"
        try:
            reader = grant_reader(url, name, "reader")
        except Error:  # a database not built, or refused by the gate: as the test made it
            return None
        _READERS[url] = reader.render_as_string(hide_password=False)
    return _READERS[url]


def run_cli(*args: str, db: str | None = None, expect: int = 0, add_reader: bool = True):
    """Run ``csto-db [--db DB] ARGS`` in-process and check its exit status. On a server,
    `sql` runs as the database's reader (:func:`reader_for`) unless ``add_reader`` is off
    or the arguments name one."""
    from click.testing import CliRunner

    from csto_db.cli import main

    if args and args[0] == "sql" and add_reader and "--reader-url" not in args:
        reader = reader_for(db or os.environ.get("CSTO_DB_URL"))
        if reader is not None:
            args = ("sql", "--reader-url", reader, *args[1:])
    arguments = (["--db", db] if db else []) + list(args)
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert result.exit_code == expect, (arguments, result.output, result.stderr)
    return result


def run_cli_json(db: str, *args: str):
    """The parsed JSON of ``csto-db --db DB ARGS --json``."""
    return json.loads(run_cli(*args, "--json", db=db).stdout)


def require_module(name: str, extra: str):
    """Import an optional package the tests need: skip, saying which extra brings it, when it
    is missing; fail instead in CI, where `pip install -e '.[test]'` must have brought it."""
    try:
        return __import__(name)
    except ImportError:
        message = f"{name} is not installed: pip install 'csto-db[{extra}]'"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message, allow_module_level=True)


def pytest_configure(config: pytest.Config) -> None:
    # The suite's parsed seed files go to a folder of its own (removed at exit), not the
    # user's cache; commands the tests start inherit it.
    import atexit
    import shutil
    import tempfile

    from csto_db.build.seed_cache import CACHE_VARIABLE

    folder = tempfile.mkdtemp(prefix="csto-test-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[CACHE_VARIABLE] = folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-url",
        default=None,
        help=f"server to run the suite against (or set {TEST_URL_VARIABLE}); "
        "each test gets a fresh database on it",
    )


def server_url(config: pytest.Config) -> str | None:
    return config.getoption("--db-url") or os.environ.get(TEST_URL_VARIABLE) or None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


class ServerDatabases:
    """Creates and drops throwaway databases on a PostgreSQL or MariaDB server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.backend = self.url.get_backend_name()
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def reachable(self) -> str | None:
        try:
            with self.admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure to connect means: not reachable
            return f"{type(error).__name__}: {str(error).splitlines()[0]}"
        return None

    def create(self) -> str:
        name = f"csto_test_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        url = self.url.set(database=name).render_as_string(hide_password=False)
        _CREATED.add(url)
        return url

    def drop(self, url: str) -> None:
        """Drop the database, then the reader :func:`reader_for` made for it, if any (a
        PostgreSQL role cannot go while a database grants it something)."""
        name = make_url(url).database
        with self.admin.connect() as connection:
            if self.backend == "postgresql":
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            reader = _READERS.pop(url, None)
            if reader is not None:
                role = make_url(reader).username
                if self.backend == "postgresql":
                    connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
                else:
                    connection.execute(text(f"DROP USER IF EXISTS '{role}'@'%'"))
        _CREATED.discard(url)


@pytest.fixture(scope="session")
def server(pytestconfig: pytest.Config) -> ServerDatabases | None:
    """The server under test, or None when the suite runs on SQLite. A server that cannot
    be reached fails the run in CI and skips it elsewhere, saying why."""
    url = server_url(pytestconfig)
    if url is None:
        return None
    databases = ServerDatabases(url)
    problem = databases.reachable()
    if problem:
        message = f"database server {databases.url.render_as_string()} unreachable: {problem}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return databases


def _fresh_url(server: ServerDatabases | None, directory) -> str:
    if server is None:
        return f"sqlite:///{directory / 'csto.db'}"
    return server.create()


@pytest.fixture
def seed_copy(tmp_path):
    """A private copy of the seeds to break."""
    import shutil

    from csto_db.build.seed_set import seeds_dir

    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    return copy


@pytest.fixture
def empty_db_url(server, tmp_path) -> Iterator[str]:
    """A new, empty database on the engine under test."""
    url = _fresh_url(server, tmp_path)
    yield url
    if server is not None:
        server.drop(url)


@pytest.fixture(scope="session")
def built_db_url(server, tmp_path_factory) -> Iterator[str]:
    """One database built by ``init`` for the whole session. Tests must not write to it."""
    from csto_db.build.init import init_database

    url = _fresh_url(server, tmp_path_factory.mktemp("built"))
    init_database(url)
    yield url
    if server is not None:
        server.drop(url)


@pytest.fixture(scope="session")
def built_engine(built_db_url):
    from csto_db.store.db import make_engine

    engine = make_engine(built_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(built_engine):
    """A connection to the built database, rolled back after the test."""
    with built_engine.connect() as connection:
        yield connection
        connection.rollback()


@pytest.fixture(scope="module")
def cow_excerpt_url(server, tmp_path_factory) -> Iterator[str]:
    """A database built by ``init`` with the COW excerpt imported, for one test module
    (tests/data/cow-igo-v3-excerpt.csv: every row of NATO, OEEC, ICAO, CIS, ...)."""
    from pathlib import Path

    from csto_db.build.init import init_database

    url = _fresh_url(server, tmp_path_factory.mktemp("cow-excerpt"))
    init_database(url)
    run_cli("import-cow", str(Path(__file__).parent / "data" / "cow-igo-v3-excerpt.csv"), db=url)
    yield url
    if server is not None:
        server.drop(url)
