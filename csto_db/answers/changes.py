"""Who entered, left, was suspended, froze or returned in an organization over a period: each
change with its day as the sources give it, the statuses before and after, how sure the
record is of it, the readings that dispute it, and its citations.

A change is where a membership span starts or ends. Its certainty is the as-of rule of
:mod:`csto_db.answers.asof` asked on either side of the change's possible days: a change
is ``certain`` when, on the day before its earliest possible day, every reading puts the
state in its old status (no reading puts it in the new one), and on its latest possible day
every reading puts it in the new one: a change known only to a year is certain to fall in
that year. It is ``possible`` when its possible days straddle an end of the period asked
about or run past the record's horizon, or when the preferred dates leave it open; and
``disputed``
when another reading of its day, or of the status it changes to, disagrees. A reading that
only says less than another disputes nothing; a reading that says the change did not happen
(a text reading such as "later, or not at all") disputes it. A change that only another
reading puts in the period is *contested*: left out unless asked for, like a contested
member.

An end "2014 or later" (``[2014..]``), where a dataset stops coding an organization, is
where the record ends, not a change, and is not listed: past the horizon nothing is known,
and the answer says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.orm import Session

from ..errors import QueryError
from ..store.dates import PartialDate, as_day
from ..store.models import MEMBER_STATUSES, MembershipSpan, State
from .answer import Answer, connection_of
from .asof import (
    CERTAIN,
    DISPUTED,
    POSSIBLE,
    Horizon,
    Lifetime,
    Verdict,
    horizon_from,
    judge,
    lifetime_from,
    organization_row,
    past_horizon,
)
from .evidence import FieldReading, Quote, citations_for, competing, readings_for, stored_date

#: What is not known past an organization's horizon, in the answers about its changes.
CHANGES_UNKNOWN = "entries, exits, suspensions, freezes and returns"

ENTRY, RETURN, EXIT = "entry", "return", "exit"
SUSPENSION, FREEZE, STATUS_CHANGE = "suspension", "freeze", "status change"
#: The kinds of change, in the words the answers use.
CHANGE_KINDS = (ENTRY, EXIT, SUSPENSION, FREEZE, RETURN, STATUS_CHANGE)

#: The statuses a state was in when it had been a member (or party) of the organization.
_HAD_BEEN_IN = (*MEMBER_STATUSES, "suspended")

#: How weak each certainty is: a change is as sure as its least sure side.
_WEAKNESS = {CERTAIN: 0, POSSIBLE: 1, DISPUTED: 2}


@dataclass
class Change(Answer):
    """One change of a state's status in an organization: its day as the sources give it
    (``day``, with its ``earliest`` and ``latest`` possible days; ``latest`` is None for a
    day open above, "2014 or later"), the status ``before`` and ``after`` (None: outside
    the organization), how sure the record is of it, and the spans it rests on. A
    ``contested`` change is one the preferred reading puts outside the period and another
    reading inside; it is only returned when asked for."""

    organization: str
    state: str
    name: str
    kind: str
    day: str
    earliest: str
    latest: str | None
    precision: str
    before: str | None
    after: str | None
    certainty: str
    contested: bool
    #: The spans whose end and start the change is (one, or the two it joins).
    spans: list[str]
    reasoning: str | None
    #: The last day the organization's record covers (ISO), or None when none is recorded.
    horizon: str | None
    #: When the period runs past the horizon, the line saying so; else None.
    past_horizon: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


@dataclass
class _Span:
    """A span of the organization with the values of its fields that compete."""

    row: Any
    start: PartialDate
    end: PartialDate | None
    starts: list[PartialDate]
    ends: list[PartialDate | None]
    readings: dict[str, list[FieldReading]]

    @property
    def key(self) -> str:
        key: str = self.row.key
        return key


@dataclass
class _Side:
    """One side of a change (a span's start or its end) as the rule judges it."""

    certainty: str
    readings: list[FieldReading]


_SPANS, _STATES = MembershipSpan.__table__, State.__table__
_ORGANIZATION_SPANS = (
    select(_SPANS, _STATES.c.name.label("state_name"))
    .join(_STATES, _STATES.c.iso3 == _SPANS.c.state_iso3)
    .where(_SPANS.c.organization_code == bindparam("org"))
    .order_by(_SPANS.c.state_iso3, _SPANS.c.start_lower, _SPANS.c.key)
)


def _values(stored: PartialDate | None, readings: list[FieldReading]) -> list[PartialDate | None]:
    """The preferred value of a date field, then the values that compete with it."""
    return [stored] + [value for value in competing(readings) if value != stored]


def _load_spans(conn: Connection, org: str) -> list[_Span]:
    rows = conn.execute(_ORGANIZATION_SPANS, {"org": org}).all()
    readings = readings_for(conn, [row.key for row in rows])
    spans = []
    for row in rows:
        start = stored_date(row, "start")
        assert start is not None, row.key  # a span's start is NOT NULL
        end = stored_date(row, "end")
        fields = {name: readings.get((row.key, name), []) for name in ("start", "end", "status")}
        starts = [value for value in _values(start, fields["start"]) if value is not None]
        spans.append(_Span(row, start, end, starts, _values(end, fields["end"]), fields))
    return spans


def _explaining(span: _Span, names: tuple[str, ...], verdicts: list[Verdict]) -> list[FieldReading]:
    """The readings of ``names`` the verdicts rest on, with the preferred ones beside them."""
    told = set().union(*(verdict.explaining for verdict in verdicts))
    return [
        reading
        for name in names
        for reading in span.readings[name]
        if reading.preferred or (reading.field, reading.date) in told
    ]


def _undated(span: _Span, name: str) -> list[FieldReading]:
    """The readings of a field that are words, not a date, and not preferred: a reading
    that says the change happened otherwise or not at all."""
    readings = span.readings[name]
    found = [r for r in readings if not r.preferred and r.date is None and r.text is not None]
    return [r for r in readings if r.preferred] + found if found else []


def _status_disputed(span: _Span) -> list[FieldReading]:
    """The readings of the span's status when another reading names another status."""
    readings = span.readings["status"]
    if any(not r.preferred and r.text != span.row.status for r in readings):
        return readings
    return []


def _start_side(span: _Span, lifetime: Lifetime, horizon: date | None) -> _Side:
    """The rule on either side of the span's start: outside on the day before its earliest
    possible day, inside on its latest."""
    start = span.start
    day_before = judge(span.starts, span.ends, start.lower - timedelta(days=1), lifetime)
    on_latest = judge(span.starts, span.ends, start.upper, lifetime, horizon)
    verdicts = [v for v in (day_before, on_latest) if v is not None]
    if day_before is not None or (on_latest is not None and on_latest.certainty == DISPUTED):
        certainty = DISPUTED
    elif on_latest is None:
        certainty = POSSIBLE  # a start the lifetime clips: the rule cannot place it inside
    else:
        certainty = on_latest.certainty
    readings = _explaining(span, ("start",), verdicts) if certainty == DISPUTED else []
    return _with_words(_Side(certainty, readings), _undated(span, "start") + _status_disputed(span))


def _end_side(span: _Span, lifetime: Lifetime, horizon: date | None) -> _Side:
    """The rule on either side of the span's end: inside on the day before its earliest
    possible day, outside on its latest. An end open above ("2014 or later") may not have
    come at all, and an end past the horizon is not known: both are at best possible."""
    end = span.end
    assert end is not None  # only a span that ends has an end side
    day_before = judge(span.starts, span.ends, end.lower - timedelta(days=1), lifetime, horizon)
    on_latest = judge(span.starts, span.ends, end.upper, lifetime)
    verdicts = [v for v in (day_before, on_latest) if v is not None]
    if on_latest is not None or (day_before is not None and day_before.certainty == DISPUTED):
        certainty = DISPUTED
    elif day_before is None:
        certainty = POSSIBLE
    else:
        certainty = day_before.certainty
    if end.open_above:
        certainty = max(certainty, POSSIBLE, key=_WEAKNESS.__getitem__)
    certainty = past_horizon(certainty, end.upper, horizon)
    readings = _explaining(span, ("end",), verdicts) if certainty == DISPUTED else []
    return _with_words(_Side(certainty, readings), _undated(span, "end"))


def _with_words(side: _Side, words: list[FieldReading]) -> _Side:
    """A side that readings in words dispute (another status, or no change at all)."""
    if not words:
        return side
    seen = {reading.key for reading in side.readings}
    return _Side(DISPUTED, side.readings + [r for r in words if r.key not in seen])


def _weakest(*certainties: str) -> str:
    return max(certainties, key=_WEAKNESS.__getitem__)


def _kind(before: str | None, after: str | None, had_been_in: bool) -> str:
    if after is None:
        return EXIT
    if after == "suspended":
        return SUSPENSION
    if after == "frozen":
        return FREEZE
    if before is None:
        return RETURN if had_been_in and after in MEMBER_STATUSES else ENTRY
    if before in ("suspended", "frozen") and after in MEMBER_STATUSES:
        return RETURN
    return STATUS_CHANGE


@dataclass
class _Found:
    """A change before it is placed in the period."""

    state: str
    name: str
    kind: str
    day: PartialDate
    before: str | None
    after: str | None
    certainty: str
    spans: list[_Span]
    readings: list[FieldReading]
    #: The other readings of its day: where they fall decides whether it is contested.
    other_days: list[PartialDate]
    #: Every reading of its day, shown when it is contested.
    day_readings: list[FieldReading]


def _changes_of_state(
    spans: list[_Span], lifetime: Lifetime, horizon: date | None, left_before: list[date]
) -> list[_Found]:
    """Every change of one state's spans (in order of start), the end of one span and the
    start of another on the same day joined into one. ``left_before``: the latest possible
    days on which the state's spans in the organization's predecessor ended."""
    found: list[_Found] = []
    ending: dict[PartialDate, _Span] = {}
    for span in spans:
        if span.end is not None:
            ending.setdefault(span.end, span)
    joined_ends = set()
    for index, span in enumerate(spans):
        previous = ending.get(span.start)
        had_been_in = any(other.row.status in _HAD_BEEN_IN for other in spans[:index]) or any(
            day <= span.start.lower for day in left_before
        )
        sides = [_start_side(span, lifetime, horizon)]
        involved = [span]
        if previous is not None and previous is not span:
            sides.insert(0, _end_side(previous, lifetime, horizon))
            involved.insert(0, previous)
            joined_ends.add(previous.key)
        before = previous.row.status if previous is not None else None
        found.append(
            _Found(
                span.row.state_iso3,
                span.row.state_name,
                _kind(before, span.row.status, had_been_in),
                span.start,
                before,
                span.row.status,
                _weakest(*(side.certainty for side in sides)),
                involved,
                [reading for side in sides for reading in side.readings],
                span.starts[1:] + (_dated(previous.ends[1:]) if previous is not None else []),
                span.readings["start"] + (previous.readings["end"] if previous else []),
            )
        )
    for span in spans:
        # An end "2014 or later" is where a dataset stops coding: the record ends there,
        # and the horizon's line says what is not known after it; it is no change.
        if span.end is None or span.end.open_above or span.key in joined_ends:
            continue
        side = _end_side(span, lifetime, horizon)
        found.append(
            _Found(
                span.row.state_iso3,
                span.row.state_name,
                EXIT,
                span.end,
                span.row.status,
                None,
                side.certainty,
                [span],
                side.readings,
                _dated(span.ends[1:]),
                span.readings["end"],
            )
        )
    return found


_PREDECESSOR_ENDS = select(_SPANS.c.state_iso3, _SPANS.c.end_upper).where(
    _SPANS.c.organization_code == bindparam("org"),
    _SPANS.c.end_upper.is_not(None),
    or_(*(_SPANS.c.status == status for status in _HAD_BEEN_IN)),
)


def _left_predecessor(conn: Connection, predecessor: str | None) -> dict[str, list[date]]:
    """The days by which each state's spans in the predecessor (the Treaty, for the
    Organization) had ended: a state that left the predecessor and comes in returns."""
    left: dict[str, list[date]] = defaultdict(list)
    if predecessor is not None:
        for state, day in conn.execute(_PREDECESSOR_ENDS, {"org": predecessor}):
            left[state].append(day)
    return left


def _dated(values: list[PartialDate | None]) -> list[PartialDate]:
    return [value for value in values if value is not None]


def _overlaps(day: PartialDate, start: date, end: date) -> bool:
    return day.lower <= end and start <= day.upper


def changes(
    db: Session | Connection,
    org: str,
    start: date | str,
    end: date | str,
    *,
    contested: bool = False,
) -> list[Change]:
    """Every entry, exit, suspension, freeze and return in ``org`` from ``start`` to ``end``
    (both days included), in order of day, each with its day as precise as the sources
    (its earliest and latest possible days), the statuses before and after, its certainty
    (``certain``, ``possible`` or ``disputed``, by the as-of rule asked on either side of
    the change: see the module's docstring), the readings that dispute it, and the
    citations of the spans it rests on. A change whose possible days straddle an end of
    the period is at best ``possible``; one that only another reading puts in the period
    is ``contested`` and returned only when ``contested`` is true. Past the record's
    horizon nothing is known: each change's ``past_horizon`` says so when the period runs
    past it. ``org`` is a code in any case. Raises :class:`QueryError` for an unknown
    organization or a period that ends before it starts."""
    start, end = as_day(start), as_day(end)
    if end < start:
        raise QueryError(
            f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    conn = connection_of(db)
    organization = organization_row(conn, org)
    lifetime = lifetime_from(organization)
    horizon: Horizon | None = horizon_from(organization)
    last_day = horizon.day if horizon else None
    by_state: dict[str, list[_Span]] = defaultdict(list)
    for span in _load_spans(conn, organization.org_code):
        by_state[span.row.state_iso3].append(span)
    left = _left_predecessor(conn, organization.org_predecessor)
    found = [
        change
        for state, spans in by_state.items()
        for change in _changes_of_state(spans, lifetime, last_day, left.get(state, []))
    ]
    placed = []
    for change in found:
        inside = _overlaps(change.day, start, end)
        if inside:
            certainty = change.certainty
            if certainty == CERTAIN and not (start <= change.day.lower and change.day.upper <= end):
                certainty = POSSIBLE  # its possible days straddle an end of the period
            placed.append((change, certainty, False))
        elif contested and any(
            _overlaps(lifetime.clip(day, is_end=False), start, end) for day in change.other_days
        ):
            change.readings = [
                r
                for r in change.day_readings
                if r.preferred
                or (
                    r.date is not None
                    and _overlaps(lifetime.clip(r.date, is_end=False), start, end)
                )
            ]
            placed.append((change, DISPUTED, True))
    keys = [s.key for change, _, _ in placed for s in change.spans]
    quotes = citations_for(conn, keys + [r.key for change, _, _ in placed for r in change.readings])
    beyond = horizon.beyond(end, CHANGES_UNKNOWN) if horizon else None
    answers = [
        Change(
            organization=organization.org_code,
            state=change.state,
            name=change.name,
            kind=change.kind,
            day=change.day.edtf,
            earliest=change.day.lower.isoformat(),
            latest=None if change.day.open_above else change.day.upper.isoformat(),
            precision=change.day.precision,
            before=change.before,
            after=change.after,
            certainty=certainty,
            contested=is_contested,
            spans=[s.key for s in change.spans],
            reasoning=_reasoning(change.spans),
            horizon=horizon.day.isoformat() if horizon else None,
            past_horizon=beyond,
            citations=_unique(q for s in change.spans for q in quotes.get(s.key, [])),
            readings=[
                FieldReading(
                    r.dispute,
                    r.field,
                    r.key,
                    r.date,
                    r.text,
                    r.preferred,
                    tuple(quotes.get(r.key, ())),
                )
                for r in change.readings
            ],
        )
        for change, certainty, is_contested in placed
    ]
    return sorted(answers, key=lambda c: (c.earliest, c.state, c.kind, c.spans))


def _reasoning(spans: list[_Span]) -> str | None:
    said = [f"{s.key}: {s.row.reasoning}" for s in spans if s.row.reasoning]
    return " | ".join(said) if said else None


def _unique(quotes: Any) -> list[Quote]:
    seen: list[Quote] = []
    for quote in quotes:
        if quote not in seen:
            seen.append(quote)
    return seen


def lifetime_note(
    db: Session | Connection, org: str, start: date | str, end: date | str
) -> str | None:
    """One line when the period begins before the organization's membership does, or ends
    after it ended: no change falls outside the lifetime. None inside it."""
    lifetime = lifetime_from(organization_row(connection_of(db), org))
    return lifetime.explain(as_day(start)) or lifetime.explain(as_day(end))
