"""A role that can only read: created on PostgreSQL or MariaDB with its own statement
timeout, and refused if the server's catalog shows it could do more."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import URL, Connection, CursorResult, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import DatabaseError, QueryError
from ..store.db import database_url, describe_error, make_engine, parse_url
from ..store.schema import MARIADB_INIT_LOCK_TABLE
from .mariadb import mariadb_rights
from .postgresql import postgresql_rights
from .run import READER_STATEMENT_TIMEOUT, _summary

_ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


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
