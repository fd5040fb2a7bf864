"""Where the database is and how to connect to it: one URL rule and one engine factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from .errors import DatabaseError

DEFAULT_URL = "sqlite:///csto.db"
URL_VARIABLE = "CSTO_DB_URL"

#: The pip extra that brings each server's driver.
DRIVER_EXTRAS = {"postgresql": "postgres", "mariadb": "mariadb", "mysql": "mariadb"}

#: The driver a URL without one gets: the one its extra installs. SQLAlchemy's own default
#: for ``mariadb://`` and ``mysql://`` is mysqlclient, which the extra does not bring.
DEFAULT_DRIVERS = {"postgresql": "psycopg", "mariadb": "pymysql", "mysql": "pymysql"}


def database_url(explicit: str | None = None) -> str:
    """The database URL: the ``--db`` option (or ``-x url=``), else ``CSTO_DB_URL``, else
    ``sqlite:///csto.db`` in the current directory. Every entry point calls this."""
    return explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite checks foreign keys only when asked, per connection. Python before 3.12 has no
    # ``autocommit`` attribute on sqlite3 connections, so the pragma runs directly.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None, *, read_only: bool = False) -> Engine:
    """An engine for ``url`` (resolved by :func:`database_url`).

    SQLite connections get foreign keys switched on. ``read_only`` opens a SQLite file in
    read-only mode, and asks a server for a read-only transaction on each connection.
    Raises :class:`DatabaseError` with the pip extra to install when a driver is missing.
    """
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {resolved!r}") from None
    backend = parsed.get_backend_name()
    if parsed.drivername == backend and backend in DEFAULT_DRIVERS:
        parsed = parsed.set(drivername=f"{backend}+{DEFAULT_DRIVERS[backend]}")
    if backend == "sqlite" and read_only and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.exists():
            raise DatabaseError(f"no database at {path}: run `csto-db init` first (or pass --db)")
        parsed = parsed.set(database=f"file:{path.resolve()}?mode=ro",
                            query={**parsed.query, "uri": "true"})
    try:
        engine = create_engine(parsed)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as error:
        extra = DRIVER_EXTRAS.get(backend)
        hint = f": pip install 'csto-db[{extra}]'" if extra else ""
        reason = " ".join(str(error).split())  # the message stays on one line
        raise DatabaseError(f"no driver for {backend} ({reason}){hint}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    elif read_only:
        event.listen(engine, "begin", _begin_read_only)
    return engine


def _begin_read_only(connection: Connection) -> None:
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)
