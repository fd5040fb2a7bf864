"""COW IGO's state-year layout (3.0a) written from the database: organization-year rows, one
column per state, each cell coded from the spans by the one as-of rule; the organizations the
COW import wrote come back as its file had them, the curated ones coded from their preferred
reading.

The rule for a cell. COW codes a status for a year when the state held it "at some point in
the year" (codebook III.A). A state is coded with a status in year Y when the as-of rule
(:func:`csto_db.answers.asof.verdict_periods`) lists it in a span of that status on some day
of Y: certainly, possibly (the imprecision of the preferred dates leaves the day open) or
disputed with the preferred reading inside. A year only another reading puts inside
(``contested``) is not coded. Full membership (``member``, ``party``, ``frozen``: a frozen
member is still a member) is ``1``, ``associate`` ``2``, ``observer`` ``3``; ``suspended`` has
no code in COW and is not membership, so it is ``0``. Several statuses in one year: the
strongest, ``1`` before ``2`` before ``3``. Then the dataset's own cells win: a year a dataset
codes as missing (``missing_data``) is ``-9``, one it leaves empty (``not_in_system``) is
empty. The rest is ``0``.

COW's years read into spans by the import come back by this rule: a run coded to 1990 ends
"in 1990", which leaves 1990 possible, never certain; and a span's dates widened over ``-9``
cells list those years, which the missing data codes back as ``-9``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from ..answers.asof import (
    CERTAIN,
    DISPUTED,
    ORGANIZATION_COLUMNS,
    POSSIBLE,
    horizon_from,
    lifetime_from,
    organization_code,
    verdict_periods,
)
from ..answers.evidence import FieldReading, competing
from ..answers.spans import _grouped, with_readings
from ..store.dates import PartialDate
from ..store.models import (
    CowYear,
    MembershipSpan,
    MissingData,
    NotInSystem,
    Organization,
    State,
)
from .cow_file import KEY_COLUMNS, MISSING, NOT_IN_SYSTEM, ROW_COLUMNS, CowState, cow_states

#: The COW code of each span status; a status not here (``suspended``) is not membership.
CODE_OF_STATUS = {"member": "1", "party": "1", "frozen": "1", "associate": "2", "observer": "3"}
#: The strongest code first: a state with several statuses in a year is coded the first.
CODE_ORDER = ("1", "2", "3")
NO_MEMBERSHIP = "0"
#: The last year COW's state list reaches: a state it lists to then is taken to go on.
STATE_LIST_END = 2014
#: The organization kinds written by default when the COW import did not write them: the
#: curated organizations of states (the Treaty, the Organization), not their organs.
CURATED_KINDS = ("treaty_system", "international_organization", "regional_organization")


@dataclass(frozen=True)
class CellEvidence:
    """A span that codes a curated cell, and how surely the rule lists it in the year."""

    span: str
    status: str
    certainty: str

    def to_dict(self) -> dict[str, str]:
        return {"span": self.span, "status": self.status, "certainty": self.certainty}


@dataclass
class CowYearOrganization:
    """One organization's rows: its years, the cells beside the state columns, and each
    state column's cell per year."""

    code: str
    ionum: int | None
    #: True when the COW import wrote its rows (the file's years and cells come back).
    imported: bool
    years: list[int]
    row_cells: list[dict[str, str]]
    cells: dict[str, list[str]]
    #: For a curated organization: the spans behind each (column, year) with a status, or
    #: one only another reading puts inside (``contested``).
    evidence: dict[tuple[str, int], list[CellEvidence]] = field(default_factory=dict)

    def rows(self, columns: list[str]) -> Iterator[list[str]]:
        for index, year in enumerate(self.years):
            beside = self.row_cells[index]
            yield [
                self.code,
                beside["orgname"],
                str(year),
                *(self.cells[column][index] for column in columns),
                *(beside[name] for name in ROW_COLUMNS),
            ]


@dataclass
class CowYearTable:
    """Organizations in COW v3's IGO-year layout, in COW's order (by ``ionum``, then year;
    an organization COW does not number after them, by code)."""

    state_columns: list[str]
    organizations: list[CowYearOrganization]

    @property
    def header(self) -> list[str]:
        return [*KEY_COLUMNS, *self.state_columns, *ROW_COLUMNS]

    def rows(self) -> Iterator[list[str]]:
        for organization in self.organizations:
            yield from organization.rows(self.state_columns)

    def csv_text(self) -> str:
        """The rows as COW writes its CSV: a header, ``\\n`` line ends, quotes only where
        a cell needs them."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows())
        return out.getvalue()


def cow_year_table(connection: Connection, orgs: Iterable[str] = ()) -> CowYearTable:
    """The organizations ``orgs`` (codes in any case) in COW's IGO-year layout; by default
    every organization the COW import wrote and the curated organizations of states with
    membership spans. Raises :class:`~csto_db.errors.QueryError` for an unknown code."""
    states = sorted(cow_states().values(), key=lambda state: state.file_column)
    # Each organization once, however often or in whatever case it is named.
    codes = list(dict.fromkeys(organization_code(connection, org) for org in orgs))
    table = Organization.__table__
    statement = select(*ORGANIZATION_COLUMNS, table.c.cow_ionum, table.c.kind, table.c.parent_code)
    if codes:
        statement = statement.where(table.c.code.in_(codes))
    organizations = {row.org_code: row for row in connection.execute(statement)}
    years_of = _cow_years(connection, codes)
    if not codes:
        with_spans = set(
            connection.execute(select(MembershipSpan.organization_code).distinct()).scalars()
        )
        codes = [
            code
            for code, row in organizations.items()
            if code in years_of
            or (code in with_spans and row.parent_code is None and row.kind in CURATED_KINDS)
        ]
    column_of_iso3 = _columns_of_states(connection, states)
    spans = _spans(connection, codes)
    missing = _runs(connection, MissingData, codes)
    empty = _runs(connection, NotInSystem, codes)
    written = []
    for code in codes:
        row = organizations[code]
        imported = code in years_of
        if imported:
            years = [year for year, _cells in years_of[code]]
            beside = [cells for _year, cells in years_of[code]]
        else:
            years = _curated_years(row, spans.get(code, []))
            beside = [_curated_cells(row, year, years) for year in years]
        # COW's number: the file's for an organization the import wrote (a curated UN or
        # OSCE carries none), else the one the record gives it.
        ionum = row.cow_ionum
        if imported and beside and beside[0]["ionum"].isdigit():
            ionum = int(beside[0]["ionum"])
        organization = CowYearOrganization(code, ionum, imported, years, beside, {})
        _code_cells(
            organization,
            states,
            column_of_iso3,
            row,
            spans.get(code, []),
            missing.get(code, []),
            empty.get(code, []),
        )
        written.append(organization)
    written.sort(key=lambda o: (o.ionum is None, o.ionum or 0, o.code))
    return CowYearTable([state.column for state in states], written)


# --- Loading -------------------------------------------------------------------------------


def _cow_years(
    connection: Connection, codes: list[str]
) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """The organization-year rows the COW import stored, by organization, in year order."""
    table = CowYear.__table__
    statement = select(table).order_by(table.c.organization_code, table.c.year)
    if codes:
        statement = statement.where(table.c.organization_code.in_(codes))
    found: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for row in connection.execute(statement):
        cells = {"orgname": row.orgname, **{name: getattr(row, name) for name in ROW_COLUMNS}}
        found[row.organization_code].append((row.year, cells))
    return found


def _columns_of_states(connection: Connection, states: list[CowState]) -> dict[str, str]:
    """Each state's COW column, by its ISO code in the database (matched by COW code)."""
    column_of_ccode = {state.ccode: state.column for state in states}
    return {
        iso3: column_of_ccode[ccode]
        for iso3, ccode in connection.execute(
            select(State.iso3, State.cow_ccode).where(State.cow_ccode.is_not(None))
        )
        if ccode in column_of_ccode
    }


@dataclass(frozen=True)
class _Span:
    key: str
    state: str
    status: str
    starts: list[PartialDate]
    ends: list[PartialDate | None]


def _spans(connection: Connection, codes: list[str]) -> dict[str, list[_Span]]:
    """The membership spans of ``codes``, each with every competing reading of its dates
    (the stored dates, the preferred reading's, first)."""
    table = MembershipSpan.__table__
    statement = select(
        table.c.key,
        table.c.organization_code,
        table.c.state_iso3,
        table.c.status,
        *(
            table.c[f"{name}_{part}"]
            for name in ("start", "end")
            for part in ("edtf", "lower", "upper", "precision")
        ),
    ).order_by(table.c.organization_code, table.c.state_iso3, table.c.key)
    if codes and len(codes) < 500:  # every code: no filter, rather than hundreds of them
        statement = statement.where(table.c.organization_code.in_(codes))
    rows, readings = _grouped(connection.execute(with_readings(statement, table)).all())
    wanted = set(codes)
    found: dict[str, list[_Span]] = defaultdict(list)
    for row in rows:
        if row.organization_code not in wanted:
            continue
        start = PartialDate(row.start_lower, row.start_upper, row.start_edtf, row.start_precision)
        end = PartialDate.from_optional_columns(
            row.end_edtf, row.end_lower, row.end_upper, row.end_precision
        )
        found[row.organization_code].append(
            _Span(
                row.key,
                row.state_iso3,
                row.status,
                _readings_of(start, readings.get((row.key, "start"), [])),
                _readings_of(end, readings.get((row.key, "end"), [])),
            )
        )
    return found


def _readings_of(stored: Any, readings: list[FieldReading]) -> list[Any]:
    """The stored date (the preferred reading's) first, then the readings that compete
    with it, as the cross-checks weigh them."""
    return [stored, *(value for value in competing(readings) if value != stored)]


def _runs(
    connection: Connection, model: type[MissingData] | type[NotInSystem], codes: list[str]
) -> dict[str, list[tuple[str, int, int]]]:
    """Runs of a dataset's cells (missing data or empty), by organization."""
    statement = select(model.organization_code, model.state_iso3, model.first_year, model.last_year)
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    wanted = set(codes)
    for code, iso3, first, last in connection.execute(statement):
        if code in wanted:
            found[code].append((iso3, first, last))
    return found


# --- A curated organization's rows ---------------------------------------------------------


def _curated_years(row: Any, spans: list[_Span]) -> list[int]:
    """From the year its membership begins (or its first span) to the last whole year its
    record covers: COW's code says something of the whole year (``0``: at no point of it),
    which a year the record covers in part cannot say."""
    starts = [span.starts[0].lower.year for span in spans]
    if row.org_start is not None:
        starts.append(row.org_start.year)
    if not starts:
        return []
    first = row.org_start.year if row.org_start is not None else min(starts)
    ends = [end.upper.year for span in spans for end in span.ends[:1] if end is not None]
    last = max([first, *starts, *ends])
    horizon = horizon_from(row)
    if horizon is not None:
        whole = (horizon.day.month, horizon.day.day) == (12, 31)
        last = horizon.day.year if whole else horizon.day.year - 1
    lifetime = lifetime_from(row)
    if lifetime.end is not None:
        last = min(last, (lifetime.end - timedelta(days=1)).year)
    return list(range(first, last + 1))


def _curated_cells(row: Any, year: int, years: list[int]) -> dict[str, str]:
    """The cells beside the state columns of a curated organization's row."""
    from .. import __version__

    ended = (row.org_end - timedelta(days=1)).year if row.org_end is not None else None
    return {
        "orgname": row.org_name,
        "sdate": str(years[0]) if years else "",
        "deaddate": str(ended) if ended is not None else "",
        "dead": "1" if ended == year else "0",
        "integrated": "0",
        "replaced": "0",
        "longorgname": row.org_name,
        "ionum": str(row.cow_ionum) if row.cow_ionum is not None else "",
        "igocode": "",
        "version": "",
        "accuracyofpre1965membershipdates": "",
        "sourcesandnotes": (
            f"csto-db {__version__}: the curated record, coded from its preferred reading "
            "(a status held at some point of the year; see docs/cow.md)"
        ),
        "imputed": "0",
        "political": "",
        "social": "",
        "economic": "",
    }


# --- The cells -----------------------------------------------------------------------------

_CERTAINTY_ORDER = {CERTAIN: 0, DISPUTED: 1, POSSIBLE: 2}


def _code_cells(
    organization: CowYearOrganization,
    states: list[CowState],
    column_of_iso3: dict[str, str],
    row: Any,
    spans: list[_Span],
    missing: list[tuple[str, int, int]],
    empty: list[tuple[str, int, int]],
) -> None:
    years = organization.years
    if not years:
        organization.cells = {state.column: [] for state in states}
        return
    index_of = {year: index for index, year in enumerate(years)}
    first_year, last_year = years[0], years[-1]
    cells: dict[str, list[str]] = {}
    for state in states:
        if organization.imported:
            cells[state.column] = [NO_MEMBERSHIP] * len(years)
        else:
            # COW's state list: empty outside the years it gives the state.
            last = state.last_year if state.last_year < STATE_LIST_END else last_year
            cells[state.column] = [
                NO_MEMBERSHIP if state.first_year <= year <= last else NOT_IN_SYSTEM
                for year in years
            ]
    for iso3, first, last in empty:
        column = column_of_iso3.get(iso3)
        for year in range(first, last + 1):
            if column is not None and year in index_of:
                cells[column][index_of[year]] = NOT_IN_SYSTEM
    lifetime, horizon = lifetime_from(row), horizon_from(row)
    coded: dict[tuple[str, int], str] = {}
    for span in spans:
        column = column_of_iso3.get(span.state)
        if column is None:
            continue
        code = CODE_OF_STATUS.get(span.status)
        best: dict[int, str] = {}
        for period in verdict_periods(
            span.starts, span.ends, lifetime, horizon.day if horizon else None
        ):
            first = max(period.first.year, first_year)
            until = period.until - timedelta(days=1) if period.until else date.max
            last = min(until.year, last_year)
            certainty = "contested" if period.verdict.contested else period.verdict.certainty
            for year in range(first, last + 1):
                if year not in index_of:
                    continue
                if certainty != "contested" and code is not None:
                    held = coded.get((column, year))
                    if held is None or CODE_ORDER.index(code) < CODE_ORDER.index(held):
                        coded[(column, year)] = code
                if not organization.imported:
                    was = best.get(year)
                    if was is None or _CERTAINTY_ORDER.get(certainty, 9) < _CERTAINTY_ORDER.get(
                        was, 9
                    ):
                        best[year] = certainty
        for year, certainty in best.items():
            organization.evidence.setdefault((column, year), []).append(
                CellEvidence(span.key, span.status, certainty)
            )
    for (column, year), code in coded.items():
        cells[column][index_of[year]] = code
    for iso3, first, last in missing:
        column = column_of_iso3.get(iso3)
        for year in range(first, last + 1):
            if column is not None and year in index_of:
                cells[column][index_of[year]] = MISSING
    organization.cells = cells
