"""A state's history in one list: its membership spans, its terms in the chair, its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, select

from ..errors import QueryError
from ..store import tables
from .answer import Answer, connection_of, edtf_of, require_source
from .evidence import FieldReading, Quote
from .spans import SeenSpan, spans_seen

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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


#: A state's rows in each table its timeline lists.
_SPANS = (
    select(tables.membership_spans)
    .where(tables.membership_spans.c.state_iso3 == bindparam("iso3"))
    .order_by(tables.membership_spans.c.start_lower, tables.membership_spans.c.key)
)
_CHAIRS = (
    select(tables.chair_spans)
    .where(tables.chair_spans.c.state_iso3 == bindparam("iso3"))
    .order_by(tables.chair_spans.c.start_lower, tables.chair_spans.c.key)
)
_EVENTS = (
    select(tables.events)
    .where(tables.events.c.state_iso3 == bindparam("iso3"))
    .order_by(tables.events.c.happened_lower, tables.events.c.key)
)


def timeline(
    db: Session | Connection, iso3: str, *, source: str | None = None
) -> list[TimelineEntry]:
    """A state's spans in every organization, its terms in the chair and its dated events,
    in date order. Each row's dates are the preferred reading's (in a source's view, that
    source's), and every reading of a disputed date comes with it. ``source`` answers from
    that source's claims alone. Raises :class:`QueryError` for an unknown state or source."""
    conn = connection_of(db)
    iso3 = iso3.upper()
    if (
        conn.execute(select(tables.states.c.iso3).where(tables.states.c.iso3 == iso3)).first()
        is None
    ):
        known = conn.execute(select(tables.states.c.iso3).order_by(tables.states.c.iso3)).scalars()
        raise QueryError(
            f"unknown state {iso3!r}: it is not in the database, which has {', '.join(known)}"
        )
    require_source(conn, source)
    params = {"iso3": iso3}
    entries = [
        _entry("span", span, span.row.status, None)
        for span in spans_seen(conn, _SPANS, params, source=source)
    ]
    entries += [
        _entry("chair", span, "chair", f"Chair of the {span.row.organization_code}")
        for span in spans_seen(conn, _CHAIRS, params, source=source)
    ]
    entries += [
        _entry("event", span, span.row.kind, span.row.title)
        for span in spans_seen(conn, _EVENTS, params, source=source, fields=("happened",))
    ]
    return sorted(entries, key=lambda e: (e.sort_date, e.entry, e.key))


def _entry(entry: str, span: SeenSpan, status: str | None, title: str | None) -> TimelineEntry:
    """One line of the timeline from a span (or an event's day) as the view reads it."""
    return TimelineEntry(
        entry,
        span.key,
        span.row.organization_code,
        status,
        title,
        span.start.edtf,
        edtf_of(span.end),
        span.start.lower,
        bool(span.row.inferred),
        span.row.reasoning,
        span.citations,
        span.readings,
    )
