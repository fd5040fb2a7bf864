"""Every row the seed files describe, keyed by table and primary key, and where the seed
files are: ``seeds/`` in a checkout, or the copy a wheel carries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table

from ..errors import SeedError
from ..store.tables import metadata

PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: A row as read from the seed files, column by column; a row's primary key values.
Row = dict[str, Any]
Key = tuple[Any, ...]


def seeds_dir() -> Path:
    """``seeds/`` beside the package in a checkout, or the copy a wheel carries."""
    checkout = PACKAGE_DIR.parent / "seeds"
    if (checkout / "data").is_dir():
        return checkout
    return Path(str(resources.files("csto_db") / "_seeds"))


@dataclass
class SeedSet:
    """Every row the seed files describe, keyed by table name and primary key."""

    rows: dict[str, dict[Key, Row]] = field(default_factory=lambda: defaultdict(dict))
    origin: dict[tuple[str, Key], str] = field(default_factory=dict)

    def add(self, table: str, row: Row, where: str) -> None:
        pk = primary_key_of(table, row)
        if pk in self.rows[table]:
            raise SeedError(
                f"{where}: duplicate key {pk_text(pk)} in {table} "
                f"(first in {self.origin[(table, pk)]})"
            )
        # Columns the seed format does not write (a dataset import's marks) are empty.
        for column in columns_of(table):
            row.setdefault(column.name, None)
        self.rows[table][pk] = row
        self.origin[(table, pk)] = where

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def table_of(name: str) -> Table:
    return metadata.tables[name]


# Cached: the reader asks for them for each of thousands of rows, and walking a table's
# column collection is slow beside reading a tuple. The tables do not change at run time.
@cache
def columns_of(name: str) -> tuple[Column[Any], ...]:
    """The columns of the table ``name``, in order."""
    return tuple(table_of(name).columns)


@cache
def _key_names(name: str) -> tuple[str, ...]:
    return tuple(column.name for column in table_of(name).primary_key.columns)


def primary_key_of(table: str, row: Row) -> Key:
    return tuple(row[name] for name in _key_names(table))


def pk_text(pk: Key) -> str:
    return repr(pk[0]) if len(pk) == 1 else repr(pk)
