"""Many rows into one table in one call: each INSERT compiled once, its rows given as tuples."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

#: A column's place in its rows, and the function that turns its values into the driver's.
Conversion = tuple[int, Callable[[Any], Any]]


class BulkInsert:
    """The INSERT of ``columns`` into ``table`` on ``connection``, compiled once.

    Where the driver takes positional parameters (SQLite's), the rows go to it as the
    tuples they are, each column's type conversion (dates to text, booleans to integers, an
    enum's value checked) applied a column at a time, once per distinct value: SQLAlchemy's
    own handling of parameters, row by row, costs more than building the rows. Drivers that
    take named parameters (psycopg, PyMySQL) get the rows as mappings through
    :meth:`Connection.execute`, which converts them alike.
    """

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str]) -> None:
        self.connection = connection
        self.columns = tuple(columns)
        self.statement = table.insert()
        compiled = self.statement.compile(dialect=connection.dialect, column_keys=list(columns))
        # The compiled INSERT takes exactly the tuple's values, in its order: nothing for
        # SQLAlchemy to add (a column default) or to reorder.
        self.positional = bool(compiled.positional) and compiled.positiontup == list(columns)
        self.sql = compiled.string
        self.conversions = _conversions(connection, table, self.columns) if self.positional else []

    def execute(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows``, each a tuple of the columns' values in their order."""
        if not rows:
            return
        if self.positional:
            self.connection.exec_driver_sql(self.sql, _converted(rows, self.conversions))
        else:
            self.connection.execute(
                self.statement, [dict(zip(self.columns, row, strict=True)) for row in rows]
            )


def _conversions(
    connection: Connection, table: Table, columns: tuple[str, ...]
) -> list[Conversion]:
    """The columns whose type converts a value before the driver takes it, with that
    conversion."""
    dialect = connection.dialect
    found: list[Conversion] = []
    for index, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            found.append((index, process))
    return found


def _converted(
    rows: Sequence[tuple[Any, ...]], conversions: list[Conversion]
) -> Sequence[tuple[Any, ...]]:
    """``rows`` with each column of ``conversions`` converted a column at a time, each
    distinct value once: a few hundred dates and a handful of enum values stand in for the
    tens of thousands of rows, and equal values convert alike. (``True`` and ``1`` are one
    key here; only a boolean column converts them, and to the same integer.)"""
    if not conversions:
        return rows
    columns = list(zip(*rows, strict=True))
    for index, process in conversions:
        converted = {value: process(value) for value in set(columns[index])}
        columns[index] = tuple(map(converted.__getitem__, columns[index]))
    return list(zip(*columns, strict=True))
