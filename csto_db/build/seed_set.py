"""Every row the seed files describe, keyed by table and primary key, and where the seed
files are: ``seeds/`` in a checkout, or the copy a wheel carries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Table

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
        for column in table_of(table).columns:
            row.setdefault(column.name, None)
        self.rows[table][pk] = row
        self.origin[(table, pk)] = where

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def table_of(name: str) -> Table:
    return metadata.tables[name]


def primary_key_of(table: str, row: Row) -> Key:
    return tuple(row[column.name] for column in table_of(table).primary_key.columns)


def pk_text(pk: Key) -> str:
    return repr(pk[0]) if len(pk) == 1 else repr(pk)
