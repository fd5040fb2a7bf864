"""The curated record against independent datasets: COW IGO year by year, ATOP day by day."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ..answers.asof import certainty_on
from ..answers.evidence import Quote, competing
from ..answers.spans import SeenSpan, spans_seen
from ..errors import QueryError
from ..store.dates import PartialDate
from ..store.models import (
    MEMBER_STATUSES,
    DisputeSubject,
    MembershipSpan,
    Organization,
    Source,
    State,
)
from .cow_rows import DatasetError, cow_states, parse_cow

#: The source whose held text is COW's rows for the CSTO (the seeds hold it).
COW_HELD_SOURCE = "cow-igo-v3"
#: ATOP's number for the Collective Security Treaty, and the organizations of the record it
#: covers: the Treaty's parties and, from the Charter, the Organization's members.
ATOP_ALLIANCE = 4220
ATOP_ORGANIZATIONS = ("CST", "CSTO")
#: ATOP 5.1 ends its data here; an exit of 0 means still in effect on this day.
ATOP_LAST_DAY = date(2018, 12, 31)


@dataclass
class SpanEvidence:
    """A curated span a comparison rests on: its key, dates, citations and disputes."""

    span: str
    organization: str
    status: str
    start: str
    end: str | None
    citations: list[Quote]
    disputes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "span": self.span,
            "organization": self.organization,
            "status": self.status,
            "start": self.start,
            "end": self.end,
            "citations": [quote.to_dict() for quote in self.citations],
            "disputes": self.disputes,
        }


@dataclass
class RecordSpan:
    """A curated span with every reading of its dates: where a day falls, by the as-of
    rule."""

    seen: SeenSpan
    starts: list[PartialDate]
    ends: list[PartialDate | None]

    @classmethod
    def of(cls, seen: SeenSpan) -> RecordSpan:
        def others(name: str, preferred: PartialDate | None) -> list[PartialDate]:
            readings = competing([r for r in seen.readings if r.field == name])
            return [value for value in readings if value != preferred]

        return cls(
            seen, [seen.start, *others("start", seen.start)], [seen.end, *others("end", seen.end)]
        )

    @property
    def key(self) -> str:
        return self.seen.key

    @property
    def row(self) -> Any:
        return self.seen.row

    @property
    def start(self) -> PartialDate:
        return self.seen.start

    @property
    def end(self) -> PartialDate | None:
        return self.seen.end

    @property
    def citations(self) -> list[Quote]:
        return self.seen.citations

    def certainty(self, on: date) -> str | None:
        """``certain``, ``possible``, ``disputed`` or None; a day only another reading puts
        inside (``contested``) counts as disputed."""
        answer = certainty_on(self.starts, self.ends, on)
        return "disputed" if answer == "contested" else answer


def _disputes_of(connection: Connection, keys: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    if not keys:
        return found
    for fact_key, dispute in connection.execute(
        select(DisputeSubject.fact_key, DisputeSubject.dispute_key)
        .where(DisputeSubject.fact_key.in_(keys))
        .order_by(DisputeSubject.fact_key, DisputeSubject.dispute_key)
    ):
        if dispute not in found[fact_key]:
            found[fact_key].append(dispute)
    return found


def _evidence(span: RecordSpan, disputes: dict[str, list[str]]) -> SpanEvidence:
    return SpanEvidence(
        span.key,
        span.row.organization_code,
        span.row.status,
        span.start.edtf,
        span.end.edtf if span.end else None,
        span.citations,
        disputes.get(span.key, []),
    )


def _record_spans(
    connection: Connection, organizations: tuple[str, ...]
) -> tuple[dict[str, list[RecordSpan]], dict[str, list[str]]]:
    """The curated member spans of ``organizations``, by state, and their disputes."""
    spans_table = MembershipSpan.__table__
    statement = (
        select(spans_table)
        .where(
            spans_table.c.organization_code.in_(organizations),
            spans_table.c.status.in_(MEMBER_STATUSES),
        )
        .order_by(spans_table.c.state_iso3, spans_table.c.start_lower)
    )
    spans = [RecordSpan.of(seen) for seen in spans_seen(connection, statement, {})]
    by_state: dict[str, list[RecordSpan]] = defaultdict(list)
    for span in spans:
        by_state[span.row.state_iso3].append(span)
    return by_state, _disputes_of(connection, [span.key for span in spans])


def _states_by_ccode(connection: Connection) -> dict[int, str]:
    return {
        ccode: iso3
        for ccode, iso3 in connection.execute(
            select(State.cow_ccode, State.iso3).where(State.cow_ccode.is_not(None))
        )
        if ccode is not None
    }  # as the query says; the type checker cannot see it


# --- COW: year by year -------------------------------------------------------------------------


@dataclass
class YearComparison:
    """One state in one year: COW's code against the record, by COW's rule."""

    year: int
    state: str
    cow: str
    record: str
    agreement: str
    evidence: list[SpanEvidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "state": self.state,
            "cow": self.cow,
            "record": self.record,
            "agreement": self.agreement,
            "evidence": [item.to_dict() for item in self.evidence],
        }


@dataclass
class CowCrosscheck:
    """The comparison of one organization with COW: every state-year either side codes."""

    organization: str
    ionum: int | None
    source: str
    years: list[int]
    comparisons: list[YearComparison]
    note: str | None = None

    def counts(self) -> dict[str, int]:
        tally: dict[str, int] = defaultdict(int)
        for item in self.comparisons:
            tally[item.agreement] += 1
        return dict(sorted(tally.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": "cow",
            "organization": self.organization,
            "ionum": self.ionum,
            "source": self.source,
            "years": self.years,
            "counts": self.counts(),
            "note": self.note,
            "comparisons": [item.to_dict() for item in self.comparisons],
        }


def _record_in_year(spans: list[RecordSpan], year: int) -> tuple[str, list[RecordSpan]]:
    """``member`` when some day of ``year`` is certainly inside a member span, ``possible``
    when only the imprecision of a date allows it, else ``not a member``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    certain, possible = [], []
    for span in spans:
        end_lower = span.end.lower if span.end else date.max
        end_upper = span.end.upper if span.end else date.max
        if span.start.upper <= last and max(span.start.upper, first) < end_lower:
            certain.append(span)
        elif span.start.lower <= last and first < end_upper:
            possible.append(span)
    if certain:
        return "member", certain
    if possible:
        return "possible", possible
    return "not a member", []


def _agreement(cow: str, record: str) -> str:
    if cow == "-9":
        return "cow unknown"
    if record == "possible":
        return "record uncertain"
    cow_member = cow == "1"
    return "agree" if cow_member == (record == "member") else "disagree"


def crosscheck_cow(connection: Connection, org: str, *, path: Path | None = None) -> CowCrosscheck:
    """Compare the record's members of ``org`` with COW's codes, year by year, by COW's rule
    that a member at any time in a year is a member that year.

    COW's rows come from the file at ``path`` (its rows with the organization's COW number)
    or, by default, from the text the source ``cow-igo-v3`` holds. Every state either side
    counts in some year is listed, each year, with the curated spans, their citations and
    the disputes they belong to. ``org`` is a code in any case.
    """
    from ..answers.asof import organization_code

    org = organization_code(connection, org)
    row = connection.execute(
        select(Organization.code, Organization.cow_ionum).where(Organization.code == org)
    ).first()
    if row is None:
        raise QueryError(f"unknown organization {org!r}")
    if path is not None:
        try:
            raw, source = path.read_bytes(), path.name
        except OSError as error:
            raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None
    else:
        text = connection.execute(
            select(Source.full_text).where(Source.key == COW_HELD_SOURCE)
        ).scalar()
        if text is None:
            raise QueryError(f"source {COW_HELD_SOURCE} holds no text; pass COW's file")
        raw, source = text.encode("utf-8"), COW_HELD_SOURCE
    if row.cow_ionum is None:
        return CowCrosscheck(
            org, None, source, [], [], note=f"COW has no organization for {org}: nothing to compare"
        )
    data = parse_cow(source, raw)
    organization = next((o for o in data.organizations if o.ionum == row.cow_ionum), None)
    if organization is None:
        return CowCrosscheck(
            org,
            row.cow_ionum,
            source,
            [],
            [],
            note=f"{source} has no rows with ionum {row.cow_ionum}",
        )
    by_state, disputes = _record_spans(connection, (org,))
    ccode_iso3 = _states_by_ccode(connection)
    columns = {state.column: state for state in cow_states().values()}
    cow_by_state = {
        ccode_iso3.get(columns[name].ccode, columns[name].iso3): cells
        for name, cells in organization.codes.items()
    }
    comparisons = []
    for iso3 in sorted(set(cow_by_state) | set(by_state)):
        cells = cow_by_state.get(iso3, ("0",) * len(organization.years))
        for year, cell in zip(organization.years, cells, strict=True):
            record, spans = _record_in_year(by_state.get(iso3, []), year)
            agreement = _agreement(cell or "0", record)
            shown = spans or by_state.get(iso3, [])
            comparisons.append(
                YearComparison(
                    year,
                    iso3,
                    cell or "0",
                    record,
                    agreement,
                    [_evidence(span, disputes) for span in shown] if agreement != "agree" else [],
                )
            )
    return CowCrosscheck(org, row.cow_ionum, source, organization.years, comparisons)


# --- ATOP: day by day, phase by phase ---------------------------------------------------------


@dataclass(frozen=True)
class AtopMembership:
    """One member of one phase of an ATOP alliance: its first and last day in it."""

    ccode: int
    phase: int
    entered: date
    left: date


def read_atop(raw: bytes, name: str, alliance: int = ATOP_ALLIANCE) -> list[AtopMembership]:
    """The members of ``alliance`` in ATOP's member-level CSV; raises :class:`DatasetError`
    naming the line and column of a bad cell."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{name}: not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    needed = (
        "atopid",
        "member",
        "phase",
        "yrent",
        "moent",
        "dayent",
        "yrexit",
        "moexit",
        "dayexit",
    )
    columns = list(reader.fieldnames or [])
    missing = [column for column in needed if column not in columns]
    if missing:
        raise DatasetError(f"{name}: line 1: no column {missing[0]!r}; not ATOP's member file")
    position = {column: columns.index(column) + 1 for column in needed}
    found = []
    for record in reader:
        line = reader.line_num

        def number(column: str, record: dict[str, str] = record, line: int = line) -> int:
            try:
                return int(record[column])
            except (TypeError, ValueError):
                raise DatasetError(
                    f"{name}: line {line}, column {position[column]} ({column}):"
                    f" {record[column]!r} is not a whole number"
                ) from None

        if number("atopid") != alliance:
            continue
        try:
            entered = date(number("yrent"), number("moent"), number("dayent"))
            exit_year = number("yrexit")
            left = (
                ATOP_LAST_DAY
                if exit_year == 0
                else date(exit_year, number("moexit"), number("dayexit"))
            )
        except ValueError as error:
            raise DatasetError(f"{name}: line {line}: not a real day ({error})") from None
        found.append(AtopMembership(number("member"), number("phase"), entered, left))
    return found


def packaged_atop() -> tuple[bytes, str]:
    """The package's copy of ATOP 5.1's rows for alliance 4220 (header and 16 rows)."""
    name = "atop5_1m-4220.csv"
    return (resources.files("csto_db.datasets") / "data" / name).read_bytes(), name


@dataclass
class DayRange:
    """Consecutive days of one phase on which ATOP and the record say the same thing."""

    phase: int
    state: str
    first: str
    last: str
    days: int
    atop: str
    record: str
    agreement: str
    evidence: list[SpanEvidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "state": self.state,
            "first": self.first,
            "last": self.last,
            "days": self.days,
            "atop": self.atop,
            "record": self.record,
            "agreement": self.agreement,
            "evidence": [item.to_dict() for item in self.evidence],
        }


@dataclass
class AtopCrosscheck:
    """Every phase of the alliance against the record, day by day, as ranges of days."""

    alliance: int
    source: str
    phases: dict[int, tuple[str, str]]
    ranges: list[DayRange]

    def counts(self) -> dict[str, int]:
        """Days (state-days) per kind of agreement."""
        tally: dict[str, int] = defaultdict(int)
        for item in self.ranges:
            tally[item.agreement] += item.days
        return dict(sorted(tally.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": "atop",
            "alliance": self.alliance,
            "source": self.source,
            "phases": {
                str(p): {"first": a, "last": b} for p, (a, b) in sorted(self.phases.items())
            },
            "counts": self.counts(),
            "differences": [r.to_dict() for r in self.ranges if r.agreement != "agree"],
        }


def _record_on(spans: list[RecordSpan], day: date) -> tuple[str, list[RecordSpan]]:
    best, chosen = None, []
    rank = {"certain": 3, "disputed": 2, "possible": 1}
    for span in spans:
        certainty = span.certainty(day)
        if certainty is None:
            continue
        if best is None or rank[certainty] > rank[best]:
            best, chosen = certainty, [span]
        elif certainty == best:
            chosen.append(span)
    return best or "not a member", chosen


def crosscheck_atop(connection: Connection, *, path: Path | None = None) -> AtopCrosscheck:
    """Compare the record's parties to the Treaty and members of the Organization with ATOP's
    alliance 4220, day by day within each phase's days.

    ATOP's entry day is the first day in; its exit day, like the record's "left on" days,
    is the last day in (the record stores the next day as the end); an exit of 0 runs to
    the end of ATOP's data, 2018-12-31. On each day a state is in the record when a span of
    the Treaty or the Organization holds it (``certain``), or may (``possible``,
    ``disputed``: the preferred reading answers, and the range is marked disputed).
    """
    if path is not None:
        try:
            raw, source = path.read_bytes(), path.name
        except OSError as error:
            raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None
    else:
        raw, source = packaged_atop()
    members = read_atop(raw, source)
    if not members:
        raise DatasetError(f"{source}: no rows for ATOP alliance {ATOP_ALLIANCE}")
    by_state, disputes = _record_spans(connection, ATOP_ORGANIZATIONS)
    ccode_iso3 = _states_by_ccode(connection)
    phases: dict[int, tuple[date, date]] = {}
    for member in members:
        first, last = phases.get(member.phase, (member.entered, member.left))
        phases[member.phase] = (min(first, member.entered), max(last, member.left))
    ranges: list[DayRange] = []
    for phase, (first, last) in sorted(phases.items()):
        in_phase = [m for m in members if m.phase == phase]
        states = {ccode_iso3.get(m.ccode, str(m.ccode)) for m in in_phase} | set(by_state)
        for iso3 in sorted(states):
            atop_days = [
                (m.entered, m.left)
                for m in in_phase
                if ccode_iso3.get(m.ccode, str(m.ccode)) == iso3
            ]
            ranges += _compare_days(
                phase, iso3, first, last, atop_days, by_state.get(iso3, []), disputes
            )
    return AtopCrosscheck(
        ATOP_ALLIANCE,
        source,
        {p: (a.isoformat(), b.isoformat()) for p, (a, b) in phases.items()},
        ranges,
    )


def _compare_days(
    phase: int,
    iso3: str,
    first: date,
    last: date,
    atop_days: list[tuple[date, date]],
    spans: list[RecordSpan],
    disputes: dict[str, list[str]],
) -> list[DayRange]:
    found: list[DayRange] = []
    day, current = first, None
    while day <= last:
        atop = "member" if any(a <= day <= b for a, b in atop_days) else "not a member"
        record, chosen = _record_on(spans, day)
        if record == "disputed":
            # The preferred readings (the stored dates) still answer; the dispute is noted.
            preferred = any(
                span.start.lower <= day and (span.end is None or day < span.end.lower)
                for span in chosen
            )
            agreement = ("agree" if preferred == (atop == "member") else "disagree") + " (disputed)"
            record = f"disputed, preferred {'member' if preferred else 'not a member'}"
        elif record == "possible":
            agreement = "record uncertain"
        elif (record == "certain") == (atop == "member"):
            agreement = "agree"
        else:
            agreement = "disagree"
        key = (atop, record, agreement, tuple(span.key for span in chosen))
        if current is not None and current[0] == key:
            current[2] = day
        else:
            if current is not None:
                found.append(_range(phase, iso3, current, spans, disputes))
            current = [key, day, day, chosen]
        day += timedelta(days=1)
    if current is not None:
        found.append(_range(phase, iso3, current, spans, disputes))
    # A state in neither ATOP's phase nor the record on any of its days says nothing.
    return [r for r in found if not (r.agreement == "agree" and r.atop == "not a member")]


def _range(
    phase: int,
    iso3: str,
    current: list[Any],
    spans: list[RecordSpan],
    disputes: dict[str, list[str]],
) -> DayRange:
    (atop, record, agreement, _keys), first, last, chosen = current
    shown = chosen or spans
    return DayRange(
        phase,
        iso3,
        first.isoformat(),
        last.isoformat(),
        (last - first).days + 1,
        atop,
        record if record != "certain" else "member",
        agreement,
        [_evidence(span, disputes) for span in shown] if agreement != "agree" else [],
    )
