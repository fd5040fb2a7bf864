"""COW's IGO-year layout written from the database: the imported organizations come back as
COW's file had them, cell by cell (expectations read from the CSV with pandas), the curated
CSTO differs from COW's rows only where docs/cow.md says, and on every engine alike."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import _fresh_url, run_cli

from csto_db.answers.asof import CERTAIN, POSSIBLE, verdict_periods
from csto_db.store.dates import PartialDate

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parent.parent
EXCERPT = Path(__file__).parent / "data" / "cow-igo-v3-excerpt.csv"
SHARED = Path(
    os.environ.get("CSTO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
COW_FILE = SHARED / "cow-igo-v3" / "igo_year_formatv3.csv"
DOC_BLOCK = re.compile(
    r"<!-- BEGIN GENERATED: cow-year-csto -->\n(.*?)<!-- END GENERATED: cow-year-csto -->",
    re.DOTALL,
)


def read(text_or_path) -> pd.DataFrame:
    source = io.StringIO(text_or_path) if isinstance(text_or_path, str) else text_or_path
    return pd.read_csv(source, dtype=str, keep_default_na=False)


def compare(cow: pd.DataFrame, ours: pd.DataFrame) -> dict[str, int]:
    """Cell-by-cell counts over COW's rows, by (ioname, year), every column."""
    assert list(ours.columns) == list(cow.columns)
    cow, ours = cow.set_index(["ioname", "year"]), ours.set_index(["ioname", "year"])
    missing_rows = cow.index.difference(ours.index)
    common = cow.index.intersection(ours.index)
    left, right = cow.loc[common].to_numpy(), ours.loc[common, cow.columns].to_numpy()
    equal = left == right
    states = cow.columns[1 : 1 + 217]
    state_part = slice(1, 1 + len(states))
    return {
        "rows": len(cow),
        "rows_missing": len(missing_rows),
        "cells": int(cow.size + 2 * len(cow)),
        "cells_equal": int(equal.sum() + 2 * len(common)),
        "minus_nine_equal": int(((left == "-9") & equal)[:, state_part].sum()),
        "minus_nine": int((cow.to_numpy()[:, state_part] == "-9").sum()),
        "empty_equal": int(((left == "") & equal)[:, state_part].sum()),
        "empty": int((cow.to_numpy()[:, state_part] == "").sum()),
    }


def documented_cells() -> set[tuple[int, str, str, str]]:
    """(year, state, COW, record) of each differing CSTO cell docs/cow.md lists."""
    block = DOC_BLOCK.search((ROOT / "docs" / "cow.md").read_text("utf-8")).group(1)
    found = set()
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            found.add((int(cells[0]), cells[1], cells[2], cells[3]))
    return found


def test_a_span_of_cow_years_is_listed_possibly_in_its_last_year():
    """A run coded 1949–1990 reads as a span starting in 1949 and ending in 1990: certain
    from the last day of 1949, possible again through 1990, out after it."""
    periods = verdict_periods([PartialDate.parse("1949")], [PartialDate.parse("1990")])
    by_day = [(p.first, p.until, p.verdict.certainty) for p in periods]
    assert by_day == [
        (date(1949, 1, 1), date(1949, 12, 31), POSSIBLE),
        (date(1949, 12, 31), date(1990, 1, 1), CERTAIN),
        (date(1990, 1, 1), date(1990, 12, 31), POSSIBLE),
    ]


def test_the_excerpt_comes_back_cell_by_cell_on_every_engine(cow_excerpt_url):
    """Every imported organization of the excerpt, the -9 and empty cells included, and the
    excerpt's bytes outside the CSTO's lines; the CSTO rows differ from COW's only in the
    cells docs/cow.md lists."""
    text = run_cli("export", "--format", "cow-year", db=cow_excerpt_url).stdout
    cow, ours = read(EXCERPT), read(text)
    imported = cow[cow.ioname != "CSTO"]
    counts = compare(imported, ours)
    assert counts["rows_missing"] == 0
    assert counts["cells_equal"] == counts["cells"]
    assert counts["minus_nine_equal"] == counts["minus_nine"] > 0
    assert counts["empty_equal"] == counts["empty"] > 0
    not_csto = [
        line for line in EXCERPT.read_text("utf-8").splitlines() if not line.startswith("CSTO,")
    ]
    assert [
        line for line in text.splitlines() if not line.startswith(("CSTO,", "CST,"))
    ] == not_csto
    states = list(cow.columns[3 : 3 + 217])
    theirs = cow[cow.ioname == "CSTO"].set_index("year")[states]
    mine = ours[ours.ioname == "CSTO"].set_index("year")[states]
    years = theirs.index.intersection(mine.index)
    differing = {
        (int(year), column, theirs.loc[year, column], mine.loc[year, column])
        for year in years
        for column in states
        if theirs.loc[year, column] != mine.loc[year, column]
    }
    column_of = {"uzbekistan": "UZB", "afghanistan": "AFG", "yugoslaviaserb": "SRB"}
    assert {(y, column_of.get(c, c), t, m) for y, c, t, m in differing} == documented_cells()


def test_one_organization_to_a_file(cow_excerpt_url, tmp_path):
    out = tmp_path / "nato.csv"
    run_cli(
        "export", "--format", "cow-year", "--org", "nato", "--out", str(out), db=cow_excerpt_url
    )
    cow = read(EXCERPT)
    assert read(out).equals(cow[cow.ioname == "NATO"].reset_index(drop=True))
    again = run_cli(
        "export",
        "--format",
        "cow-year",
        "--org",
        "NATO",
        "--out",
        str(out),
        db=cow_excerpt_url,
        expect=2,
    )
    assert "already exists" in again.stderr


def test_the_difference_page_is_what_crosscheck_prints(built_db_url):
    printed = run_cli("crosscheck", "cow", "--cow-year", db=built_db_url).stdout
    page = DOC_BLOCK.search((ROOT / "docs" / "cow.md").read_text("utf-8")).group(1)
    assert page == printed, "paste `csto-db crosscheck cow --cow-year` into docs/cow.md"


@pytest.mark.slow
@pytest.mark.skipif(not COW_FILE.exists(), reason="COW's file is not in CSTO_SHARED_DATA")
def test_the_whole_file_comes_back_cell_by_cell(server, tmp_path_factory):
    """After import-cow of the whole file, the export gives back every cell of every
    imported organization; the CSTO's 13 rows, which the import leaves to the curated
    record, are the one class that does not come back (docs/cow.md)."""
    from csto_db.build.init import init_database

    url = _fresh_url(server, tmp_path_factory.mktemp("cow-whole"))
    init_database(url)
    run_cli("import-cow", "--quiet", str(COW_FILE), db=url)
    text = run_cli("export", "--format", "cow-year", db=url).stdout
    cow, ours = read(COW_FILE), read(text)
    imported = cow[cow.ioname != "CSTO"]
    counts = compare(imported, ours)
    print(
        "round trip:",
        counts,
        "file cells:",
        cow.size,
        "CSTO cells:",
        (cow.ioname == "CSTO").sum() * cow.shape[1],
    )
    assert counts["rows_missing"] == 0
    assert counts["cells_equal"] == counts["cells"]
    assert counts["minus_nine_equal"] == counts["minus_nine"]
    assert counts["empty_equal"] == counts["empty"]
    assert (cow.ioname == "CSTO").sum() == 13
    csto_cells = int((cow.ioname == "CSTO").sum()) * cow.shape[1]
    lines = COW_FILE.read_text("utf-8").splitlines()
    assert [line for line in text.splitlines() if not line.startswith(("CSTO,", "CST,"))] == [
        line for line in lines if not line.startswith("CSTO,")
    ]
    page = " ".join((ROOT / "docs" / "cow.md").read_text("utf-8").split())
    for figure in (
        f"all {counts['cells']:,} cells of the {counts['rows']:,} rows",
        f"of the file's {cow.size:,}",
        f"the {counts['minus_nine']:,} `-9` cells",
        f"the {counts['empty']:,} empty cells",
        f"COW's 13 CSTO rows (2002–2014, {csto_cells:,} cells)",
    ):
        assert figure in page, figure
    if server is not None:
        server.drop(url)


def test_check_verifies_the_empty_cells_and_the_rows_against_the_file(cow_excerpt_url):
    """A run of empty cells or a cell beside the state columns that is not the file's is
    named, and so is the run or row of the file that is then not stored."""
    from sqlalchemy import select, update

    from csto_db.datasets.cow_import import verify_locators
    from csto_db.models import CowYear, NotInSystem
    from csto_db.store.db import make_engine

    assert "ok" in run_cli("check", "--cow-file", str(EXCERPT), db=cow_excerpt_url).stdout
    engine = make_engine(cow_excerpt_url)
    try:
        with engine.connect() as connection:
            state, first, last = connection.execute(
                select(NotInSystem.state_iso3, NotInSystem.first_year, NotInSystem.last_year)
                .where(NotInSystem.organization_code == "NATO")
                .order_by(NotInSystem.state_iso3, NotInSystem.first_year)
                .limit(1)
            ).one()
            connection.execute(
                update(NotInSystem)
                .where(
                    NotInSystem.organization_code == "NATO",
                    NotInSystem.state_iso3 == state,
                    NotInSystem.first_year == first,
                )
                .values(last_year=last + 1)
            )
            connection.execute(
                update(CowYear)
                .where(CowYear.organization_code == "NATO", CowYear.year == 1990)
                .values(version="3")
            )
            problems = verify_locators(connection, EXCERPT)
            connection.rollback()
    finally:
        engine.dispose()
    assert any("empty cells NATO" in p and f"{first}-{last + 1}: not a run" in p for p in problems)
    assert any(f"{first}-{last}: empty cells in" in p and "not stored" in p for p in problems)
    assert any(p.startswith("cow_years NATO 1990 version: '3'") for p in problems)


def test_a_server_writes_what_sqlite_writes(server, cow_excerpt_url, tmp_path):
    """The same seeds and excerpt give the same bytes on PostgreSQL or MariaDB as on
    SQLite, the curated CST and CSTO rows included."""
    if server is None:
        pytest.skip("the suite runs on SQLite: nothing to compare it with")
    from csto_db.build.init import init_database

    sqlite_url = f"sqlite:///{tmp_path / 'csto.db'}"
    init_database(sqlite_url)
    run_cli("import-cow", "--quiet", str(EXCERPT), db=sqlite_url)
    on_sqlite = run_cli("export", "--format", "cow-year", db=sqlite_url).stdout
    on_server = run_cli("export", "--format", "cow-year", db=cow_excerpt_url).stdout
    assert on_server == on_sqlite
    assert on_server.count("\nCST,") > 30


@pytest.mark.parametrize(
    "args,message",
    [
        # An organization the database does not hold.
        (("--format", "cow-year", "--org", "NOPE"), "unknown organization 'NOPE'"),
        # --org chooses organizations of the cow-year layout only.
        (("--format", "csv", "--org", "CSTO", "--out", "x"), "--org is for --format cow-year"),
        # The folder formats need a folder.
        (("--format", "csv"), "--format csv writes into a folder"),
        # JSON says what was written, so it needs a file.
        (("--format", "cow-year", "--json"), "pass --out FILE with it"),
    ],
)
def test_bad_export_requests_are_one_line_errors(built_db_url, args, message):
    result = run_cli("export", *args, db=built_db_url, expect=2)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_folder_is_not_a_cow_year_file(built_db_url, tmp_path):
    result = run_cli(
        "export", "--format", "cow-year", "--out", str(tmp_path), db=built_db_url, expect=2
    )
    assert "is a folder" in result.stderr


def test_past_the_horizon_no_period_is_certain():
    """An open span from a day: certain until the record's horizon, possible after it."""
    horizon = date(2026, 1, 31)
    periods = verdict_periods([PartialDate.parse("2003-09-18")], [None], horizon=horizon)
    assert [(p.first, p.until, p.verdict.certainty) for p in periods] == [
        (date(2003, 9, 18), date(2026, 2, 1), CERTAIN),
        (date(2026, 2, 1), None, POSSIBLE),
    ]
