"""Loading the facts: read the seed files, validate everything, then sync in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Hashable, Set
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import (
    Boolean,
    Column,
    ColumnDefault,
    ColumnElement,
    Connection,
    Enum,
    Integer,
    String,
    Table,
    and_,
    inspect,
    select,
)

from ..errors import PartialDateError, SeedError
from ..store.dates import PartialDate
from ..store.models import FACT_MODELS, Base, fact_key_column
from .digests import content_tables, row_key_text
from .imported_rows import imported_keys

PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: A row as read from the seed files, column by column; a row's primary key values.
Row = dict[str, Any]
Key = tuple[Any, ...]

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
    return Base.metadata.tables[name]


def primary_key_of(table: str, row: Row) -> Key:
    return tuple(row[column.name] for column in table_of(table).primary_key.columns)


def pk_text(pk: Key) -> str:
    return repr(pk[0]) if len(pk) == 1 else repr(pk)


def citation_key(source: str, quote: str) -> str:
    """A stable key for a quote: its source and a hash of its words."""
    return f"{source}:{hashlib.sha256(quote.encode('utf-8')).hexdigest()[:12]}"


# --- Reading and validating ----------------------------------------------------------------


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


def read_seed_set(directory: Path | None = None) -> SeedSet:
    """Read and validate every seed file; raises :class:`SeedError` at the first problem."""
    directory = directory or seeds_dir()
    seeds = SeedSet()
    texts: dict[str, str] = {}
    for path, table in seed_paths(directory):
        records = _load_yaml(path)
        for index, record in enumerate(records):
            where = _where(path, directory, record, index)
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


# libyaml's loader where PyYAML was built with it, else the pure-Python one (same API).
if TYPE_CHECKING:
    _SafeLoaderBase = yaml.SafeLoader
else:
    _SafeLoaderBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SeedLoader(_SafeLoaderBase):
    """Safe YAML without implicit timestamps: ``1992-05-15`` stays text, parsed as a partial
    date by our own rules (PyYAML would turn ``2003-13-18`` into a traceback, not a message).
    Built on libyaml where PyYAML has it: parsing is most of a load's time.

    A key written twice in one mapping is refused: YAML forbids it, but PyYAML silently
    keeps the last value, so a second ``start:`` would replace the first unnoticed."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if isinstance(node, yaml.MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # ``<<: *base`` merges defaults; a key after it overrides one
                key = self.construct_object(key_node, deep=True)
                try:
                    line = first_line.get(key)
                except TypeError:
                    continue  # an unhashable key: the base constructor says so
                if line is not None:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key {key!r} (first on line {line})",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path) -> list[Any]:
    return load_seed_file(path)


def load_seed_file(path: Path) -> list[Any]:
    """The records of one seed file: a YAML list of mappings, at least one.

    Raises :class:`SeedError` (one line naming the file, and the line where YAML gives one)
    for a missing, undecodable, empty or comment-only file, invalid YAML, a key written
    twice in a mapping, or a document that is not a list of records. An empty file is
    refused rather than read as "no records": loading it would delete every row it held.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedError(f"{path}: seed file missing") from None
    except UnicodeDecodeError as error:
        raise SeedError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SeedError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        records = yaml.load(text, Loader=_SeedLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" line {mark.line + 1}:" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context = getattr(error, "context", None)
        if context and problem and str(problem).startswith("but "):
            problem = f"{context}, {problem}"  # "expected ..., but found ..."
        raise SeedError(
            f"{path}:{place} not valid YAML: {' '.join(str(problem).split())}"
        ) from None
    except Exception as error:
        # PyYAML's constructors raise plain Python errors for some malformed input (ValueError
        # for ``!!int x``, IndexError for an empty ``!!int``, RecursionError for absurd
        # nesting): whatever the cause, the text is not YAML we can read.
        raise SeedError(
            f"{path}: not valid YAML: {type(error).__name__}: {' '.join(str(error).split())[:200]}"
        ) from None
    if records is None or records == []:
        raise SeedError(
            f"{path}: no records (the file is empty or holds only comments); "
            "a seed file lists at least one record"
        )
    if not isinstance(records, list):
        raise SeedError(
            f"{path}: line 1: expected a list of records (lines starting with "
            f"'- '), got {_yaml_kind(records)}"
        )
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise SeedError(
                f"{path}: record #{index + 1}: a record must be a mapping of "
                f"fields, got {_yaml_kind(record)}"
            )
    return records


def _yaml_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a single value ({type(value).__name__})"


def _where(path: Path, directory: Path, record: Any, index: int) -> str:
    try:
        shown = path.relative_to(directory.parent)
    except ValueError:
        shown = path
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
    model = FACT_MODELS.get(table)
    row = _columns(
        table_of(table),
        record,
        where,
        partial_dates=model.partial_dates if model else (),
        skip=DERIVED_COLUMNS,
    )
    if model is None:  # reference data such as states: no citations
        seeds.add(table, row, where)
        return row
    key = row[fact_key_column(model)]
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
    allowed = ({c.name for c in table.columns} - date_columns - skip) | set(partial_dates)
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
    for column in table.columns:
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


def _check_references(seeds: SeedSet) -> None:
    """Every foreign key points at a row the seeds also describe."""
    for table_name, rows in seeds.rows.items():
        table = table_of(table_name)
        for constraint in table.foreign_key_constraints:
            target = constraint.referred_table.name
            columns = [element.parent.name for element in constraint.elements]
            for pk, row in rows.items():
                value = tuple(row[c] for c in columns)
                if any(v is None for v in value):
                    continue
                if value not in seeds.rows[target]:
                    raise SeedError(
                        f"{seeds.origin[(table_name, pk)]}: field "
                        f"{columns[0]!r}: no {target} row {pk_text(value)}"
                    )


def _check_spans(seeds: SeedSet) -> None:
    """No span ends before it starts, and spans of one group do not overlap, judged on the
    earliest possible days ``[start_lower, end_lower)`` as the database judges them."""
    for table, model in FACT_MODELS.items():
        if not model.span_group:
            continue
        groups: dict[Key, list[tuple[Key, Row]]] = defaultdict(list)
        for pk, row in seeds.rows.get(table, {}).items():
            where = seeds.origin[(table, pk)]
            if row["end_lower"] is not None and (
                row["end_lower"] < row["start_lower"] or row["end_upper"] < row["start_upper"]
            ):
                raise SeedError(
                    f"{where}: field 'end': {row['end_edtf']} is before the start "
                    f"{row['start_edtf']}"
                )
            groups[tuple(row[c] for c in model.span_group)].append((pk, row))
        for spans in groups.values():
            spans.sort(key=lambda item: item[1]["start_lower"])
            for (_, earlier), (pk, later) in pairwise(spans):
                if earlier["end_lower"] is None or later["start_lower"] < earlier["end_lower"]:
                    raise SeedError(
                        f"{seeds.origin[(table, pk)]}: field 'start': overlaps "
                        f"{table} {earlier[fact_key_column(model)]!r}"
                    )


def _check_disputes(seeds: SeedSet) -> None:
    """A dispute's preferred reading is the value its subjects hold; exactly one preferred."""
    readings_by_dispute: dict[str, list[Row]] = defaultdict(list)
    for reading in seeds.rows["readings"].values():
        readings_by_dispute[reading["dispute_key"]].append(reading)
    for (dispute_key,), dispute in seeds.rows["disputes"].items():
        where = seeds.origin[("disputes", (dispute_key,))]
        readings = readings_by_dispute[dispute_key]
        preferred = [r for r in readings if r["preferred"]]
        if len(preferred) != 1:
            raise SeedError(
                f"{where}: field 'readings': exactly one must be preferred, found {len(preferred)}"
            )
        dispute["disagreement"] = readings_disagree(readings)
        for subject in (
            s for s in seeds.rows["dispute_subjects"].values() if s["dispute_key"] == dispute_key
        ):
            fact_table = seeds.rows["facts"][(subject["fact_key"],)]["table_name"]
            fact_row = seeds.rows[fact_table][(subject["fact_key"],)]
            _check_subject(fact_row, subject["field"], preferred[0], where)


def _check_lifetimes(seeds: SeedSet) -> None:
    """No membership's stored (preferred) dates fall outside its organization's lifetime;
    a lifetime's bounds are days. Other readings may: answers clip them to the lifetime."""
    for (code,), org in seeds.rows["organizations"].items():
        for name in ("membership_start", "membership_end"):
            if org[f"{name}_edtf"] is not None and org[f"{name}_precision"] != "day":
                raise SeedError(
                    f"{seeds.origin[('organizations', (code,))]}: field {name!r}: "
                    f"{org[f'{name}_edtf']} is not a day"
                )
    for pk, span in seeds.rows["membership_spans"].items():
        org = seeds.rows["organizations"][(span["organization_code"],)]
        begins, ends = org["membership_start_lower"], org["membership_end_lower"]
        where = seeds.origin[("membership_spans", pk)]
        if begins is not None and span["start_lower"] < begins:
            raise SeedError(
                f"{where}: field 'start': {span['start_edtf']} is before "
                f"{span['organization_code']} membership begins ({begins})"
            )
        if ends is not None and (span["end_upper"] is None or span["end_upper"] > ends):
            raise SeedError(
                f"{where}: field 'end': {span['end_edtf'] or 'open'} is after "
                f"{span['organization_code']} membership ends ({ends})"
            )


def _set_reach(seeds: SeedSet) -> None:
    """Write each span's reach: the outermost bounds over every reading of its dates."""
    from ..answers.asof import reach_of

    dates: dict[tuple[str, str], list[PartialDate]] = defaultdict(list)
    readings_by_dispute: dict[str, list[Row]] = defaultdict(list)
    for reading in seeds.rows["readings"].values():
        readings_by_dispute[reading["dispute_key"]].append(reading)
    for subject in seeds.rows["dispute_subjects"].values():
        for reading in readings_by_dispute[subject["dispute_key"]]:
            if reading["value_date_edtf"] is not None:
                dates[(subject["fact_key"], subject["field"])].append(
                    PartialDate.parse(reading["value_date_edtf"])
                )
    for table, model in FACT_MODELS.items():
        if "reach_start" not in table_of(table).columns:
            continue
        for row in seeds.rows.get(table, {}).values():
            start = PartialDate.parse(row["start_edtf"])
            end = PartialDate.parse(row["end_edtf"]) if row["end_edtf"] else None
            readings = [
                (name, value)
                for name in ("start", "end")
                for value in dates[(row[fact_key_column(model)], name)]
            ]
            row["reach_start"], row["reach_end"] = reach_of(start, end, readings)


def readings_disagree(readings: list[Row]) -> bool:
    """True when two readings cannot both be right: different texts, or date bounds that
    do not overlap. Readings that only differ in precision are a refinement."""
    texts = {r["value_text"] for r in readings if r["value_text"] is not None}
    if len(texts) > 1:
        return True
    if texts and any(r["value_text"] is None for r in readings):
        return True  # a date against a text ("not signed"): they cannot both be right
    dated = [r for r in readings if r["value_date_edtf"] is not None]
    return any(
        a["value_date_lower"] > b["value_date_upper"]
        or b["value_date_lower"] > a["value_date_upper"]
        for i, a in enumerate(dated)
        for b in dated[i + 1 :]
    )


def _check_subject(fact_row: Row, field_name: str, reading: Row, where: str) -> None:
    if f"{field_name}_edtf" in fact_row:
        held = fact_row[f"{field_name}_edtf"]
        wanted = reading["value_date_edtf"]
    elif field_name in fact_row:
        held, wanted = fact_row[field_name], reading["value_text"]
        if isinstance(held, int) and not isinstance(held, bool):
            held = str(held)  # a number (a strength) is read from value_text
    else:
        raise SeedError(f"{where}: subject field {field_name!r} does not exist")
    if held != wanted:
        raise SeedError(
            f"{where}: the preferred reading says {wanted!r} but the fact holds "
            f"{held!r} in field {field_name!r}"
        )


# --- Writing -------------------------------------------------------------------------------


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


def sync(connection: Connection, seeds: SeedSet, *, prune: bool = False) -> SyncReport:
    """Make the seeded tables hold exactly ``seeds``: insert, update and, with ``prune``,
    delete; nothing else.

    Without ``prune`` a database holding rows the seeds lack is refused with
    :class:`PruneRefused` before anything is written: a seed file cut short must not cost
    the facts it held. Runs inside the caller's transaction; the caller commits or rolls
    back. A second run with the same seeds changes nothing.
    """
    prunable = planned_deletions(connection, seeds)
    if prunable and not prune:
        raise PruneRefused(prunable)
    report = SyncReport(total_rows=seeds.count(), prunable=prunable)
    deletions: dict[str, list[Key]] = {}
    # Rows a dataset import wrote are not the seeds' to delete.
    imported = imported_keys(connection)
    for table in _seeded_tables():
        desired = seeds.rows.get(table.name, {})
        pk_columns = list(table.primary_key.columns)
        existing = {
            tuple(row[c.name] for c in pk_columns): row
            for row in (r._mapping for r in connection.execute(select(table)))
        }
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
        model = FACT_MODELS.get(table.name)
        if model is not None and model.span_group:
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
            connection.execute(table.insert(), _parents_first(table, inserts))
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
