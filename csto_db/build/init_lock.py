"""One ``init`` at a time: the lock it holds for its whole run, each engine's own (a file
beside a SQLite database, ``alembic_version`` or an advisory lock on PostgreSQL, a row of its
own table on MariaDB), and ``hold_init_lock`` to hold it from outside ``init``."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ..errors import DatabaseError
from ..store.db import database_url, display_url, driver_message, make_engine
from ..store.schema import MARIADB_INIT_LOCK_TABLE

#: How long ``init`` waits for another ``init`` of the same database to finish, in seconds.
DEFAULT_LOCK_WAIT = 60.0

#: The advisory lock PostgreSQL runs of ``init`` take on a database that has no schema yet.
PG_LOCK_KEY = 0x6373746F2D696E69  # "csto-ini" as bytes
#: Alembic's table, which ``init`` locks on PostgreSQL once it exists.
VERSION_TABLE = "alembic_version"


class InitLocked(DatabaseError):
    """Another ``init`` holds the database for longer than this one would wait."""


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, or None for a server or an in-memory database."""
    try:
        parsed = make_url(url)
    except Exception:  # make_engine reports a malformed URL in its own words
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") or parsed.database.startswith("file:"):
        return None
    return Path(os.path.realpath(parsed.database))


def sqlite_lock_path(database: Path) -> Path:
    """The file beside a SQLite database that ``init`` locks for its whole run."""
    return database.with_name(database.name + "-init.lock")


@contextlib.contextmanager
def _file_lock(lock_path: Path, wait: float, database: Path) -> Iterator[None]:
    """An exclusive lock on a file beside the database, held for the whole run. The
    operating system releases it when the process dies, however it dies."""
    try:
        handle = open(lock_path, "a+b")  # noqa: SIM115  (held open for the lock's lifetime)
    except OSError as error:
        raise DatabaseError(
            f"cannot create the lock file {lock_path} beside the database: "
            f"{error.strerror or error}"
        ) from None
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise InitLocked(
                    f"another `csto-db init` holds the database {database}; "
                    "try again when it has finished"
                )
            time.sleep(0.05)
        yield
    finally:
        handle.close()  # closing the file releases the lock


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_postgresql(connection: Connection, lock_wait: float) -> None:
    """Take ``init``'s lock in the connection's transaction, waiting up to ``lock_wait``.

    The lock is ``alembic_version`` in EXCLUSIVE mode, which PostgreSQL grants only to a
    role that may change the table: a reader cannot take it, and its reads (ACCESS SHARE)
    do not conflict with it. A database without the table yet (never built) has nothing to
    lock: there the runs take an advisory lock instead, until one of them has committed the
    schema.
    """
    deadline = time.monotonic() + lock_wait
    exists = text(f"SELECT to_regclass('{VERSION_TABLE}') IS NOT NULL")
    while True:
        if connection.execute(exists).scalar():
            try:
                connection.execute(text(f"LOCK TABLE {VERSION_TABLE} IN EXCLUSIVE MODE NOWAIT"))
                return
            except OperationalError as error:
                if driver_message(error)[0] != "55P03":  # lock_not_available
                    raise
                connection.rollback()
        elif connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY}
        ).scalar():
            if not connection.execute(exists).scalar():
                return
            continue  # another run committed the schema meanwhile: lock its table
        if time.monotonic() >= deadline:
            connection.rollback()
            raise InitLocked(
                f"another `csto-db init` holds the database "
                f"{display_url(str(connection.engine.url))}; "
                "try again when it has finished"
            )
        time.sleep(0.05)


@contextlib.contextmanager
def _mariadb_lock(engine: Engine, lock_wait: float) -> Iterator[None]:
    """``init``'s lock on MariaDB, held for the whole run: the one row of
    ``csto_init_lock``, locked FOR UPDATE in a transaction of a connection of its own (on
    the working connection every DDL statement would commit and free it).

    ``grant-reader`` gives the reader nothing on that table, so a reader can neither take
    the lock nor block it (a reader that may read a table can lock its rows on MariaDB).
    The server frees the lock when the run ends, or when its process dies and the
    connection closes.
    """
    table = MARIADB_INIT_LOCK_TABLE
    with engine.connect() as lock:
        if not inspect(lock).has_table(table):
            lock.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(name VARCHAR(16) NOT NULL PRIMARY KEY) ENGINE=InnoDB"
                )
            )
        # A plain read never waits; INSERT IGNORE would, behind a holder's lock.
        if lock.execute(text(f"SELECT name FROM {table} WHERE name = 'init'")).first() is None:
            lock.execute(text(f"INSERT IGNORE INTO {table} (name) VALUES ('init')"))
        lock.commit()
        deadline = time.monotonic() + lock_wait
        while True:
            try:
                lock.execute(
                    text(f"SELECT name FROM {table} WHERE name = 'init' FOR UPDATE NOWAIT")
                )
                break
            except OperationalError as error:
                if driver_message(error)[0] not in (1205, 1213):  # lock wait, deadlock
                    raise
                lock.rollback()
            if time.monotonic() >= deadline:
                raise InitLocked(
                    f"another `csto-db init` holds the database {display_url(engine.url)}; "
                    "try again when it has finished"
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            lock.rollback()


@contextlib.contextmanager
def hold_init_lock(url: str | None = None, wait: float = DEFAULT_LOCK_WAIT) -> Iterator[None]:
    """Hold the lock ``init`` takes on the database at ``url``, as a running ``init`` would
    (waiting up to ``wait`` seconds for it): no ``init`` builds the database meanwhile.
    Raises :class:`InitLocked` when it is not free in time."""
    resolved = database_url(url)
    sqlite_file = _sqlite_file(resolved)
    if sqlite_file is not None:
        with _file_lock(sqlite_lock_path(sqlite_file), wait, sqlite_file):
            yield
        return
    engine = make_engine(resolved)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                _lock_postgresql(connection, wait)
                try:
                    yield
                finally:
                    connection.rollback()
        else:
            with _mariadb_lock(engine, wait):
                yield
    finally:
        engine.dispose()
