"""Where the database is and how to connect to it: one URL rule and one engine factory."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ..errors import DatabaseError

DEFAULT_URL = "sqlite:///csto.db"
URL_VARIABLE = "CSTO_DB_URL"

#: The engines the package supports, by SQLAlchemy backend name.
SUPPORTED_BACKENDS = ("sqlite", "postgresql", "mariadb", "mysql")

#: The pip extra that brings each server's driver.
DRIVER_EXTRAS = {"postgresql": "postgres", "mariadb": "mariadb", "mysql": "mariadb"}

#: The driver a URL without one gets: the one its extra installs. SQLAlchemy's own default
#: for ``mariadb://`` and ``mysql://`` is mysqlclient, which the extra does not bring.
DEFAULT_DRIVERS = {"postgresql": "psycopg", "mariadb": "pymysql", "mysql": "pymysql"}

# user:password@ in a URL that may not parse: what display_url hides when make_url cannot
# (up to the last @, since a password may hold one).
_PASSWORD_IN_URL = re.compile(r"(?P<head>://[^:/@]*:).*(?P<tail>@)")


def database_url(explicit: str | None = None) -> str:
    """The database URL: the ``--db`` option (or ``-x url=``), else ``CSTO_DB_URL``, else
    ``sqlite:///csto.db`` in the current directory. Every entry point calls this."""
    return explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL


def parse_url(url: str | URL) -> URL:
    """``url`` parsed and checked: a supported engine, a numeric port in range, and the
    driver the package's extras install when the URL names none. Raises
    :class:`DatabaseError` with one line saying what is wrong (the password hidden)."""
    if isinstance(url, URL):
        parsed = url
    else:
        shown = display_url(url)
        try:
            parsed = make_url(url)
        except ArgumentError:
            # Not echoed: text that does not parse may hold a password nothing can find.
            raise DatabaseError(
                f"--db (or ${URL_VARIABLE}) is not a database URL; write it as sqlite:///PATH or "
                f"postgresql://USER@HOST[:PORT]/NAME or mariadb://USER@HOST[:PORT]/NAME"
            ) from None
        except ValueError:
            raise DatabaseError(
                f"not a database URL: {shown!r}: the port must be a number from 1 to 65535"
            ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseError(
            f"unsupported database {backend!r} in {display_url(parsed)!r}: use sqlite, "
            f"postgresql or mariadb"
        )
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DatabaseError(
            f"port {parsed.port} in {display_url(parsed)!r} is out of range: give 1 to 65535"
        )
    if parsed.drivername == backend and backend in DEFAULT_DRIVERS:
        parsed = parsed.set(drivername=f"{backend}+{DEFAULT_DRIVERS[backend]}")
    return parsed


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite checks foreign keys only when asked, per connection. Python before 3.12 has no
    # ``autocommit`` attribute on sqlite3 connections, so the pragma runs directly.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_path(parsed: URL) -> Path | None:
    """The file a SQLite URL names, or None for an in-memory database."""
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(
    url: str | URL | None = None,
    *,
    read_only: bool = False,
    check_revision: bool = False,
    upgrading: bool = False,
) -> Engine:
    """An engine for ``url`` (resolved by :func:`database_url`).

    SQLite connections get foreign keys switched on. ``read_only`` opens a SQLite file in
    read-only mode, and asks a server for a read-only transaction on each connection.
    ``check_revision`` passes the schema gate (:func:`csto_db.store.schema.require_revision`,
    then :func:`csto_db.store.schema.require_finished`) on the engine's first connection, so a
    database older, newer or foreign to the package, or one ``init`` has not finished, is
    refused before anything reads or writes it; ``upgrading`` lets a database that is empty,
    at an older revision or unfinished through (what ``init`` builds and ``check`` reports).
    Raises :class:`DatabaseError` with one line: a malformed URL, a SQLite file (for
    reading) or folder (for writing) that does not exist, a missing driver (naming the pip
    extra to install).
    """
    parsed = parse_url(database_url(url) if not isinstance(url, URL) else url)
    backend = parsed.get_backend_name()
    path = sqlite_path(parsed) if backend == "sqlite" else None
    if path is not None and read_only:
        if not path.exists():
            raise DatabaseError(f"no database at {path}: run `csto-db init` first (or pass --db)")
        parsed = parsed.set(
            database=f"{path.resolve().as_uri()}?mode=ro", query={**parsed.query, "uri": "true"}
        )
    elif path is not None and not path.resolve().parent.is_dir():
        raise DatabaseError(
            f"cannot create {path}: the folder {path.resolve().parent} does not exist; "
            f"create it first or choose another path"
        )
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
    if check_revision:
        _gate_first_connection(engine, upgrading=upgrading)
    return engine


def _gate_first_connection(engine: Engine, *, upgrading: bool) -> None:
    from .schema import require_finished, require_revision

    passed = False

    def gate(connection: Connection) -> None:
        nonlocal passed
        if passed:
            return
        try:
            require_revision(connection, upgrading=upgrading)
            if not upgrading:
                require_finished(connection)
        finally:
            # The check autobegins a transaction; end it so the caller's begin() is first.
            connection.rollback()
        passed = True

    event.listen(engine, "engine_connect", gate)


def _begin_read_only(connection: Connection) -> None:
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def display_url(url: str | URL) -> str:
    """The URL with any password hidden, for messages (also for text that does not parse)."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        if "://" not in url:  # not URL-shaped: nothing tells where a password would be
            return "(not a database URL)"
        return _PASSWORD_IN_URL.sub(r"\g<head>***\g<tail>", url)


#: Driver error codes that mean the server was not reached, the database is missing, or the
#: login was refused (MariaDB client and server codes; PostgreSQL SQLSTATEs).
_UNREACHABLE_CODES = {2002, 2003, 2005, 2006, 2013}
_NO_DATABASE_CODES = {1049, "3D000"}
_LOGIN_REFUSED_CODES = {1044, 1045, "28P01", "28000"}


def driver_message(error: BaseException) -> tuple[object, str]:
    """A driver's error as (code, one line of text): the text of a MariaDB error tuple, the
    primary message of a PostgreSQL error without its context lines (which quote SQL), the
    message of a SQLite error. The code is the MariaDB number or PostgreSQL SQLSTATE, or
    None."""
    from sqlalchemy.exc import DBAPIError, StatementError

    orig = error.orig if isinstance(error, StatementError) and error.orig is not None else error
    diag = getattr(orig, "diag", None)  # psycopg
    if diag is not None and getattr(diag, "message_primary", None):
        return diag.sqlstate, diag.message_primary
    args: tuple[Any, ...] = getattr(orig, "args", ())
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):  # PyMySQL
        return args[0], args[1]
    if isinstance(error, StatementError) and not isinstance(error, DBAPIError):
        # SQLAlchemy's own text ends with the statement: keep what precedes it.
        text = str(error).split("\n[SQL:")[0].split("\n(Background on this error")[0]
        return None, " ".join(text.split())
    text = str(orig).splitlines()[0] if str(orig).strip() else type(orig).__name__
    return getattr(orig, "sqlstate", None), " ".join(text.split())


def describe_error(error: BaseException, url: str | URL | None = None) -> str:
    """One line for a database error a user can cause or meet: what is wrong and what to
    do, with no SQL, no driver tuple and no password."""
    code, text = driver_message(error)
    where = f" at {display_url(url)}" if url is not None else ""
    if text.startswith("connection failed"):  # psycopg: the reason is in the text
        if re.search(r'database ".*" does not exist', text):
            code = "3D000"
        elif "authentication failed" in text:
            code = "28P01"
    if code in _NO_DATABASE_CODES:
        return f"no such database{where} ({text}): create it, or name another with --db"
    if code in _LOGIN_REFUSED_CODES:
        return f"the server refused the login{where} ({text}): check the user and password"
    if code in _UNREACHABLE_CODES or text.startswith("connection failed"):
        return (
            f"cannot reach the database server{where} ({text}): check that it is running "
            f"and that --db (or ${URL_VARIABLE}) names it"
        )
    if text == "unable to open database file":
        return f"cannot open the SQLite file{where}: check the path and its permissions"
    return text
