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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Date, Enum, Integer, Table

from .. import __version__
from ..build.canonical_dump import canonical_dump
from ..errors import Error
from ..release import versions as release
from ..store.dates import OPEN_UPPER, PartialDate
from ..store.models import FACT_MODELS, MEMBER_STATUSES, Base, fact_key_column

FORMATS = ("csv", "json", "popolo", "datapackage")

TITLE = release.TITLE
DESCRIPTION = (
    "A cited relational database of the Collective Security Treaty (1992) and the "
    "Collective Security Treaty Organization (2002–): member states over time, legal "
    "documents and their parties, sessions, chairs, officials, forces and operations. "
    "Every fact carries the verbatim sentence of its source; dates are as precise as the "
    "sources, as EDTF text beside their earliest and latest possible day; where sources "
    "disagree every reading is kept and one is preferred, with the reason."
)
#: The licence of the compilation (the project's). The quotes stay their sources' words.
LICENSE = {"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}
LICENSE_NOTE = (
    "The compilation is under the MIT License; each quote remains the work of "
    "the source it is cited from."
)

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


# --- What every export says of itself ------------------------------------------------------


def record_version(tables: dict[str, list[dict[str, Any]]]) -> str:
    """The release of the record the database holds, as its build record names it (this
    package's when it names none)."""
    builds = tables.get("build_record") or [{}]
    return str(builds[0].get("record_version") or __version__)


def _described_sources(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    sources = []
    for row in tables["sources"]:
        source = {"title": row["title"]}
        if (row["address"] or "").startswith(("http://", "https://")):
            source["path"] = row["address"]
        sources.append(source)
    return sources


def record_metadata(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The Data Package's own description of the record, which the JSON and Popolo exports
    carry too: title, version, the day that version was released (``created``), licences,
    how to cite it and its sources."""
    version = record_version(tables)
    metadata: dict[str, Any] = {"title": TITLE, "version": version}
    made = release.release_of(version)
    if made is not None:
        metadata["created"] = f"{made.released.isoformat()}T00:00:00Z"
    metadata["licenses"] = [LICENSE]
    metadata["citation"] = {"record": release.citation(version), "sources": release.CITING_SOURCES}
    metadata["sources"] = _described_sources(tables)
    return metadata


# --- JSON: the record nested for a reader --------------------------------------------------


class _Evidence:
    """The citations and readings behind each fact, indexed once from the dump."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        citations = {row["key"]: row for row in tables["citations"]}
        self.quotes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for link in tables["fact_citations"]:
            citation = citations[link["citation_key"]]
            self.quotes[link["fact_key"]].append(_quote(citation))
        for quotes in self.quotes.values():
            quotes.sort(
                key=lambda q: (
                    q["source"],
                    q.get("char_start") is None,
                    q.get("char_start") or 0,
                    q["citation"],
                )
            )
        readings_by_dispute = defaultdict(list)
        for reading in tables["readings"]:
            readings_by_dispute[reading["dispute_key"]].append(reading)
        self.readings: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for subject in tables["dispute_subjects"]:
            for reading in readings_by_dispute[subject["dispute_key"]]:
                self.readings[subject["fact_key"]].append(
                    {
                        "field": subject["field"],
                        "dispute": subject["dispute_key"],
                        "reading": reading["key"],
                        "value": reading["value_date_edtf"] or reading["value_text"],
                        "preferred": bool(reading["preferred"]),
                        "citations": self.quotes.get(reading["key"], []),
                    }
                )

    def attach(self, row: dict[str, Any], key: str) -> dict[str, Any]:
        data = dict(row)
        data["citations"] = self.quotes.get(key, [])
        if self.readings.get(key):
            data["readings"] = self.readings[key]
        return data


def _quote(citation: dict[str, Any]) -> dict[str, Any]:
    quote = {
        "citation": citation["key"],
        "source": citation["source_key"],
        "quote": citation["quote"],
    }
    if citation["translation"]:
        quote["translation"] = citation["translation"]
    if citation["char_start"] is not None:
        quote["char_start"], quote["char_end"] = citation["char_start"], citation["char_end"]
    return quote


#: Fact tables shown inside a parent rather than at the top: (parent table, its key column
#: in the child, the name of the list in the parent).
NESTED = {
    "membership_spans": ("states", "state_iso3", "membership_spans"),
    "document_parties": ("documents", "document_key", "parties"),
}


# --- The horizon ---------------------------------------------------------------------------


def horizons(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each organization whose record has a horizon: its code, the last day its record
    covers, and why it ends there."""
    return [
        {
            "organization": row["code"],
            "horizon": row["horizon_upper"],
            "reasoning": row["horizon_reasoning"],
        }
        for row in tables["organizations"]
        if row.get("horizon_upper")
    ]


def horizon_text(tables: dict[str, list[dict[str, Any]]]) -> str:
    """What the exports say of the record's horizons, in a sentence or two: where the
    curated record ends, and where the organizations a dataset import wrote end."""
    imported = {row["key"] for row in tables["facts"] if row["dataset_key"]}
    found = horizons(tables)
    curated = [h for h in found if h["organization"] not in imported]
    sentences = []
    by_day: dict[tuple[str, str], list[str]] = defaultdict(list)
    for horizon in curated:
        by_day[(horizon["horizon"], horizon["reasoning"])].append(horizon["organization"])
    for (day, reasoning), codes in sorted(by_day.items()):
        sentences.append(
            f"The record of {' and '.join(codes)} ends on {day}, {reasoning}: past that day "
            "no membership, chair or office is certain, and who joined or left after it is "
            "not known."
        )
    others = [h for h in found if h["organization"] in imported]
    if others:
        latest = max(h["horizon"] for h in others)
        sentences.append(
            f"The {len(others)} organizations a dataset import wrote end with the last year "
            f"the dataset codes each (at the latest {latest}); past it nothing is certain."
        )
    return " ".join(sentences)


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


# --- Popolo --------------------------------------------------------------------------------


def reduced_iso(lower: date, upper: date) -> str | None:
    """The most precise ISO 8601 date (day, month or year) that holds every day from ``lower``
    to ``upper``, as Popolo writes dates of reduced precision; None when not within one year."""
    if lower == upper:
        return lower.isoformat()
    if (lower.year, lower.month) == (upper.year, upper.month):
        return f"{lower.year:04d}-{lower.month:02d}"
    if lower.year == upper.year:
        return f"{lower.year:04d}"
    return None


def exact_iso(lower: date, upper: date) -> str | None:
    """The ISO 8601 date (day, month or year) whose days are exactly ``lower`` to ``upper``,
    or None when no calendar day, month or year is."""
    reduced = reduced_iso(lower, upper)
    if reduced is None:
        return None
    first, last = iso_bounds(reduced)
    return reduced if (first, last) == (lower, upper) else None


def iso_bounds(text: str) -> tuple[date, date]:
    """The first and last day of an ISO 8601 date of reduced precision (``1999``,
    ``1999-04``, ``1999-04-20``): how a Popolo consumer reads ``start_date`` and
    ``end_date``."""
    value = PartialDate.parse(text)
    return value.lower, value.upper


def popolo_start(lower: date, upper: date) -> str:
    """Popolo's ``start_date`` of a span starting on a day from ``lower`` to ``upper``: the
    calendar day, month or year that is exactly that range, else its earliest day."""
    return exact_iso(lower, upper) or lower.isoformat()


def popolo_end(lower: date, upper: date) -> str | None:
    """Popolo's ``end_date`` (the last day in the status) of a span whose first day out is
    from ``lower`` to ``upper``: the calendar day, month or year that is exactly the range
    of last days, else its latest day; None for an end known only to be on or after a day
    (the span may still hold)."""
    if upper == OPEN_UPPER:
        return None
    last_lower, last_upper = lower - timedelta(days=1), upper - timedelta(days=1)
    return exact_iso(last_lower, last_upper) or last_upper.isoformat()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _popolo_sources(
    quotes: list[dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    links = []
    for quote in quotes:
        source = sources[quote["source"]]
        address = source["address"] or ""
        url = address if address.startswith(("http://", "https://")) else None
        link = {
            "url": url or f"urn:csto-db:source:{source['key']}",
            "note": f"{source['title']}: “{quote['quote']}”",
        }
        links.append(link)
    return links


def _popolo_dates(row: dict[str, Any], name: str, *, is_end: bool) -> str | None:
    lower, upper = _day(row[f"{name}_lower"]), _day(row[f"{name}_upper"])
    if lower is None or upper is None:
        return None
    return popolo_end(lower, upper) if is_end else popolo_start(lower, upper)


#: What a Popolo consumer is told about what the export holds and how to read it.
POPOLO_NOTES = (
    "memberships holds the spans in which a state counts as a member of an organization: "
    "party (of the Treaty), member, and frozen (a member whose participation is frozen). "
    "A consumer that counts the memberships of an organization holding a day, start_date <= "
    "day <= end_date, gets the states `csto-db members` lists, certain or possible.",
    "start_date is the earliest day a span can have begun and end_date the latest day it "
    "can have lasted (the last day in the status: the database stores the first day out), "
    "each written as the calendar day, month or year it is exactly, else as that day; a "
    "membership's label gives its dates as the sources do (EDTF). A membership without "
    "end_date may still hold.",
    "other_statuses holds the spans that are not membership: suspended (a member whose "
    "membership is suspended), observer and associate. They are not memberships, so that "
    "no count of members includes them.",
    "persons, posts and the memberships with a person_id are the officers: who held each "
    "office (a post of an organization), with the dates and sources of each term.",
)


def popolo(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Popolo organizations, persons, posts and memberships: the treaty system, the
    Organization and its organs as organizations (with founding and dissolution dates and
    where each record ends), each state a member organization, each span in which a state
    counts as a member a membership with its sources' quotes, and each officer a person
    holding a post. Spans in other statuses (suspended, observer, associate) are kept out
    of ``memberships``, in ``other_statuses``, so that counting memberships counts members;
    ``notes`` says how to read the dates."""
    evidence = _Evidence(tables)
    sources = {row["key"]: row for row in tables["sources"]}
    reasoning = {h["organization"]: h for h in horizons(tables)}
    organizations = []
    for row in tables["organizations"]:
        organization: dict[str, Any] = {
            "id": row["code"],
            "name": row["name"],
            "classification": row["kind"],
        }
        if row["parent_code"]:
            organization["parent_id"] = row["parent_code"]
        founding = _popolo_dates(row, "membership_start", is_end=False)
        if founding:
            organization["founding_date"] = founding
        dissolution = _popolo_dates(row, "membership_end", is_end=True)
        if dissolution:
            organization["dissolution_date"] = dissolution
        if row["code"] in reasoning:
            horizon = reasoning[row["code"]]
            organization["description"] = (
                f"Its record ends on {horizon['horizon']}, {horizon['reasoning']}: who "
                "joined or left after it is not known."
            )
        if row["cow_ionum"] is not None:
            organization["identifiers"] = [
                {"scheme": "cow-igo", "identifier": str(row["cow_ionum"])}
            ]
        organization["sources"] = _popolo_sources(evidence.quotes.get(row["code"], []), sources)
        organizations.append(organization)
    for row in tables["states"]:
        codes = (
            ("iso3166-1-alpha3", row["iso3"]),
            ("iso3166-1-alpha2", row["iso2"]),
            ("iso3166-1-numeric", row["numeric"]),
            ("cow-state", row["cow_ccode"]),
        )
        # A state ISO never coded has a user-assigned X.. key and no ISO codes to give.
        identifiers = [
            {"scheme": scheme, "identifier": str(code)}
            for scheme, code in codes
            if code is not None and not (scheme.startswith("iso") and row["iso2"] is None)
        ]
        organizations.append(
            {
                "id": row["iso3"],
                "name": row["name"],
                "classification": "state",
                "identifiers": identifiers,
            }
        )
    names = {row["iso3"]: row["name"] for row in tables["states"]}
    memberships: list[dict[str, Any]] = []
    other_statuses: list[dict[str, Any]] = []
    for row in tables["membership_spans"]:
        membership = {
            "id": row["key"],
            "label": (
                f"{names[row['state_iso3']]}: {row['status']} of "
                f"{row['organization_code']}, [{row['start_edtf']}, "
                f"{row['end_edtf'] or '..'})"
            ),
            "role": row["status"],
            "member": {"@type": "Organization", "id": row["state_iso3"]},
            "organization_id": row["organization_code"],
        }
        _add_dates(membership, row)
        membership["sources"] = _popolo_sources(evidence.quotes.get(row["key"], []), sources)
        (memberships if row["status"] in MEMBER_STATUSES else other_statuses).append(membership)
    persons, posts, terms = _officers(tables, evidence, sources)
    # Popolo defines no document-level fields: the record's own description rides beside
    # its lists, as in the Data Package.
    return {
        **record_metadata(tables),
        "notes": list(POPOLO_NOTES),
        "organizations": organizations,
        "persons": persons,
        "posts": posts,
        "memberships": memberships + terms,
        "other_statuses": other_statuses,
    }


def _add_dates(item: dict[str, Any], row: dict[str, Any]) -> None:
    start = _popolo_dates(row, "start", is_end=False)
    end = _popolo_dates(row, "end", is_end=True)
    if start:
        item["start_date"] = start
    if end:
        item["end_date"] = end


#: How the posts of the offices are named.
OFFICE_LABELS = {
    "secretary_general": "Secretary General",
    "council_secretary_general": "Secretary General of the Collective Security Council",
}


def person_id(name: str) -> str:
    """A person's Popolo id: ``person:`` and the name in lower case, words joined by ``-``."""
    return "person:" + "-".join(
        "".join(c for c in word if c.isalnum()) for word in name.lower().split()
    )


def _officers(
    tables: dict[str, list[dict[str, Any]]],
    evidence: _Evidence,
    sources: dict[str, dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The officers as Popolo persons, the offices as posts, and each term as a person's
    membership of the post's organization."""
    names = {row["iso3"]: row["name"] for row in tables["states"]}
    persons: dict[str, dict[str, Any]] = {}
    posts: dict[str, dict[str, Any]] = {}
    terms = []
    for row in tables["office_terms"]:
        person = persons.setdefault(
            person_id(row["person"]), {"id": person_id(row["person"]), "name": row["person"]}
        )
        if row["nationality_iso3"]:
            person["national_identity"] = names[row["nationality_iso3"]]
        post_id = f"{row['organization_code']}:{row['office']}"
        label = OFFICE_LABELS.get(row["office"], row["office"])
        posts.setdefault(
            post_id,
            {
                "id": post_id,
                "label": f"{label}, {row['organization_code']}",
                "role": label,
                "organization_id": row["organization_code"],
            },
        )
        role = f"Acting {label}" if row["acting"] else label
        term: dict[str, Any] = {
            "id": row["key"],
            "label": (
                f"{row['person']}: {role} of {row['organization_code']}, "
                f"[{row['start_edtf']}, {row['end_edtf'] or '..'})"
            ),
            "role": role,
            "person_id": person["id"],
            "organization_id": row["organization_code"],
            "post_id": post_id,
        }
        _add_dates(term, row)
        term["sources"] = _popolo_sources(evidence.quotes.get(row["key"], []), sources)
        terms.append(term)
    return sorted(persons.values(), key=lambda p: p["id"]), list(posts.values()), terms


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
