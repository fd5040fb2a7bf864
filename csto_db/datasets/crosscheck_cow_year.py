"""The curated record's rows in COW's IGO-year layout against COW's own, cell by cell: each
state cell where they differ, why, and the evidence on the record's side (its spans, their
sources and disputes, and the observers it holds at the organization's organs)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from ..answers.asof import organization_code
from ..errors import QueryError
from ..store.models import BodyObserver, Citation, FactCitation, Organization
from .cow_file import KEY_COLUMNS, ROW_COLUMNS, cow_states, parse_cow
from .cow_year import CellEvidence, _columns_of_states, cow_year_table
from .crosscheck import _disputes_of, _evidence, _record_spans
from .crosscheck_cow import cow_text

#: What COW's codes stand for, in the reasons.
CODE_NAMES = {
    "1": "full membership",
    "2": "associate membership",
    "3": "observer",
    "0": "no membership",
    "-9": "missing data",
    "": "not a system member",
}


@dataclass
class CellDifference:
    """One state cell where the record's row and COW's differ."""

    year: int
    column: str
    state: str
    cow: str
    record: str
    reason: str
    #: The facts behind the record's side, each with its sources (and disputes).
    facts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "column": self.column,
            "state": self.state,
            "cow": self.cow,
            "record": self.record,
            "reason": self.reason,
            "facts": self.facts,
        }


@dataclass
class CowYearComparison:
    """An organization's rows as the record codes them against COW's rows for it."""

    organization: str
    ionum: int | None
    source: str
    cow_years: list[int]
    record_years: list[int]
    state_cells_compared: int
    differences: list[CellDifference]
    #: Cells beside the state columns that differ, by column: how many years.
    row_columns: dict[str, int]
    #: The years only one side has a row for, and their state cells with a status.
    only_cow: dict[int, int]
    only_record: dict[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": "cow-year",
            "organization": self.organization,
            "ionum": self.ionum,
            "source": self.source,
            "cow_years": self.cow_years,
            "record_years": self.record_years,
            "state_cells_compared": self.state_cells_compared,
            "state_cells_differing": len(self.differences),
            "differences": [d.to_dict() for d in self.differences],
            "row_columns_differing": self.row_columns,
            "years_only_cow": {str(y): n for y, n in self.only_cow.items()},
            "years_only_record": {str(y): n for y, n in self.only_record.items()},
        }

    def markdown(self) -> str:
        """The comparison as the Markdown docs/cow.md holds."""
        lines = [
            f"{self.organization} in COW's IGO-year layout against {self.source} (ionum "
            f"{self.ionum}): {self.state_cells_compared} state cells in the years both code "
            f"({_span(sorted(set(self.cow_years) & set(self.record_years)))}), "
            f"{len(self.differences)} differ.",
            "",
            "| year | state | COW | record | why | facts (sources) |",
            "|---|---|---|---|---|---|",
        ]
        for d in self.differences:
            facts = "; ".join(
                f"`{f['fact']}` ({', '.join(f['sources'])})"
                + (f" dispute `{', '.join(f['disputes'])}`" if f["disputes"] else "")
                for f in d.facts
            )
            lines.append(
                f"| {d.year} | {d.state} | {d.cow or 'empty'} | {d.record or 'empty'} | "
                f"{d.reason} | {facts} |"
            )
        lines.append("")
        for year, cells in self.only_cow.items():
            lines.append(
                f"- {year}: COW has a row, the record none ({cells} state cells with a "
                "status): the Organization's membership counts from the Charter's entry "
                "into force, `CSTO` `membership_start`; the Treaty's parties that year are "
                "the `CST` rows."
            )
        if self.only_record:
            years = sorted(self.only_record)
            lines.append(
                f"- {_span(years)}: the record has rows, COW none (COW codes to 2014; "
                f"{sum(self.only_record.values())} state cells with a status)."
            )
        for name, count in self.row_columns.items():
            lines.append(f"- `{name}` differs in {count} of the years both code.")
        return "\n".join(lines) + "\n"


def _span(years: list[int]) -> str:
    if not years:
        return "none"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def cow_year_differences(
    connection: Connection, org: str = "CSTO", *, path: Path | None = None
) -> CowYearComparison:
    """``org``'s rows as ``export --format cow-year`` writes them against COW's rows with
    its COW number, cell by cell. COW's rows come from the file at ``path`` or, by default,
    from the text the source ``cow-igo-v3`` holds."""
    org = organization_code(connection, org)
    ionum = connection.execute(
        select(Organization.cow_ionum).where(Organization.code == org)
    ).scalar()
    raw, source = cow_text(connection, path)
    ours = cow_year_table(connection, [org])
    record = ours.organizations[0]
    if ionum is None:
        raise QueryError(f"COW has no organization for {org}: nothing to compare")
    data = parse_cow(source, raw)
    cow = next((o for o in data.organizations if o.ionum == ionum), None)
    if cow is None:
        raise QueryError(f"{source} has no rows with ionum {ionum}")
    header = [*KEY_COLUMNS, *ours.state_columns, *ROW_COLUMNS]
    cow_rows = _cow_rows(raw, header, cow.ioname)
    ours_rows = {int(row[2]): dict(zip(header, row, strict=True)) for row in ours.rows()}
    spans, disputes = _record_spans(connection, (org,))
    observers = _observers(connection, org)
    states = sorted(cow_states().values(), key=lambda state: state.file_column)
    iso3_of_column = {
        column: iso3 for iso3, column in _columns_of_states(connection, states).items()
    }
    differences = []
    compared = 0
    row_columns: Counter[str] = Counter()
    for year in sorted(set(cow_rows) & set(ours_rows)):
        theirs, mine = cow_rows[year], ours_rows[year]
        for column in ours.state_columns:
            compared += 1
            if theirs[column] == mine[column]:
                continue
            state = iso3_of_column.get(column, column)
            cell_evidence = record.evidence.get((column, year), [])
            differences.append(
                _difference(
                    year,
                    column,
                    state,
                    theirs[column],
                    mine[column],
                    cell_evidence,
                    [_evidence(span, disputes) for span in spans.get(state, [])],
                    observers.get(state, []),
                    org,
                )
            )
        for name in ROW_COLUMNS:
            if theirs[name] != mine[name]:
                row_columns[name] += 1

    def statuses(row: dict[str, str]) -> int:
        return sum(row[column] in ("1", "2", "3") for column in ours.state_columns)

    return CowYearComparison(
        org,
        ionum,
        source,
        sorted(cow_rows),
        sorted(ours_rows),
        compared,
        differences,
        dict(sorted(row_columns.items())),
        {y: statuses(r) for y, r in sorted(cow_rows.items()) if y not in ours_rows},
        {y: statuses(r) for y, r in sorted(ours_rows.items()) if y not in cow_rows},
    )


def _cow_rows(raw: bytes, header: list[str], ioname: str) -> dict[int, dict[str, str]]:
    """COW's rows of ``ioname``, every cell as the file writes it, by year."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    return {
        int(row["year"]): {name: row.get(name) or "" for name in header}
        for row in reader
        if row.get("ioname") == ioname
    }


def _observers(connection: Connection, org: str) -> dict[str, list[dict[str, Any]]]:
    """The observers the record holds at ``org``'s organs, by state, with their sources."""
    organs = select(Organization.code).where(Organization.parent_code == org)
    found: dict[str, list[dict[str, Any]]] = {}
    rows = connection.execute(
        select(BodyObserver.key, BodyObserver.body_code, BodyObserver.state_iso3).where(
            BodyObserver.body_code.in_(organs), BodyObserver.state_iso3.is_not(None)
        )
    ).all()
    for key, body, iso3 in rows:
        sources = sorted(
            set(
                connection.execute(
                    select(Citation.source_key)
                    .join(FactCitation, FactCitation.citation_key == Citation.key)
                    .where(FactCitation.fact_key == key)
                ).scalars()
            )
        )
        if iso3 is not None:  # as the query says; the type checker cannot see it
            found.setdefault(iso3, []).append(
                {"fact": key, "body": body, "sources": sources, "disputes": []}
            )
    disputes = _disputes_of(connection, [key for key, _body, _iso3 in rows])
    for observers in found.values():
        for observer in observers:
            observer["disputes"] = disputes.get(observer["fact"], [])
    return found


def _difference(
    year: int,
    column: str,
    state: str,
    cow: str,
    record: str,
    cell_evidence: list[CellEvidence],
    spans: list[Any],
    observers: list[dict[str, Any]],
    org: str,
) -> CellDifference:
    facts = [
        {
            "fact": span.span,
            "status": span.status,
            "dates": f"{span.start}–{span.end or ''}",
            "sources": sorted({quote.source for quote in span.citations}),
            "disputes": span.disputes,
        }
        for span in spans
    ]
    said = ", ".join(f"{f['status']} {f['dates']}" for f in facts) or "none"
    if record in ("1", "2", "3"):
        held = ", ".join(f"{e.span} ({e.status}, {e.certainty})" for e in cell_evidence)
        reason = (
            f"the record's preferred reading holds {state} in {org} on some day of {year} "
            f"({held}); COW codes {cow or 'empty'} ({CODE_NAMES.get(cow, cow)})"
        )
    elif cow == "3" and observers:
        bodies = ", ".join(sorted({o["body"] for o in observers}))
        reason = (
            f"COW codes observer; the record holds {state} as an observer at {bodies}, an "
            f"organ of {org}, not at {org} itself (its spans in {org}: {said})"
        )
        facts += [
            {
                "fact": o["fact"],
                "status": "observer",
                "dates": "",
                "sources": o["sources"],
                "disputes": o["disputes"],
            }
            for o in observers
        ]
    elif any(e.certainty == "contested" for e in cell_evidence):
        contested = ", ".join(e.span for e in cell_evidence if e.certainty == "contested")
        reason = (
            f"COW codes {cow} ({CODE_NAMES.get(cow, cow)}); the record's preferred reading "
            f"puts {state} outside {org} in all of {year}, and only another reading of "
            f"{contested} puts it inside (contested: see the disputes)"
        )
    else:
        reason = (
            f"COW codes {cow} ({CODE_NAMES.get(cow, cow)}); no span of the record holds "
            f"{state} in {org} on any day of {year} (its spans in {org}: {said})"
        )
    return CellDifference(year, column, state, cow, record, reason, facts)
