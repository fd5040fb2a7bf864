"""The query door on MariaDB: the account's grants read back, one statement unbuffered in a
read-only transaction under ``max_statement_time``, and ``KILL QUERY`` of its own
connection past the timeout or on Ctrl-C."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine

from ..errors import DatabaseError, QueryError
from ..store.db import driver_message
from .run import (
    QueryResult,
    _fetch,
    _interrupted,
    _Limits,
    _no_rows,
    _refused,
    _StopRequest,
    _timed_out,
    _writer_refused,
)

#: Seconds past the timeout after which the door stops a MariaDB statement itself.
MARIADB_KILL_GRACE = 0.5


def run_mariadb(connection: Connection, query: str, limits: _Limits, engine: Engine) -> QueryResult:
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
