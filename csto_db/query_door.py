"""The query door: one SQL statement that the database itself keeps from writing anything."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, Connection, CursorResult
from sqlalchemy.exc import SQLAlchemyError

from .db import database_url, describe_error, driver_message, make_engine, parse_url
from .errors import DatabaseError, QueryError

READER_URL_VARIABLE = "CSTO_DB_READER_URL"

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
    }
)
#: SQL functions that reach outside the database or change the engine.
_REFUSED_FUNCTIONS = frozenset(
    {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"}
)

_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


class QueryRefused(QueryError):
    """The database refused the statement (a write, a second statement, a syntax error).
    ``role_can_write`` is as in :class:`QueryResult`."""

    def __init__(self, message: str, role_can_write: str | None = None) -> None:
        super().__init__(message)
        self.role_can_write = role_can_write


@dataclass
class QueryResult:
    """What the door returns: the column names, the rows, and, on a server, why the role
    the query ran as could write (None for a role that can only read, and on SQLite, whose
    file the door opens read-only)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    role_can_write: str | None = None


def reader_url(explicit: str | None = None) -> str | None:
    """The URL of a role that can only read: ``--reader-url``, else ``$CSTO_DB_READER_URL``."""
    return explicit or os.environ.get(READER_URL_VARIABLE) or None


def run_query(query: str, url: str | None = None, *, reader: str | None = None) -> QueryResult:
    """Run one statement, ``query``, against the database at ``reader`` if given (a role
    that can only read), else ``url``, and return its rows.

    The statement cannot write: on SQLite the file is opened read-only with ``query_only``
    on and an authorizer that allows reading tables, calling functions other than
    ``load_extension`` and reporting pragmas, and nothing else (no ATTACH, VACUUM, writes
    to a pragma, transaction control); on PostgreSQL it runs as a prepared statement (the
    server refuses a second one) in a read-only transaction; on MariaDB without the
    driver's multi-statement flag (the server refuses a second one) in a read-only
    transaction. The transaction is always rolled back. DDL on MariaDB and ``COPY ... TO
    PROGRAM`` on PostgreSQL escape a transaction: only a role without those rights stops
    them, so on a server pass a reader (:func:`grant_reader`); ``role_can_write`` says when
    the role used could write. Raises :class:`QueryRefused` with one line when the database
    refuses the statement, :class:`DatabaseError` when it cannot be used.
    """
    target = parse_url(database_url(reader or url))
    engine = make_engine(target, read_only=True, check_revision=True)
    try:
        with engine.connect() as connection:
            backend = target.get_backend_name()
            if backend == "sqlite":
                return _run_sqlite(connection, query)
            if backend == "postgresql":
                return _run_postgresql(connection, query)
            return _run_mariadb(connection, query)
    except QueryRefused:
        raise
    except SQLAlchemyError as error:
        raise DatabaseError(describe_error(error, target)) from None
    finally:
        engine.dispose()


def _refused(error: Exception, role_can_write: str | None) -> QueryRefused:
    return QueryRefused(
        f"the database refused the query: {driver_message(error)[1]}", role_can_write
    )


# sqlite3 passes each argument as text or None by action; for the actions that read arg1 or
# arg2 below (a function, a pragma) the name is always there.
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
    return sqlite3.SQLITE_DENY


def _run_sqlite(connection: Connection, query: str) -> QueryResult:
    # The pooled connection gets the authorizer for good: invalidate it so nothing reuses it.
    raw: Any = connection.connection.driver_connection
    try:
        raw.execute("PRAGMA query_only = ON")
        raw.set_authorizer(_sqlite_authorizer)
        # sqlite3 prepares one statement and refuses any text after it.
        cursor = raw.execute(query)
        columns = [column[0] for column in cursor.description or ()]
        rows = cursor.fetchall()
        return QueryResult(columns, rows)
    except (sqlite3.Error, sqlite3.Warning) as error:
        raise QueryRefused(f"the database refused the query: {_sqlite_message(error)}") from None
    finally:
        raw.rollback()
        connection.invalidate()


def _sqlite_message(error: Exception) -> str:
    text = " ".join(str(error).split())
    if text in ("not authorized", "authorization denied"):
        return (
            "not authorized: the query door allows reading (SELECT, WITH, and PRAGMA "
            "statements that report) and nothing else"
        )
    return text


def _run_postgresql(connection: Connection, query: str) -> QueryResult:
    raw: Any = connection.connection.driver_connection
    dbapi: Any = connection.connection.dbapi_connection
    dbapi.rollback()
    role_can_write = _postgresql_write_rights(raw)
    raw.rollback()
    raw.read_only = True  # every transaction opens with BEGIN READ ONLY
    try:
        with raw.cursor() as cursor:
            # A prepared statement holds one command: the server refuses "COMMIT; UPDATE".
            cursor.execute(query, prepare=True)
            columns = [column.name for column in cursor.description or ()]
            rows = cursor.fetchall() if cursor.description else []
        return QueryResult(columns, rows, role_can_write)
    except Exception as error:
        if _is_driver_error(error):
            raise _refused(error, role_can_write) from None
        raise
    finally:
        raw.rollback()
        connection.invalidate()


def _postgresql_write_rights(raw: Any) -> str | None:
    with raw.cursor() as cursor:
        cursor.execute("""
            SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
                   pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'),
                   pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'),
                   has_database_privilege(current_database(), 'CREATE'),
                   has_schema_privilege(current_schema(), 'CREATE'),
                   EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = current_schema()
                           AND has_table_privilege(
                               format('%I.%I', t.schemaname, t.tablename),
                               'INSERT, UPDATE, DELETE, TRUNCATE'))
            FROM pg_roles r WHERE r.rolname = current_user""")
        user, *rights = cursor.fetchone()
    names = [
        "superuser",
        "may create roles",
        "may create databases",
        "may write server files",
        "may run server programs",
        "may create schemas",
        "may create tables",
        "may change tables",
    ]
    held = [name for name, right in zip(names, rights, strict=True) if right]
    return f"{user} ({_summary(held)})" if held else None


def _summary(rights: list[str]) -> str:
    shown = rights if len(rights) <= 3 else [*rights[:3], f"{len(rights) - 3} more"]
    return ", ".join(shown)


def _run_mariadb(connection: Connection, query: str) -> QueryResult:
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
    role_can_write = _mariadb_write_rights(raw)
    try:
        with raw.cursor() as cursor:
            cursor.execute("START TRANSACTION READ ONLY")
            # No arguments: PyMySQL sends the text as it is, without %-formatting.
            cursor.execute(query)
            columns = [column[0] for column in cursor.description or ()]
            rows = list(cursor.fetchall()) if cursor.description else []
        return QueryResult(columns, rows, role_can_write)
    except Exception as error:
        if _is_driver_error(error):
            raise _refused(error, role_can_write) from None
        raise
    finally:
        raw.rollback()
        connection.invalidate()


#: MariaDB privileges that change nothing.
_READING_PRIVILEGES = frozenset({"SELECT", "USAGE", "SHOW VIEW"})


def _mariadb_write_rights(raw: Any) -> str | None:
    with raw.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER()")
        (current,) = cursor.fetchone()
        user, _, host = current.rpartition("@")
        grantee = f"'{user}'@'{host}'"
        cursor.execute(
            """
            SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = %s
            UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES
                  WHERE GRANTEE = %s AND TABLE_SCHEMA = DATABASE()
            UNION SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES
                  WHERE GRANTEE = %s AND TABLE_SCHEMA = DATABASE()""",
            (grantee, grantee, grantee),
        )
        rights = sorted({row[0] for row in cursor.fetchall()} - _READING_PRIVILEGES)
    raw.rollback()
    if not rights:
        return None
    return f"{current} ({_summary(rights)})"


def _is_driver_error(error: Exception) -> bool:
    module = type(error).__module__
    return module.startswith(("psycopg", "pymysql"))


# --- A role that can only read -------------------------------------------------------------


def grant_reader(url: str | None, name: str, password: str | None = None) -> URL:
    """Create (or bring back to read-only) a login role ``name`` on the server at ``url``
    that may read every table of its database and do nothing else, and return the URL to
    reach the database as that role (pass it to ``sql`` as ``--reader-url``). Run as a user
    who may create roles. An existing role with more rights than reading is refused, not
    stripped. Raises :class:`QueryError` for a bad name or on SQLite, which has no roles
    (the door opens its file read-only), :class:`DatabaseError` when the server refuses."""
    if not _ROLE_NAME.fullmatch(name):
        raise QueryError(
            f"not a role name: {name!r}; use letters, digits and _ (up to 32), "
            f"starting with a letter"
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
                _grant_postgresql_reader(connection, name, password)
            else:
                _grant_mariadb_reader(connection, name, password, target.database)
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


def _grant_postgresql_reader(connection: Connection, name: str, password: str | None) -> None:
    from sqlalchemy import text

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
    ):
        _execute_text(connection, statement)


def _grant_mariadb_reader(
    connection: Connection, name: str, password: str | None, database: str | None
) -> None:
    from sqlalchemy import text

    if not database:
        raise QueryError("the URL names no database: the reader may read one database")
    account = f"{_literal(connection, name)}@'%'"
    hosts = (
        connection.execute(text("SELECT Host FROM mysql.user WHERE User = :name"), {"name": name})
        .scalars()
        .all()
    )
    for host in hosts:  # an account of that name from any host must be a reader already
        grants = [
            row[0]
            for row in _execute_text(
                connection,
                f"SHOW GRANTS FOR {_literal(connection, name)}@{_literal(connection, host)}",
            )
        ]
        if any(not re.match(r"GRANT (USAGE|SELECT(, SHOW VIEW)?) ON ", grant) for grant in grants):
            raise QueryError(
                f"user {name} exists and has rights beyond reading: choose another name"
            )
    secret = f" IDENTIFIED BY {_literal(connection, password)}" if password is not None else ""
    if "%" not in hosts:
        _execute_text(connection, f"CREATE USER {account}{secret}")
    elif secret:
        _execute_text(connection, f"ALTER USER {account}{secret}")
    schema = connection.dialect.identifier_preparer.quote(database)
    _execute_text(connection, f"GRANT SELECT ON {schema}.* TO {account}")


def _execute_text(connection: Connection, statement: str) -> CursorResult[Any]:
    # Both drivers %-format every statement SQLAlchemy hands them, even without parameters.
    return connection.exec_driver_sql(statement.replace("%", "%%"))
