"""The curated record against COW IGO, year by year: for each state and year, what COW codes
beside what the record holds, and where they disagree, the evidence on each side."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ..errors import QueryError
from ..store.models import Organization, Source
from .cow_file import DatasetError, cow_states, parse_cow
from .crosscheck import RecordSpan, SpanEvidence, _evidence, _record_spans, _states_by_ccode

#: The source whose held text is COW's rows for the CSTO (the seeds hold it).
COW_HELD_SOURCE = "cow-igo-v3"


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


def cow_text(connection: Connection, path: Path | None) -> tuple[bytes, str]:
    """COW's file as bytes, with the name to cite it by: the file at ``path`` or, without
    one, the rows the source ``cow-igo-v3`` holds as its text."""
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
    return raw, source


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
    raw, source = cow_text(connection, path)
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
