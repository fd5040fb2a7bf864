"""Rows written by dataset imports, which the seed loader must leave as they are."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from ..store import tables
from ..store.tables import PARTIAL_DATES, fact_key_column_of


def imported_keys(connection: Connection) -> dict[str, set[tuple[Any, ...]]]:
    """The primary keys, per table, of every row a dataset import wrote.

    The seed files own every other row: ``csto-db init`` inserts, updates and deletes those
    to match the files, and leaves these alone.
    """
    keys: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    sources = set(connection.execute(select(tables.dataset_imports.c.source_key)).scalars())
    if not sources:
        return keys
    keys["dataset_imports"] = {(key,) for key in sources}
    keys["sources"] = {(key,) for key in sources}
    facts = connection.execute(
        select(tables.facts.c.key, tables.facts.c.table_name).where(
            tables.facts.c.dataset_key.is_not(None)
        )
    ).all()
    keys["facts"] = {(key,) for key, _table in facts}
    for key, table in facts:
        keys[table].add((key,))
    keys["fact_citations"] = {
        tuple(row)
        for row in connection.execute(
            select(tables.fact_citations.c.fact_key, tables.fact_citations.c.citation_key)
            .join(tables.facts, tables.facts.c.key == tables.fact_citations.c.fact_key)
            .where(tables.facts.c.dataset_key.is_not(None))
        )
    }
    keys["citations"] = {
        (key,)
        for key in connection.execute(
            select(tables.citations.c.key).where(tables.citations.c.source_key.in_(sources))
        ).scalars()
    }
    keys["states"] = {
        (iso3,)
        for iso3 in connection.execute(
            select(tables.states.c.iso3).where(tables.states.c.dataset_key.is_not(None))
        ).scalars()
    }
    # The rows of the runs and of COW's organization-years, by their primary keys.
    for table in (tables.missing_data, tables.not_in_system, tables.cow_years):
        keys[table.name] = {
            tuple(row)
            for row in connection.execute(
                select(*table.primary_key.columns).where(table.c.source_key.in_(sources))
            )
        }
    # Every fact table keys its rows by the fact's key; nothing more to map.
    assert all(fact_key_column_of(table) in ("key", "code") for table in PARTIAL_DATES)
    return keys
