"""The rows a COW import writes: organizations, membership spans, missing data and empty cells,
each cited by the cells it rests on, and each organization-year row's cells beside the state
columns; and the curated record's own rows, which the import leaves alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, or_, select

from ..answers.asof import reach_of
from ..store.dates import PartialDate
from ..store.models import Fact, Organization, State
from .cow_file import (
    DATASET_NAME,
    MISSING,
    ROW_COLUMNS,
    SOURCE_KEY,
    STATUS_CODES,
    CowFile,
    CowOrganization,
    DatasetError,
)
from .cow_spans import Run, SpanReading, _date, empty_runs, missing_runs, runs, spans_of


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
    not_in_system: list[dict[str, Any]] = field(default_factory=list)
    cow_years: list[dict[str, Any]] = field(default_factory=list)
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
            "not_in_system",
            "cow_years",
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
        _cow_year_rows(rows, organization)
        for column, cells in organization.empties.items():
            for run in empty_runs(runs(organization.years, cells)):
                rows.not_in_system.append(
                    {
                        "organization_code": code,
                        "state_iso3": iso3_of[column],
                        "first_year": run.first,
                        "last_year": run.last,
                        "source_key": SOURCE_KEY,
                    }
                )
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


def _cow_year_rows(rows: ImportRows, organization: CowOrganization) -> None:
    """Each of the organization's rows: its year and its cells beside the state columns."""
    for year, cells in zip(organization.years, organization.row_cells, strict=True):
        rows.cow_years.append(
            {
                "organization_code": organization.ioname,
                "year": year,
                "source_key": SOURCE_KEY,
                "orgname": organization.orgname,
                **dict(zip(ROW_COLUMNS, cells, strict=True)),
            }
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
