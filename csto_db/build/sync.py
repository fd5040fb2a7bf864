"""Writing the seeds: make the seeded tables hold exactly what the seed files describe, in the
caller's transaction, deleting rows the seeds lack only when asked to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Boolean, Column, ColumnElement, Connection, Table, and_, inspect, select

from ..errors import SeedError
from ..store.bulk_insert import BulkInsert
from ..store.tables import SPAN_GROUPS
from .digests import content_tables, row_key_text
from .imported_rows import imported_keys
from .seed_set import Key, Row, SeedSet, columns_of, primary_key_of, table_of


@dataclass
class SyncReport:
    """What a seed run changed, per table."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    total_rows: int = 0
    #: Rows the database holds and the seeds do not, as (table, key): deleted when pruning.
    prunable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            any(self.inserted.values()) or any(self.updated.values()) or any(self.deleted.values())
        )

    def summary(self) -> str:
        def count(values: dict[str, int]) -> int:
            return sum(values.values())

        return (
            f"{count(self.inserted)} inserted, {count(self.updated)} updated, "
            f"{count(self.deleted)} deleted; {self.total_rows} rows in all"
        )


def _seeded_tables() -> list[Table]:
    """Every table, parents first; the seeds own them all (not Alembic's, nor the digests
    ``init`` records after loading).

    ``fact_citations`` moves up to just after ``facts`` and ``citations``, so each fact row
    finds its citation already written: the database refuses a fact without one.
    """
    tables = content_tables()
    links = table_of("fact_citations")
    tables.remove(links)
    after = max(tables.index(table_of("facts")), tables.index(table_of("citations")))
    tables.insert(after + 1, links)
    return tables


def _delete_order() -> list[Table]:
    # Fact rows go before the citations that support them, so a database rule that refuses
    # to leave a fact without a citation never sees an orphan.
    tables = list(reversed(_seeded_tables()))
    tail = [t for t in tables if t.name in ("fact_citations", "facts", "citations", "sources")]
    head = [t for t in tables if t not in tail]
    order = {"fact_citations": 0, "facts": 1, "citations": 2, "sources": 3}
    return head + sorted(tail, key=lambda t: order[t.name])


def _normalise(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Boolean):
        return bool(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


class PruneRefused(SeedError):
    """The seeds lack rows the database holds, and deleting them was not asked for."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        table, key = rows[0]
        super().__init__(
            f"the seed files lack {len(rows)} row(s) the database holds (first: {table} "
            f"{key}); nothing was changed. If a seed file was cut short, restore it; to "
            "delete these rows, run `csto-db init --prune`"
        )


def planned_deletions(connection: Connection, seeds: SeedSet) -> list[tuple[str, str]]:
    """Every row the database holds that the seeds do not, as (table, key), in the order of
    the tables. Reads only tables that exist and keys as the database has them, so it works
    before migrating, on a schema of any revision."""
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    # Rows a dataset import wrote are not the seeds' to delete (imports came with 0005).
    imported = imported_keys(connection) if "dataset_imports" in existing_tables else {}
    planned = []
    for table in _seeded_tables():
        if table.name not in existing_tables:
            continue
        key_names = [column.name for column in table.primary_key.columns]
        if inspector.get_pk_constraint(table.name).get("constrained_columns") != key_names:
            continue  # an older schema keyed otherwise: its rows are judged after migrating
        desired = seeds.rows.get(table.name, {})
        keys = connection.execute(select(*(table.c[name] for name in key_names))).all()
        planned += [
            (table.name, row_key_text(tuple(key)))
            for key in sorted(tuple(key) for key in keys)
            if tuple(key) not in desired and tuple(key) not in imported.get(table.name, ())
        ]
    return planned


def sync(
    connection: Connection, seeds: SeedSet, *, prune: bool = False, empty: bool = False
) -> SyncReport:
    """Make the seeded tables hold exactly ``seeds``: insert, update and, with ``prune``,
    delete; nothing else.

    Without ``prune`` a database holding rows the seeds lack is refused with
    :class:`PruneRefused` before anything is written: a seed file cut short must not cost
    the facts it held. Runs inside the caller's transaction; the caller commits or rolls
    back. A second run with the same seeds changes nothing. ``empty`` says the caller has
    just built the tables, empty: the seeds are inserted without reading them first.
    """
    prunable = [] if empty else planned_deletions(connection, seeds)
    if prunable and not prune:
        raise PruneRefused(prunable)
    report = SyncReport(total_rows=seeds.count(), prunable=prunable)
    deletions: dict[str, list[Key]] = {}
    # Rows a dataset import wrote are not the seeds' to delete.
    imported = {} if empty else imported_keys(connection)
    for table in _seeded_tables():
        desired = seeds.rows.get(table.name, {})
        pk_columns = list(table.primary_key.columns)
        existing = (
            {}
            if empty
            else {
                tuple(row[c.name] for c in pk_columns): row
                for row in (r._mapping for r in connection.execute(select(table)))
            }
        )
        inserts, updates = [], []
        for pk, row in desired.items():
            current = existing.get(pk)
            if current is None:
                inserts.append(row)
            elif any(
                _normalise(c, current[c.name]) != _normalise(c, row[c.name]) for c in table.columns
            ):
                updates.append(row)
        removed = [
            pk for pk in existing if pk not in desired and pk not in imported.get(table.name, ())
        ]
        report.inserted[table.name] = len(inserts)
        report.updated[table.name] = len(updates)
        if table.name in SPAN_GROUPS:
            # The database refuses overlapping spans row by row. Moving a boundary between
            # two spans by updating them one at a time can overlap them for a moment, so
            # changed and removed spans leave first; the table then only ever holds spans
            # of the old or the new state that agree with each other. No table refers to a
            # span, so removing one early breaks no reference.
            for pk in removed + [primary_key_of(table.name, row) for row in updates]:
                connection.execute(table.delete().where(_pk_match(pk_columns, pk)))
            inserts, updates = inserts + updates, []
            report.deleted[table.name] = len(removed)
            removed = []
        if inserts:
            names = [column.name for column in columns_of(table.name)]
            BulkInsert(connection, table, names).execute(
                [tuple(row[name] for name in names) for row in _parents_first(table, inserts)]
            )
        for row in updates:
            connection.execute(
                table.update()
                .where(_pk_match(pk_columns, primary_key_of(table.name, row)))
                .values(**row)
            )
        deletions[table.name] = removed
    for table in _delete_order():
        gone = deletions.get(table.name, [])
        pk_columns = list(table.primary_key.columns)
        for pk in gone:
            connection.execute(table.delete().where(_pk_match(pk_columns, pk)))
        report.deleted[table.name] = report.deleted.get(table.name, 0) + len(gone)
    return report


def _pk_match(pk_columns: list[Column[Any]], pk: Key) -> ColumnElement[bool]:
    return and_(*(column == value for column, value in zip(pk_columns, pk, strict=True)))


def _parents_first(table: Table, rows: list[Row]) -> list[Row]:
    """Order rows of a self-referencing table so each row's parent is inserted before it."""
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not self_refs:
        return rows
    pk = table.primary_key.columns.values()[0].name
    keys = {row[pk] for row in rows}
    placed: set[Any] = set()
    ordered: list[Row] = []
    pending = list(rows)
    while pending:
        ready = [
            r
            for r in pending
            if all(r[c] is None or r[c] not in keys or r[c] in placed for c in self_refs)
        ]
        if not ready:  # a cycle: let the database say so
            ordered.extend(pending)
            break
        for row in ready:
            placed.add(row[pk])
            ordered.append(row)
        pending = [r for r in pending if r[pk] not in placed]
    return ordered
