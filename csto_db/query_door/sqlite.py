"""The query door on SQLite: the file opened read-only, an authorizer that allows reading and
nothing else, memory bounded, and a progress handler that stops the statement."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Connection

from ..errors import QueryError
from .run import QueryRefused, QueryResult, _fetch, _interrupted, _Limits, _StopRequest, _timed_out

#: The memory SQLite may use while the door runs a statement (``PRAGMA hard_heap_limit``);
#: temporary tables and sorts are kept in memory, so they count against it too.
SQLITE_HEAP_LIMIT = 256 * 1024 * 1024

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


def run_sqlite(connection: Connection, query: str, limits: _Limits) -> QueryResult:
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
