"""Rows written by dataset imports, which the seed loader must leave as they are."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from ..store.models import (
    FACT_MODELS,
    Citation,
    CowYear,
    DatasetImport,
    Fact,
    FactCitation,
    MissingData,
    NotInSystem,
    State,
    fact_key_column,
)


def imported_keys(connection: Connection) -> dict[str, set[tuple[Any, ...]]]:
    """The primary keys, per table, of every row a dataset import wrote.

    The seed files own every other row: ``csto-db init`` inserts, updates and deletes those
    to match the files, and leaves these alone.
    """
    keys: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    sources = set(connection.execute(select(DatasetImport.source_key)).scalars())
    if not sources:
        return keys
    keys["dataset_imports"] = {(key,) for key in sources}
    keys["sources"] = {(key,) for key in sources}
    facts = connection.execute(
        select(Fact.key, Fact.table_name).where(Fact.dataset_key.is_not(None))
    ).all()
    keys["facts"] = {(key,) for key, _table in facts}
    for key, table in facts:
        keys[table].add((key,))
    keys["fact_citations"] = {
        tuple(row)
        for row in connection.execute(
            select(FactCitation.fact_key, FactCitation.citation_key)
            .join(Fact, Fact.key == FactCitation.fact_key)
            .where(Fact.dataset_key.is_not(None))
        )
    }
    keys["citations"] = {
        (key,)
        for key in connection.execute(
            select(Citation.key).where(Citation.source_key.in_(sources))
        ).scalars()
    }
    keys["states"] = {
        (iso3,)
        for iso3 in connection.execute(
            select(State.iso3).where(State.dataset_key.is_not(None))
        ).scalars()
    }
    keys["missing_data"] = {
        tuple(row)
        for row in connection.execute(
            select(
                MissingData.organization_code, MissingData.state_iso3, MissingData.first_year
            ).where(MissingData.source_key.in_(sources))
        )
    }
    keys["not_in_system"] = {
        tuple(row)
        for row in connection.execute(
            select(
                NotInSystem.organization_code, NotInSystem.state_iso3, NotInSystem.first_year
            ).where(NotInSystem.source_key.in_(sources))
        )
    }
    keys["cow_years"] = {
        tuple(row)
        for row in connection.execute(
            select(CowYear.organization_code, CowYear.year).where(CowYear.source_key.in_(sources))
        )
    }
    # Every fact table keys its rows by the fact's key; nothing more to map.
    assert all(fact_key_column(model) in ("key", "code") for model in FACT_MODELS.values())
    return keys
