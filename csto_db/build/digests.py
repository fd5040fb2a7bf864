"""Digests of what ``init`` built: the seed files, and every row, so changes can be named."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, inspect, select

from .. import __version__
from ..store import tables
from ..store.bulk_insert import BulkInsert
from ..store.tables import BUILD_TABLES, metadata
from .canonical_dump import canonical_value
from .imported_rows import imported_keys
from .seed_set import SeedSet

#: At most this many keys are named per table and kind of difference; the rest are counted.
NAMED_PER_TABLE = 10

# Built once: ``json.dumps`` with options builds a new encoder on every call, and a build
# digests thousands of rows. Their output is ``json.dumps``'s with the same options.
_ROW_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_LINE_JSON = json.JSONEncoder(ensure_ascii=False)


def seeds_digest(directory: Path) -> str:
    """SHA-256 over every file under ``data/`` and ``texts/``: each relative path, then its
    bytes, in path order. Any edit, added or removed file changes it."""
    digest = hashlib.sha256()
    for folder in ("data", "texts"):
        for path in sorted((directory / folder).rglob("*")):
            if path.is_file():
                name = path.relative_to(directory).as_posix().encode("utf-8")
                content = path.read_bytes()
                digest.update(b"%d:%s%d:" % (len(name), name, len(content)))
                digest.update(content)
    return digest.hexdigest()


def content_tables() -> list[Table]:
    """The tables whose rows the seeds describe (all but Alembic's and the build's own)."""
    return [table for table in metadata.sorted_tables if table.name not in BUILD_TABLES]


def row_key_text(values: tuple[object, ...]) -> str:
    """A primary key as text: the value itself, or a JSON list for a composite key."""
    if len(values) == 1:
        return str(values[0])
    return json.dumps([canonical_value(v) for v in values], ensure_ascii=False)


#: Rows by (table, key text), each row's values as JSON sees them (see :func:`curated_rows`).
Rows = dict[tuple[str, str], dict[str, Any]]


def curated_rows(connection: Connection) -> Rows:
    """Every row the seeds put in the content tables, by (table, key text), its values read
    through the models' column types and written as JSON sees them, so every engine gives
    the same values for the same row.

    Rows a dataset import wrote are left out: the import records its file's SHA-256, and
    ``check --cow-file`` verifies every imported cell against that file. Digesting them here
    would make each import re-hash the whole database."""
    rows: Rows = {}
    existing = set(inspect(connection).get_table_names())
    imported = imported_keys(connection) if "dataset_imports" in existing else {}
    for table in content_tables():
        if table.name not in existing:
            continue
        key_columns = [column.name for column in table.primary_key.columns]
        skipped = imported.get(table.name, set())
        for row in connection.execute(select(table)):
            key = tuple(row._mapping[name] for name in key_columns)
            if skipped and key in skipped:
                continue
            values = {name: canonical_value(value) for name, value in row._mapping.items()}
            rows[(table.name, row_key_text(key))] = values
    return rows


def rows_of_seeds(seeds: SeedSet) -> Rows:
    """The rows :func:`curated_rows` reads from a database that holds ``seeds`` and nothing
    else, taken from the seeds without reading the database: what ``init`` digests after
    building an empty one. (`check` digests what the database holds, so a value an engine
    stored otherwise than the seeds give it is still named.)"""
    rows: Rows = {}
    for table in content_tables():
        names = [column.name for column in table.columns]
        for key, row in seeds.rows.get(table.name, {}).items():
            values = {name: canonical_value(row[name]) for name in names}
            rows[(table.name, row_key_text(key))] = values
    return rows


def row_digest(values: dict[str, Any]) -> str:
    """The SHA-256 of one row's values as canonical JSON."""
    text = _ROW_JSON.encode(values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_digests(connection: Connection, rows: Rows | None = None) -> dict[tuple[str, str], str]:
    """The digest of every row of :func:`curated_rows` (``rows`` if already read)."""
    rows = curated_rows(connection) if rows is None else rows
    return {key: row_digest(values) for key, values in rows.items()}


def content_digest(digests: dict[tuple[str, str], str]) -> str:
    """One digest over all row digests, in table and key order."""
    whole = hashlib.sha256()
    for (table, key), value in sorted(digests.items()):
        whole.update(_LINE_JSON.encode([table, key, value]).encode("utf-8"))
        whole.update(b"\n")
    return whole.hexdigest()


def record_build(
    connection: Connection, revision: str, seeds_sha256: str, rows: Rows | None = None
) -> bool:
    """Write the build record (with this package's release as the record's version) and the
    row digests of what the database now holds (``rows``, if the caller knows them, else
    read from it), in the caller's transaction. Returns True when anything of them
    changed."""
    digests = row_digests(connection, rows)
    stored = dict(
        ((table, key), value)
        for table, key, value in connection.execute(
            select(
                tables.row_digests.c.table_name,
                tables.row_digests.c.row_key,
                tables.row_digests.c.sha256,
            )
        )
    )
    record = {
        "id": 1,
        "revision": revision,
        "seeds_sha256": seeds_sha256,
        "content_sha256": content_digest(digests),
        "row_count": len(digests),
        "record_version": __version__,
    }
    current = connection.execute(select(tables.build_record)).mappings().first()
    changed = False
    if current is None or dict(current) != record:
        connection.execute(delete(tables.build_record))
        connection.execute(insert(tables.build_record), [record])
        changed = True
    if stored != digests:
        gone = [key for key in stored if key not in digests]
        for table, key in gone:
            connection.execute(
                delete(tables.row_digests).where(
                    tables.row_digests.c.table_name == table, tables.row_digests.c.row_key == key
                )
            )
        for (table, key), value in digests.items():
            if stored.get((table, key)) not in (None, value):
                connection.execute(
                    tables.row_digests.update()
                    .where(
                        tables.row_digests.c.table_name == table,
                        tables.row_digests.c.row_key == key,
                    )
                    .values(sha256=value)
                )
        new = [
            (table, key, value)
            for (table, key), value in digests.items()
            if (table, key) not in stored
        ]
        if new:  # a rebuild that changed a value adds none: no INSERT to compile
            columns = ("table_name", "row_key", "sha256")
            BulkInsert(connection, tables.row_digests, columns).execute(new)
        changed = True
    return changed


def compare_with_build(
    connection: Connection, seeds_sha256: str | None, rows: Rows | None = None
) -> list[str]:
    """Problems where the database no longer holds what ``init`` wrote: no build record, a
    row changed, added or removed (named by table and key), digests edited, or seed files
    that differ from the ones it was built from (when ``seeds_sha256`` is given). ``rows``
    are the database's :func:`curated_rows`, if already read."""
    return build_differences(connection, seeds_sha256, rows)[0]


def build_differences(
    connection: Connection, seeds_sha256: str | None, rows: Rows | None = None
) -> tuple[list[str], set[tuple[str, str]]]:
    """:func:`compare_with_build`'s problems, and the (table, key) of every row they name
    or count."""
    record = connection.execute(select(tables.build_record)).mappings().first()
    if record is None:
        return [
            "no build record: the schema was not loaded by `csto-db init` (run `csto-db init`)"
        ], set()
    problems = []
    if seeds_sha256 is not None and record["seeds_sha256"] != seeds_sha256:
        problems.append(
            "built from other seed files than these (seeds sha256 "
            f"{record['seeds_sha256'][:12]}, now {seeds_sha256[:12]}): "
            "run `csto-db init`"
        )
    stored = dict(
        ((table, key), value)
        for table, key, value in connection.execute(
            select(
                tables.row_digests.c.table_name,
                tables.row_digests.c.row_key,
                tables.row_digests.c.sha256,
            )
        )
    )
    if content_digest(stored) != record["content_sha256"] or len(stored) != record["row_count"]:
        problems.append(
            "row_digests no longer match the build record: the digests were "
            "edited; run `csto-db init`"
        )
    actual = row_digests(connection, rows)
    kinds = {
        "removed": sorted(key for key in stored if key not in actual),
        "added": sorted(key for key in actual if key not in stored),
        "changed": sorted(key for key in actual if key in stored and actual[key] != stored[key]),
    }
    for kind, keys in kinds.items():
        problems += named_lines(keys, f"row {kind} since `csto-db init` built the database")
    return problems, {key for keys in kinds.values() for key in keys}


def named_lines(keys: list[tuple[str, str]], what: str, rest: str | None = None) -> list[str]:
    """``TABLE KEY: WHAT`` for up to :data:`NAMED_PER_TABLE` keys of each table, then one
    line counting the rest: ``TABLE: N more REST`` (default: ``WHAT`` with its first
    "row" made "rows")."""
    lines = []
    by_table: dict[str, list[str]] = {}
    for table, key in keys:
        by_table.setdefault(table, []).append(key)
    for table, table_keys in sorted(by_table.items()):
        for key in table_keys[:NAMED_PER_TABLE]:
            lines.append(f"{table} {key}: {what}")
        if len(table_keys) > NAMED_PER_TABLE:
            plural = rest or what.replace("row ", "rows ", 1)
            lines.append(f"{table}: {len(table_keys) - NAMED_PER_TABLE} more {plural}")
    return lines
