"""The query door: one SQL statement, run only where the database itself keeps it from
writing, bounded in time, rows and memory, and stopped on the server by Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..errors import DatabaseError, Interrupted, QueryError
from ..store.db import database_url, describe_error, driver_message, make_engine, parse_url

READER_URL_VARIABLE = "CSTO_DB_READER_URL"

#: Seconds a statement may run before the door stops it (``sql --timeout``).
DEFAULT_TIMEOUT = 30.0
#: Rows the door reads at most (``sql --max-rows``); the rest are never fetched.
DEFAULT_MAX_ROWS = 10_000
#: Seconds a statement of the reader role ``grant_reader`` makes may run, whatever client
#: it connects with; also how long it may sit idle inside a transaction (PostgreSQL).
READER_STATEMENT_TIMEOUT = 60


class QueryRefused(QueryError):
    """The database refused the statement (a write, a second statement, a syntax error)."""


class WriterRefused(QueryRefused):
    """The server's catalog shows that the role the door would run as could write or
    administer: the statement was not sent."""


class QueryTimedOut(QueryError):
    """The statement ran longer than its timeout and was stopped."""


@dataclass
class QueryResult:
    """What the door returns: the column names, the rows, and whether the answer was cut
    at the row limit (the rows past it were never read)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    cut: bool = False


@dataclass(frozen=True)
class _Limits:
    timeout: float
    max_rows: int


def reader_url(explicit: str | None = None) -> str | None:
    """The URL of a role that can only read: ``--reader-url``, else ``$CSTO_DB_READER_URL``."""
    return explicit or os.environ.get(READER_URL_VARIABLE) or None


def run_query(
    query: str,
    url: str | None = None,
    *,
    reader: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> QueryResult:
    """Run one statement, ``query``, against the database at ``reader`` if given, else
    ``url``, and return at most ``max_rows`` of its rows.

    The database keeps the statement from writing:

    - SQLite: the file is opened read-only, with ``query_only`` on and an authorizer that
      allows reading tables and table-valued functions, calling functions other than
      ``load_extension`` and the like, and pragmas that report; nothing else (no ATTACH,
      VACUUM, pragma given a value, transaction control). Temporary storage is kept in
      memory, and SQLite's memory is bounded by :data:`SQLITE_HEAP_LIMIT`.
    - PostgreSQL and MariaDB: the statement runs only as a role that the server's own
      catalog shows can neither write nor administer (PostgreSQL: no superuser, role or
      database creation, replication, row-security bypass, membership of the roles that
      write or read server files, run programs or signal other sessions; no ownership or
      write privilege on the database, a schema, table, sequence or function; and so for
      every role it may become. MariaDB: ``SHOW GRANTS`` for it, its roles and PUBLIC
      hold nothing but SELECT, SHOW VIEW and USAGE, and no grant option). Any other role
      is refused with :class:`WriterRefused` before the statement is sent: make a reader
      with :func:`grant_reader`. The statement then runs in a read-only transaction that
      is rolled back, and the server refuses a second statement (a prepared statement on
      PostgreSQL; no multi-statement flag on MariaDB).

    The statement is stopped after ``timeout`` seconds (SQLite: a progress handler;
    PostgreSQL: ``statement_timeout`` set for the transaction; MariaDB:
    ``max_statement_time``) with :class:`QueryTimedOut`. Ctrl-C in the main thread stops
    it too, on the server as well (PostgreSQL: a cancel request; MariaDB: ``KILL QUERY`` of
    the door's own connection, from a second one), with
    :class:`~csto_db.errors.Interrupted`. Rows past ``max_rows`` are never fetched, and the
    statement is cancelled once they are reached.

    Raises :class:`QueryError` for an empty statement or bad limits,
    :class:`QueryRefused` with one line when the database refuses the statement, and
    :class:`DatabaseError` when the database cannot be used.
    """
    if not query.strip():
        raise QueryError('no statement to run: give one, such as "SELECT count(*) FROM states"')
    if not timeout > 0:
        raise QueryError(f"the timeout must be more than 0 seconds, not {timeout}")
    if max_rows < 1:
        raise QueryError(f"the row limit must be at least 1, not {max_rows}")
    limits = _Limits(float(timeout), int(max_rows))
    target = parse_url(database_url(reader or url))
    engine = make_engine(target, read_only=True, check_revision=True)
    try:
        with engine.connect() as connection:
            # Each engine's door is loaded only when a statement goes through it.
            backend = target.get_backend_name()
            if backend == "sqlite":
                from .sqlite import run_sqlite

                return run_sqlite(connection, query, limits)
            if backend == "postgresql":
                from .postgresql import run_postgresql

                return run_postgresql(connection, query, limits)
            from .mariadb import run_mariadb

            return run_mariadb(connection, query, limits, engine)
    except SQLAlchemyError as error:
        raise DatabaseError(describe_error(error, target)) from None
    finally:
        engine.dispose()


def _refused(error: Exception) -> QueryRefused:
    return QueryRefused(f"the database refused the query: {driver_message(error)[1]}")


def _timed_out(limits: _Limits) -> QueryTimedOut:
    return QueryTimedOut(
        f"the query ran longer than {limits.timeout:g} s and was stopped: narrow it, "
        "or give it more time with --timeout SECONDS"
    )


def _writer_refused(role: str, rights: list[str]) -> WriterRefused:
    return WriterRefused(
        f"sql will not run as {role}: the server shows this role could write or "
        f"administer ({_summary(rights)}); make a role that only reads with "
        "`csto-db grant-reader NAME` and pass its URL with --reader-url "
        f"(or ${READER_URL_VARIABLE})"
    )


def _no_rows() -> QueryRefused:
    return QueryRefused(
        "the statement returns no rows, and the query door shows rows: it ran in a "
        "read-only transaction that was rolled back"
    )


def _summary(rights: list[str]) -> str:
    shown = rights if len(rights) <= 3 else [*rights[:3], f"{len(rights) - 3} more"]
    return ", ".join(shown)


def _fetch(rows: Iterator[tuple[Any, ...]], limits: _Limits) -> tuple[list[tuple[Any, ...]], bool]:
    """At most ``max_rows`` rows, and whether there were more (one more is read to know)."""
    fetched = [tuple(row) for row in islice(rows, limits.max_rows + 1)]
    return fetched[: limits.max_rows], len(fetched) > limits.max_rows


# --- Ctrl-C ----------------------------------------------------------------------------------


class _StopRequest:
    """Notes that Ctrl-C arrived while a statement ran. The handler it installs in the main
    thread sets ``requested``, then behaves as the one before it (Python's raises
    KeyboardInterrupt): SQLite's progress handler reads the flag, and the server doors
    cancel their statement on the KeyboardInterrupt."""

    def __init__(self) -> None:
        self.requested = False

    @contextlib.contextmanager
    def armed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers belong to the main thread; the caller handles its own
            return
        previous = signal.getsignal(signal.SIGINT)
        if not callable(previous):  # ignored, or the system default: leave it so
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            self.requested = True
            previous(signum, frame)

        signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _interrupted(where: str) -> Interrupted:
    return Interrupted(f"the query was stopped{where}")
