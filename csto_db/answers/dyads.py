"""What two states share: the organizations both are members of on a day (each with the weaker
of the two states' certainties) or, as COW codes it, in a year; those a dataset leaves
unknown; and the year rule that turns a span's days into COW's years.

The year rule. COW codes a state a member in a year when it was a member "at some point in
the year". A span's year-membership follows the as-of rule (:mod:`csto_db.answers.asof`):
a state is a member of an organization in year Y when the rule lists its membership span on
some day of Y (certainly or possibly), inside the organization's lifetime. The rule lists a
span on exactly the days from the earliest day its preferred start can be to the day before
the latest day its preferred end can be (``[start_lower, end_upper)``), so those are the
span's days, and the years they touch its years (:func:`listed_years`). A span COW codes
``1`` from 1990 to 2000 is stored with the year-precision start ``1990`` and end ``2000``,
and its years are 1990–2000 again; a day-precise span counts in every year it touches
(the CSTO from 2003-09-18 counts in 2003). A year the dataset codes ``-9`` (no data) for
the state is unknown, whatever its spans' imprecise dates allow: missing data wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from ..errors import QueryError
from ..store.dates import as_day
from ..store.models import MEMBER_STATUSES, MembershipSpan, MissingData, Organization, State
from .answer import FrozenAnswer, connection_of, edtf_of
from .asof import (
    CERTAIN,
    DISPUTED,
    MEMBERS_UNKNOWN,
    ORGANIZATION_COLUMNS,
    POSSIBLE,
    Lifetime,
    horizon_fields,
    horizon_from,
    lifetime_from,
)
from .membership import Membership
from .spans import candidates, reach_holds, spans_on, with_readings

_SPANS, _STATES, _MISSING = MembershipSpan.__table__, State.__table__, MissingData.__table__
_ORGS = Organization.__table__

#: The certainties from strongest to weakest: a shared membership is only as sure as the
#: less sure of its two states. ``disputed`` (another reading puts the day outside) is
#: weaker than ``possible`` (only the imprecision of the preferred dates leaves it open).
CERTAINTY_ORDER = (CERTAIN, POSSIBLE, DISPUTED)


def weaker(first: str, second: str) -> str:
    """The weaker of two certainties (see :data:`CERTAINTY_ORDER`)."""
    return max(first, second, key=CERTAINTY_ORDER.index)


# --- The year rule -----------------------------------------------------------------------------


def listed_years(
    start_lower: date, end_upper: date | None, lifetime: Lifetime | None, *, last: int
) -> range:
    """The years in which the as-of rule lists a span whose preferred start can be as early
    as ``start_lower`` and whose preferred end as late as ``end_upper`` (None: open) on
    some day, inside ``lifetime``; an open span runs to the year ``last``."""
    first_day = start_lower
    if lifetime is not None and lifetime.start is not None:
        first_day = max(first_day, lifetime.start)
    ends = [day for day in (end_upper, lifetime.end if lifetime else None) if day is not None]
    if not ends:
        return range(first_day.year, last + 1)
    end = min(ends)  # the first day the rule no longer lists it
    if end <= first_day:
        return range(0)
    return range(first_day.year, min((end - timedelta(days=1)).year, last) + 1)


# --- States ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateName:
    """A state as the answers name it: ISO code, name and COW code."""

    iso3: str
    name: str
    cow_ccode: int | None


def state_named(db: Session | Connection, text: str) -> StateName:
    """The state ``text`` names: its ISO alpha-3 code in any case, or its COW code
    (``371`` for Armenia). Raises :class:`QueryError` for one the database does not have."""
    conn = connection_of(db)
    columns = (_STATES.c.iso3, _STATES.c.name, _STATES.c.cow_ccode)
    if text.strip().isdigit():
        row = conn.execute(select(*columns).where(_STATES.c.cow_ccode == int(text.strip()))).first()
    else:
        row = conn.execute(
            select(*columns).where(func.upper(_STATES.c.iso3) == text.strip().upper())
        ).first()
    if row is None:
        raise QueryError(
            f"unknown state {text!r}: give an ISO alpha-3 code or a COW state code the "
            'database has (see `csto-db sql "SELECT iso3, name, cow_ccode FROM states"`)'
        )
    return StateName(row.iso3, row.name, row.cow_ccode)


def _two_states(conn: Connection, first: str, second: str) -> tuple[StateName, StateName]:
    one, other = state_named(conn, first), state_named(conn, second)
    if one.iso3 == other.iso3:
        raise QueryError(f"{first!r} and {second!r} are the same state ({one.iso3}): name two")
    return one, other


# --- Answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedOnDay(FrozenAnswer):
    """An organization both states are members of on a day: ``certainty`` is the weaker of
    the two states' own (``members``' rows for them, in ``memberships``)."""

    organization: str
    name: str
    certainty: str
    horizon: str | None
    past_horizon: str | None
    memberships: tuple[Membership, Membership]


@dataclass(frozen=True)
class SharedInYear(FrozenAnswer):
    """An organization both states are full members of in a year, by the year rule; the
    keys of the spans that make each a member that year. ``past_horizon`` says so when the
    organization's record ends before the year does."""

    organization: str
    name: str
    horizon: str | None
    past_horizon: str | None
    spans: tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class UnknownShared(FrozenAnswer):
    """An organization a dataset codes as missing data (COW's ``-9``) for one state or both
    in the year: whether the two shared it is not known."""

    organization: str
    name: str
    missing: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SharedMemberships(FrozenAnswer):
    """What two states share on a day (``on``) or in a year (``year``): ``shared``, and
    apart from it ``unknown``, the organizations with no data for either state then."""

    states: tuple[str, str]
    on: str | None
    year: int | None
    shared: list[SharedOnDay] | list[SharedInYear]
    unknown: list[UnknownShared]


# --- On a day ----------------------------------------------------------------------------------


def _member_spans_of(table: Any, first: Any, second: Any, *conditions: Any) -> Any:
    """The condition that a span of ``table`` is a member span of one of the two states in
    an organization where the other state also has a member span meeting ``conditions``
    (an alias of the span table is the other state's)."""
    other = _SPANS.alias("other_state")
    member = or_(*(table.c.status == status for status in MEMBER_STATUSES))
    other_member = or_(*(other.c.status == status for status in MEMBER_STATUSES))
    return and_(
        or_(table.c.state_iso3 == first, table.c.state_iso3 == second),
        member,
        exists()
        .where(
            other.c.organization_code == table.c.organization_code,
            or_(other.c.state_iso3 == first, other.c.state_iso3 == second),
            other.c.state_iso3 != table.c.state_iso3,
            other_member,
            *(condition(other) for condition in conditions),
        )
        .correlate(table),
    )


#: The member spans of either state whose reach holds the day, in the organizations where the
#: other state has one too, inside the organization's lifetime (as members_on asks it), with
#: their readings: the candidates the as-of rule weighs. The state index finds the spans;
#: the as-of index (organization, reach_start) answers the EXISTS.
SHARED_CANDIDATES = with_readings(
    candidates(
        _SPANS,
        _member_spans_of(_SPANS, bindparam("first"), bindparam("second"), reach_holds),
        or_(
            _ORGS.c.membership_start_lower.is_(None),
            _ORGS.c.membership_start_lower <= bindparam("on"),
        ),
        or_(_ORGS.c.membership_end_upper.is_(None), _ORGS.c.membership_end_upper > bindparam("on")),
    )
    .add_columns(_STATES.c.name.label("state_name"))
    .join(_STATES, _STATES.c.iso3 == _SPANS.c.state_iso3)
    .order_by(_SPANS.c.organization_code, _SPANS.c.state_iso3, _SPANS.c.start_lower),
    _SPANS,
)

#: The organizations the dataset codes -9 for either state in a year, with their names.
MISSING_IN_YEAR = (
    select(
        _MISSING.c.organization_code,
        _ORGS.c.name,
        _MISSING.c.state_iso3,
        _MISSING.c.source_key,
    )
    .join(_ORGS, _ORGS.c.code == _MISSING.c.organization_code)
    .where(
        # IN, not OR: every engine then reads the state index for both states at once.
        _MISSING.c.state_iso3.in_([bindparam("first"), bindparam("second")]),
        _MISSING.c.first_year <= bindparam("year"),
        _MISSING.c.last_year >= bindparam("year"),
    )
    .order_by(_MISSING.c.organization_code, _MISSING.c.state_iso3)
)


def _unknown(conn: Connection, first: str, second: str, year: int) -> list[UnknownShared]:
    found: dict[str, tuple[str, list[str], set[str]]] = {}
    for row in conn.execute(MISSING_IN_YEAR, {"first": first, "second": second, "year": year}):
        _name, states, sources = found.setdefault(row.organization_code, (row.name, [], set()))
        states.append(row.state_iso3)
        sources.add(row.source_key)
    # Ordered here, not by the engine: collations order mixed-case codes (AfDB) apart.
    return [
        UnknownShared(code, name, tuple(sorted(states)), tuple(sorted(sources)))
        for code, (name, states, sources) in sorted(found.items())
    ]


def shared_on(
    db: Session | Connection, first: str, second: str, on: date | str
) -> SharedMemberships:
    """The organizations both states are members of on ``on``, each with the weaker of the
    two states' certainties, by the rule of ``members`` (:func:`csto_db.answers.membership.
    members_on`: the preferred reading lists a state, inside the organization's lifetime;
    past its horizon nothing is certain). An organization a dataset codes as missing data
    (``-9``) for either state in the year of ``on`` is listed apart in ``unknown``, never in
    ``shared``. States are ISO alpha-3 codes in any case or COW codes. Raises
    :class:`QueryError` for an unknown state or twice the same one."""
    on = as_day(on)
    conn = connection_of(db)
    one, other = _two_states(conn, first, second)
    unknown = _unknown(conn, one.iso3, other.iso3, on.year)
    missing = {row.organization for row in unknown}
    rows = [
        row
        for row in conn.execute(
            SHARED_CANDIDATES, {"first": one.iso3, "second": other.iso3, "on": on}
        ).all()
        if row.organization_code not in missing
    ]
    # The lifetime is in the statement's condition: with the day inside it, clipping a
    # reading to the lifetime cannot move the day across the reading's bounds, so the rule
    # is asked once for every organization rather than once per lifetime.
    seen = spans_on(conn, rows, on)
    by_organization: dict[str, dict[str, Membership]] = defaultdict(dict)
    rows_of: dict[str, Any] = {}
    for span in seen:
        row = span.row
        rows_of.setdefault(row.org_code, row)
        horizon = horizon_fields(horizon_from(row), on, MEMBERS_UNKNOWN)
        membership = Membership(
            state=row.state_iso3,
            name=row.state_name,
            organization=row.org_code,
            status=row.status,
            certainty=span.day_certainty,
            contested=span.contested,
            since=span.start.edtf,
            until=edtf_of(span.end),
            span=span.key,
            inferred=bool(row.inferred),
            reasoning=row.reasoning,
            **horizon,
            citations=span.citations,
            readings=span.readings,
        )
        held = by_organization[row.org_code].get(row.state_iso3)
        # Two spans of a state holding one day (a member, then frozen): the surer one.
        if held is None or CERTAINTY_ORDER.index(membership.certainty) < CERTAINTY_ORDER.index(
            held.certainty
        ):
            by_organization[row.org_code][row.state_iso3] = membership
    shared = []
    for code, states in sorted(by_organization.items()):
        if one.iso3 not in states or other.iso3 not in states:
            continue
        pair = (states[one.iso3], states[other.iso3])
        horizon = horizon_fields(horizon_from(rows_of[code]), on, MEMBERS_UNKNOWN)
        shared.append(
            SharedOnDay(
                organization=code,
                name=rows_of[code].org_name,
                certainty=weaker(pair[0].certainty, pair[1].certainty),
                horizon=horizon["horizon"],
                past_horizon=horizon["past_horizon"],
                memberships=pair,
            )
        )
    return SharedMemberships((one.iso3, other.iso3), on.isoformat(), None, shared, unknown)


# --- In a year, as COW codes it ------------------------------------------------------------------


#: The member spans of either state that may touch the year (their reach overlaps it), in
#: the organizations where the other state has such a span too, with each organization's
#: lifetime: the year rule decides which touch it.
def _touches_year(table: Any) -> Any:
    return and_(
        table.c.reach_start <= bindparam("year_end"),
        or_(table.c.reach_end.is_(None), table.c.reach_end > bindparam("year_start")),
    )


SHARED_YEAR_CANDIDATES = (
    select(
        _SPANS.c.key,
        _SPANS.c.state_iso3,
        _SPANS.c.start_lower,
        _SPANS.c.end_upper,
        *ORGANIZATION_COLUMNS,
    )
    .join(_ORGS, _ORGS.c.code == _SPANS.c.organization_code)
    .where(
        _member_spans_of(_SPANS, bindparam("first"), bindparam("second"), _touches_year),
        _touches_year(_SPANS),
    )
    .order_by(_SPANS.c.organization_code, _SPANS.c.state_iso3, _SPANS.c.start_lower)
)


def shared_in_year(
    db: Session | Connection, first: str, second: str, year: int
) -> SharedMemberships:
    """The organizations both states are full members of in ``year``, as COW codes joint
    membership: both members in that year by the year rule (see this module); associate
    membership and observer status do not count. An organization a dataset codes as missing
    data (``-9``) for either state in ``year`` is listed apart in ``unknown``, as COW's
    dyadic layout codes it -9. Raises :class:`QueryError` for an unknown state or twice the
    same one."""
    conn = connection_of(db)
    one, other = _two_states(conn, first, second)
    unknown = _unknown(conn, one.iso3, other.iso3, year)
    missing = {row.organization for row in unknown}
    params = {
        "first": one.iso3,
        "second": other.iso3,
        "year_start": date(year, 1, 1),
        "year_end": date(year, 12, 31),
    }
    spans: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows_of: dict[str, Any] = {}
    for row in conn.execute(SHARED_YEAR_CANDIDATES, params):
        if row.org_code in missing:
            continue
        if year in listed_years(row.start_lower, row.end_upper, lifetime_from(row), last=year):
            spans[row.org_code][row.state_iso3].append(row.key)
            rows_of[row.org_code] = row
    # The year is covered when its last day is: a record ending inside it leaves the rest open.
    last_day = date(year, 12, 31)
    shared = [
        SharedInYear(
            code,
            rows_of[code].org_name,
            **horizon_fields(horizon_from(rows_of[code]), last_day, MEMBERS_UNKNOWN),
            spans=(tuple(states[one.iso3]), tuple(states[other.iso3])),
        )
        for code, states in sorted(spans.items())
        if one.iso3 in states and other.iso3 in states
    ]
    return SharedMemberships((one.iso3, other.iso3), None, year, shared, unknown)


# --- Every state's years, for the dyadic layouts ----------------------------------------------


#: The last year of an organization whose record has no end: a span still open, no lifetime
#: end and no horizon.
OPEN_YEAR = 9999


@dataclass(frozen=True)
class OrganizationYears:
    """An organization's years in the record: ``first`` to ``last``, the years it codes
    anything (a span of any status, missing data) inside its lifetime, to its horizon or
    the end of its lifetime."""

    code: str
    first: int
    last: int


#: Every member span with its organization's lifetime, for the year rule over many years.
_ALL_MEMBER_SPANS = (
    select(
        _SPANS.c.organization_code,
        _SPANS.c.state_iso3,
        _SPANS.c.start_lower,
        _SPANS.c.end_upper,
        *ORGANIZATION_COLUMNS,
    )
    .join(_ORGS, _ORGS.c.code == _SPANS.c.organization_code)
    .where(
        or_(*(_SPANS.c.status == status for status in MEMBER_STATUSES)),
        _SPANS.c.reach_start <= bindparam("last_day"),
        or_(_SPANS.c.reach_end.is_(None), _SPANS.c.reach_end > bindparam("first_day")),
    )
)

_ALL_MISSING = select(
    _MISSING.c.organization_code,
    _MISSING.c.state_iso3,
    _MISSING.c.first_year,
    _MISSING.c.last_year,
).where(_MISSING.c.first_year <= bindparam("last"), _MISSING.c.last_year >= bindparam("first"))


def member_years(
    db: Session | Connection, first: int, last: int
) -> Iterator[tuple[str, str, range]]:
    """``(organization, state, years)`` for every member span: the years from ``first`` to
    ``last`` in which the year rule makes the state a full member (missing data not yet
    taken out: see :func:`missing_years`)."""
    conn = connection_of(db)
    lifetimes: dict[str, Lifetime] = {}
    params = {"first_day": date(first, 1, 1), "last_day": date(last, 12, 31)}
    for row in conn.execute(_ALL_MEMBER_SPANS, params):
        lifetime = lifetimes.get(row.org_code)
        if lifetime is None:
            lifetime = lifetimes[row.org_code] = lifetime_from(row)
        years = listed_years(row.start_lower, row.end_upper, lifetime, last=last)
        if years and years[0] < first:
            years = range(first, years.stop)
        if years:
            yield row.organization_code, row.state_iso3, years


def missing_years(
    db: Session | Connection, first: int, last: int
) -> Iterator[tuple[str, str, range]]:
    """``(organization, state, years)`` for every run of missing data (``-9``) between
    ``first`` and ``last``."""
    rows = connection_of(db).execute(_ALL_MISSING, {"first": first, "last": last})
    for code, state, run_first, run_last in rows:
        yield code, state, range(max(first, run_first), min(last, run_last) + 1)


def organization_years(db: Session | Connection) -> list[OrganizationYears]:
    """Each organization the record codes a state in, with the years it spans (see
    :class:`OrganizationYears`), by code: the columns of COW's dyadic layout. Its first
    year is the first its lifetime holds, else the first any of its spans or runs of
    missing data can start; its last the last its lifetime holds, else its horizon's, else
    the last year its spans or missing data reach (:data:`OPEN_YEAR` when a span is
    still open)."""
    conn = connection_of(db)
    spans = {
        code: (start, None if open_spans else end)
        for code, start, end, open_spans in conn.execute(
            select(
                _SPANS.c.organization_code,
                func.min(_SPANS.c.start_lower),
                func.max(_SPANS.c.end_upper),
                func.count() - func.count(_SPANS.c.end_upper),
            ).group_by(_SPANS.c.organization_code)
        )
    }
    missing = {
        code: (start, end)
        for code, start, end in conn.execute(
            select(
                _MISSING.c.organization_code,
                func.min(_MISSING.c.first_year),
                func.max(_MISSING.c.last_year),
            ).group_by(_MISSING.c.organization_code)
        )
    }
    found = []
    for row in conn.execute(
        select(*ORGANIZATION_COLUMNS).where(
            _ORGS.c.code.in_(select(_SPANS.c.organization_code).distinct())
            | _ORGS.c.code.in_(select(_MISSING.c.organization_code).distinct())
        )
    ):
        lifetime = lifetime_from(row)
        starts = [spans[row.org_code][0].year] if row.org_code in spans else []
        starts += [missing[row.org_code][0]] if row.org_code in missing else []
        ends = [missing[row.org_code][1]] if row.org_code in missing else []
        if row.org_code in spans:
            span_end = spans[row.org_code][1]  # None: a span still open
            ends.append(OPEN_YEAR if span_end is None else (span_end - timedelta(days=1)).year)
        first = lifetime.start.year if lifetime.start else min(starts)
        if lifetime.end is not None:
            last = (lifetime.end - timedelta(days=1)).year
        elif row.record_horizon is not None:
            last = row.record_horizon.year
        else:
            last = max(ends)
        found.append(OrganizationYears(row.org_code, first, last))
    return sorted(found, key=lambda o: o.code)


def years_by_state(
    entries: Iterable[tuple[str, str, range]], columns: Sequence[str]
) -> dict[int, dict[str, int]]:
    """``{year: {state: bits}}``: for each year the organizations (bit ``i`` for
    ``columns[i]``) each state has an entry of ``entries`` in."""
    bit_of = {code: 1 << index for index, code in enumerate(columns)}
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, state, years in entries:
        bit = bit_of.get(code)
        if bit is None:
            continue
        for year in years:
            found[year][state] |= bit
    return found
