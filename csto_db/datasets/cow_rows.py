"""The rows a COW import writes: organizations, membership spans, missing data and empty cells,
each cited by the cells it rests on, and each organization-year row's cells beside the state
columns; and the curated record's own rows, which the import leaves alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Connection, or_, select

from ..answers.asof import reach_of
from ..store.dates import PartialDate
from ..store.models import Fact, Organization, State
from ..store.tables import metadata
from .cow_file import (
    DATASET_NAME,
    MISSING,
    NOT_IN_SYSTEM,
    SOURCE_KEY,
    CowFile,
    CowOrganization,
    DatasetError,
)
from .cow_spans import Run, SpanReading, _date, runs, spans_of

#: A row as a tuple of its table's values, in the order of :attr:`ImportRows.COLUMNS`.
Row = tuple[Any, ...]


#: The four columns of a partial date that is not there.
_NO_DATE = (None, None, None, None)


def _partial_date_columns(value: PartialDate | None) -> Row:
    """The four columns of a partial date (edtf, lower, upper, precision), empty for None."""
    if value is None:
        return _NO_DATE
    return (value.edtf, value.lower, value.upper, value.precision)


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
) -> Row:
    """One ``membership_spans`` row, every column set: the one place an import builds it.
    An imported span has no competing readings, so its reach is its own outer bounds."""
    reach_start, reach_end = reach_of(start, end, ())
    return (
        key,
        state_iso3,
        organization_code,
        status,
        *_partial_date_columns(start),
        *_partial_date_columns(end),
        None,  # start_document_key
        None,  # start_event_key
        None,  # end_document_key
        None,  # end_event_key
        reach_start,
        reach_end,
        reasoning is not None,  # inferred
        reasoning,
        note,
    )


def citation_key(ioname: str, column: str, run: Run) -> str:
    return f"cow:{ioname}:{column}:{run.first}-{run.last}"


def locator_citation_row(file: str, ioname: str, column: str, run: Run) -> Row:
    """A citation of a run of cells: every cell holds the quote."""
    return (
        citation_key(ioname, column, run),
        SOURCE_KEY,
        run.code,  # quote
        None,  # translation
        None,  # char_start
        None,  # char_end
        file,
        ioname,
        column,
        run.first,
        run.last,
    )


@dataclass
class ImportRows:
    """Every row an import writes, per table, in the order they must be written; each row a
    tuple of the values of its table's :attr:`COLUMNS` (a tuple holds a row in a fraction of
    a dict's memory, and the driver takes it as it is)."""

    #: The tables, parents first; each row holds its table's columns in the table's own order
    #: (read from the table definition, so a column added there is a row one value short,
    #: refused at the insert, never a column left out in silence).
    COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {
        name: tuple(column.name for column in metadata.tables[name].columns)
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
            "not_in_system",
            "cow_years",
        )
    }

    sources: list[Row] = field(default_factory=list)
    dataset_imports: list[Row] = field(default_factory=list)
    states: list[Row] = field(default_factory=list)
    citations: list[Row] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)
    fact_citations: list[Row] = field(default_factory=list)
    organizations: list[Row] = field(default_factory=list)
    membership_spans: list[Row] = field(default_factory=list)
    missing_data: list[Row] = field(default_factory=list)
    not_in_system: list[Row] = field(default_factory=list)
    cow_years: list[Row] = field(default_factory=list)
    citation_keys: set[str] = field(default_factory=set)
    #: Organizations and membership spans the rows add (the ``dataset_imports`` row's).
    organization_count: int = 0
    span_count: int = 0

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], list[Row]]]:
        """Each table's name, columns and rows, parents first."""
        for name, columns in self.COLUMNS.items():
            yield name, columns, getattr(self, name)

    def count(self) -> int:
        return sum(len(rows) for _name, _columns, rows in self.tables())


@dataclass(frozen=True)
class Curated:
    """What the database already holds that an import must respect."""

    organizations: dict[str, int | None]
    """Organization code -> its COW ionum, for every organization already present."""
    state_by_ccode: dict[int, str]
    state_codes: set[str]
    fact_keys: set[str]


def curated_of(connection: Connection) -> Curated:
    # The tables, not the mapped classes: the first query through a mapped class configures
    # every mapper, a third of a second an import has no other use for.
    organizations, facts, states = Organization.__table__, Fact.__table__, State.__table__
    imported = facts.c.dataset_key == SOURCE_KEY
    not_imported = or_(facts.c.dataset_key.is_(None), ~imported)
    return Curated(
        organizations={
            code: ionum
            for code, ionum in connection.execute(
                select(organizations.c.code, organizations.c.cow_ionum)
                .join(facts, facts.c.key == organizations.c.code)
                .where(not_imported)
            )
        },
        state_by_ccode={
            ccode: iso3
            for ccode, iso3 in connection.execute(
                select(states.c.cow_ccode, states.c.iso3).where(
                    states.c.cow_ccode.is_not(None), states.c.dataset_key.is_(None)
                )
            )
            if ccode is not None
        },  # as the query says; the type checker cannot see it
        state_codes=set(
            connection.execute(
                select(states.c.iso3).where(states.c.dataset_key.is_(None))
            ).scalars()
        ),
        fact_keys=set(connection.execute(select(facts.c.key).where(not_imported)).scalars()),
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
        (
            SOURCE_KEY,
            (
                "Correlates of War IGO data v3.0, IGO-year format (file "
                f"{data.name}, imported whole)"
            ),
            "dataset",
            "Correlates of War Project",
            data.name,
            "en",
            "2020",
            None,  # full_text
            data.sha256,
            (
                "Pevehouse, Nordstrom, McManus & Jamison (2020), Journal of Peace Research "
                "57(3): 492–503. Citations point at cells (file, ioname, column, years); "
                "the quote is the code every cell of the range holds."
            ),
        )
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
            (state.iso3, state.iso2, state.numeric, state.name, state.ccode, SOURCE_KEY)
        )
    #: Where each state column stands in the file, to take an organization's columns in order.
    place = {state.column: index for index, state in enumerate(data.states)}
    curated_ionums = {
        ionum: code for code, ionum in curated.organizations.items() if ionum is not None
    }
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
            rows.organization_count += 1
        _cow_year_rows(rows, organization)
        _column_rows(rows, data.name, organization, iso3_of, place)
    rows.dataset_imports.append(
        (SOURCE_KEY, data.name, data.sha256, rows.organization_count, rows.span_count)
    )
    return rows, skipped


def _column_rows(
    rows: ImportRows,
    file: str,
    organization: CowOrganization,
    iso3_of: dict[str, str],
    place: dict[str, int],
) -> None:
    """The rows of each state column that codes something: its runs of empty cells and of
    missing data, and its spans. Each column's runs are found once, for all three."""
    code, years, dissolved = organization.ioname, organization.years, organization.dissolved
    codes, empties = organization.codes, organization.empties
    not_in_system, missing_data = rows.not_in_system, rows.missing_data
    # Years without a gap: a run of cells is a run of years from the first one on.
    contiguous = years[-1] - years[0] == len(years) - 1
    for column in sorted(codes.keys() | empties.keys(), key=place.__getitem__):
        iso3 = iso3_of[column]
        cells = codes.get(column)
        if cells is None:
            # Only empty cells and 0: most such columns are the years before the state
            # joined the system, or after it left, in one block, found in C.
            cells = empties[column]
            first, length = cells.index(NOT_IN_SYSTEM), cells.count(NOT_IN_SYSTEM)
            if contiguous and cells[first : first + length].count(NOT_IN_SYSTEM) == length:
                start = years[0] + first
                not_in_system.append((code, iso3, start, start + length - 1, SOURCE_KEY))
                continue
        column_runs = runs(years, cells)
        coded = False  # some run of a status, which makes a span
        for run in column_runs:
            if run.code == NOT_IN_SYSTEM:
                not_in_system.append((code, iso3, run.first, run.last, SOURCE_KEY))
            elif run.code == MISSING:
                missing_data.append((code, iso3, run.first, run.last, SOURCE_KEY))
            elif run.code != "0":
                coded = True
        if coded:
            for reading in spans_of(column_runs, dissolved=dissolved):
                _span_rows(rows, file, organization, column, iso3, reading)
                rows.span_count += 1


def _cow_year_rows(rows: ImportRows, organization: CowOrganization) -> None:
    """Each of the organization's rows: its year and its cells beside the state columns."""
    code, orgname = organization.ioname, organization.orgname
    rows.cow_years.extend(
        (code, year, SOURCE_KEY, orgname, *cells)
        for year, cells in zip(organization.years, organization.row_cells, strict=True)
    )


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
    rows.facts.append((code, "organizations", SOURCE_KEY))
    rows.fact_citations.append((code, citation[0]))
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
        rows.fact_citations.append((code, dead_citation[0]))
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
        (
            code,
            name[:200],
            "international_organization",
            None,  # parent_code
            None,  # predecessor_code
            organization.ionum,
            *_NO_DATE,  # membership_start
            *_partial_date_columns(ended),  # membership_end
            *_partial_date_columns(horizon),
            reasoning,  # horizon_reasoning
            f"COW IGO {organization.ionum}: {organization.orgname}",
        )
    )


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
    rows.facts.append((key, "membership_spans", SOURCE_KEY))
    for run in reading.cells:
        citation = locator_citation_row(file, organization.ioname, column, run)
        if citation[0] not in rows.citation_keys:
            rows.citation_keys.add(citation[0])
            rows.citations.append(citation)
        rows.fact_citations.append((key, citation[0]))
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
