"""Importing the Correlates of War IGO dataset (v3, IGO-year format) whole, as its own source."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, or_, select

from ..answers.asof import reach_of
from ..errors import Error
from ..store.dates import PartialDate
from ..store.models import (
    Citation,
    DatasetImport,
    Fact,
    FactCitation,
    MembershipSpan,
    MissingData,
    Organization,
    Source,
    State,
)

SOURCE_KEY = "cow-igo-v3-file"
#: How the answers name the dataset.
DATASET_NAME = "COW IGO v3"
#: The years a row may carry: each becomes a date, which holds years 1 to 9999.
MIN_YEAR, MAX_YEAR = 1, 9999
#: Codebook III.A: the state columns' codes and the statuses they become.
STATUS_OF_CODE = {"1": "member", "2": "associate", "3": "observer"}
MISSING = "-9"
NOT_MEMBER = ("0", "")
CODE_SET = frozenset((*STATUS_OF_CODE, MISSING, *NOT_MEMBER))
ABSENCE = frozenset(NOT_MEMBER)
STATUS_CODES = frozenset(STATUS_OF_CODE)
REQUIRED_COLUMNS = ("ioname", "orgname", "year", "longorgname", "ionum", "dead")

#: Rows written per executemany call: large enough to amortise the round trip, small enough
#: that the progress bar moves.
BATCH = 5000

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while rows are written."""


class DatasetError(Error):
    """A dataset file that cannot be imported: the message names the line and column."""


@dataclass(frozen=True)
class CowState:
    """A COW state column and the state it is in the ``states`` table."""

    ccode: int
    column: str
    iso3: str
    iso2: str | None
    numeric: str | None
    name: str


def cow_states() -> dict[str, CowState]:
    """COW's 217 state columns, by column name, with ISO codes where ISO has them.

    States ISO never coded (Baden, Austria-Hungary, the two Yemens before 1990, ...) get a
    code from ISO 3166-1's user-assigned range ``XAA``–``XZZ`` and no alpha-2 or numeric
    code; Kosovo keeps the ``XKX`` the EU and the IMF use.
    """
    text = (resources.files("csto_db.datasets") / "data" / "cow_states.csv").read_text("utf-8")
    states = {}
    for row in csv.DictReader(io.StringIO(text)):
        states[row["state_column"]] = CowState(
            int(row["ccode"]),
            row["state_column"],
            row["iso3"],
            row["iso2"] or None,
            row["numeric"] or None,
            row["name"],
        )
    return states


# --- Reading the file ------------------------------------------------------------------------


@dataclass
class CowOrganization:
    """One IGO's rows: its names, number, and each state column's code per year."""

    ioname: str
    ionum: int
    orgname: str
    #: The year COW says the organization ended (``deaddate``; the ``dead`` flag's year
    #: where that is empty), or None.
    dissolved: int | None = None
    #: The line of the file that holds its first row (1 is the header).
    first_line: int = 0
    years: list[int] = field(default_factory=list)
    longorgnames: list[str] = field(default_factory=list)
    #: The ``dead`` cell of each year (``1``: COW codes the organization dead) and its
    #: ``deaddate`` cell (empty when the file has no such column).
    deads: list[str] = field(default_factory=list)
    deaddates: list[str] = field(default_factory=list)
    #: Each year's state cells, in the file's column order, while the file is read.
    rows: list[list[str]] = field(default_factory=list)
    #: ``codes[column][i]`` is the column's cell in ``years[i]``; only the columns with some
    #: code other than 0 or empty (the rest say nothing but absence).
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class CowFile:
    """The parsed file: its name, digest, state columns and organizations."""

    name: str
    sha256: str
    states: list[CowState]
    organizations: list[CowOrganization]
    rows: int

    @property
    def columns(self) -> set[str]:
        return {state.column for state in self.states}


def read_cow_file(path: Path) -> CowFile:
    """Parse and validate the whole file; raises :class:`DatasetError` naming the line and
    column of the first bad cell. Nothing is written."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None
    return parse_cow(path.name, raw)


def parse_cow(name: str, raw: bytes) -> CowFile:
    """Parse and validate COW's IGO-year CSV held in ``raw``, called ``name`` in messages."""
    path = Path(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(f"{path.name}: line {line}: not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DatasetError(f"{path.name}: line 1: empty file, expected COW's header") from None
    except csv.Error as error:
        raise DatasetError(f"{path.name}: line 1: {error}") from None
    known = cow_states()
    position = {name: index for index, name in enumerate(header)}
    for name in REQUIRED_COLUMNS:
        if name not in position:
            raise DatasetError(
                f"{path.name}: line 1: no column {name!r}; not COW's igo_year_formatv3 file"
            )
    state_start, state_end = position["year"] + 1, position.get("sdate", len(header))
    state_columns = header[state_start:state_end]
    for offset, name in enumerate(state_columns):
        if name not in known:
            raise DatasetError(
                f"{path.name}: line 1, column {state_start + offset + 1}: "
                f"{name!r} is not a COW state column"
            )
    states = [known[name] for name in state_columns]
    by_name: dict[str, CowOrganization] = {}
    seen: dict[tuple[str, int], int] = {}
    rows = 0
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not row:  # a blank line, as at the end of a file
                continue
            rows += 1
            _add_row(
                path.name, line, header, position, state_start, state_columns, row, by_name, seen
            )
    except csv.Error as error:
        raise DatasetError(f"{path.name}: line {reader.line_num}: {error}") from None
    organizations = sorted(by_name.values(), key=lambda o: o.ioname)
    for organization in organizations:
        _columns_by_year(organization, state_columns)
    return CowFile(path.name, hashlib.sha256(raw).hexdigest(), states, organizations, rows)


def _add_row(
    file: str,
    line: int,
    header: list[str],
    position: dict[str, int],
    state_start: int,
    state_columns: list[str],
    row: list[str],
    by_name: dict[str, CowOrganization],
    seen: dict[tuple[str, int], int],
) -> None:
    if len(row) != len(header):
        raise DatasetError(f"{file}: line {line}: {len(row)} fields, the header has {len(header)}")

    def whole(name: str) -> int:
        value = row[position[name]]
        try:
            return int(value)
        except ValueError:
            raise DatasetError(
                f"{file}: line {line}, column {position[name] + 1} ({name}): "
                f"{value!r} is not a whole number"
            ) from None

    ioname = row[position["ioname"]]
    if not ioname:
        raise DatasetError(f"{file}: line {line}, column {position['ioname'] + 1} (ioname): empty")
    year, ionum = whole("year"), whole("ionum")
    if not MIN_YEAR <= year <= MAX_YEAR:  # a date needs one; COW's run from 1815
        raise DatasetError(
            f"{file}: line {line}, column {position['year'] + 1} (year): "
            f"{year} is not a year from {MIN_YEAR} to {MAX_YEAR}"
        )
    if (ioname, year) in seen:
        raise DatasetError(
            f"{file}: line {line}, column {position['year'] + 1} (year): "
            f"{ioname} {year} again (first on line {seen[(ioname, year)]})"
        )
    seen[(ioname, year)] = line
    organization = by_name.get(ioname)
    if organization is None:
        organization = by_name[ioname] = CowOrganization(
            ioname, ionum, row[position["orgname"]], first_line=line
        )
    elif organization.ionum != ionum:
        raise DatasetError(
            f"{file}: line {line}, column {position['ionum'] + 1} (ionum): "
            f"{ionum} for {ioname}, which had {organization.ionum}"
        )
    cells = row[state_start : state_start + len(state_columns)]
    if not CODE_SET.issuperset(cells):  # one set operation per row; find the cell only then
        offset = next(i for i, cell in enumerate(cells) if cell not in CODE_SET)
        raise DatasetError(
            f"{file}: line {line}, column {state_start + offset + 1} "
            f"({state_columns[offset]}): {cells[offset]!r} is not a COW membership code "
            "(1, 2, 3, 0, -9 or empty)"
        )
    organization.rows.append(cells)
    organization.years.append(year)
    organization.longorgnames.append(row[position["longorgname"]])
    organization.deads.append(row[position["dead"]])
    deaddate = row[position["deaddate"]] if "deaddate" in position else ""
    if deaddate:
        whole("deaddate")  # a year, or the file is not COW's
    organization.deaddates.append(deaddate)


def _columns_by_year(organization: CowOrganization, state_columns: list[str]) -> None:
    """Order the rows by year, then turn them into the columns that code something."""
    order = sorted(range(len(organization.years)), key=organization.years.__getitem__)
    if order != list(range(len(order))):
        organization.years = [organization.years[i] for i in order]
        organization.longorgnames = [organization.longorgnames[i] for i in order]
        organization.deads = [organization.deads[i] for i in order]
        organization.deaddates = [organization.deaddates[i] for i in order]
        organization.rows = [organization.rows[i] for i in order]
    # COW gives the year an organization ended in ``deaddate``, and flags it ``dead`` in its
    # last row; a few that ended have the year but not the flag.
    if organization.deaddates[-1]:
        organization.dissolved = int(organization.deaddates[-1])
    elif organization.deads[-1] == "1":
        organization.dissolved = organization.years[-1]
    columns = zip(*organization.rows, strict=True)
    organization.codes = {
        name: cells
        for name, cells in zip(state_columns, columns, strict=True)
        if not ABSENCE.issuperset(cells)
    }
    organization.rows = []


# --- Runs of years and the spans they become -------------------------------------------------

#: The few hundred distinct dates of a whole import, each parsed once (PartialDate is frozen).
_date = lru_cache(maxsize=None)(PartialDate.parse)


@dataclass(frozen=True)
class Run:
    """Consecutive years of one organization in which a state column holds one code."""

    code: str
    first: int
    last: int


def runs(years: list[int], cells: tuple[str, ...]) -> list[Run]:
    """The column's cells as runs of one code over consecutive years; a year missing from the
    file breaks a run (the organization has no row for it)."""
    found: list[Run] = []
    index = 0
    # groupby and list() walk the cells in C: this runs for every column of every IGO. Only
    # an organization with a year missing from the file needs its runs cut at the gap.
    contiguous = not years or years[-1] - years[0] == len(years) - 1
    for code, group in groupby(cells):
        length = len(list(group))
        first = index
        if not contiguous:
            for gap in range(index + 1, index + length):
                if years[gap] != years[gap - 1] + 1:
                    found.append(Run(code, years[first], years[gap - 1]))
                    first = gap
        found.append(Run(code, years[first], years[index + length - 1]))
        index += length
    return found


@dataclass(frozen=True)
class SpanReading:
    """One span read from a column: its status, dates and the cell runs it rests on."""

    status: str
    start: PartialDate
    end: PartialDate | None
    cells: tuple[Run, ...]
    reasoning: str | None


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def spans_of(column_runs: list[Run], *, dissolved: int | None) -> list[SpanReading]:
    """Year-precision spans from a column's runs, by the codebook's rule that a code holds
    "at some point in the year".

    A run of a status over ``[first, last]`` starts in ``first`` and ends in ``last`` (the
    first day no longer in it falls in that year, give or take its last day). Missing data
    (``-9``) is unknown, not absence: a run of it before the status widens the start to
    the range from its first year (unless the same status comes before it, whose span's end
    already covers those years), one after it widens the end to its last year. When the
    organization's rows end with the status, or with missing data after it, the dataset
    says nothing later: the end is "that year or later" (``[2014..]``), never certain; for
    an organization COW says ended (``dissolved``, its year), it falls by that year. Every
    date that rests on missing data or on the end of the rows says so in the reasoning.
    """
    readings = []
    for index, run in enumerate(column_runs):
        status = STATUS_OF_CODE.get(run.code)
        if status is None:
            continue
        before = column_runs[index - 1] if index else None
        after = column_runs[index + 1] if index + 1 < len(column_runs) else None
        cells = [run]
        reasons = []
        start = _date(str(run.first))
        earlier = column_runs[index - 2] if index >= 2 else None
        # ``earlier`` exists only from the third run on, so ``before`` does too.
        bridged = (
            earlier is not None
            and before is not None
            and earlier.code == run.code
            and earlier.last == before.first - 1
        )
        if before and before.code == MISSING and before.last == run.first - 1 and not bridged:
            start = _date(f"[{before.first}..{run.first}]")
            cells.insert(0, before)
            reasons.append(
                f"no data (-9) in {_years(before.first, before.last)} before {status} from "
                f"{run.first}: the start falls in {before.first}–{run.first}"
            )
        end: PartialDate | None = _date(str(run.last))
        unknown_after = after and after.code == MISSING and after.first == run.last + 1
        if unknown_after:
            assert after is not None  # unknown_after is falsy without it
            cells.append(after)
            follows = column_runs[index + 2] if index + 2 < len(column_runs) else None
            missing = _years(after.first, after.last)
            if follows is None:
                end, falls = _last_end(run.last, after.last, dissolved)
                reasons.append(
                    f"{status} to {run.last}, then no data (-9) in {missing} to the end of "
                    f"its rows{_ended(dissolved)}: the end falls {falls}"
                )
            else:
                end = _date(f"[{run.last}..{after.last}]")
                reasons.append(
                    f"{status} to {run.last}, then no data (-9) in {missing}: the end falls "
                    f"in {run.last}–{after.last}"
                )
        elif after is None and (dissolved is None or dissolved > run.last):
            end, falls = _last_end(run.last, run.last, dissolved)
            reasons.append(
                f"{status} in {run.last}, the last year of its rows{_ended(dissolved)}: "
                f"the end falls {falls}"
            )
        reasoning = f"COW codes {'; '.join(reasons)}" if reasons else None
        readings.append(SpanReading(status, start, end, tuple(cells), reasoning))
    return readings


def _last_end(last: int, rows_end: int, dissolved: int | None) -> tuple[PartialDate, str]:
    """The end of a span whose status (coded to ``last``) runs to the end of the rows
    (``rows_end``, after missing data): "``last`` or later", or by the year the organization
    ended; and those words for the reasoning."""
    if dissolved is None:
        return _date(f"[{last}..]"), f"in {last} or later"
    latest = max(dissolved, rows_end)
    if latest == last:
        return _date(str(last)), f"in {last}"
    return _date(f"[{last}..{latest}]"), f"in {last}–{latest}"


def _ended(dissolved: int | None) -> str:
    if dissolved is None:
        return ", and COW does not say the organization ended"
    return f", and COW says the organization ended in {dissolved}"


def missing_runs(column_runs: list[Run]) -> list[Run]:
    """The runs of missing data (``-9``) in a column."""
    return [run for run in column_runs if run.code == MISSING]


# --- Rows --------------------------------------------------------------------------------------


def membership_span_row(
    *,
    key: str,
    state_iso3: str,
    organization_code: str,
    status: str,
    start: PartialDate,
    end: PartialDate | None,
    reasoning: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """One ``membership_spans`` row, every column set: the one place an import builds it.
    An imported span has no competing readings, so its reach is its own outer bounds."""
    reach_start, reach_end = reach_of(start, end, ())
    return {
        "key": key,
        "state_iso3": state_iso3,
        "organization_code": organization_code,
        "status": status,
        "start_edtf": start.edtf,
        "start_lower": start.lower,
        "start_upper": start.upper,
        "start_precision": start.precision,
        "end_edtf": end.edtf if end else None,
        "end_lower": end.lower if end else None,
        "end_upper": end.upper if end else None,
        "end_precision": end.precision if end else None,
        "start_document_key": None,
        "start_event_key": None,
        "end_document_key": None,
        "end_event_key": None,
        "inferred": reasoning is not None,
        "reasoning": reasoning,
        "note": note,
        "reach_start": reach_start,
        "reach_end": reach_end,
    }


def citation_key(ioname: str, column: str, run: Run) -> str:
    return f"cow:{ioname}:{column}:{run.first}-{run.last}"


def locator_citation_row(file: str, ioname: str, column: str, run: Run) -> dict[str, Any]:
    """A citation of a run of cells: every cell holds the quote."""
    return {
        "key": citation_key(ioname, column, run),
        "source_key": SOURCE_KEY,
        "quote": run.code,
        "translation": None,
        "char_start": None,
        "char_end": None,
        "locator_file": file,
        "locator_record": ioname,
        "locator_column": column,
        "locator_first_year": run.first,
        "locator_last_year": run.last,
    }


@dataclass
class ImportRows:
    """Every row an import writes, per table, in the order they must be written."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    dataset_imports: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    fact_citations: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    membership_spans: list[dict[str, Any]] = field(default_factory=list)
    missing_data: list[dict[str, Any]] = field(default_factory=list)
    citation_keys: set[str] = field(default_factory=set)

    def tables(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        for name in (
            "sources",
            "dataset_imports",
            "states",
            "citations",
            "facts",
            "fact_citations",
            "organizations",
            "membership_spans",
            "missing_data",
        ):
            yield name, getattr(self, name)

    def count(self) -> int:
        return sum(len(rows) for _name, rows in self.tables())


@dataclass(frozen=True)
class Curated:
    """What the database already holds that an import must respect."""

    organizations: dict[str, int | None]
    """Organization code -> its COW ionum, for every organization already present."""
    state_by_ccode: dict[int, str]
    state_codes: set[str]
    fact_keys: set[str]


def curated_of(connection: Connection) -> Curated:
    imported = Fact.dataset_key == SOURCE_KEY
    not_imported = or_(Fact.dataset_key.is_(None), ~imported)
    return Curated(
        organizations={
            code: ionum
            for code, ionum in connection.execute(
                select(Organization.code, Organization.cow_ionum)
                .join(Fact, Fact.key == Organization.code)
                .where(not_imported)
            )
        },
        state_by_ccode={
            ccode: iso3
            for ccode, iso3 in connection.execute(
                select(State.cow_ccode, State.iso3).where(
                    State.cow_ccode.is_not(None), State.dataset_key.is_(None)
                )
            )
            if ccode is not None
        },  # as the query says; the type checker cannot see it
        state_codes=set(
            connection.execute(select(State.iso3).where(State.dataset_key.is_(None))).scalars()
        ),
        fact_keys=set(connection.execute(select(Fact.key).where(not_imported)).scalars()),
    )


def import_rows(data: CowFile, curated: Curated) -> tuple[ImportRows, list[str]]:
    """The rows that hold ``data``, beside the seeds' record; and what was left out, why.

    An organization whose COW number a curated organization carries (the CSTO) is the
    curated one: COW's rows for it stay readings of the curated facts, so no span is
    written. One whose short name is a curated organization's code (UN, OSCE) is that
    organization: its spans are written, its curated row is left as it is.
    """
    rows = ImportRows()
    skipped: list[str] = []
    rows.sources.append(
        {
            "key": SOURCE_KEY,
            "title": (
                "Correlates of War IGO data v3.0, IGO-year format (file "
                f"{data.name}, imported whole)"
            ),
            "kind": "dataset",
            "publisher": "Correlates of War Project",
            "address": data.name,
            "language": "en",
            "published": "2020",
            "full_text": None,
            "full_text_sha256": data.sha256,
            "note": (
                "Pevehouse, Nordstrom, McManus & Jamison (2020), Journal of Peace Research "
                "57(3): 492–503. Citations point at cells (file, ioname, column, years); "
                "the quote is the code every cell of the range holds."
            ),
        }
    )
    iso3_of: dict[str, str] = {}
    for state in data.states:
        existing = curated.state_by_ccode.get(state.ccode)
        if existing is not None:
            iso3_of[state.column] = existing
            continue
        if state.iso3 in curated.state_codes:
            raise DatasetError(
                f"{data.name}: line 1, column {state.column!r}: state {state.iso3} is in the "
                f"database without COW code {state.ccode}; add the code to the seeds"
            )
        iso3_of[state.column] = state.iso3
        rows.states.append(
            {
                "iso3": state.iso3,
                "iso2": state.iso2,
                "numeric": state.numeric,
                "name": state.name,
                "cow_ccode": state.ccode,
                "dataset_key": SOURCE_KEY,
            }
        )
    curated_ionums = {
        ionum: code for code, ionum in curated.organizations.items() if ionum is not None
    }
    organizations = spans = 0
    for organization in data.organizations:
        if organization.ionum in curated_ionums:
            skipped.append(
                f"{organization.ioname} (ionum {organization.ionum}): the curated "
                f"record's {curated_ionums[organization.ionum]}; COW's rows stay "
                "readings of its facts"
            )
            continue
        code = organization.ioname
        if code not in curated.organizations:
            if code in curated.fact_keys:
                raise DatasetError(
                    f"{data.name}: line {organization.first_line}: organization {code}: "
                    "the key is a curated fact's"
                )
            _organization_rows(rows, data.name, organization)
            organizations += 1
        for column, cells in organization.codes.items():
            column_runs = runs(organization.years, cells)
            for run in missing_runs(column_runs):
                rows.missing_data.append(
                    {
                        "organization_code": code,
                        "state_iso3": iso3_of[column],
                        "first_year": run.first,
                        "last_year": run.last,
                        "source_key": SOURCE_KEY,
                    }
                )
            if STATUS_CODES.isdisjoint(cells):
                continue
            for reading in spans_of(column_runs, dissolved=organization.dissolved):
                _span_rows(rows, data.name, organization, column, iso3_of[column], reading)
                spans += 1
    rows.dataset_imports.append(
        {
            "source_key": SOURCE_KEY,
            "file_name": data.name,
            "file_sha256": data.sha256,
            "organizations": organizations,
            "spans": spans,
        }
    )
    return rows, skipped


def _organization_rows(rows: ImportRows, file: str, organization: CowOrganization) -> None:
    code = organization.ioname
    # The latest long name, cited over the last years that carry it; COW's short
    # ``orgname`` where it gives none.
    name = organization.longorgnames[-1]
    first = len(organization.years) - 1
    while (
        first
        and organization.longorgnames[first - 1] == name
        and organization.years[first - 1] == organization.years[first] - 1
    ):
        first -= 1
    column = "longorgname" if name else "orgname"
    name = name or organization.orgname
    last = organization.years[-1]
    run = Run(name, organization.years[first], last)
    citation = locator_citation_row(file, code, column, run)
    rows.citations.append(citation)
    rows.facts.append({"key": code, "table_name": "organizations", "dataset_key": SOURCE_KEY})
    rows.fact_citations.append({"fact_key": code, "citation_key": citation["key"]})
    # The record ends with the last year COW codes the organization; one COW says ended
    # has a lifetime, whose membership ends in that year (or in its last year, if later),
    # and its record with it.
    horizon = _date(str(last))
    ended = None
    if organization.dissolved is not None:
        ended = horizon = _date(str(max(organization.dissolved, last)))
        dead_column = "deaddate" if organization.deaddates[-1] else "dead"
        values = organization.deaddates if organization.deaddates[-1] else organization.deads
        first = len(values) - 1  # the last rows that carry it, in consecutive years
        while (
            first
            and values[first - 1] == values[-1]
            and organization.years[first - 1] == organization.years[first] - 1
        ):
            first -= 1
        cells = Run(values[-1], organization.years[first], last)
        dead_citation = locator_citation_row(file, code, dead_column, cells)
        rows.citations.append(dead_citation)
        rows.fact_citations.append({"fact_key": code, "citation_key": dead_citation["key"]})
        if organization.dissolved > last:
            reasoning = (
                f"the end of {organization.dissolved}, the year {DATASET_NAME} says it "
                f"ended (it codes its members to {last})"
            )
        else:
            reasoning = (
                f"the end of {last}, the last year {DATASET_NAME} codes it (it says the "
                f"organization ended in {organization.dissolved})"
            )
    else:
        reasoning = f"the end of {last}, the last year {DATASET_NAME}, its only source, codes it"
    rows.organizations.append(
        {
            "code": code,
            "name": name[:200],
            "kind": "international_organization",
            "parent_code": None,
            "predecessor_code": None,
            "cow_ionum": organization.ionum,
            **_partial_date_columns("membership_start", None),
            **_partial_date_columns("membership_end", ended),
            **_partial_date_columns("horizon", horizon),
            "horizon_reasoning": reasoning,
            "note": f"COW IGO {organization.ionum}: {organization.orgname}",
        }
    )


def _partial_date_columns(name: str, value: PartialDate | None) -> dict[str, Any]:
    """The four columns of the partial date ``name``, empty for None."""
    return {
        f"{name}_edtf": value.edtf if value else None,
        f"{name}_lower": value.lower if value else None,
        f"{name}_upper": value.upper if value else None,
        f"{name}_precision": value.precision if value else None,
    }


def _span_rows(
    rows: ImportRows,
    file: str,
    organization: CowOrganization,
    column: str,
    iso3: str,
    reading: SpanReading,
) -> None:
    status_run = next(run for run in reading.cells if run.code != MISSING)
    key = f"cow:{organization.ioname}:{iso3}:{status_run.first}"
    rows.facts.append({"key": key, "table_name": "membership_spans", "dataset_key": SOURCE_KEY})
    for run in reading.cells:
        citation = locator_citation_row(file, organization.ioname, column, run)
        if citation["key"] not in rows.citation_keys:
            rows.citation_keys.add(citation["key"])
            rows.citations.append(citation)
        rows.fact_citations.append({"fact_key": key, "citation_key": citation["key"]})
    rows.membership_spans.append(
        membership_span_row(
            key=key,
            state_iso3=iso3,
            organization_code=organization.ioname,
            status=reading.status,
            start=reading.start,
            end=reading.end,
            reasoning=reading.reasoning,
        )
    )


# --- Writing -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did."""

    file: str
    changed: bool
    organizations: int
    spans: int
    states: int
    rows: int
    skipped: list[str]
    #: Runs of missing data (-9) stored.
    missing: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": SOURCE_KEY,
            "file": self.file,
            "changed": self.changed,
            "organizations": self.organizations,
            "spans": self.spans,
            "missing_data_runs": self.missing,
            "states": self.states,
            "rows": self.rows,
            "left_to_the_record": self.skipped,
        }

    def lines(self) -> list[str]:
        if not self.changed:
            return [f"{self.file} already imported as {SOURCE_KEY}: nothing changed"]
        return [
            f"imported {self.file} as {SOURCE_KEY}: {self.organizations} organizations, "
            f"{self.spans} membership spans, {self.missing} runs of missing data (-9), "
            f"{self.states} states added; {self.rows} rows written",
            *(f"left to the curated record: {line}" for line in self.skipped),
        ]


def import_cow(
    connection: Connection, path: Path, *, progress: Progress | None = None
) -> ImportReport:
    """Import COW's ``igo_year_formatv3.csv`` at ``path`` inside the caller's transaction.

    The file is read and validated whole before anything is written. The same file a
    second time changes nothing; another file replaces what the previous import wrote.
    Raises :class:`DatasetError` for a malformed file.
    """
    data = read_cow_file(path)
    previous = connection.execute(
        select(DatasetImport.file_sha256).where(DatasetImport.source_key == SOURCE_KEY)
    ).scalar()
    if previous == data.sha256:
        return ImportReport(data.name, False, 0, 0, 0, 0, [])
    if previous is not None:
        remove_import(connection)
    rows, skipped = import_rows(data, curated_of(connection))
    name = data.name
    del data  # the parsed cells are in the rows now; free them before the inserts
    write_rows(connection, rows, progress)
    summary = rows.dataset_imports[0]
    return ImportReport(
        name,
        True,
        summary["organizations"],
        summary["spans"],
        len(rows.states),
        rows.count(),
        skipped,
        len(rows.missing_data),
    )


def write_rows(connection: Connection, rows: ImportRows, progress: Progress | None = None) -> None:
    """Bulk inserts, parents first: one executemany per table and batch."""
    from ..store.models import Base

    total, done = rows.count(), 0
    for name, table_rows in rows.tables():
        table = Base.metadata.tables[name]
        for first in range(0, len(table_rows), BATCH):
            batch = table_rows[first : first + BATCH]
            connection.execute(table.insert(), batch)
            done += len(batch)
            if progress:
                progress(done, total)


def remove_import(connection: Connection) -> None:
    """Delete every row the COW import wrote: facts before the citations they need."""
    imported = select(Fact.key).where(Fact.dataset_key == SOURCE_KEY)
    connection.execute(delete(MissingData).where(MissingData.source_key == SOURCE_KEY))
    connection.execute(delete(MembershipSpan).where(MembershipSpan.key.in_(imported)))
    connection.execute(delete(Organization).where(Organization.code.in_(imported)))
    connection.execute(delete(FactCitation).where(FactCitation.fact_key.in_(imported)))
    connection.execute(delete(Fact).where(Fact.dataset_key == SOURCE_KEY))
    connection.execute(delete(Citation).where(Citation.source_key == SOURCE_KEY))
    connection.execute(delete(State).where(State.dataset_key == SOURCE_KEY))
    connection.execute(delete(DatasetImport).where(DatasetImport.source_key == SOURCE_KEY))
    connection.execute(delete(Source).where(Source.key == SOURCE_KEY))


# --- Verifying locators ------------------------------------------------------------------------


def verify_locators(connection: Connection, path: Path) -> list[str]:
    """Check every COW locator citation against the file at ``path``: each cell of its range
    must hold its quote. The file must be the one imported (same sha256)."""
    recorded = connection.execute(
        select(DatasetImport.file_sha256).where(DatasetImport.source_key == SOURCE_KEY)
    ).scalar()
    if recorded is None:
        return []
    data = read_cow_file(path)
    if data.sha256 != recorded:
        return [f"{path.name}: sha256 {data.sha256}, the import recorded {recorded}"]
    # A citation without a record finds no organization (get(None) is None) and is named.
    by_name: dict[str | None, CowOrganization] = {
        organization.ioname: organization for organization in data.organizations
    }
    problems = []
    query = (
        select(
            Citation.key,
            Citation.quote,
            Citation.locator_record,
            Citation.locator_column,
            Citation.locator_first_year,
            Citation.locator_last_year,
        )
        .where(Citation.source_key == SOURCE_KEY)
        .order_by(Citation.key)
    )
    for key, quote, record, column, first, last in connection.execute(query):
        organization = by_name.get(record)
        if organization is None:
            problems.append(f"citation {key}: no organization {record!r} in {path.name}")
            continue
        if column == "longorgname":
            cells = dict(zip(organization.years, organization.longorgnames, strict=True))
        elif column == "dead":
            cells = dict(zip(organization.years, organization.deads, strict=True))
        elif column == "deaddate":
            cells = dict(zip(organization.years, organization.deaddates, strict=True))
        elif column == "orgname":
            cells = dict.fromkeys(organization.years, organization.orgname)
        elif column in organization.codes:
            cells = dict(zip(organization.years, organization.codes[column], strict=True))
        elif column in data.columns:
            cells = dict.fromkeys(organization.years, "0 or empty")
        else:
            problems.append(f"citation {key}: no column {column!r} in {path.name}")
            continue
        assert first is not None and last is not None  # the COW import sets every locator
        wrong = [year for year in range(first, last + 1) if cells.get(year) != quote]
        if wrong:
            problems.append(
                f"citation {key}: {record} {column} in {wrong[0]} is "
                f"{cells.get(wrong[0])!r}, not {quote!r}"
            )
    return problems + _verify_missing_data(connection, data)


def _verify_missing_data(connection: Connection, data: CowFile) -> list[str]:
    """Each run of missing data the import stored is a run of ``-9`` cells in the file, and
    every run of them in the file is stored (but those of an organization the curated
    record holds by its COW number, which the import leaves to the record)."""
    iso3_of = {
        ccode: iso3
        for iso3, ccode in connection.execute(
            select(State.iso3, State.cow_ccode).where(State.cow_ccode.is_not(None))
        )
    }
    column_of = {iso3_of[state.ccode]: state.column for state in data.states}
    stored = {
        (row.organization_code, column_of.get(row.state_iso3), row.first_year, row.last_year)
        for row in connection.execute(
            select(MissingData).where(MissingData.source_key == SOURCE_KEY)
        )
    }
    curated_ionums = {ionum for ionum in curated_of(connection).organizations.values() if ionum}
    in_file = {
        (organization.ioname, column, run.first, run.last)
        for organization in data.organizations
        if organization.ionum not in curated_ionums
        for column, cells in organization.codes.items()
        for run in missing_runs(runs(organization.years, cells))
    }
    problems = [
        f"missing data {code} {column} {first}-{last}: not a run of -9 cells in {data.name}"
        for code, column, first, last in sorted(stored - in_file, key=str)
    ]
    problems += [
        f"missing data {code} {column} {first}-{last}: -9 cells in {data.name} not stored"
        for code, column, first, last in sorted(in_file - stored, key=str)
    ]
    return problems
