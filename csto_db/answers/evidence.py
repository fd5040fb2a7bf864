"""The evidence behind facts: citations, readings of disputed fields, one source's view, and
the questions that ask for them: the disputes, and everything behind one fact."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from ..errors import QueryError
from ..store import tables
from ..store.dates import PartialDate
from .answer import FrozenAnswer, connection_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Quote:
    """One citation: the source's key and its words."""

    source: str
    quote: str
    translation: str | None = None
    char_start: int | None = None
    char_end: int | None = None
    #: Where a dataset's cells are, for a citation of cells rather than of words.
    locator_file: str | None = None
    locator_record: str | None = None
    locator_column: str | None = None
    locator_first_year: int | None = None
    locator_last_year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "quote": self.quote}
        if self.translation:
            data["translation"] = self.translation
        if self.char_start is not None:
            data["char_start"], data["char_end"] = self.char_start, self.char_end
        if self.locator_file is not None:
            data["locator"] = {
                "file": self.locator_file,
                "record": self.locator_record,
                "column": self.locator_column,
                "first_year": self.locator_first_year,
                "last_year": self.locator_last_year,
            }
        return data


#: The columns of ``citations`` that make a :class:`Quote`, in the order of its fields: the
#: table's, so a statement over them needs no mapper configured.
QUOTE_COLUMNS = tuple(
    tables.citations.c[name]
    for name in (
        "source_key",
        "quote",
        "translation",
        "char_start",
        "char_end",
        "locator_file",
        "locator_record",
        "locator_column",
        "locator_first_year",
        "locator_last_year",
    )
)


@dataclass(frozen=True)
class FieldReading:
    """One source's value for a fact's field, as stored in ``readings``."""

    dispute: str
    field: str
    key: str
    date: PartialDate | None
    text: str | None
    preferred: bool
    citations: tuple[Quote, ...]

    @property
    def value(self) -> str | None:
        return self.date.edtf if self.date else self.text

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(c.source for c in self.citations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "preferred": self.preferred,
            "dispute": self.dispute,
            "citations": [c.to_dict() for c in self.citations],
        }


def citations_for(db: Session | Connection, fact_keys: Iterable[str]) -> dict[str, list[Quote]]:
    """The citations behind each fact, in one query: ``{fact_key: [Quote, ...]}``."""
    keys = sorted(set(fact_keys))
    found: dict[str, list[Quote]] = defaultdict(list)
    if not keys:
        return found
    query = (
        select(tables.fact_citations.c.fact_key, *QUOTE_COLUMNS)
        .join(tables.citations, tables.citations.c.key == tables.fact_citations.c.citation_key)
        .where(tables.fact_citations.c.fact_key.in_(keys))
        .order_by(
            tables.fact_citations.c.fact_key,
            tables.citations.c.source_key,
            tables.citations.c.char_start,
            tables.citations.c.key,
        )
    )
    for fact_key, *quote in connection_of(db).execute(query):
        found[fact_key].append(Quote(*quote))
    return found


def readings_for(
    db: Session | Connection, fact_keys: Iterable[str]
) -> dict[tuple[str, str], list[FieldReading]]:
    """Every reading of every disputed field of the given facts: ``{(fact_key, field): [...]}``."""
    keys = sorted(set(fact_keys))
    result: dict[tuple[str, str], list[FieldReading]] = defaultdict(list)
    if not keys:
        return result
    conn = connection_of(db)
    query = (
        select(tables.dispute_subjects.c.fact_key, tables.dispute_subjects.c.field, tables.readings)
        .join(
            tables.readings, tables.readings.c.dispute_key == tables.dispute_subjects.c.dispute_key
        )
        .where(tables.dispute_subjects.c.fact_key.in_(keys))
        .order_by(
            tables.dispute_subjects.c.fact_key,
            tables.dispute_subjects.c.field,
            tables.readings.c.key,
        )
    )
    rows = conn.execute(query).all()
    quotes = citations_for(conn, [row.key for row in rows])
    for row in rows:
        when = None
        if row.value_date_edtf is not None:
            when = PartialDate(
                row.value_date_lower,
                row.value_date_upper,
                row.value_date_edtf,
                row.value_date_precision,
            )
        result[(row.fact_key, row.field)].append(
            FieldReading(
                dispute=row.dispute_key,
                field=row.field,
                key=row.key,
                date=when,
                text=row.value_text,
                preferred=bool(row.preferred),
                citations=tuple(quotes.get(row.key, ())),
            )
        )
    return result


@dataclass
class SourceView:
    """Restricts answers to one source's claims, or passes everything when ``source`` is None.

    A fact is in the view when the source is among its citations or backs one of its
    readings. A field with readings shows the source's own reading where it has one.
    """

    source: str | None
    citations: dict[str, list[Quote]] = field(default_factory=dict)
    readings: dict[tuple[str, str], list[FieldReading]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, db: Session | Connection, source: str | None, fact_keys: Iterable[str]
    ) -> SourceView:
        keys = list(fact_keys)
        return cls(source, citations_for(db, keys), readings_for(db, keys))

    def includes(self, fact_key: str) -> bool:
        if self.source is None:
            return True
        if any(q.source == self.source for q in self.citations.get(fact_key, ())):
            return True
        return any(
            self.source in reading.sources
            for (key, _), readings in self.readings.items()
            if key == fact_key
            for reading in readings
        )

    def quotes(self, fact_key: str) -> list[Quote]:
        quotes = self.citations.get(fact_key, [])
        if self.source is None:
            return list(quotes)
        own = [q for q in quotes if q.source == self.source]
        if own:
            return own
        return [
            c
            for (key, _), readings in self.readings.items()
            if key == fact_key
            for reading in readings
            for c in reading.citations
            if c.source == self.source
        ]

    def field_readings(self, fact_key: str, field_name: str) -> list[FieldReading]:
        """The readings that count for this field in this view (empty: use the fact's value)."""
        readings = self.readings.get((fact_key, field_name), [])
        if self.source is not None:
            return [r for r in readings if self.source in r.sources]
        return readings

    def date(
        self, fact_key: str, field_name: str, stored: PartialDate | None
    ) -> PartialDate | None:
        """The value of a date field in this view: the source's reading, else the stored one."""
        readings = self.field_readings(fact_key, field_name)
        if self.source is not None and readings:
            best = max(readings, key=lambda r: (r.preferred, -_width(r.date)))
            return best.date
        return stored

    def span(self, row: Any) -> tuple[PartialDate, PartialDate | None]:
        """The start and end of a span row as this view reads them."""
        start = self.date(row.key, "start", stored_date(row, "start"))
        assert start is not None, row.key  # a span's start is NOT NULL in every span table
        return start, self.date(row.key, "end", stored_date(row, "end"))

    def text(self, fact_key: str, field_name: str, stored: str | None) -> str | None:
        readings = self.field_readings(fact_key, field_name)
        if self.source is not None and readings:
            return readings[0].text
        return stored


def _width(value: PartialDate | None) -> int:
    return (value.upper - value.lower).days if value else 0


def competing(readings: list[FieldReading]) -> list[PartialDate]:
    """The date readings that compete: a reading whose bounds contain another, more precise
    reading only says less, so it drops out (the overview's "subsequently" against a day)."""
    dates = [r.date for r in readings if r.date is not None]
    kept = []
    for value in dates:
        refined = any(
            other != value and value.lower <= other.lower and other.upper <= value.upper
            for other in dates
        )
        if not refined and value not in kept:
            kept.append(value)
    return kept


def stored_date(row: Any, name: str) -> PartialDate | None:
    """The partial date ``name`` of a row, or None when it is empty."""
    edtf = getattr(row, f"{name}_edtf")
    if edtf is None:
        return None
    return PartialDate(
        getattr(row, f"{name}_lower"),
        getattr(row, f"{name}_upper"),
        edtf,
        getattr(row, f"{name}_precision"),
    )


# --- Disputes and the evidence behind a fact -----------------------------------------------


@dataclass(frozen=True)
class DisputedField(FrozenAnswer):
    """A field of a fact that a dispute is about."""

    fact: str
    field: str


@dataclass(frozen=True)
class DisputeReading(FrozenAnswer):
    """One source's answer to a dispute."""

    key: str
    value: str | None
    preferred: bool
    note: str | None
    sources: tuple[str, ...]
    citations: tuple[Quote, ...]


@dataclass(frozen=True)
class DisputeRecord(FrozenAnswer):
    """A question sources answer differently: its readings and the preferred one, with why."""

    key: str
    question: str
    rule: str
    reason: str
    disagreement: bool
    subjects: tuple[DisputedField, ...]
    preferred: str | None
    readings: tuple[DisputeReading, ...]


def disputes(db: Session | Connection, *, include_refinements: bool = False) -> list[DisputeRecord]:
    """Each question the sources answer differently: its readings, their sources, the
    preferred reading and why. Refinements (readings that differ only in precision) are
    left out unless asked for."""
    conn = connection_of(db)
    query = select(tables.disputes).order_by(tables.disputes.c.key)
    if not include_refinements:
        query = query.where(tables.disputes.c.disagreement.is_(True))
    rows = conn.execute(query).all()
    keys = [row.key for row in rows]
    subjects: dict[str, list[DisputedField]] = defaultdict(list)
    for subject in conn.execute(
        select(tables.dispute_subjects)
        .where(tables.dispute_subjects.c.dispute_key.in_(keys))
        .order_by(tables.dispute_subjects.c.fact_key)
    ):
        subjects[subject.dispute_key].append(DisputedField(subject.fact_key, subject.field))
    readings = conn.execute(
        select(tables.readings)
        .where(tables.readings.c.dispute_key.in_(keys))
        .order_by(tables.readings.c.key)
    ).all()
    quotes = citations_for(conn, [r.key for r in readings])
    by_dispute: dict[str, list[DisputeReading]] = defaultdict(list)
    for reading in readings:
        by_dispute[reading.dispute_key].append(
            DisputeReading(
                key=reading.key,
                value=reading.value_date_edtf or reading.value_text,
                preferred=bool(reading.preferred),
                note=reading.note,
                sources=tuple(sorted({q.source for q in quotes.get(reading.key, [])})),
                citations=tuple(quotes.get(reading.key, [])),
            )
        )
    return [
        DisputeRecord(
            key=row.key,
            question=row.question,
            rule=row.rule,
            reason=row.reason,
            disagreement=bool(row.disagreement),
            subjects=tuple(subjects[row.key]),
            preferred=next((r.value for r in by_dispute[row.key] if r.preferred), None),
            readings=tuple(by_dispute[row.key]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FactEvidence(FrozenAnswer):
    """Everything behind one fact: its citations and the readings of its disputed fields."""

    fact: str
    citations: tuple[Quote, ...]
    readings: tuple[FieldReading, ...]


def evidence(db: Session | Connection, fact_key: str) -> FactEvidence:
    """Everything behind one fact: its citations and the readings of its disputed fields."""
    conn = connection_of(db)
    quotes = citations_for(conn, [fact_key]).get(fact_key)
    if quotes is None:
        raise QueryError(
            f"no fact with key {fact_key!r}: pass a key the other commands print "
            f'(the `key` or `span` column), or see `csto-db sql "SELECT key '
            f'FROM facts"`'
        )
    readings = readings_for(conn, [fact_key])
    return FactEvidence(
        fact=fact_key,
        citations=tuple(quotes),
        readings=tuple(r for rs in readings.values() for r in rs),
    )
