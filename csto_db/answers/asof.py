"""Which spans hold a day, and how surely: the one as-of rule behind members, the chair,
officials and timelines.

The rule. A subject is *listed* when the preferred reading of its span's dates puts the day
inside, certainly or possibly. Its certainty is ``certain`` when every reading puts the day
inside, ``possible`` when only the imprecision of the preferred dates leaves it open, and
``disputed`` when another reading puts the day outside (or leaves open what the preferred
reading settles); a disputed row carries those readings. A subject that the preferred
reading puts outside but another reading puts inside is *contested*: it is left out unless
asked for, and then marked ``contested``. A reading that only says less than another (a
year against a day inside it) competes with nothing. For a membership, no reading can place
it outside its organization's lifetime: the loader refuses a preferred reading that does,
and the others are clipped to the lifetime here, never dropped from the record.

Every organization's record has a *horizon*, the last day its sources cover (for the
curated record, the day it was last checked against them; for an organization known only
from a dataset, the end of the last year the dataset codes it). Past the horizon no row is
``certain``: a span the record leaves open may have ended, and who joined or left after it
is not known, so a row the dates would call certain is ``possible``, and the answer says
where the record ends (:meth:`Horizon.beyond`).

The day reaches SQL: a span table's ``reach_start`` and ``reach_end`` hold the outermost
bounds over all readings of its dates (the loader writes them, ``csto-db check`` recomputes
them), so the candidate spans come from an index; evidence is loaded for the rows answered.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, overload

from sqlalchemy import Connection, bindparam, func, select

from ..errors import QueryError
from ..store import tables
from ..store.dates import PartialDate
from .answer import connection_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CERTAIN, POSSIBLE, DISPUTED = "certain", "possible", "disputed"

#: What is not known past an organization's horizon, in the answers about its members.
MEMBERS_UNKNOWN = "states that joined or left"

#: The date fields of a span: their readings decide where a day falls.
SPAN_FIELDS = ("start", "end")


# --- Reach: the outermost bounds the loader stores -----------------------------------------


def reach_of(
    start: PartialDate, end: PartialDate | None, readings: Iterable[tuple[str, PartialDate | None]]
) -> tuple[date, date | None]:
    """``(reach_start, reach_end)`` of a span: the earliest day any reading can start it and
    the latest day any reading can end it (None while the span is open). ``readings`` are
    ``(field, value)`` pairs of its disputed ``start`` and ``end`` fields."""
    earliest = start.lower
    latest = end.upper if end is not None else None
    for name, value in readings:
        if value is None:
            continue
        if name == "start":
            earliest = min(earliest, value.lower)
        elif name == "end" and latest is not None:
            latest = max(latest, value.upper)
    return earliest, latest


# --- Lifetimes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lifetime:
    """When an organization's membership counts: from ``start``, before ``end`` (None: no
    such bound recorded). ``end`` is the first day it surely no longer counts: the latest
    day its recorded end can be (a dataset's year of dissolution ends on its last day);
    ``ended`` is that end as the source gives it, for the text."""

    organization: str
    name: str
    start: date | None
    end: date | None
    predecessor: str | None = None
    ended: str | None = None

    def holds(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)

    def explain(self, on: date) -> str | None:
        """One line saying why nobody is a member on ``on``, or None inside the lifetime."""
        if self.holds(on):
            return None
        if self.start is not None and on < self.start:
            line = (
                f"no members on {on.isoformat()}: {self.organization} membership begins "
                f"on {self.start.isoformat()}"
            )
            if self.predecessor:
                line += f"; --org {self.predecessor} answers for the time before"
            return line
        assert self.end is not None  # outside the lifetime and not before its start
        ended = self.ended or self.end.isoformat()
        when = f"on {ended}" if PartialDate.parse(ended).precision == "day" else f"in {ended}"
        return f"no members on {on.isoformat()}: {self.organization} membership ended {when}"

    @overload
    def clip(self, value: PartialDate, *, is_end: bool) -> PartialDate: ...
    @overload
    def clip(self, value: None, *, is_end: bool) -> PartialDate | None: ...
    def clip(self, value: PartialDate | None, *, is_end: bool) -> PartialDate | None:
        """A reading's bounds held inside the lifetime (an open end closes with it)."""
        if value is None:
            if is_end and self.end is not None:
                return PartialDate(self.end, self.end, self.end.isoformat(), "day")
            return None
        lower, upper = value.lower, value.upper
        if self.start is not None:
            lower, upper = max(lower, self.start), max(upper, self.start)
        if self.end is not None:
            lower, upper = min(lower, self.end), min(upper, self.end)
        if (lower, upper) == (value.lower, value.upper):
            return value
        return dataclasses.replace(value, lower=lower, upper=upper)


# On the table's columns, as every statement of the as-of path (see ``_READINGS`` in spans).
_ORGANIZATION = tables.organizations.c

#: The columns an as-of question reads from an organization's row: its lifetime and its
#: horizon. Labelled so that they can ride along with the candidate spans of a statement.
ORGANIZATION_COLUMNS = (
    _ORGANIZATION.code.label("org_code"),
    _ORGANIZATION.name.label("org_name"),
    _ORGANIZATION.predecessor_code.label("org_predecessor"),
    _ORGANIZATION.membership_start_lower.label("org_start"),
    _ORGANIZATION.membership_end_upper.label("org_end"),
    _ORGANIZATION.membership_end_edtf.label("org_ended"),
    _ORGANIZATION.horizon_upper.label("record_horizon"),
    _ORGANIZATION.horizon_edtf.label("record_horizon_edtf"),
    _ORGANIZATION.horizon_reasoning.label("record_horizon_reasoning"),
)

_ORGANIZATION_ROW = select(*ORGANIZATION_COLUMNS).where(_ORGANIZATION.code == bindparam("org"))
_ORGANIZATION_ROW_ANY_CASE = select(*ORGANIZATION_COLUMNS).where(
    func.lower(_ORGANIZATION.code) == func.lower(bindparam("org"))
)


def lifetime_from(row: Any) -> Lifetime:
    """The lifetime in a row that carries :data:`ORGANIZATION_COLUMNS`."""
    return Lifetime(
        row.org_code, row.org_name, row.org_start, row.org_end, row.org_predecessor, row.org_ended
    )


def horizon_from(row: Any) -> Horizon | None:
    """The horizon in a row that carries :data:`ORGANIZATION_COLUMNS` (None: none recorded)."""
    if row.record_horizon is None:
        return None
    return Horizon(
        row.org_code, row.record_horizon, row.record_horizon_edtf, row.record_horizon_reasoning
    )


def organization_row(conn: Connection, org: str) -> Any:
    """The :data:`ORGANIZATION_COLUMNS` of the organization ``org`` names, in any case (the
    code itself wins over another that differs only in case); raises :class:`QueryError`
    for an unknown code."""
    exact = conn.execute(_ORGANIZATION_ROW, {"org": org}).first()
    if exact is not None:
        return exact
    rows = conn.execute(_ORGANIZATION_ROW_ANY_CASE, {"org": org}).all()
    if len(rows) == 1:
        return rows[0]
    raise unknown_organization(conn, org)


def lifetime_of(conn: Connection, org: str) -> Lifetime:
    """The lifetime of ``org``'s membership (the code in any case); raises
    :class:`QueryError` for an unknown code."""
    return lifetime_from(organization_row(conn, org))


def horizon_of(conn: Connection, org: str) -> Horizon | None:
    """The horizon of ``org``'s record (the code in any case), or None when none is
    recorded; raises :class:`QueryError` for an unknown code."""
    return horizon_from(organization_row(conn, org))


# --- Organizations by code -----------------------------------------------------------------


def require_organization(db: Session | Connection, code: str) -> None:
    """Raise :class:`QueryError`, naming the organizations there are, unless ``code`` is one."""
    conn = connection_of(db)
    column = tables.organizations.c.code  # the table's column: no mapper configuration
    if conn.execute(select(column).where(column == code)).first() is None:
        raise unknown_organization(conn, code)


def organization_code(db: Session | Connection, text: str) -> str:
    """The organization code ``text`` names: the code itself, or the one code that matches
    it ignoring case (``csto`` for ``CSTO``; COW's codes such as ``AfDB`` mix cases).
    Raises :class:`QueryError` naming the codes there are."""
    conn = connection_of(db)
    # The table's column, not the mapped attribute: a mapped attribute in a statement makes
    # SQLAlchemy configure every mapper and relationship first, half a second of a command.
    code = tables.organizations.c.code
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
    codes = list(
        connection_of(db)
        .execute(select(tables.organizations.c.code).order_by(tables.organizations.c.code))
        .scalars()
    )
    if len(codes) <= _CODES_NAMED:
        return QueryError(f"unknown organization {code!r}; the database has: {', '.join(codes)}")
    close = difflib.get_close_matches(code, codes, n=5, cutoff=0.5)
    hint = f"closest: {', '.join(close)}; " if close else ""
    return QueryError(
        f"unknown organization {code!r}; {hint}{len(codes)} codes in all "
        f'(see `csto-db sql "SELECT o.code, o.name FROM organizations o"`)'
    )


# --- The horizon ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """The last day an organization's record covers (``day``, the upper bound of ``edtf``)
    and why it ends there. Past it no answer is certain."""

    organization: str
    day: date
    edtf: str
    reasoning: str

    def covers(self, on: date) -> bool:
        return on <= self.day

    def beyond(self, on: date, unknown: str = MEMBERS_UNKNOWN) -> str | None:
        """One line saying that the record ends before ``on`` and what is not known after
        it, or None when the record covers ``on``. ``unknown`` names what is not known."""
        if self.covers(on):
            return None
        return (
            f"the record of {self.organization} ends on {self.day.isoformat()}, "
            f"{self.reasoning}; {unknown} after it are not known, and no answer after it "
            "is certain"
        )


def horizon_fields(horizon: Horizon | None, on: date, unknown: str) -> dict[str, str | None]:
    """The ``horizon`` and ``past_horizon`` fields of an answer on ``on``: the last day the
    record covers, and past it the line of :meth:`Horizon.beyond`."""
    if horizon is None:
        return {"horizon": None, "past_horizon": None}
    return {"horizon": horizon.day.isoformat(), "past_horizon": horizon.beyond(on, unknown)}


def past_horizon(certainty: str, on: date, horizon: date | None) -> str:
    """The rule's certainty on ``on`` once the record's horizon is weighed: ``certain``
    becomes ``possible`` past it; every other answer stands."""
    if certainty == CERTAIN and horizon is not None and on > horizon:
        return POSSIBLE
    return certainty


# --- The rule ------------------------------------------------------------------------------


def _inside(start: PartialDate, end: PartialDate | None, on: date) -> str | None:
    if start.upper <= on and (end is None or on < end.lower):
        return CERTAIN
    if start.lower <= on and (end is None or on < end.upper):
        return POSSIBLE
    return None


@dataclass(frozen=True)
class Verdict:
    """Where a day falls in a span: ``certainty``, whether the subject is ``contested``
    (the preferred reading puts it outside, another inside), and ``explaining``: the other
    reading values that put the day outside a listed span, or inside a contested one."""

    certainty: str
    contested: bool
    explaining: frozenset[tuple[str, PartialDate | None]]


def judge(
    starts: Sequence[PartialDate],
    ends: Sequence[PartialDate | None],
    on: date,
    lifetime: Lifetime | None = None,
    horizon: date | None = None,
) -> Verdict | None:
    """Apply the rule. ``starts[0]`` and ``ends[0]`` are the preferred readings; the others
    compete with them; past ``horizon`` (the last day the record covers) nothing is
    certain. Returns None when no reading puts the day inside."""

    def clip_start(value: PartialDate) -> PartialDate:
        return lifetime.clip(value, is_end=False) if lifetime else value

    def clip_end(value: PartialDate | None) -> PartialDate | None:
        return lifetime.clip(value, is_end=True) if lifetime else value

    preferred = _inside(clip_start(starts[0]), clip_end(ends[0]), on)
    others = []  # (outcome, the non-preferred values in the combination)
    for i, start in enumerate(starts):
        for j, end in enumerate(ends):
            if i == j == 0:
                continue
            values = ({("start", start)} if i else set()) | ({("end", end)} if j else set())
            others.append((_inside(clip_start(start), clip_end(end), on), values))
    if preferred is None:
        telling = [values for outcome, values in others if outcome is not None]
    elif preferred == CERTAIN:
        telling = [values for outcome, values in others if outcome != CERTAIN]
    else:
        telling = [values for outcome, values in others if outcome is None]
    if not telling:
        if preferred is None:
            return None
        return Verdict(past_horizon(preferred, on, horizon), False, frozenset())
    # The readings that tell: those that do it alone, against the other preferred date;
    # only when none does, those that do it together.
    alone = [values for values in telling if len(values) == 1]
    explaining = frozenset().union(*(alone or telling))
    return Verdict(DISPUTED, preferred is None, explaining)


@dataclass(frozen=True)
class Period:
    """Days ``[first, until)`` over which the rule's verdict on a span holds unchanged
    (``until`` None: every day after ``first``)."""

    first: date
    until: date | None
    verdict: Verdict


def verdict_periods(
    starts: Sequence[PartialDate],
    ends: Sequence[PartialDate | None],
    lifetime: Lifetime | None = None,
    horizon: date | None = None,
) -> list[Period]:
    """The rule's verdict (:func:`judge`) on every day, as the periods over which it holds
    unchanged; the days no reading puts inside are in no period. The verdict changes only
    on a bound of a reading, of the lifetime, or the day after the horizon, so it is judged
    once per period, on its first day: the answer for a year or a range of days without a
    judgement per day."""
    days: set[date] = set()
    for value in (*starts, *ends):
        if value is not None:
            days.update((value.lower, value.upper))
    if lifetime is not None:
        days.update(day for day in (lifetime.start, lifetime.end) if day is not None)
    if horizon is not None and horizon < date.max:
        days.add(horizon + timedelta(days=1))
    ordered = sorted(days)
    periods = []
    for index, first in enumerate(ordered):
        verdict = judge(starts, ends, first, lifetime, horizon)
        if verdict is not None:
            until = ordered[index + 1] if index + 1 < len(ordered) else None
            periods.append(Period(first, until, verdict))
    return periods


def certainty_on(
    starts: Sequence[PartialDate],
    ends: Sequence[PartialDate | None],
    on: date,
    horizon: date | None = None,
) -> str | None:
    """The rule's answer in one word: ``certain``, ``possible``, ``disputed``, ``contested``
    or None (first reading of each list preferred; nothing certain past ``horizon``)."""
    verdict = judge(starts, ends, on, horizon=horizon)
    if verdict is None:
        return None
    return "contested" if verdict.contested else verdict.certainty


def contested_note(
    subject: str, readings: Iterable[dict[str, Any]], *, listed: bool = False
) -> str:
    """The one line the text output gives a contested subject: the other readings (as the
    JSON gives them) that put it inside, their sources, and the dispute to look up; whether
    it is listed above (``--contested``) or left out."""
    said = "; ".join(
        f"{r['field']} {r['value']} by "
        f"{', '.join(sorted({c['source'] for c in r['citations']}))} (dispute {r['dispute']})"
        for r in readings
        if not r["preferred"]
    )
    if listed:
        return f"contested, listed above: {subject}: {said}"
    return f"contested, not listed: {subject}: {said}; --contested lists it"
