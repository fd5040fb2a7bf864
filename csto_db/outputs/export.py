"""Exports of the whole record in open formats: CSV, nested JSON, Popolo and a Data Package.

Every export is computed from the canonical dump (rows sorted by primary key in Python, values
as JSON sees them), so the same database gives the same bytes on SQLite, PostgreSQL and
MariaDB.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Enum, Integer, Table

from ..build.canonical_dump import canonical_dump
from ..errors import Error
from ..store.models import FACT_MODELS, Base, fact_key_column
from .popolo import popolo
from .record_metadata import (
    DESCRIPTION,
    LICENSE_NOTE,
    TITLE,
    _Evidence,
    horizon_text,
    horizons,
    record_metadata,
)

FORMATS = ("csv", "json", "popolo", "datapackage")
#: The formats written to one file (or standard output) rather than into a folder.
FILE_FORMATS = ("cow-year",)

#: Bookkeeping rows that are not part of the record (the canonical dump already drops them).
NOT_EXPORTED = ("alembic_version",)


class ExportError(Error):
    """An export that cannot be written as asked (unknown format, unusable folder)."""


# --- Rows ----------------------------------------------------------------------------------


def record_tables(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every table of the record with its rows, in primary-key order (engine-independent)."""
    return canonical_dump(connection)


def _columns(name: str, rows: list[dict[str, Any]]) -> list[str]:
    table = Base.metadata.tables.get(name)
    if table is not None:
        return [column.name for column in table.columns]
    return list(rows[0]) if rows else []


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_text(name: str, rows: list[dict[str, Any]]) -> str:
    """One table as CSV: a header row, then one line per row; empty cells are NULL."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = _columns(name, rows)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return out.getvalue()


# --- JSON: the record nested for a reader --------------------------------------------------


#: Fact tables shown inside a parent rather than at the top: (parent table, its key column
#: in the child, the name of the list in the parent).
NESTED = {
    "membership_spans": ("states", "state_iso3", "membership_spans"),
    "document_parties": ("documents", "document_key", "parties"),
}


def record_json(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The whole record as one JSON document: sources; states with their membership spans;
    documents with their parties; disputes with their subjects and readings; every other
    fact table as a list. Each fact carries its quotes and the readings of its disputed
    fields. ``record_ends`` says where the record ends; ``horizons`` lists each
    organization's horizon."""
    evidence = _Evidence(tables)
    facts = {}
    for name, model in FACT_MODELS.items():
        if name == "readings" or name not in tables:
            continue
        key_column = fact_key_column(model)
        facts[name] = [evidence.attach(row, row[key_column]) for row in tables[name]]
    children: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for child, (_parent, column, _label) in NESTED.items():
        for row in facts.pop(child):
            children[(child, row[column])].append(row)

    def with_children(parent: str, key_column: str, row: dict[str, Any]) -> dict[str, Any]:
        for child, (owner, _column, label) in NESTED.items():
            if owner == parent:
                row = {**row, label: children.get((child, row[key_column]), [])}
        return row

    reading_rows = defaultdict(list)
    for reading in tables["readings"]:
        reading_rows[reading["dispute_key"]].append(evidence.attach(reading, reading["key"]))
    subjects = defaultdict(list)
    for subject in tables["dispute_subjects"]:
        subjects[subject["dispute_key"]].append(
            {"fact": subject["fact_key"], "field": subject["field"]}
        )
    metadata = record_metadata(tables)
    record = {
        "title": TITLE,
        "version": metadata["version"],
        **({"created": metadata["created"]} if "created" in metadata else {}),
        "description": DESCRIPTION,
        "record_ends": horizon_text(tables),
        "horizons": horizons(tables),
        "license": LICENSE_NOTE,
        "licenses": metadata["licenses"],
        "citation": metadata["citation"],
        "sources": tables["sources"],
        "states": [with_children("states", "iso3", row) for row in tables["states"]],
        "documents": [with_children("documents", "key", row) for row in facts.pop("documents")],
        "disputes": [
            {**row, "subjects": subjects[row["key"]], "readings": reading_rows[row["key"]]}
            for row in tables["disputes"]
        ],
    }
    record.update(facts)
    return record


# --- Data Package --------------------------------------------------------------------------


def _field(column: Column[Any]) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name}
    if isinstance(column.type, Boolean):
        field.update(type="boolean", trueValues=["true"], falseValues=["false"])
    elif isinstance(column.type, Integer):
        field["type"] = "integer"
    elif isinstance(column.type, Date):
        field["type"] = "date"
    else:
        field["type"] = "string"
    if column.comment:
        field["description"] = column.comment
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if isinstance(column.type, Enum):
        constraints["enum"] = list(column.type.enums)
    if constraints:
        field["constraints"] = constraints
    return field


def _foreign_keys(table: Table) -> list[dict[str, Any]]:
    keys = []
    for constraint in sorted(
        table.foreign_key_constraints, key=lambda c: [column.name for column in c.columns]
    ):
        target = constraint.referred_table.name
        keys.append(
            {
                "fields": [column.name for column in constraint.columns],
                "reference": {
                    "resource": "" if target == table.name else target,
                    "fields": [element.column.name for element in constraint.elements],
                },
            }
        )
    return keys


def table_schema(table: Table) -> dict[str, Any]:
    """A Frictionless Table Schema for one table: typed fields with descriptions and
    constraints, the primary key and the foreign keys."""
    schema = {
        "fields": [_field(column) for column in table.columns],
        "missingValues": [""],
        "primaryKey": [column.name for column in table.primary_key.columns],
    }
    foreign_keys = _foreign_keys(table)
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def datapackage(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The ``datapackage.json`` describing the CSV files of :func:`csv_text`."""
    resources = []
    for name in tables:
        table = Base.metadata.tables.get(name)
        if table is None:
            continue  # a table the models do not describe has no schema to give
        resources.append(
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": table.comment or "",
                "schema": table_schema(table),
            }
        )
    metadata = record_metadata(tables)
    ends = horizon_text(tables)
    return {
        "profile": "tabular-data-package",
        "name": "csto-db",
        **{key: metadata[key] for key in ("title", "version", "created") if key in metadata},
        "description": f"{DESCRIPTION} {ends + ' ' if ends else ''}{LICENSE_NOTE}",
        "licenses": metadata["licenses"],
        "citation": metadata["citation"],
        "sources": metadata["sources"],
        "resources": resources,
    }


# --- Writing -------------------------------------------------------------------------------


def _json_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export_files(tables: dict[str, list[dict[str, Any]]], export_format: str) -> dict[str, str]:
    """The files of one export, by name, as text."""
    if export_format == "csv":
        return {f"{name}.csv": csv_text(name, rows) for name, rows in tables.items()}
    if export_format == "json":
        return {"csto-db.json": _json_text(record_json(tables))}
    if export_format == "popolo":
        return {"popolo.json": _json_text(popolo(tables))}
    if export_format == "datapackage":
        files = export_files(tables, "csv")
        files["datapackage.json"] = _json_text(datapackage(tables))
        return files
    raise ExportError(f"unknown export format {export_format!r}; known: {', '.join(FORMATS)}")


def export(
    connection: Connection, export_format: str, out: Path, *, overwrite: bool = False
) -> dict[str, int]:
    """Write one export of the database into the folder ``out`` (created if missing).

    Returns the size in bytes of each file written. The files are computed in full before
    the first is written, so a failure leaves no half export behind. A file of the export
    that already exists in ``out`` is replaced only with ``overwrite``; otherwise
    :class:`ExportError` names it and nothing is written.
    """
    if export_format not in FORMATS:
        raise ExportError(f"unknown export format {export_format!r}; known: {', '.join(FORMATS)}")
    files = export_files(record_tables(connection), export_format)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file; --out takes a folder")
    existing = [name for name in files if (out / name).exists()]
    if existing and not overwrite:
        more = f" and {len(existing) - 1} more of the export's files" if len(existing) > 1 else ""
        raise ExportError(
            f"{out / existing[0]}{more} already exist: pass --force to overwrite them, "
            f"or choose another --out"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        sizes = {}
        for name, text in files.items():
            data = text.encode("utf-8")
            (out / name).write_bytes(data)
            sizes[name] = len(data)
    except OSError as error:
        raise ExportError(f"cannot write to {out}: {error.strerror or error}") from None
    return sizes


def export_cow_year(
    connection: Connection,
    out: Path | None,
    *,
    orgs: tuple[str, ...] = (),
    overwrite: bool = False,
) -> tuple[str, int]:
    """COW v3's IGO-year layout (3.0a) of ``orgs`` (by default every organization the COW
    import wrote and the curated CST and CSTO), as :func:`csto_db.datasets.cow_year.
    cow_year_table` codes it; written to the file ``out``, or returned when ``out`` is None.
    Returns the text (empty once written) and the number of organization-year rows."""
    from ..datasets.cow_year import cow_year_table

    table = cow_year_table(connection, orgs)
    text = table.csv_text()
    rows = sum(len(organization.years) for organization in table.organizations)
    if out is None:
        return text, rows
    if out.is_dir():
        raise ExportError(f"{out} is a folder; --out takes a file for --format cow-year")
    if out.exists() and not overwrite:
        raise ExportError(f"{out} already exists: pass --force to overwrite it")
    try:
        out.write_bytes(text.encode("utf-8"))
    except OSError as error:
        raise ExportError(f"cannot write to {out}: {error.strerror or error}") from None
    return "", rows
