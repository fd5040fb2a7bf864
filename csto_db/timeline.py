"""A state's history in one list: its membership spans, its terms in the chair, its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from .evidence import (
    Answer,
    FieldReading,
    QueryError,
    Quote,
    SourceView,
    connection_of,
    edtf_of,
    require_source,
    stored_date,
)
from .models import ChairSpan, Event, MembershipSpan, State
from .queries import span_views


@dataclass
class TimelineEntry(Answer):
    """One line of a state's history: a membership span (``entry`` = ``span``), a term in
    an organization's chair (``chair``) or a dated event (``event``)."""

    entry: str
    key: str
    organization: str | None
    status: str | None
    title: str | None
    start: str | None
    end: str | None
    sort_date: date = field(metadata={"internal": True})
    inferred: bool
    reasoning: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


def timeline(db: Session | Connection, iso3: str, *,
             source: str | None = None) -> list[TimelineEntry]:
    """A state's spans in every organization, its terms in the chair and its dated events,
    in date order. ``source`` answers from that source's claims alone. Raises
    :class:`QueryError` for an unknown state or source."""
    conn = connection_of(db)
    iso3 = iso3.upper()
    if conn.execute(select(State.iso3).where(State.iso3 == iso3)).first() is None:
        known = conn.execute(select(State.iso3).order_by(State.iso3)).scalars()
        raise QueryError(f"unknown state {iso3!r}: it is not in the database, which has "
                         f"{', '.join(known)}")
    require_source(conn, source)
    entries = [
        TimelineEntry("span", span.key, span.row.organization_code, span.row.status, None,
                      span.start.edtf, edtf_of(span.end), span.start.lower,
                      bool(span.row.inferred), span.row.reasoning, span.citations,
                      span.disputed_readings)
        for span in span_views(conn, source, MembershipSpan.state_iso3 == iso3)
    ]
    entries += _chair_entries(conn, iso3, source)
    entries += _event_entries(conn, iso3, source)
    return sorted(entries, key=lambda e: (e.sort_date, e.entry, e.key))


def _chair_entries(conn: Connection, iso3: str, source: str | None) -> list[TimelineEntry]:
    rows = conn.execute(select(ChairSpan).where(ChairSpan.state_iso3 == iso3)).all()
    view = SourceView.load(conn, source, [row.key for row in rows])
    entries = []
    for row in rows:
        if not view.includes(row.key):
            continue
        start, end = view.span(row)
        entries.append(TimelineEntry(
            "chair", row.key, row.organization_code, "chair",
            f"Chair of the {row.organization_code}", start.edtf, edtf_of(end), start.lower,
            bool(row.inferred), row.reasoning, view.quotes(row.key),
            view.field_readings(row.key, "start") + view.field_readings(row.key, "end")))
    return entries


def _event_entries(conn: Connection, iso3: str, source: str | None) -> list[TimelineEntry]:
    rows = conn.execute(select(Event).where(Event.state_iso3 == iso3)).all()
    view = SourceView.load(conn, source, [row.key for row in rows])
    entries = []
    for row in rows:
        if not view.includes(row.key):
            continue
        happened = view.date(row.key, "happened", stored_date(row, "happened"))
        assert happened is not None, row.key  # events.happened is NOT NULL
        entries.append(TimelineEntry(
            "event", row.key, row.organization_code, row.kind, row.title, happened.edtf, None,
            happened.lower, bool(row.inferred), row.reasoning, view.quotes(row.key),
            view.field_readings(row.key, "happened")))
    return entries
