"""The curated record against ATOP 5.1, day by day and phase by phase: the Treaty's members as
ATOP dates them beside the record's spans, and the days on which they disagree."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from .cow_file import DatasetError
from .crosscheck import RecordSpan, SpanEvidence, _evidence, _record_spans, _states_by_ccode

#: ATOP's number for the Collective Security Treaty, and the organizations of the record it
#: covers: the Treaty's parties and, from the Charter, the Organization's members.
ATOP_ALLIANCE = 4220
ATOP_ORGANIZATIONS = ("CST", "CSTO")
#: ATOP 5.1 ends its data here; an exit of 0 means still in effect on this day.
ATOP_LAST_DAY = date(2018, 12, 31)


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
