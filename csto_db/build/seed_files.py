"""Reading the seed files into rows: each record checked against its table's columns, each
quote found verbatim in its source's text, nested parties and readings unfolded; then the
rules the seeds obey as a whole."""

from __future__ import annotations

import hashlib
from collections.abc import Set
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, ColumnDefault, Enum, Integer, String, Table

from ..errors import PartialDateError, SeedError
from ..store.dates import PartialDate
from ..store.tables import PARTIAL_DATES, fact_key_column_of
from .seed_cache import load_records
from .seed_checks import (
    _check_disputes,
    _check_lifetimes,
    _check_references,
    _check_spans,
    _set_reach,
)
from .seed_set import Row, SeedSet, columns_of, seeds_dir, table_of

#: Each seed file and the table its records fill, in the order they are read. See
#: :func:`seed_paths` for the extra ``NAME-PART.yaml`` files read after each.
SEED_FILES: tuple[tuple[str, str], ...] = (
    ("sources.yaml", "sources"),
    ("states.yaml", "states"),
    ("organizations.yaml", "organizations"),
    ("meetings.yaml", "meetings"),
    ("documents.yaml", "documents"),
    ("events.yaml", "events"),
    ("memberships.yaml", "membership_spans"),
    ("initiatives.yaml", "initiatives"),
    ("objectives.yaml", "objectives"),
    ("threats.yaml", "threats"),
    ("positions.yaml", "positions"),
    ("chairs.yaml", "chair_spans"),
    ("officers.yaml", "office_terms"),
    ("forces.yaml", "forces"),
    ("operations.yaml", "operations"),
    ("observers.yaml", "body_observers"),
    ("disputes.yaml", "disputes"),
)

#: Record fields that are not columns of the record's own table.
NESTED_FIELDS = {"citations", "parties", "contributors", "subjects", "readings", "text_file"}

#: Columns the loader derives from the other records (a span's reach over its readings);
#: a seed file never gives them.
DERIVED_COLUMNS = frozenset({"reach_start", "reach_end"})


def citation_key(source: str, quote: str) -> str:
    """A stable key for a quote: its source and a hash of its words."""
    return f"{source}:{hashlib.sha256(quote.encode('utf-8')).hexdigest()[:12]}"


def seed_paths(directory: Path | None = None) -> list[tuple[Path, str]]:
    """Every seed file with the table it fills: ``NAME.yaml`` first (required), then any
    ``NAME-PART.yaml`` beside it in name order (records of the same table from another part
    of the record)."""
    data = (directory or seeds_dir()) / "data"
    paths = []
    for filename, table in SEED_FILES:
        stem = filename.removesuffix(".yaml")
        paths.append((data / filename, table))
        paths.extend((extra, table) for extra in sorted(data.glob(f"{stem}-*.yaml")))
    return paths


def read_seed_set(directory: Path | None = None, *, cached: bool = True) -> SeedSet:
    """Read and validate every seed file; raises :class:`SeedError` at the first problem.

    Each file's YAML is parsed once for its bytes and kept (see :mod:`.seed_cache`);
    without ``cached`` every file is parsed afresh and nothing is kept. The checks run on
    every read either way."""
    directory = directory or seeds_dir()
    seeds = SeedSet()
    texts: dict[str, str] = {}
    for path, table in seed_paths(directory):
        records = load_records(path, cached=cached)
        shown = _shown_path(path, directory)
        for index, record in enumerate(records):
            where = _where(shown, record, index)
            if not isinstance(record, dict):
                raise SeedError(f"{where}: a record must be a mapping, got {type(record).__name__}")
            if table == "sources":
                _read_source(seeds, texts, directory, record, where)
            elif table == "disputes":
                _read_dispute(seeds, texts, record, where)
            else:
                _read_fact(seeds, texts, table, record, where)
    _check_references(seeds)
    _check_spans(seeds)
    _check_disputes(seeds)
    _check_lifetimes(seeds)
    _set_reach(seeds)
    return seeds


def _shown_path(path: Path, directory: Path) -> Path:
    """A seed file as messages name it: from the folder that holds ``seeds/``."""
    try:
        return path.relative_to(directory.parent)
    except ValueError:
        return path


def _where(shown: Path, record: Any, index: int) -> str:
    name = None
    if isinstance(record, dict):
        name = record.get("key") or record.get("code") or record.get("iso3")
    label = f"record {name!r}" if name else f"record #{index + 1}"
    return f"{shown}: {label}"


def _read_source(
    seeds: SeedSet, texts: dict[str, str], directory: Path, record: Row, where: str
) -> None:
    row = _columns(table_of("sources"), record, where, skip={"full_text"})
    text_file = record.get("text_file")
    if text_file is not None:
        path = directory / "texts" / str(text_file)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SeedError(f"{where}: field 'text_file': no file {path}") from None
        digest = hashlib.sha256(raw).hexdigest()
        if row.get("full_text_sha256") and row["full_text_sha256"] != digest:
            raise SeedError(
                f"{where}: field 'text_file': {path.name} has sha256 {digest}, "
                f"expected {row['full_text_sha256']} (file changed or corrupt)"
            )
        try:
            row["full_text"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SeedError(f"{where}: field 'text_file': {path.name} is not UTF-8") from None
        row["full_text_sha256"] = digest
        texts[row["key"]] = row["full_text"]
    else:
        row["full_text"] = None
        texts.pop(row["key"], None)
    seeds.add("sources", row, where)


def _read_fact(seeds: SeedSet, texts: dict[str, str], table: str, record: Row, where: str) -> Row:
    row = _columns(
        table_of(table),
        record,
        where,
        partial_dates=PARTIAL_DATES.get(table, ()),
        skip=DERIVED_COLUMNS,
    )
    if table not in PARTIAL_DATES:  # reference data such as states: no citations
        seeds.add(table, row, where)
        return row
    key = row[fact_key_column_of(table)]
    seeds.add("facts", {"key": key, "table_name": table}, where)
    seeds.add(table, row, where)
    _read_citations(seeds, texts, key, record.get("citations"), where)
    nested = NESTED_RECORDS.get(table)
    if nested:
        field_name, child_table, parent_column, key_parts = nested
        for index, child in enumerate(record.get(field_name) or []):
            here = f"{where}: {field_name}[{index}]"
            if not isinstance(child, dict):
                raise SeedError(f"{here}: expected a mapping")
            child = {**child, parent_column: key}
            default_key = ":".join(str(child[part]) for part in key_parts if child.get(part))
            child.setdefault("key", f"{key}:{default_key}")
            _read_fact(seeds, texts, child_table, child, here)
    elif record.get("parties") or record.get("contributors"):
        raise SeedError(f"{where}: table {table} takes no nested parties or contributors")
    return row


#: Lists nested in a record: field, child table, the child's column for the parent's key,
#: and the fields that make the child's default key.
NESTED_RECORDS = {
    "documents": (
        "parties",
        "document_parties",
        "document_key",
        ("state_iso3", "organization_code", "role"),
    ),
    "forces": ("contributors", "contributions", "force_key", ("state_iso3",)),
    "operations": ("contributors", "contributions", "operation_key", ("state_iso3",)),
}


def _read_citations(
    seeds: SeedSet, texts: dict[str, str], fact_key: str, citations: Any, where: str
) -> None:
    if not citations:
        raise SeedError(f"{where}: field 'citations': every fact needs at least one citation")
    if not isinstance(citations, list):
        raise SeedError(f"{where}: field 'citations': expected a list")
    for index, cited in enumerate(citations):
        here = f"{where}: field 'citations[{index}]'"
        if not isinstance(cited, dict):
            raise SeedError(f"{here}: expected a mapping with source and quote")
        unknown = set(cited) - {"source", "quote", "translation", "offset"}
        if unknown:
            raise SeedError(f"{here}: unknown field(s) {sorted(unknown)}")
        source, quote = cited.get("source"), cited.get("quote")
        if not isinstance(source, str) or not isinstance(quote, str) or not quote:
            raise SeedError(f"{here}: needs 'source' and a non-empty 'quote'")
        if ("sources", (source,)) not in seeds.origin:
            raise SeedError(f"{here}: unknown source {source!r}")
        start = end = None
        if source in texts:
            start = _locate(texts[source], quote, cited.get("offset"), here)
            end = start + len(quote)
        elif cited.get("offset") is not None:
            raise SeedError(f"{here}: offset given but source {source!r} has no full text")
        key = citation_key(source, quote)
        row = {
            "key": key,
            "source_key": source,
            "quote": quote,
            "translation": cited.get("translation"),
            "char_start": start,
            "char_end": end,
        }
        existing = seeds.rows["citations"].get((key,))
        if existing is None:
            seeds.add("citations", row, here)
        elif row["translation"] and existing["translation"] != row["translation"]:
            if existing["translation"] is None:
                existing["translation"] = row["translation"]
            else:
                raise SeedError(
                    f"{here}: the same quote has another translation in "
                    f"{seeds.origin[('citations', (key,))]}"
                )
        link = {"fact_key": fact_key, "citation_key": key}
        if (fact_key, key) not in seeds.rows["fact_citations"]:
            seeds.add("fact_citations", link, here)


def _locate(text: str, quote: str, offset: Any, where: str) -> int:
    if offset is not None:
        if not isinstance(offset, int) or text[offset : offset + len(quote)] != quote:
            raise SeedError(f"{where}: quote is not at offset {offset!r} of the source text")
        return offset
    first = text.find(quote)
    if first < 0:
        raise SeedError(f"{where}: quote not found verbatim in the source text: {quote[:60]!r}")
    if text.find(quote, first + 1) >= 0:
        raise SeedError(f"{where}: quote occurs more than once in the source; give its offset")
    return first


def _read_dispute(seeds: SeedSet, texts: dict[str, str], record: Row, where: str) -> None:
    row = _columns(table_of("disputes"), record, where, skip={"disagreement"})
    row["disagreement"] = False  # settled in _check_disputes, once all readings are read
    seeds.add("disputes", row, where)
    subjects = record.get("subjects")
    if not subjects or not isinstance(subjects, list):
        raise SeedError(f"{where}: field 'subjects': a dispute is about at least one fact field")
    for index, subject in enumerate(subjects):
        here = f"{where}: subjects[{index}]"
        if not isinstance(subject, dict) or set(subject) != {"fact_key", "field"}:
            raise SeedError(f"{here}: expected fact_key and field")
        seeds.add("dispute_subjects", {"dispute_key": row["key"], **subject}, here)
    readings = record.get("readings")
    if not readings or not isinstance(readings, list) or len(readings) < 2:
        raise SeedError(f"{where}: field 'readings': a dispute needs at least two readings")
    for index, reading in enumerate(readings):
        here = f"{where}: readings[{index}]"
        if not isinstance(reading, dict):
            raise SeedError(f"{here}: expected a mapping")
        reading = dict(reading)
        reading["dispute_key"] = row["key"]
        reading.setdefault("key", f"{row['key']}:{index + 1}")
        if reading.get("preferred") is False:
            reading["preferred"] = None
        _read_fact(seeds, texts, "readings", reading, here)


def _columns(
    table: Table,
    record: Row,
    where: str,
    *,
    partial_dates: tuple[str, ...] = (),
    skip: Set[str] = frozenset(),
) -> Row:
    """Turn one record into one row of ``table``, checking every field against its column."""
    row: Row = {}
    date_columns = {
        f"{base}_{part}"
        for base in partial_dates
        for part in ("edtf", "lower", "upper", "precision")
    }
    columns = columns_of(table.name)
    allowed = ({c.name for c in columns} - date_columns - skip) | set(partial_dates)
    unknown = set(record) - allowed - NESTED_FIELDS
    if unknown:
        raise SeedError(f"{where}: unknown field(s) {sorted(unknown)} for table {table.name}")
    for base in partial_dates:
        value = record.get(base)
        if value is None:
            parsed = None
        else:
            if isinstance(value, int) and not isinstance(value, bool):  # YAML reads 2011 as 2011
                value = str(value)
            try:
                parsed = PartialDate.parse(value)
            except PartialDateError as error:
                raise SeedError(f"{where}: field {base!r}: {error}") from None
        row[f"{base}_edtf"] = parsed.edtf if parsed else None
        row[f"{base}_lower"] = parsed.lower if parsed else None
        row[f"{base}_upper"] = parsed.upper if parsed else None
        row[f"{base}_precision"] = parsed.precision if parsed else None
    for column in columns:
        name = column.name
        if name in date_columns or name in skip:
            continue
        value = record.get(name)
        if value is None:
            if isinstance(column.default, ColumnDefault):
                value = column.default.arg
            elif not column.nullable:
                raise SeedError(f"{where}: field {name!r} is required")
        row[name] = _check_value(column, value, f"{where}: field {name!r}")
    for base in partial_dates:
        if row[f"{base}_edtf"] is None and not table.columns[f"{base}_edtf"].nullable:
            raise SeedError(f"{where}: field {base!r} is required")
    return row


def _check_value(column: Column[Any], value: Any, where: str) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Enum):
        if value not in kind.enums:
            raise SeedError(f"{where}: {value!r} is not one of {', '.join(kind.enums)}")
        return value
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise SeedError(f"{where}: expected true or false, got {value!r}")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SeedError(f"{where}: expected a whole number, got {value!r}")
        return value
    if isinstance(kind, String):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise SeedError(f"{where}: expected text, got {value!r}")
        if kind.length and len(value) > kind.length:
            raise SeedError(f"{where}: longer than {kind.length} characters")
        return value
    return value
