"""The query door: one SQL statement, run only where the database itself keeps it from
writing, bounded in time, rows and memory, and stopped on the server by Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import URL, Connection, CursorResult, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import DatabaseError, Interrupted, QueryError
from ..store.db import database_url, describe_error, driver_message, make_engine, parse_url
from ..store.schema import MARIADB_INIT_LOCK_TABLE

READER_URL_VARIABLE = "CSTO_DB_READER_URL"

#: Seconds a statement may run before the door stops it (``sql --timeout``).
DEFAULT_TIMEOUT = 30.0
#: Rows the door reads at most (``sql --max-rows``); the rest are never fetched.
DEFAULT_MAX_ROWS = 10_000
#: Seconds a statement of the reader role ``grant_reader`` makes may run, whatever client
#: it connects with; also how long it may sit idle inside a transaction (PostgreSQL).
READER_STATEMENT_TIMEOUT = 60
#: The memory SQLite may use while the door runs a statement (``PRAGMA hard_heap_limit``);
#: temporary tables and sorts are kept in memory, so they count against it too.
SQLITE_HEAP_LIMIT = 256 * 1024 * 1024
#: Seconds past the timeout after which the door stops a MariaDB statement itself.
MARIADB_KILL_GRACE = 0.5
#: How many SQLite virtual-machine steps pass between two looks at the clock and at Ctrl-C.
SQLITE_PROGRESS_STEPS = 1000

#: Pragmas that only report, whatever their argument (a table or index name, a count).
_REPORTING_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
    }
)
#: Pragmas that report a setting when given no value (and change it when given one).
_SETTING_PRAGMAS = frozenset(
    {
        "collation_list",
        "database_list",
        "function_list",
        "module_list",
        "pragma_list",
        "compile_options",
        "encoding",
        "user_version",
        "schema_version",
        "application_id",
        "page_count",
        "page_size",
        "freelist_count",
        "data_version",
        "foreign_keys",
        "journal_mode",
        "query_only",
        "auto_vacuum",
        "max_page_count",
        "hard_heap_limit",
        "soft_heap_limit",
        "temp_store",
    }
)
#: SQL functions that reach outside the database or change the engine.
_REFUSED_FUNCTIONS = frozenset(
    {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"}
)
#: SQLite result codes (the low byte of an error's extended code).
_SQLITE_NOMEM, _SQLITE_TOOBIG = 7, 18

_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


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
            backend = target.get_backend_name()
            if backend == "sqlite":
                return _run_sqlite(connection, query, limits)
            if backend == "postgresql":
                return _run_postgresql(connection, query, limits)
            return _run_mariadb(connection, query, limits, engine)
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


# --- SQLite ----------------------------------------------------------------------------------


# sqlite3 passes each argument as text or None by action; for the actions that read arg1 or
# arg2 below (a function, a pragma, a table) the name is always there.
def _sqlite_authorizer(
    action: int, arg1: Any, arg2: Any, _database: str | None, _trigger: str | None
) -> int:
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
    if action in allowed:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if arg2.lower() in _REFUSED_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = arg1.lower()
        if name in _REPORTING_PRAGMAS or (name in _SETTING_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
        # SQLite asks this while it sets up a table-valued function (json_each,
        # pragma_table_info); a real write to sqlite_master is refused all the same by the
        # read-only file, query_only, and the schema's own protection.
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _run_sqlite(connection: Connection, query: str, limits: _Limits) -> QueryResult:
    # The pooled connection gets the authorizer for good: invalidate it so nothing reuses it.
    raw: Any = connection.connection.driver_connection
    stop = _StopRequest()
    deadline = time.monotonic() + limits.timeout
    timed_out = False

    def progress() -> int:
        nonlocal timed_out
        if stop.requested:
            return 1
        if time.monotonic() > deadline:
            timed_out = True
            return 1
        return 0

    (heap_limit,) = raw.execute("PRAGMA hard_heap_limit").fetchone()
    try:
        raw.execute("PRAGMA query_only = ON")
        raw.execute("PRAGMA temp_store = MEMORY")  # no temporary file, and bounded below
        raw.execute(f"PRAGMA hard_heap_limit = {SQLITE_HEAP_LIMIT:d}")
        raw.set_progress_handler(progress, SQLITE_PROGRESS_STEPS)
        raw.set_authorizer(_sqlite_authorizer)
        with stop.armed():
            # sqlite3 prepares one statement and refuses any text after it.
            cursor = raw.execute(query)
            if cursor.description is None:  # everything SQLite authorizes returns rows
                raise QueryError("no statement to run: the text holds only comments")
            columns = [column[0] for column in cursor.description]
            rows, cut = _fetch(iter(cursor.fetchone, None), limits)
        return QueryResult(columns, rows, cut)
    except KeyboardInterrupt:
        raise _interrupted("") from None
    except MemoryError:  # sqlite3's form of SQLITE_NOMEM: the heap limit was reached
        raise QueryRefused(
            f"the database refused the query: it needs more than the "
            f"{SQLITE_HEAP_LIMIT // 2**20} MiB of memory the door allows; narrow it"
        ) from None
    except (sqlite3.Error, sqlite3.Warning) as error:
        if stop.requested:
            raise _interrupted("") from None
        if timed_out:
            raise _timed_out(limits) from None
        raise QueryRefused(f"the database refused the query: {_sqlite_message(error)}") from None
    finally:
        raw.set_authorizer(None)
        raw.set_progress_handler(None, 0)
        # The limit is the process's: give back the one found.
        raw.execute(f"PRAGMA hard_heap_limit = {int(heap_limit):d}")
        raw.rollback()
        connection.invalidate()


def _sqlite_message(error: Exception) -> str:
    text_ = " ".join(str(error).split())
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_SQLITE_NOMEM, _SQLITE_TOOBIG):
        return (
            f"{text_}: the query needs more than the {SQLITE_HEAP_LIMIT // 2**20} MiB of "
            "memory the door allows; narrow it"
        )
    if text_ in ("not authorized", "authorization denied"):
        return (
            "not authorized: the query door allows reading (SELECT, WITH, and PRAGMA "
            "statements that report) and nothing else"
        )
    return text_


# --- PostgreSQL ------------------------------------------------------------------------------


def _run_postgresql(connection: Connection, query: str, limits: _Limits) -> QueryResult:
    import psycopg

    raw: Any = connection.connection.driver_connection
    dbapi: Any = connection.connection.dbapi_connection
    dbapi.rollback()
    stop = _StopRequest()
    try:
        with raw.cursor() as cursor:
            role, rights = postgresql_rights(cursor)
        raw.rollback()
        if rights:
            raise _writer_refused(role, rights)
        raw.read_only = True  # every transaction opens with BEGIN READ ONLY
        with raw.cursor() as cursor:
            # SET LOCAL: the timeout ends with the transaction, which is rolled back.
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                (f"{max(1, round(limits.timeout * 1000))}ms",),
            )
            # stream() sends the statement alone through the extended protocol, so the
            # server refuses a second one ("COMMIT; UPDATE ..."), and reads rows as they
            # come instead of holding the whole answer; closing it cancels the rest.
            chunk = 100 if psycopg.pq.version() >= 170000 else 1  # chunks need libpq 17
            with stop.armed():
                stream = cursor.stream(query, size=chunk)
                try:
                    rows, cut = _fetch(stream, limits)
                    columns = [column.name for column in cursor.description or ()]
                finally:
                    stream.close()
            if not rows:  # psycopg describes a streamed answer by its first row
                columns = _postgresql_columns(raw, query)
        return QueryResult(columns, rows, cut)
    except KeyboardInterrupt:
        # psycopg has already asked the server to cancel the statement and waited for it.
        raise _interrupted(" and cancelled on the server") from None
    except psycopg.Error as error:
        if stop.requested:
            raise _interrupted(" and cancelled on the server") from None
        if isinstance(error, psycopg.errors.QueryCanceled):
            raise _timed_out(limits) from None
        if "EMPTY_QUERY" in str(error):
            raise QueryError("no statement to run: the text holds only comments") from None
        if "didn't produce a result" in str(error):
            raise _no_rows() from None
        raise _refused(error) from None
    finally:
        with contextlib.suppress(Exception):
            raw.rollback()
        connection.invalidate()


def _postgresql_columns(raw: Any, query: str) -> list[str]:
    """The column names of ``query``'s answer, from the server's description of it as a
    prepared statement: parsed and planned, not run."""
    from psycopg import pq

    name = b"csto_door_columns"
    pgconn = raw.pgconn
    prepared = pgconn.prepare(name, query.encode(raw.info.encoding))
    if prepared.status != pq.ExecStatus.COMMAND_OK:
        return []
    try:
        described = pgconn.describe_prepared(name)
        return [described.fname(i).decode(raw.info.encoding) for i in range(described.nfields)]
    finally:
        pgconn.exec_(b"DEALLOCATE csto_door_columns")


#: Predefined PostgreSQL roles whose members write or read server files, run programs on
#: the server, signal other sessions or write every table.
_PG_POWERFUL_ROLES = (
    "pg_write_server_files",
    "pg_read_server_files",
    "pg_execute_server_program",
    "pg_signal_backend",
    "pg_write_all_data",
    "pg_checkpoint",
)

_PG_ROLE_ATTRIBUTES = """
SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication,
       r.rolbypassrls
FROM pg_roles r WHERE r.rolname = coalesce(%(role)s, current_user)
"""

# Every right that lets a role change something, for the role and every role it may become
# (pg_has_role ... 'MEMBER' follows memberships, with or without INHERIT).
_PG_RIGHTS = """
WITH me AS (SELECT oid FROM pg_roles WHERE rolname = coalesce(%(role)s, current_user)),
roles AS (
    SELECT r.* FROM pg_roles r, me WHERE pg_has_role(me.oid, r.oid, 'MEMBER')
),
schemas AS (
    SELECT n.oid, n.nspname, n.nspowner FROM pg_namespace n
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_(toast|temp_)'
)
SELECT roles.rolname, 'superuser' FROM roles WHERE roles.rolsuper
UNION ALL SELECT roles.rolname, 'may create roles' FROM roles WHERE roles.rolcreaterole
UNION ALL SELECT roles.rolname, 'may create databases' FROM roles WHERE roles.rolcreatedb
UNION ALL SELECT roles.rolname, 'may replicate' FROM roles WHERE roles.rolreplication
UNION ALL SELECT roles.rolname, 'bypasses row security' FROM roles WHERE roles.rolbypassrls
UNION ALL SELECT roles.rolname, 'is ' || roles.rolname FROM roles
    WHERE roles.rolname = ANY(%(powerful)s)
UNION ALL SELECT roles.rolname, 'owns the database' FROM roles
    JOIN pg_database d ON d.datdba = roles.oid WHERE d.datname = current_database()
UNION ALL SELECT roles.rolname, 'may create schemas' FROM roles
    WHERE has_database_privilege(roles.oid, current_database(), 'CREATE')
UNION ALL SELECT roles.rolname, 'may create in schema ' || s.nspname FROM roles, schemas s
    WHERE s.nspowner = roles.oid OR has_schema_privilege(roles.oid, s.oid, 'CREATE')
UNION ALL SELECT roles.rolname, 'may change ' || s.nspname || '.' || c.relname
    FROM roles, pg_class c JOIN schemas s ON s.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND (c.relowner = roles.oid
        OR has_table_privilege(roles.oid, c.oid,
                               'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
UNION ALL SELECT roles.rolname, 'may advance ' || s.nspname || '.' || c.relname
    FROM roles, pg_class c JOIN schemas s ON s.oid = c.relnamespace
    WHERE c.relkind = 'S' AND (c.relowner = roles.oid
        OR has_sequence_privilege(roles.oid, c.oid, 'USAGE, UPDATE'))
UNION ALL SELECT roles.rolname, 'owns function ' || s.nspname || '.' || p.proname
    FROM roles, pg_proc p JOIN schemas s ON s.oid = p.pronamespace
    WHERE p.proowner = roles.oid
"""


def postgresql_rights(cursor: Any, role: str | None = None) -> tuple[str, list[str]]:
    """The PostgreSQL role ``role`` (default: the one connected) and every right the server's
    catalog shows it, or a role it may become, has to write or administer; an empty list
    for a role that can only read. ``cursor`` is a psycopg cursor."""
    cursor.execute(_PG_ROLE_ATTRIBUTES, {"role": role})
    found = cursor.fetchone()
    if found is None:
        raise DatabaseError(f"PostgreSQL has no role {role!r}")
    name, superuser, *_ = found
    if superuser:  # every check below would hold; say the one that matters
        return name, ["superuser"]
    cursor.execute(_PG_RIGHTS, {"role": role, "powerful": list(_PG_POWERFUL_ROLES)})
    rights = []
    for holder, right in cursor.fetchall():
        rights.append(right if holder == name else f"{right} (as {holder})")
    return name, rights


# --- MariaDB ---------------------------------------------------------------------------------


def _run_mariadb(
    connection: Connection, query: str, limits: _Limits, engine: Engine
) -> QueryResult:
    import pymysql
    from pymysql.constants import CLIENT

    raw: Any = connection.connection.driver_connection
    if raw.client_flag & CLIENT.MULTI_STATEMENTS:
        # The door's promise rests on the server refusing a second statement.
        raise DatabaseError(
            "the MariaDB connection allows several statements per query: "
            "remove client_flag from the URL"
        )
    dbapi: Any = connection.connection.dbapi_connection
    dbapi.rollback()
    stop = _StopRequest()
    thread_id: int | None = None
    answer: Any = None
    watchdog: threading.Timer | None = None
    overran = threading.Event()

    def overrun() -> None:
        overran.set()
        if thread_id is not None:
            _kill_own_query(engine, thread_id)

    try:
        with raw.cursor() as cursor:
            role, rights = mariadb_rights(cursor)
            if rights:
                raise _writer_refused(role, rights)
            cursor.execute("SELECT CONNECTION_ID()")
            (thread_id,) = cursor.fetchone()
            cursor.execute("SET SESSION max_statement_time = %s", (limits.timeout,))
            cursor.execute("START TRANSACTION READ ONLY")
        # A statement can lift its own limit (SET STATEMENT max_statement_time=0 FOR ...):
        # past the timeout, and a moment for the server's own stop, the door stops it.
        watchdog = threading.Timer(limits.timeout + MARIADB_KILL_GRACE, overrun)
        watchdog.daemon = True
        # Unbuffered: rows are read as they come, and never past the limit.
        answer = raw.cursor(pymysql.cursors.SSCursor)
        started = time.monotonic()
        watchdog.start()
        with stop.armed():
            # No arguments: PyMySQL sends the text as it is, without %-formatting.
            answer.execute(query)
            if answer.description is None:
                raise _no_rows()
            columns = [column[0] for column in answer.description]
            rows, cut = _fetch(iter(answer.fetchone, None), limits)
        if cut:  # the rest of the answer is never read: stop the server making it
            _kill_own_query(engine, thread_id)
        # Some statements that KILL QUERY or max_statement_time stop end without an error
        # (SLEEP returns 1, BENCHMARK 0): their answer is not one.
        if stop.requested:
            raise _interrupted(" and cancelled on the server")
        if overran.is_set() or (not cut and time.monotonic() - started >= limits.timeout):
            raise _timed_out(limits)
        return QueryResult(columns, rows, cut)
    except KeyboardInterrupt:
        if thread_id is not None:
            _kill_own_query(engine, thread_id)
        raise _interrupted(" and cancelled on the server") from None
    except pymysql.Error as error:
        if stop.requested:
            raise _interrupted(" and cancelled on the server") from None
        code, _ = driver_message(error)
        if code == 1969 or overran.is_set():  # ER_STATEMENT_TIMEOUT, or the watchdog's
            raise _timed_out(limits) from None
        if code == 1065:  # ER_EMPTY_QUERY
            raise QueryError("no statement to run: the text holds only comments") from None
        raise _refused(error) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if answer is not None:
            _abandon(answer)
        # Closing the connection ends its transaction on the server; a rollback could
        # first have to read an answer that is being cut short.
        connection.invalidate()


def _abandon(answer: Any) -> None:
    """Leave an unbuffered answer unread: once the connection is closed, neither the cursor
    nor its result may try to read the rest from it when they are collected (PyMySQL would,
    and print an error that is no one's)."""
    result = getattr(answer, "_result", None)
    if result is not None:
        result.unbuffered_active = False
    answer.connection = None


def _kill_own_query(engine: Engine, thread_id: int) -> None:
    """Stop the statement the door's own connection runs, from a second connection of the
    same role: ``KILL QUERY`` of one's own connection needs no privilege, and it is the
    one KILL the door ever sends."""
    with contextlib.suppress(Exception), engine.connect() as killer:
        raw: Any = killer.connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute(f"KILL QUERY {int(thread_id):d}")
        killer.invalidate()


#: MariaDB privileges that change nothing.
_READING_PRIVILEGES = frozenset({"SELECT", "USAGE", "SHOW VIEW"})


def _split_top(text_: str, separator: str) -> list[str]:
    """``text_`` split at ``separator`` where it stands outside quotes and parentheses."""
    parts, depth, quote, start, index = [], 0, "", 0, 0
    while index < len(text_):
        char = text_[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "`'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and text_.startswith(separator, index):
            parts.append(text_[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text_[start:])
    return parts


def grant_rights(line: str) -> tuple[list[str], str | None]:
    """What one line of MariaDB's ``SHOW GRANTS`` allows beyond reading, and the role it
    grants, if it grants one (``GRANT role TO user``)."""
    body = line.strip()
    if not body.upper().startswith("GRANT "):
        return [f"cannot read the grant {body!r}"], None
    body = body[len("GRANT ") :]
    what_and_target = _split_top(body, " TO ")
    if len(what_and_target) < 2:
        return [f"cannot read the grant {line.strip()!r}"], None
    head, grantee = what_and_target[0], " TO ".join(what_and_target[1:])
    on = _split_top(head, " ON ")
    if len(on) == 1:  # GRANT role TO user
        role = head.strip().strip("`'\"")
        rights = [f"may grant role {role}"] if "WITH ADMIN OPTION" in grantee.upper() else []
        return rights, role
    privileges, target = on[0], " ON ".join(on[1:]).strip()
    rights = []
    for privilege in _split_top(privileges, ","):
        name = privilege.split("(")[0].strip().upper()
        if name not in _READING_PRIVILEGES:
            rights.append(f"{name} on {target}")
    if "GRANT OPTION" in grantee.upper():
        rights.append(f"may grant what it holds on {target}")
    return rights, None


def mariadb_rights(cursor: Any, account: str | None = None) -> tuple[str, list[str]]:
    """The MariaDB account ``account`` (``'user'@'host'``; default: the one connected) and
    everything ``SHOW GRANTS`` shows it, its roles and PUBLIC allow beyond reading; an
    empty list for an account that can only read. ``cursor`` is a PyMySQL cursor."""
    if account is None:
        cursor.execute("SELECT CURRENT_USER()")
        (name,) = cursor.fetchone()
        statement = "SHOW GRANTS"
    else:
        name = account
        statement = f"SHOW GRANTS FOR {account}"
    rights: list[str] = []
    seen: set[str] = set()
    pending = [statement]
    while pending:
        show = pending.pop()
        try:
            cursor.execute(show)
        except Exception as error:  # a role it cannot see: its rights cannot be known
            if show == "SHOW GRANTS FOR PUBLIC":
                continue  # servers before 10.11 have no PUBLIC
            rights.append(f"{show[len('SHOW GRANTS FOR ') :]} unreadable ({error})")
            continue
        for (line,) in cursor.fetchall():
            found, role = grant_rights(line)
            rights += found
            if role is not None and role not in seen:
                seen.add(role)
                pending.append(f"SHOW GRANTS FOR `{role.replace('`', '``')}`")
        if show == statement:
            pending.append("SHOW GRANTS FOR PUBLIC")
    return name, rights


# --- A role that can only read -------------------------------------------------------------


def grant_reader(
    url: str | None,
    name: str,
    password: str | None = None,
    *,
    statement_timeout: int = READER_STATEMENT_TIMEOUT,
) -> URL:
    """Create (or bring back to read-only) a login role ``name`` on the server at ``url``
    that may read the tables of its database and do nothing else, and return the URL to
    reach the database as that role (pass it to ``sql`` as ``--reader-url``). Run as a user
    who may create roles.

    The role's statements stop after ``statement_timeout`` seconds whatever client it uses
    (PostgreSQL: ``statement_timeout``, and ``idle_in_transaction_session_timeout`` so an
    idle transaction cannot hold locks; MariaDB: ``MAX_STATEMENT_TIME``). On MariaDB it is
    granted SELECT table by table, on every table but the one ``init`` locks, so it cannot
    hold ``init`` back: run this again after an ``init`` that adds tables. Afterwards the
    server's catalog is read back (as :func:`run_query` reads it) and the role is refused if
    it shows any right beyond reading (for example where every role may create tables).

    An existing role with more rights than reading is refused, not stripped. Raises
    :class:`QueryError` for a bad name or on SQLite, which has no roles (the door opens its
    file read-only), :class:`DatabaseError` when the server refuses.
    """
    if not _ROLE_NAME.fullmatch(name):
        raise QueryError(
            f"not a role name: {name!r}; use letters, digits and _ (up to 32), "
            f"starting with a letter"
        )
    if not 1 <= statement_timeout <= 86_400:
        raise QueryError(
            f"the reader's statement timeout must be 1 to 86400 seconds, not {statement_timeout}"
        )
    target = parse_url(database_url(url))
    backend = target.get_backend_name()
    if backend == "sqlite":
        raise QueryError(
            "SQLite has no roles: `csto-db sql` opens the file read-only; "
            "grant-reader is for PostgreSQL and MariaDB"
        )
    engine = make_engine(target, check_revision=True)
    try:
        with engine.begin() as connection:
            if backend == "postgresql":
                _grant_postgresql_reader(connection, name, password, statement_timeout)
            else:
                _grant_mariadb_reader(
                    connection, name, password, target.database, statement_timeout
                )
    except SQLAlchemyError as error:
        raise DatabaseError(
            f"could not create the reader {name}: {describe_error(error, target)}"
        ) from None
    finally:
        engine.dispose()
    return target.set(username=name, password=password)


def _literal(connection: Connection, value: str) -> str:
    # The driver's own quoting, which knows the server's escaping rules (backslashes on
    # MariaDB, standard strings on PostgreSQL); roles and passwords take no parameters.
    raw: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        from psycopg import sql

        return sql.Literal(value).as_string(raw)
    escaped: str = raw.escape(value)
    return escaped


def _still_writes(name: str, rights: list[str]) -> QueryError:
    return QueryError(
        f"{name} would still have rights beyond reading ({_summary(rights)}): the server "
        "gives them to every role or through another grant; remove them, then run "
        "grant-reader again"
    )


def _grant_postgresql_reader(
    connection: Connection, name: str, password: str | None, statement_timeout: int
) -> None:
    role = connection.dialect.identifier_preparer.quote(name)
    found = connection.execute(
        text(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls "
            "OR pg_has_role(oid, 'pg_write_server_files', 'MEMBER') "
            "OR pg_has_role(oid, 'pg_execute_server_program', 'MEMBER') "
            "FROM pg_roles WHERE rolname = :name"
        ),
        {"name": name},
    ).first()
    secret = f" PASSWORD {_literal(connection, password)}" if password is not None else ""
    if found is None:
        _execute_text(
            connection, f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE{secret}"
        )
    elif found[0]:
        raise QueryError(f"role {name} exists and has rights beyond reading: choose another name")
    else:
        _execute_text(connection, f"ALTER ROLE {role} LOGIN{secret}")
    database = connection.dialect.identifier_preparer.quote(
        connection.exec_driver_sql("SELECT current_database()").scalar_one()
    )
    schema = connection.dialect.identifier_preparer.quote(
        connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    )
    for statement in (
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {role}",
        f"REVOKE CREATE ON DATABASE {database} FROM {role}",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
        # Tables a later migration adds are readable too, and no more.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role}",
        f"ALTER ROLE {role} SET default_transaction_read_only = on",
        f"ALTER ROLE {role} SET statement_timeout = '{statement_timeout:d}s'",
        f"ALTER ROLE {role} SET idle_in_transaction_session_timeout = '{statement_timeout:d}s'",
    ):
        _execute_text(connection, statement)
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor:
        _, rights = postgresql_rights(cursor, name)
    if rights:
        raise _still_writes(name, rights)  # the transaction, role and grants roll back


def _grant_mariadb_reader(
    connection: Connection,
    name: str,
    password: str | None,
    database: str | None,
    statement_timeout: int,
) -> None:
    if not database:
        raise QueryError("the URL names no database: the reader may read one database")
    account = f"{_literal(connection, name)}@'%'"
    raw: Any = connection.connection.driver_connection
    hosts = (
        connection.execute(text("SELECT Host FROM mysql.user WHERE User = :name"), {"name": name})
        .scalars()
        .all()
    )
    schema = connection.dialect.identifier_preparer.quote(database)
    whole_database = f"GRANT SELECT ON {schema}.* TO "
    for host in hosts:  # an account of that name from any host must be a reader already
        grantee = f"{_literal(connection, name)}@{_literal(connection, host)}"
        with raw.cursor() as cursor:
            _, rights = mariadb_rights(cursor, grantee)
            cursor.execute(f"SHOW GRANTS FOR {grantee}")
            grants = [line for (line,) in cursor.fetchall()]
        if rights:
            raise QueryError(
                f"user {name} exists and has rights beyond reading: choose another name"
            )
        if host == "%" and any(line.startswith(whole_database) for line in grants):
            # A reader of the whole database could lock init's table: table by table now.
            _execute_text(connection, f"REVOKE SELECT ON {schema}.* FROM {account}")
    secret = f" IDENTIFIED BY {_literal(connection, password)}" if password is not None else ""
    if "%" not in hosts:
        _execute_text(connection, f"CREATE USER {account}{secret}")
    elif secret:
        _execute_text(connection, f"ALTER USER {account}{secret}")
    tables = (
        connection.execute(
            text(
                "SELECT TABLE_NAME FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = :database AND TABLE_NAME <> :lock ORDER BY TABLE_NAME"
            ),
            {"database": database, "lock": MARIADB_INIT_LOCK_TABLE},
        )
        .scalars()
        .all()
    )
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        _execute_text(connection, f"GRANT SELECT ON {schema}.{quote(table)} TO {account}")
    _execute_text(connection, f"ALTER USER {account} WITH MAX_STATEMENT_TIME {statement_timeout:d}")
    with raw.cursor() as cursor:
        _, rights = mariadb_rights(cursor, account)
    if rights:
        raise _still_writes(name, rights)


def _execute_text(connection: Connection, statement: str) -> CursorResult[Any]:
    # Both drivers %-format every statement SQLAlchemy hands them, even without parameters.
    return connection.exec_driver_sql(statement.replace("%", "%%"))
