"""Member counts per year against COW IGO itself: after `import-cow`, the count as of 1 July of
every year an organization has rows equals the file's count of 1s (full members) that year,
computed here with pandas from the CSV alone. The one documented exception is missing data:
a year in which the file codes some states -9 may count, as possible members, states whose
span's dates a run of -9 widens (see docs/cow.md); such a year's count exceeds the 1s by at
most the -9 cells of the year, and never falls below them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import require_module, run_cli

from csto_db.answers.counts import counts_by_year
from csto_db.store.db import make_engine

EXCERPT = Path(__file__).parent / "data" / "cow-igo-v3-excerpt.csv"
SHARED = Path(
    os.environ.get("CSTO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
COW_FILE = SHARED / "cow-igo-v3" / "igo_year_formatv3.csv"
DOC = Path(__file__).resolve().parents[1] / "docs" / "igo-research.md"

#: The excerpt's organizations that COW alone records (the CSTO and the OSCE are curated).
EXCERPT_ORGANIZATIONS = ("CIS", "CfRN", "ICAO", "IPrizeC", "NATO", "OEEC")
#: Ten organizations of the whole file: the oldest (UPU, from 1874), universal ones, regional
#: ones, two dissolved (CATC in 1991, CCOM in 2000), and four with many -9 cells.
FILE_ORGANIZATIONS = (
    "UPU",
    "ICAO",
    "IFAD",
    "PIARC",
    "CTO",
    "CATC",
    "NATO",
    "OEEC",
    "CIS",
    "CCOM",
)


def expected_from_csv(path: Path, organizations: tuple[str, ...]):
    """For each organization and year of the file: (count of 1s, count of -9s), by pandas.
    COW's state columns are those after ``ioname``, ``orgname`` and ``year`` up to
    ``sdate``, where the organization's own columns begin."""
    pandas = require_module("pandas", "test")
    frame = pandas.read_csv(path, low_memory=False)
    columns = list(frame.columns)
    states = columns[columns.index("year") + 1 : columns.index("sdate")]
    rows = frame[frame["ioname"].isin(organizations)]
    cells = rows[states].apply(pandas.to_numeric)
    ones = cells.eq(1).sum(axis=1)
    missing = cells.eq(-9).sum(axis=1)
    return {
        (org, int(year)): (int(one), int(minus_nine))
        for org, year, one, minus_nine in zip(
            rows["ioname"], rows["year"], ones, missing, strict=True
        )
    }


def compare(url: str, expected: dict, organizations: tuple[str, ...]) -> dict[str, int]:
    """Our count of each year against the file's; returns the tally, and asserts that every
    year equals the 1s or, where the file has -9 cells that year, exceeds them by no more
    than those cells."""
    tally = {"organizations": 0, "years": 0, "equal": 0, "minus_nine": 0}
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            for org in organizations:
                ours = {count.year: count for count in counts_by_year(connection, org)}
                years = sorted(year for (name, year) in expected if name == org)
                assert years, org
                tally["organizations"] += 1
                for year in years:
                    ones, minus_nine = expected[(org, year)]
                    count = ours.get(year)
                    assert count is not None, (org, year)
                    assert count.on == f"{year}-07-01"
                    tally["years"] += 1
                    if count.members == ones:
                        tally["equal"] += 1
                        continue
                    # The documented exception: states whose dates the -9 cells widen.
                    assert minus_nine and ones < count.members <= ones + minus_nine, (
                        org,
                        year,
                        count.members,
                        ones,
                        minus_nine,
                    )
                    assert count.members - ones <= count.possible, (org, year)
                    tally["minus_nine"] += 1
    finally:
        engine.dispose()
    return tally


def test_the_excerpts_counts_are_the_files_ones(cow_excerpt_url):
    expected = expected_from_csv(EXCERPT, EXCERPT_ORGANIZATIONS)
    tally = compare(cow_excerpt_url, expected, EXCERPT_ORGANIZATIONS)
    assert tally["organizations"] == 6 and tally["years"] == len(expected)
    assert tally["equal"] + tally["minus_nine"] == tally["years"]
    assert tally["equal"] > tally["minus_nine"]
    print(f"COW per-year counts, excerpt: {tally}")


@pytest.fixture(scope="module")
def whole_file_url(server, tmp_path_factory):
    """A database built by init with the whole COW file imported (about half a minute on
    SQLite); skipped where the shared data are not, except in CI."""
    from conftest import _fresh_url, in_ci

    from csto_db.build.init import init_database

    if not COW_FILE.exists():
        message = f"the whole COW file is not here ({COW_FILE}): set CSTO_SHARED_DATA"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    url = _fresh_url(server, tmp_path_factory.mktemp("cow-whole"))
    init_database(url)
    run_cli("import-cow", "--quiet", str(COW_FILE), db=url)
    yield url
    if server is not None:
        server.drop(url)


@pytest.mark.slow
def test_ten_organizations_counts_are_the_files_ones(whole_file_url):
    expected = expected_from_csv(COW_FILE, FILE_ORGANIZATIONS)
    tally = compare(whole_file_url, expected, FILE_ORGANIZATIONS)
    assert tally["organizations"] == 10 and tally["years"] == len(expected)
    assert tally["equal"] + tally["minus_nine"] == tally["years"]
    print(f"COW per-year counts: {tally}")
    # docs/igo-research.md states the tally: it must be this run's.
    page = " ".join(DOC.read_text(encoding="utf-8").split())
    stated = re.search(r"\((\d+) organization-years: (\d+) equal, (\d+) higher", page)
    assert stated is not None
    assert tuple(map(int, stated.groups())) == (
        tally["years"],
        tally["equal"],
        tally["minus_nine"],
    )


@pytest.mark.slow
def test_a_year_without_rows_is_no_data(whole_file_url):
    """docs/igo-research.md: CCNR has no rows from 1870 to 1905; nobody is listed in them,
    and each of those years says that its membership is not known."""
    pandas = require_module("pandas", "test")
    years = set(
        pandas.read_csv(COW_FILE, usecols=["ioname", "year"]).query("ioname == 'CCNR'")["year"]
    )
    gap = set(range(1870, 1906))
    assert not years & gap and {1869, 1906} <= years
    engine = make_engine(whole_file_url)
    try:
        with engine.connect() as connection:
            counts = counts_by_year(connection, "CCNR", "1869-01-01", "1906-12-31")
    finally:
        engine.dispose()
    by_year = {count.year: count for count in counts}
    assert {by_year[year].members for year in gap} == {0}
    assert all("from 1870 to 1905" in (by_year[year].no_rows or "") for year in gap)
    assert by_year[1869].members > 0 and by_year[1906].members > 0
    assert by_year[1869].no_rows is None and by_year[1906].no_rows is None
    shown = run_cli("members", "--org", "CCNR", "--on", "1880-07-01", db=whole_file_url)
    assert "whether any state was a member then is not known" in " ".join(shown.output.split())
