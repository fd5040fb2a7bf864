"""The query door on PostgreSQL: the role's rights read from the server's catalog, one
statement streamed in a read-only transaction under a statement timeout, cancelled by Ctrl-C."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import Connection

from ..errors import DatabaseError, QueryError
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


def run_postgresql(connection: Connection, query: str, limits: _Limits) -> QueryResult:
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
