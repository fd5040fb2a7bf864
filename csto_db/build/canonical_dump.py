"""A canonical, engine-independent dump of a database's rows, for comparing engines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect, select

from ..store.schema import MARIADB_INIT_LOCK_TABLE
from ..store.tables import metadata

#: Alembic's bookkeeping, and the table ``init`` locks on MariaDB: not part of the record.
SKIPPED_TABLES = frozenset({"alembic_version", MARIADB_INIT_LOCK_TABLE})


def canonical_value(value: Any) -> Any:
    """A value as JSON sees it: dates as ISO text, booleans as true/false, None as null."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _table(connection: Connection, name: str) -> Table:
    # The table definition gives each column its type, so a MariaDB TINYINT comes back as a
    # boolean and a SQLite date text as a date; a table the models lack is reflected.
    known = metadata.tables.get(name)
    return known if known is not None else Table(name, MetaData(), autoload_with=connection)


def canonical_dump(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every table but ``alembic_version``, by name, each a list of rows sorted by primary
    key (in Python, so no engine's collation decides the order)."""
    dump: dict[str, list[dict[str, Any]]] = {}
    for name in sorted(set(inspect(connection).get_table_names()) - SKIPPED_TABLES):
        table = _table(connection, name)
        key_columns = [column.name for column in table.primary_key.columns] or [
            column.name for column in table.columns
        ]
        rows = [
            {column: canonical_value(value) for column, value in row._mapping.items()}
            for row in connection.execute(select(table))
        ]
        rows.sort(key=lambda row: tuple((row[c] is not None, row[c]) for c in key_columns))
        dump[name] = rows
    return dump
