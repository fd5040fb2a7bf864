"""How many members an organization had over time: per year as of a reference day, or at
each day the count can change, each count split by certainty as ``members_on`` answers it.

The reference day of a year is **1 July** unless another is asked for. No single day
reproduces a code that holds "at some point in the year" (COW's), so the count is a
snapshot, and a mid-year day is the one chosen for three reasons: it is the day the
comparisons with COW's joint memberships use; for an organization whose record is by year
(an imported dataset) every day inside the year answers alike, while 31 December already
falls outside the lifetime of an organization dissolved that year; and for the day-precise
CST and CSTO it is a state half-way through the year, not the year's first or last news.
``--as-of 12-31`` (or any month and day) asks as of another day.

Every count is :func:`csto_db.answers.membership.members_on` on that day: the same rule,
lifetime and horizon decide who is counted and how surely. ``--by day`` asks it on every
day where a bound of a span's dates, of one of its readings, of the lifetime or of the
horizon falls (the only days on which the answer can change) and keeps the days on which
it does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from ..errors import QueryError
from ..store.dates import OPEN_UPPER, as_day
from ..store.models import DisputeSubject, MembershipSpan, MissingData, Reading
from .answer import Answer, connection_of
from .asof import (
    CERTAIN,
    DISPUTED,
    MEMBERS_UNKNOWN,
    POSSIBLE,
    horizon_from,
    lifetime_from,
    organization_row,
)
from .membership import members_on, no_rows_note

#: The reference day of a year's count, as (month, day): 1 July (see the module's docstring).
REFERENCE_DAY = (7, 1)


@dataclass
class MemberCount(Answer):
    """The members of an organization on a day (``on``; ``year`` when it is a year's
    reference day; ``until``, in a count by day, the first day the count differs), split
    by how sure the record is of each: ``members`` = ``certain`` + ``possible`` +
    ``disputed``. ``contested``: states only a reading the record does not prefer puts
    in, not counted. ``unknown``: states a dataset codes as missing data (COW's -9) that
    year, whose membership is not known; counted only where a listed span rests on the
    cells. The states of each part are listed beside it."""

    organization: str
    on: str
    year: int | None
    until: str | None
    members: int
    certain: int
    possible: int
    disputed: int
    contested: int
    unknown: int
    certain_states: list[str] = field(default_factory=list)
    possible_states: list[str] = field(default_factory=list)
    disputed_states: list[str] = field(default_factory=list)
    contested_states: list[str] = field(default_factory=list)
    unknown_states: list[str] = field(default_factory=list)
    #: One line when the day is outside the organization's lifetime (nobody is counted).
    outside_lifetime: str | None = None
    #: The last day the organization's record covers (ISO), or None when none is recorded.
    horizon: str | None = None
    #: Past the horizon, the line saying that the record ends there; else None.
    past_horizon: str | None = None
    #: A year a dataset has no row for, between rows it has: the line saying that the
    #: count (nobody) is not known; else None.
    no_rows: str | None = None


_MISSING = MissingData.__table__
_MISSING_ROWS = select(_MISSING.c.state_iso3, _MISSING.c.first_year, _MISSING.c.last_year).where(
    _MISSING.c.organization_code == bindparam("org")
)


def _count(
    conn: Connection,
    code: str,
    on: date,
    organization: Any,
    missing: Sequence[Any],
    year: int | None = None,
) -> MemberCount:
    listed = members_on(conn, code, on, contested=True)
    by: dict[str, list[str]] = {CERTAIN: [], POSSIBLE: [], DISPUTED: [], "contested": []}
    for member in listed:
        by["contested" if member.contested else member.certainty].append(member.state)
    unknown = sorted({state for state, first, last in missing if first <= on.year <= last})
    lifetime, horizon = lifetime_from(organization), horizon_from(organization)
    return MemberCount(
        organization=code,
        on=on.isoformat(),
        year=year,
        until=None,
        members=len(by[CERTAIN]) + len(by[POSSIBLE]) + len(by[DISPUTED]),
        certain=len(by[CERTAIN]),
        possible=len(by[POSSIBLE]),
        disputed=len(by[DISPUTED]),
        contested=len(by["contested"]),
        unknown=len(unknown),
        certain_states=by[CERTAIN],
        possible_states=by[POSSIBLE],
        disputed_states=by[DISPUTED],
        contested_states=by["contested"],
        unknown_states=unknown,
        outside_lifetime=lifetime.explain(on),
        horizon=horizon.day.isoformat() if horizon else None,
        past_horizon=horizon.beyond(on, MEMBERS_UNKNOWN) if horizon else None,
        no_rows=no_rows_note(conn, code, on.year),
    )


def reference_day(year: int, month_day: tuple[int, int] = REFERENCE_DAY) -> date:
    """The day a year's count is taken on; raises :class:`QueryError` for a day no year has
    (29 February is refused: most years lack it)."""
    month, day = month_day
    try:
        if (month, day) == (2, 29):
            raise ValueError("29 February is not in every year")
        return date(year, month, day)
    except ValueError as error:
        raise QueryError(f"{month:02d}-{day:02d} is not a reference day: {error}") from None


_SPANS = MembershipSpan.__table__
_SPAN_BOUNDS = select(
    _SPANS.c.start_lower, _SPANS.c.start_upper, _SPANS.c.end_lower, _SPANS.c.end_upper
).where(_SPANS.c.organization_code == bindparam("org"))
_SUBJECTS, _READINGS = DisputeSubject.__table__, Reading.__table__
_READING_BOUNDS = (
    select(_READINGS.c.value_date_lower, _READINGS.c.value_date_upper)
    .join(_SUBJECTS, _SUBJECTS.c.dispute_key == _READINGS.c.dispute_key)
    .join(_SPANS, _SPANS.c.key == _SUBJECTS.c.fact_key)
    .where(
        _SPANS.c.organization_code == bindparam("org"),
        _READINGS.c.value_date_lower.is_not(None),
    )
)


def _span_range(conn: Connection, code: str) -> tuple[date | None, date | None]:
    """The earliest start and the latest end bound of the organization's spans."""
    bounds = conn.execute(_SPAN_BOUNDS, {"org": code}).all()
    if not bounds:
        return None, None
    ends = [row.end_upper for row in bounds if row.end_upper is not None]
    return min(row.start_lower for row in bounds), max(ends) if ends else None


def _period(
    conn: Connection, organization: Any, start: date | None, end: date | None
) -> tuple[date, date]:
    """The period asked about, by default from the organization's first member to the last
    day its record covers (or its spans reach)."""
    code = organization.org_code
    lifetime, horizon = lifetime_from(organization), horizon_from(organization)
    first, last = _span_range(conn, code)
    if start is None:
        start = lifetime.start or first
    if end is None:
        end = horizon.day if horizon else (lifetime.end or last)
    if start is None or end is None:
        raise QueryError(
            f"{code} has no membership spans: give --from and --to to count its members"
        )
    if end < start:
        raise QueryError(
            f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    return start, end


def _asked(
    conn: Connection, org: str, start: date | str | None, end: date | str | None
) -> tuple[Any, date, date, Sequence[Any]]:
    """The organization asked of, the period to count (``_period``'s defaults) and its
    runs of missing data."""
    organization = organization_row(conn, org)
    first, last = _period(
        conn,
        organization,
        as_day(start) if start is not None else None,
        as_day(end) if end is not None else None,
    )
    missing = conn.execute(_MISSING_ROWS, {"org": organization.org_code}).all()
    return organization, first, last, missing


def counts_by_year(
    db: Session | Connection,
    org: str,
    start: date | str | None = None,
    end: date | str | None = None,
    *,
    month_day: tuple[int, int] = REFERENCE_DAY,
) -> list[MemberCount]:
    """The members of ``org`` as of the reference day (1 July unless ``month_day`` says
    otherwise) of every year whose reference day falls from ``start`` to ``end``; by
    default from the organization's first member to the last day its record covers. Each
    count is ``members_on`` that day, split by certainty. Raises :class:`QueryError` for
    an unknown organization or a period that ends before it starts."""
    conn = connection_of(db)
    organization, first, last, missing = _asked(conn, org, start, end)
    code = organization.org_code
    days = [reference_day(year, month_day) for year in range(first.year, last.year + 1)]
    return [
        _count(conn, code, day, organization, missing, day.year)
        for day in days
        if first <= day <= last
    ]


def _turning_days(conn: Connection, organization: Any) -> set[date]:
    """Every day on which the answer of ``members_on`` can change: the bounds of every span's
    dates and of their readings (a start becomes possible on its earliest day and certain
    on its latest; an end makes a member possible on its earliest day and ends it on its
    latest), the lifetime's bounds and the day after the horizon."""
    code = organization.org_code
    days: set[date] = set()
    for span_row in conn.execute(_SPAN_BOUNDS, {"org": code}):
        days.update(value for value in span_row if value is not None)
    for reading_row in conn.execute(_READING_BOUNDS, {"org": code}):
        days.update(value for value in reading_row if value is not None)
    lifetime, horizon = lifetime_from(organization), horizon_from(organization)
    days.update(day for day in (lifetime.start, lifetime.end) if day is not None)
    if horizon is not None:
        days.add(horizon.day + timedelta(days=1))
    days.discard(OPEN_UPPER)
    return days


def _same(one: MemberCount, other: MemberCount) -> bool:
    names = ("certain_states", "possible_states", "disputed_states", "contested_states")
    return all(getattr(one, name) == getattr(other, name) for name in names) and (
        one.unknown_states,
        one.outside_lifetime is None,
        one.past_horizon is None,
    ) == (other.unknown_states, other.outside_lifetime is None, other.past_horizon is None)


def counts_by_day(
    db: Session | Connection,
    org: str,
    start: date | str | None = None,
    end: date | str | None = None,
) -> list[MemberCount]:
    """The members of ``org`` from ``start`` to ``end`` at each change: one count on
    ``start`` and one on every later day on which who is counted, or how surely, changes
    (``until``: the first day of the next count). By default from the organization's first
    member to the last day its record covers. Each count is ``members_on`` that day.
    Raises :class:`QueryError` for an unknown organization or a period that ends before
    it starts."""
    conn = connection_of(db)
    organization, first, last, missing = _asked(conn, org, start, end)
    code = organization.org_code
    # A dataset's missing years change the unknown states on the first day of a year.
    years = {
        date(year, 1, 1)
        for _state, first_year, last_year in missing
        for year in (first_year, last_year + 1)
        if 1 <= year <= 9999
    }
    days = sorted(
        day for day in _turning_days(conn, organization) | years | {first} if first <= day <= last
    )
    found: list[MemberCount] = []
    for day in days:
        count = _count(conn, code, day, organization, missing)
        if found and _same(found[-1], count):
            continue
        if found:
            found[-1].until = day.isoformat()
        found.append(count)
    return found
