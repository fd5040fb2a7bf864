"""Comparing two builds of the record by key: the facts, quotes, sources, states and disputes
one holds and the other lacks or holds otherwise, field by field, with the sources of each
(the builds are read as :mod:`csto_db.release.snapshots` reads them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..build.digests import content_tables, row_key_text
from ..store.models import FACT_MODELS, fact_key_column
from .snapshots import Row, Snapshot, open_snapshot

#: Tables read into what they belong to: the fact registry and a fact's links to its quotes
#: (into the fact), a dispute's subjects (into the dispute). Their rows still count in
#: :attr:`RecordDiff.rows`.
FOLDED = frozenset({"facts", "fact_citations", "dispute_subjects"})

#: The parts of a partial date; the four columns are compared and reported as one field.
DATE_PARTS = ("edtf", "lower", "upper", "precision")

#: What changes are grouped as, in the order they are reported; each other table the
#: models know is a kind of its own, named as the table.
KINDS = ("facts", "citations", "sources", "states", "disputes")
STATUSES = ("added", "changed", "removed")

#: The name of one thing of a kind, for the text report.
SINGULAR = {
    "facts": "fact",
    "citations": "citation",
    "sources": "source",
    "states": "state",
    "disputes": "dispute",
}


# --- What each build holds, by key -------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One thing of the record as a build holds it: its table, its fields (a partial date
    as one field) and the sources its quotes come from."""

    table: str
    fields: dict[str, Any]
    sources: tuple[str, ...]


def _fields(row: Row, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A row's columns as fields: the four columns of a partial date become one field, its
    name, holding the four values."""
    fields: dict[str, Any] = {}
    skipped = set(skip)
    dates = {
        name[: -len("_edtf")]
        for name in row
        if name.endswith("_edtf")
        and all(f"{name[: -len('_edtf')]}_{part}" in row for part in DATE_PARTS)
    }
    for base in sorted(dates):
        fields[base] = PartialDateValue(*(row[f"{base}_{part}"] for part in DATE_PARTS))
        skipped |= {f"{base}_{part}" for part in DATE_PARTS}
    for name, value in row.items():
        if name not in skipped:
            fields[name] = value
    return fields


@dataclass(frozen=True)
class PartialDateValue:
    """A partial date's four columns, compared together and shown as its EDTF text."""

    edtf: str | None
    lower: str | None
    upper: str | None
    precision: str | None

    def shown(self, with_bounds: bool = False) -> str | None:
        if self.edtf is None:
            return None
        if with_bounds:
            return f"{self.edtf} ({self.lower}..{self.upper}, {self.precision})"
        return self.edtf


def entries_of(snapshot: Snapshot) -> dict[str, dict[str, Entry]]:
    """Everything the build holds, by kind and key: each fact (from every fact table) with
    its quotes, and each row of the other tables, disputes with their subjects."""
    tables = snapshot.tables
    source_of = {key[0]: row["source_key"] for key, row in tables.get("citations", {}).items()}
    quotes: dict[str, list[str]] = defaultdict(list)
    for fact_key, citation_key in tables.get("fact_citations", {}):
        quotes[fact_key].append(citation_key)

    def sources(citations: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({source_of[key] for key in citations if key in source_of}))

    kinds: dict[str, dict[str, Entry]] = defaultdict(dict)
    facts = kinds["facts"]
    registry = {key[0]: row for key, row in tables.get("facts", {}).items()}
    for name, model in FACT_MODELS.items():
        key_column = fact_key_column(model)
        for row in tables.get(name, {}).values():
            key = row[key_column]
            citations = sorted(quotes.get(key, []))
            fields = {"table": name, **_fields(row, skip=(key_column,)), "citations": citations}
            dataset = registry.get(key, {}).get("dataset_key")
            if dataset is not None:
                fields["dataset"] = dataset
            facts[key] = Entry(name, fields, sources(citations))
    for key, registered in registry.items():
        if key not in facts:  # registered without a row: still a fact of this build
            citations = sorted(quotes.get(key, []))
            table = str(registered.get("table_name"))
            facts[key] = Entry(table, {"table": table, "citations": citations}, sources(citations))

    subjects: dict[str, list[str]] = defaultdict(list)
    for dispute_key, fact_key, subject in tables.get("dispute_subjects", {}):
        subjects[dispute_key].append(f"{fact_key}.{subject}")
    readings: dict[str, list[str]] = defaultdict(list)
    for row in tables.get("readings", {}).values():
        readings[row["dispute_key"]].extend(quotes.get(row["key"], []))

    for name, rows in tables.items():
        if name in FOLDED or name in FACT_MODELS:
            continue
        for key, row in rows.items():
            key_text = row_key_text(key)
            if name == "disputes":
                fields = {**_fields(row, skip=("key",)), "subjects": sorted(subjects[key_text])}
                kinds[name][key_text] = Entry(name, fields, sources(readings[key_text]))
            elif name == "citations":
                fields = _fields(row, skip=("key",))
                kinds[name][key_text] = Entry(name, fields, (row["source_key"],))
            elif name == "sources":
                kinds[name][key_text] = Entry(name, _fields(row, skip=("key",)), (key_text,))
            else:
                kinds[name][key_text] = Entry(name, _fields(row), ())
    return kinds


@dataclass(frozen=True)
class FieldChange:
    """One field of one thing, as each build holds it (None: empty or absent)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Change:
    """A thing one build holds and the other lacks (``added``, ``removed``) or holds
    otherwise (``changed``, field by field). ``sources``: where its quotes come from, in
    the build that holds it (the newer one for a change)."""

    kind: str
    key: str
    table: str
    status: str
    sources: tuple[str, ...]
    fields: tuple[FieldChange, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "table": self.table, "sources": list(self.sources)}
        if self.status == "changed":
            data["fields"] = [change.to_dict() for change in self.fields]
        else:
            data["values"] = self.values
        return data


def _shown(value: Any, with_bounds: bool = False) -> Any:
    if isinstance(value, PartialDateValue):
        return value.shown(with_bounds)
    return value


def _shown_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: _shown(value) for name, value in fields.items()}


def _empty(value: Any) -> bool:
    """No value: NULL, a column the build lacks, no quotes, a date with no columns set."""
    if isinstance(value, PartialDateValue):
        return value == PartialDateValue(None, None, None, None)
    return value is None or value == []


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    changes = []
    for name in [*old, *(name for name in new if name not in old)]:
        before, after = old.get(name), new.get(name)
        if before == after or (_empty(before) and _empty(after)):
            continue
        # A date whose text stayed but whose bounds moved shows its bounds.
        bounds = _shown(before) == _shown(after)
        changes.append(FieldChange(name, _shown(before, bounds), _shown(after, bounds)))
    return tuple(changes)


@dataclass(frozen=True)
class RowChange:
    """A row of one table, by its primary key as text (as ``init`` names rows)."""

    table: str
    key: str

    def to_dict(self) -> dict[str, str]:
        return {"table": self.table, "key": self.key}


@dataclass(frozen=True)
class RecordDiff:
    """What changed from the ``old`` build to the ``new``: things by kind and key, and
    every row by table and key."""

    old: Snapshot
    new: Snapshot
    changes: dict[str, list[Change]]
    rows: dict[str, list[RowChange]]

    def of(self, kind: str, status: str) -> list[Change]:
        return [change for change in self.changes.get(kind, []) if change.status == status]

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {
            kind: {status: len(self.of(kind, status)) for status in STATUSES}
            for kind in self.changes
        }
        counts["rows"] = {status: len(self.rows[status]) for status in STATUSES}
        return counts

    def is_empty(self) -> bool:
        return not any(self.rows.values()) and not any(self.changes.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": _side(self.old),
            "new": _side(self.new),
            "counts": self.counts(),
            "changes": {
                kind: {
                    status: [change.to_dict() for change in self.of(kind, status)]
                    for status in STATUSES
                }
                for kind in self.changes
            },
            "rows": {status: [row.to_dict() for row in self.rows[status]] for status in STATUSES},
        }

    def summary_lines(self) -> list[str]:
        """The two sides, and how many things of each kind were added, changed, removed."""
        lines = [
            f"old: {self.old.label} ({self.old.release.summary()})",
            f"new: {self.new.label} ({self.new.release.summary()})",
        ]
        for kind, counts in self.counts().items():
            lines.append(
                f"{kind}: {counts['added']} added, {counts['changed']} changed, "
                f"{counts['removed']} removed"
            )
        return lines

    def lines(self) -> list[str]:
        """The whole comparison as text: the summary, then each thing removed, changed and
        added, with its sources and, for a change, each field's old and new value."""
        lines = self.summary_lines()
        for kind in self.changes:
            for status in ("removed", "changed", "added"):
                for change in self.of(kind, status):
                    sources = f"; sources: {', '.join(change.sources)}" if change.sources else ""
                    name = SINGULAR.get(kind, kind)
                    lines.append(f"{status} {name} {change.key} ({change.table}{sources})")
                    for field_change in change.fields:
                        lines.append(
                            f"    {field_change.field}: {_text(field_change.old)} -> "
                            f"{_text(field_change.new)}"
                        )
        return lines


def _text(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return " ".join(str(value).split())


def _side(snapshot: Snapshot) -> dict[str, Any]:
    return {"label": snapshot.label, **snapshot.release.to_dict()}


def _kind_order(kinds: Iterable[str]) -> list[str]:
    table_order = [table.name for table in content_tables()]
    return sorted(
        set(kinds),
        key=lambda kind: (
            KINDS.index(kind) if kind in KINDS else len(KINDS),
            table_order.index(kind) if kind in table_order else len(table_order),
            kind,
        ),
    )


def diff_snapshots(old: Snapshot, new: Snapshot) -> RecordDiff:
    """Compare two builds: each thing by kind and key, each row by table and key."""
    old_entries, new_entries = entries_of(old), entries_of(new)
    changes: dict[str, list[Change]] = {}
    for kind in _kind_order([*old_entries, *new_entries]):
        before, after = old_entries.get(kind, {}), new_entries.get(kind, {})
        found = []
        for key in sorted(set(before) | set(after)):
            if key not in before:
                entry = after[key]
                values = _shown_fields(entry.fields)
                found.append(Change(kind, key, entry.table, "added", entry.sources, (), values))
            elif key not in after:
                entry = before[key]
                values = _shown_fields(entry.fields)
                found.append(Change(kind, key, entry.table, "removed", entry.sources, (), values))
            else:
                fields = _field_changes(before[key].fields, after[key].fields)
                if fields:
                    entry = after[key]
                    found.append(Change(kind, key, entry.table, "changed", entry.sources, fields))
        changes[kind] = found
    return RecordDiff(old, new, changes, _row_changes(old, new))


def _row_changes(old: Snapshot, new: Snapshot) -> dict[str, list[RowChange]]:
    rows: dict[str, list[RowChange]] = {status: [] for status in STATUSES}
    for table in _kind_order([*old.tables, *new.tables]):
        before, after = old.tables.get(table, {}), new.tables.get(table, {})
        for key in sorted(set(before) | set(after), key=row_key_text):
            if key not in before:
                rows["added"].append(RowChange(table, row_key_text(key)))
            elif key not in after:
                rows["removed"].append(RowChange(table, row_key_text(key)))
            elif _row_differs(before[key], after[key]):
                rows["changed"].append(RowChange(table, row_key_text(key)))
    return rows


def _row_differs(old: Row, new: Row) -> bool:
    """A column only one build has counts as empty in the other."""
    return any(old.get(name) != new.get(name) for name in {*old, *new})


def diff_records(old: str | None, new: str | None = None) -> RecordDiff:
    """Compare the record at ``old`` with the one at ``new`` (each a database URL, a SQLite
    file or a folder of seeds; ``new`` None: the package's current seeds)."""
    return diff_snapshots(open_snapshot(old), open_snapshot(new))
