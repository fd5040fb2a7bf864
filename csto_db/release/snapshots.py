"""A build of the record as stored: a database of any release, or the current seeds.

Each database is read as stored, through its own columns, so a release of any schema
revision compares with any other, on any engine; the current seeds are read by building
them into a scratch SQLite file first.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Integer, MetaData, String, Table, select
from sqlalchemy import inspect as inspect_database
from sqlalchemy.engine import Inspector
from sqlalchemy.types import TypeEngine

from ..build.canonical_dump import canonical_value
from ..build.digests import content_tables
from ..build.seed_files import DERIVED_COLUMNS
from ..errors import Error
from ..store.db import describe_error, display_url, make_engine
from .versions import DatabaseRelease, database_release

Key = tuple[Any, ...]
Row = dict[str, Any]

#: Columns left out: a source's full text is compared through its SHA-256.
NOT_COMPARED = frozenset({("sources", "full_text")})


class DiffError(Error):
    """A side that cannot be compared: nothing at the path, or no csto-db record in it."""


@dataclass(frozen=True)
class Snapshot:
    """One build of the record: every content table's rows by primary key (values as JSON
    sees them), and what the database says of its build."""

    label: str
    release: DatabaseRelease
    tables: dict[str, dict[Key, Row]]


def _reading_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """The type a column is read through: booleans, dates and numbers as such on every
    engine; any text, a vocabulary too, as plain text (an older or newer vocabulary must
    read without complaint)."""
    if isinstance(type_, Boolean):
        return Boolean()
    if isinstance(type_, Date):
        return Date()
    if isinstance(type_, Integer):
        return Integer()
    if isinstance(type_, String):
        return String()
    return type_


#: Columns a table must have for its rows to be read into facts and disputes, beside its
#: primary key: every release of the schema has them.
REQUIRED_COLUMNS = {
    "facts": ("table_name",),
    "citations": ("source_key",),
    "readings": ("dispute_key",),
}


def _stored_table(inspector: Inspector, model: Table, label: str) -> tuple[Table, list[str]]:
    """The table as this database has it (its columns, typed as the models type them where
    the models know them), and its key columns in the models' order. A table keyed
    otherwise, or without a column every release has, is no csto-db table: refused."""
    stored_key = list(inspector.get_pk_constraint(model.name).get("constrained_columns") or [])
    model_key = [column.name for column in model.primary_key.columns]
    columns = []
    for info in inspector.get_columns(model.name):
        name = info["name"]
        if (model.name, name) in NOT_COMPARED or name in DERIVED_COLUMNS:
            continue
        known = model.columns.get(name)
        columns.append(
            Column(name, _reading_type(known.type if known is not None else info["type"]))
        )
    names = {column.name for column in columns}
    missing = [name for name in REQUIRED_COLUMNS.get(model.name, ()) if name not in names]
    if set(stored_key) != set(model_key) or missing:
        wrong = f"lacks {', '.join(missing)}" if missing else f"is not keyed by {model_key}"
        raise DiffError(
            f"{label}: its table {model.name} {wrong}: not a csto-db record this package can read"
        )
    return Table(model.name, MetaData(), *columns), model_key


def read_snapshot(connection: Connection, label: str) -> Snapshot:
    """Every row of the record the database holds, read through the columns it has."""
    inspector = inspect_database(connection)
    existing = set(inspector.get_table_names())
    if "facts" not in existing:
        raise DiffError(
            f"{label} holds no csto-db record (no facts table): build it with "
            f"`csto-db init`, or name another database"
        )
    tables: dict[str, dict[Key, Row]] = {}
    for model in content_tables():
        if model.name not in existing:
            continue
        stored, key_columns = _stored_table(inspector, model, label)
        rows: dict[Key, Row] = {}
        for row in connection.execute(select(stored)):
            values = {name: canonical_value(value) for name, value in row._mapping.items()}
            rows[tuple(values[name] for name in key_columns)] = values
        tables[model.name] = rows
    return Snapshot(label, database_release(connection), tables)


def snapshot_of_url(url: str, label: str | None = None) -> Snapshot:
    """The build at ``url``, opened read-only and without the schema gate: a database of
    any release (older or newer) can be compared."""
    from sqlalchemy.exc import SQLAlchemyError

    shown = label or display_url(url)
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as connection:
            return read_snapshot(connection, shown)
    except SQLAlchemyError as error:
        raise DiffError(f"cannot read {shown}: {describe_error(error, url)}") from None
    finally:
        engine.dispose()


def snapshot_of_seeds(seeds_directory: Path | None = None, label: str | None = None) -> Snapshot:
    """The record the seeds build (the package's, or those in ``seeds_directory``), built
    into a scratch SQLite file that is removed afterwards."""
    from ..build.init import init_database

    with tempfile.TemporaryDirectory(prefix="csto-db-diff-") as folder:
        url = f"sqlite:///{Path(folder) / 'seeds.db'}"
        init_database(url, seeds_directory)
        where = f"the seeds in {seeds_directory}" if seeds_directory else "the current seeds"
        return snapshot_of_url(url, label or where)


def open_snapshot(spec: str | None) -> Snapshot:
    """One side of a comparison: a database URL, a SQLite file, a folder of seeds (with a
    ``data/`` folder), or None for the package's current seeds."""
    if spec is None:
        return snapshot_of_seeds()
    if "://" in spec:
        return snapshot_of_url(spec)
    path = Path(spec)
    if path.is_dir():
        if not (path / "data").is_dir():
            raise DiffError(f"{spec} is a folder but not one of seeds (it has no data/ folder)")
        return snapshot_of_seeds(path)
    if not path.is_file():
        raise DiffError(
            f"nothing to compare at {spec}: give a SQLite file, a folder of seeds or a database URL"
        )
    return snapshot_of_url(f"sqlite:///{path}", spec)
