"""The evidence behind facts: citations, readings of disputed fields, and one source's view."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from ..errors import QueryError as QueryError  # the question modules raise it from here
from ..store.dates import PartialDate
from ..store.models import Citation, DisputeSubject, FactCitation, Reading, Source


def connection_of(db: Session | Connection) -> Connection:
    """Accept an ORM session or a Core connection; queries run on the connection."""
    return db.connection() if isinstance(db, Session) else db


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
    Citation.__table__.c[name]
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


@dataclass
class Answer:
    """Base of the items the queries return: ``to_dict`` gives every field in order, the
    citations as dicts, and the readings only when there are any. A field whose metadata
    says ``internal`` stays out of it (a sort key, say)."""

    def to_dict(self) -> dict[str, Any]:
        data = {}
        for item in fields(self):
            if item.metadata.get("internal"):
                continue
            value = getattr(self, item.name)
            if item.name == "readings":
                if value:
                    data["readings"] = [reading.to_dict() for reading in value]
            elif item.name == "citations":
                data["citations"] = [quote.to_dict() for quote in value]
            else:
                data[item.name] = value
        return data


def citations_for(db: Session | Connection, fact_keys: Iterable[str]) -> dict[str, list[Quote]]:
    """The citations behind each fact, in one query: ``{fact_key: [Quote, ...]}``."""
    keys = sorted(set(fact_keys))
    found: dict[str, list[Quote]] = defaultdict(list)
    if not keys:
        return found
    query = (
        select(FactCitation.fact_key, *QUOTE_COLUMNS)
        .join(Citation, Citation.key == FactCitation.citation_key)
        .where(FactCitation.fact_key.in_(keys))
        .order_by(FactCitation.fact_key, Citation.source_key, Citation.char_start, Citation.key)
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
        select(DisputeSubject.fact_key, DisputeSubject.field, Reading)
        .join(Reading, Reading.dispute_key == DisputeSubject.dispute_key)
        .where(DisputeSubject.fact_key.in_(keys))
        .order_by(DisputeSubject.fact_key, DisputeSubject.field, Reading.key)
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


def require_source(db: Session | Connection, key: str | None) -> None:
    """Raise :class:`QueryError` unless ``key`` is None or a source in the database."""
    if key is None:
        return
    column = Source.__table__.c.key  # the table's column: no mapper configuration
    found = connection_of(db).execute(select(column).where(column == key)).first()
    if found is None:
        raise QueryError(
            f'unknown source {key!r} (see `csto-db sql "SELECT s.key FROM sources s"`)'
        )


def require_organization(db: Session | Connection, code: str) -> None:
    """Raise :class:`QueryError`, naming the organizations there are, unless ``code`` is one."""
    from ..store.models import Organization

    conn = connection_of(db)
    column = Organization.__table__.c.code  # the table's column: no mapper configuration
    if conn.execute(select(column).where(column == code)).first() is None:
        raise unknown_organization(conn, code)


def organization_code(db: Session | Connection, text: str) -> str:
    """The organization code ``text`` names: the code itself, or the one code that matches
    it ignoring case (``csto`` for ``CSTO``; COW's codes such as ``AfDB`` mix cases).
    Raises :class:`QueryError` naming the codes there are."""
    from ..store.models import Organization

    conn = connection_of(db)
    # The table's column, not the mapped attribute: a mapped attribute in a statement makes
    # SQLAlchemy configure every mapper and relationship first, half a second of a command.
    code = Organization.__table__.c.code
    matches: list[str] = list(
        conn.execute(select(code).where(func.lower(code) == text.lower())).scalars()
    )
    if text in matches:
        return text
    if len(matches) == 1:
        return matches[0]
    raise unknown_organization(conn, text)


#: Up to this many codes, an unknown organization's message names them all.
_CODES_NAMED = 20


def unknown_organization(db: Session | Connection, code: str) -> QueryError:
    """The error for an organization code the database does not have, naming those it has
    (or, once it holds many, the closest to what was asked and how to list them all)."""
    from ..store.models import Organization

    codes = list(
        connection_of(db).execute(select(Organization.code).order_by(Organization.code)).scalars()
    )
    if len(codes) <= _CODES_NAMED:
        return QueryError(f"unknown organization {code!r}; the database has: {', '.join(codes)}")
    close = difflib.get_close_matches(code, codes, n=5, cutoff=0.5)
    hint = f"closest: {', '.join(close)}; " if close else ""
    return QueryError(
        f"unknown organization {code!r}; {hint}{len(codes)} codes in all "
        f'(see `csto-db sql "SELECT o.code, o.name FROM organizations o"`)'
    )


def nulls_last(
    column: QueryableAttribute[Any],
) -> tuple[ColumnElement[bool], QueryableAttribute[Any]]:
    """ORDER BY terms that put NULLs last on every engine (SQLite and MariaDB sort them
    first, PostgreSQL last), so answers come out in the same order everywhere."""
    return (column.is_(None), column)


def edtf_of(value: PartialDate | None) -> str | None:
    """A partial date as the source gives it, or None."""
    return value.edtf if value else None


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
