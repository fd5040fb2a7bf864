"""Importing the Correlates of War IGO dataset (v3, IGO-year format) whole, as its own source;
removing an import, and checking its cell locators against the file."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select

from ..store.bulk_insert import BulkInsert
from ..store.models import (
    Citation,
    CowYear,
    DatasetImport,
    Fact,
    FactCitation,
    MembershipSpan,
    MissingData,
    NotInSystem,
    Organization,
    Source,
    State,
)
from .cow_file import ROW_COLUMNS, SOURCE_KEY, CowFile, CowOrganization, read_cow_file
from .cow_rows import ImportRows, curated_of, import_rows
from .cow_spans import empty_runs, missing_runs, runs

#: Rows written per executemany call: large enough to amortise the round trip, small enough
#: that the progress bar moves.
BATCH = 5000

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while rows are written."""


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
    #: Runs of empty cells (state not system member) stored.
    empty: int = 0
    #: Organization-year rows stored.
    years: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": SOURCE_KEY,
            "file": self.file,
            "changed": self.changed,
            "organizations": self.organizations,
            "spans": self.spans,
            "missing_data_runs": self.missing,
            "not_in_system_runs": self.empty,
            "organization_years": self.years,
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
            f"{self.empty} runs of empty cells (not in the state system), {self.years} "
            f"organization-years, {self.states} states added; {self.rows} rows written",
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
    with _collector_paused():
        return _import_cow(connection, path, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cycle collector, as it was before afterwards. An import allocates some
    half a million tuples, lists and rows, none in a cycle (reference counting frees them
    all); yet their count sets off collection after collection, each walking every one
    still alive: about a quarter of a second of an import of the full file."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_cow(connection: Connection, path: Path, progress: Progress | None) -> ImportReport:
    data = read_cow_file(path)
    # The table, not the mapped class: see curated_of.
    imports = DatasetImport.__table__
    previous = connection.execute(
        select(imports.c.file_sha256).where(imports.c.source_key == SOURCE_KEY)
    ).scalar()
    if previous == data.sha256:
        return ImportReport(data.name, False, 0, 0, 0, 0, [])
    if previous is not None:
        remove_import(connection)
    rows, skipped = import_rows(data, curated_of(connection))
    name = data.name
    del data  # the parsed cells are in the rows now; free them before the inserts
    write_rows(connection, rows, progress)
    return ImportReport(
        name,
        True,
        rows.organization_count,
        rows.span_count,
        len(rows.states),
        rows.count(),
        skipped,
        len(rows.missing_data),
        len(rows.not_in_system),
        len(rows.cow_years),
    )


def write_rows(connection: Connection, rows: ImportRows, progress: Progress | None = None) -> None:
    """Bulk inserts, parents first: one executemany per table and batch, each table's INSERT
    compiled once (:class:`~csto_db.store.bulk_insert.BulkInsert`)."""
    from ..store.models import Base

    total, done = rows.count(), 0
    for name, columns, table_rows in rows.tables():
        if not table_rows:
            continue
        insert = BulkInsert(connection, Base.metadata.tables[name], columns)
        for first in range(0, len(table_rows), BATCH):
            batch = table_rows[first : first + BATCH]
            insert.execute(batch)
            done += len(batch)
            if progress:
                progress(done, total)


def remove_import(connection: Connection) -> None:
    """Delete every row the COW import wrote: facts before the citations they need."""
    imported = select(Fact.key).where(Fact.dataset_key == SOURCE_KEY)
    connection.execute(delete(MissingData).where(MissingData.source_key == SOURCE_KEY))
    connection.execute(delete(NotInSystem).where(NotInSystem.source_key == SOURCE_KEY))
    connection.execute(delete(CowYear).where(CowYear.source_key == SOURCE_KEY))
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
    """Each run of missing data (``-9``) and of empty cells the import stored is such a run
    of cells in the file, and every such run in the file is stored; each organization-year
    row stored is the file's, cell for cell beside the state columns, and every row is
    stored (but those of an organization the curated record holds by its COW number, which
    the import leaves to the record)."""
    iso3_of = {
        ccode: iso3
        for iso3, ccode in connection.execute(
            select(State.iso3, State.cow_ccode).where(State.cow_ccode.is_not(None))
        )
    }
    column_of = {iso3_of[state.ccode]: state.column for state in data.states}
    curated_ionums = {ionum for ionum in curated_of(connection).organizations.values() if ionum}
    imported = [o for o in data.organizations if o.ionum not in curated_ionums]
    problems = []
    for model, what, columns_of, runs_of in (
        (MissingData, "missing data", "codes", missing_runs),
        (NotInSystem, "empty cells", "empties", empty_runs),
    ):
        stored = {
            (row.organization_code, column_of.get(row.state_iso3), row.first_year, row.last_year)
            for row in connection.execute(
                select(
                    model.organization_code, model.state_iso3, model.first_year, model.last_year
                ).where(model.source_key == SOURCE_KEY)
            )
        }
        in_file = {
            (organization.ioname, column, run.first, run.last)
            for organization in imported
            for column, cells in getattr(organization, columns_of).items()
            for run in runs_of(runs(organization.years, cells))
        }
        cells = "-9 cells" if model is MissingData else "empty cells"
        problems += [
            f"{what} {code} {column} {first}-{last}: not a run of {cells} in {data.name}"
            for code, column, first, last in sorted(stored - in_file, key=str)
        ]
        problems += [
            f"{what} {code} {column} {first}-{last}: {cells} in {data.name} not stored"
            for code, column, first, last in sorted(in_file - stored, key=str)
        ]
    return problems + _verify_cow_years(connection, data.name, imported)


def _verify_cow_years(
    connection: Connection, file: str, organizations: list[CowOrganization]
) -> list[str]:
    """The organization-year rows stored against the file's: the same years, and in each
    the same cells beside the state columns."""
    table = CowYear.__table__
    stored = {
        (row.organization_code, row.year): row
        for row in connection.execute(select(table).where(table.c.source_key == SOURCE_KEY))
    }
    problems = []
    for organization in organizations:
        for year, cells in zip(organization.years, organization.row_cells, strict=True):
            row = stored.pop((organization.ioname, year), None)
            if row is None:
                problems.append(f"cow_years {organization.ioname} {year}: in {file}, not stored")
                continue
            named = zip(("orgname", *ROW_COLUMNS), (organization.orgname, *cells), strict=True)
            for name, value in named:
                if getattr(row, name) != value:
                    problems.append(
                        f"cow_years {organization.ioname} {year} {name}: "
                        f"{getattr(row, name)!r}, {file} has {value!r}"
                    )
    problems += [
        f"cow_years {code} {year}: stored, not a row of {file}"
        for code, year in sorted(stored, key=str)
    ]
    return problems
