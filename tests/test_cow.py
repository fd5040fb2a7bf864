"""The COW IGO import on an excerpt of the file: spans, states, idempotence, bad files, the
curated record untouched, locators, and the cross-checks against COW and ATOP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import dump_of, run_cli, run_cli_json

from csto_db.build.init import init_database
from csto_db.datasets.cow_spans import Run, missing_runs, runs, spans_of

#: COW's excerpt imported into databases of their own, again and again: out of the quick run.
pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
EXCERPT = DATA / "cow-igo-v3-excerpt.csv"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

# --- Runs and spans, without a database ---------------------------------------------------


def test_runs_break_on_a_change_of_code_and_on_a_missing_year():
    assert runs([2000, 2001, 2002, 2004], ("1", "1", "0", "0")) == [
        Run("1", 2000, 2001),
        Run("0", 2002, 2002),
        Run("0", 2004, 2004),
    ]


def test_a_run_of_a_status_becomes_a_year_precision_span():
    (span,) = spans_of(runs([1990, 1991, 1992, 1993], ("0", "1", "1", "0")), dissolved=None)
    assert (span.status, span.start.edtf, span.end.edtf) == ("member", "1991", "1992")
    assert span.reasoning is None


def test_missing_data_widens_the_dates_instead_of_ending_membership():
    years = list(range(2000, 2007))
    spans = spans_of(runs(years, ("-9", "1", "1", "-9", "-9", "0", "0")), dissolved=None)
    (span,) = spans
    assert span.start.edtf == "[2000..2001]"
    assert span.end.edtf == "[2002..2004]"
    assert [run.code for run in span.cells] == ["-9", "1", "-9"]
    # The reasoning says which dates rest on the missing cells.
    assert "no data (-9) in 2000 before member from 2001" in span.reasoning
    assert "then no data (-9) in 2003–2004: the end falls in 2002–2004" in span.reasoning


def test_missing_data_between_two_runs_is_covered_once():
    years = list(range(2000, 2006))
    first, second = spans_of(runs(years, ("1", "1", "-9", "-9", "1", "0")), dissolved=None)
    assert first.end.edtf == "[2001..2003]"
    assert second.start.edtf == "2004"  # the first span's end already covers 2002–2003


def test_the_last_year_of_the_rows_ends_a_span_only_when_the_organization_ended():
    years = [2013, 2014]
    (alive,) = spans_of(runs(years, ("1", "1")), dissolved=None)
    (dead,) = spans_of(runs(years, ("1", "1")), dissolved=2014)
    (later,) = spans_of(runs(years, ("1", "1")), dissolved=2016)
    # The dataset says nothing after its rows: that year or later, never open and certain.
    assert alive.end.edtf == "[2014..]" and alive.end.open_above
    assert "does not say the organization ended" in alive.reasoning
    assert dead.end.edtf == "2014" and dead.reasoning is None
    assert later.end.edtf == "[2014..2016]" and "ended in 2016" in later.reasoning


def test_missing_data_to_the_end_of_the_rows_leaves_the_end_at_that_year_or_later():
    """ICAO in COW: members to 2013, then -9 for every state in 2014, the last year."""
    (span,) = spans_of(runs([2012, 2013, 2014], ("1", "1", "-9")), dissolved=None)
    assert span.end.edtf == "[2013..]"
    assert "no data (-9) in 2014 to the end of its rows" in span.reasoning
    assert [run.code for run in span.cells] == ["1", "-9"]


def test_associate_and_observer_codes_keep_their_status():
    spans = spans_of(runs([1950, 1951, 1952], ("3", "2", "1")), dissolved=1952)
    assert [span.status for span in spans] == ["observer", "associate", "member"]


def test_missing_runs_are_every_run_of_minus_nine():
    column = runs([2000, 2001, 2002, 2003, 2004], ("-9", "0", "-9", "-9", "1"))
    assert missing_runs(column) == [Run("-9", 2000, 2000), Run("-9", 2002, 2003)]


# --- The import ------------------------------------------------------------------------------


def curated_answers(url: str) -> dict:
    """Every answer about the CSTO and the Treaty the command line gives."""
    days = [f"{year}-{month}-01" for year in range(1992, 2027) for month in ("01", "07")]
    answers = {
        f"members {org} {day}": run_cli_json(url, "members", "--org", org, "--on", day)
        for org in ("CST", "CSTO")
        for day in days
    }
    for command in (
        ["documents"],
        ["initiatives"],
        ["disputes", "--all"],
        ["operations"],
        ["sessions"],
        ["officials", "--on", "2017-05-02"],
        ["chair", "--on", "2011-12-20"],
        ["evidence", "csto-uzb-member"],
    ):
        answers[" ".join(command)] = run_cli_json(url, *command)
    for state in ("ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"):
        # The import adds the state's spans in COW's organizations; the rest stays as it was.
        answers[f"timeline {state}"] = [
            entry
            for entry in run_cli_json(url, "timeline", state)
            if not entry["key"].startswith("cow:")
        ]
    return answers


@pytest.fixture(scope="module")
def imported(server, tmp_path_factory):
    """A database built by init, its curated answers, then the excerpt imported."""
    from conftest import _fresh_url

    url = _fresh_url(server, tmp_path_factory.mktemp("cow"))
    init_database(url)
    before = curated_answers(url)
    result = run_cli("import-cow", str(EXCERPT), db=url)
    yield url, before, result
    if server is not None:
        server.drop(url)


def test_the_import_reports_what_it_wrote(imported):
    _url, _before, result = imported
    # Eight in the excerpt: the CSTO is the curated one, and the curated OSCE row stays as it
    # is while COW's spans are written under it.
    assert "6 organizations, 420 membership spans" in result.stdout
    runs_of_missing = int(result.stdout.split(" runs of missing data")[0].rsplit(" ", 1)[1])
    assert runs_of_missing > 217  # ICAO's 2014 alone is a run in each of the 217 columns
    assert "left to the curated record: CSTO (ionum 1125)" in result.stdout
    assert result.stderr == ""  # no progress bar when not on a terminal


def test_the_curated_record_answers_the_same_after_the_import(imported):
    url, before, _result = imported
    assert curated_answers(url) == before


def test_a_second_import_changes_nothing_and_says_so(imported):
    url, _before, _result = imported
    dump = dump_of(url)
    result = run_cli("import-cow", str(EXCERPT), db=url)
    assert "nothing changed" in result.stdout
    assert dump_of(url) == dump


def test_init_after_an_import_keeps_the_imported_rows(imported):
    url, _before, _result = imported
    dump = dump_of(url)
    result = run_cli("init", db=url)
    assert "seeds unchanged" in result.stdout
    assert dump_of(url) == dump


def test_a_curated_organization_gets_cows_spans_and_keeps_its_row(imported):
    url, _before, _result = imported
    osce = {m["state"] for m in run_cli_json(url, "members", "--org", "OSCE", "--on", "2005-06-01")}
    assert {"RUS", "USA", "UZB"} <= osce
    rows = run_cli_json(url, "sql", "SELECT name, cow_ionum FROM organizations WHERE code = 'OSCE'")
    assert rows == [
        {"name": "Organization for Security and Co-operation in Europe", "cow_ionum": None}
    ]


def test_members_of_nato_on_a_day(imported):
    url, _before, _result = imported
    members = {
        m["state"]: m for m in run_cli_json(url, "members", "--org", "NATO", "--on", "1990-06-01")
    }
    assert members["USA"]["certainty"] == "certain"
    # COW codes NATO to 2014 and says nothing later: the end is 2014 or later.
    assert members["USA"]["since"] == "1949" and members["USA"]["until"] == "[2014..]"
    assert members["DEU"]["certainty"] == "possible"  # COW codes Germany from 1990
    # A cell citation says where its cells are: the answer carries the locator.
    [cited] = members["USA"]["citations"]
    assert cited["source"] == "cow-igo-v3-file" and cited["quote"] == "1"
    assert cited["locator"]["record"] == "NATO" and cited["locator"]["column"] == "usa"
    assert cited["locator"]["first_year"] == 1949 and cited["locator"]["last_year"] == 2014
    assert len(members) == 16


def test_the_command_line_finds_a_code_in_any_case(imported):
    url, _before, _result = imported
    # COW's short names mix cases (CfRN); a code typed in another case still finds its one
    # organization, and a code that matches none is one line naming the closest.
    exact = run_cli_json(url, "members", "--org", "CfRN", "--on", "2010-06-01")
    assert len(exact) > 10
    assert exact == run_cli_json(url, "members", "--org", "cfrn", "--on", "2010-06-01")
    assert run_cli_json(url, "members", "--org", "nato", "--on", "1990-06-01")
    missing = run_cli("members", "--org", "NATOO", "--on", "1990-06-01", db=url, expect=2)
    assert "unknown organization 'NATOO'" in missing.stderr and "NATO" in missing.stderr


def test_a_membership_ended_in_a_year_is_possible_that_year_only(imported):
    url, _before, _result = imported
    on = {
        day: {m["state"] for m in run_cli_json(url, "members", "--org", "NATO", "--on", day)}
        for day in ("1966-06-01", "1967-06-01")
    }
    # COW codes France a NATO member throughout: the withdrawal of 1966 was from the
    # integrated command, not the alliance.
    assert "FRA" in on["1966-06-01"] and "FRA" in on["1967-06-01"]


def test_a_state_without_an_iso_code_loads(imported, connection_to):
    from sqlalchemy import select

    from csto_db.models import State

    url, _before, _result = imported
    with connection_to() as connection:
        rows = connection.execute(
            select(State.iso3, State.iso2, State.numeric, State.name).where(State.cow_ccode == 300)
        ).all()
    assert [tuple(row) for row in rows] == [("XAH", None, None, "Austria-Hungary")]
    timeline = run_cli_json(url, "timeline", "XAH")
    assert {entry["organization"] for entry in timeline} == {"IPrizeC"}


def test_organizations_by_their_cow_short_name(connection_to):
    from csto_db.answers.membership import members_on

    with connection_to() as connection:
        members = members_on(connection, "IPrizeC", date(1910, 6, 1))
    assert "XAH" in {m.state for m in members}


@pytest.fixture
def connection_to(imported):
    from contextlib import contextmanager

    from csto_db.store.db import make_engine

    @contextmanager
    def connect():
        engine = make_engine(imported[0])
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    return connect


def test_associates_and_observers_are_spans_but_not_members(imported):
    url, _before, _result = imported
    statuses = run_cli_json(
        url,
        "sql",
        "SELECT status, COUNT(*) AS n FROM membership_spans"
        " WHERE organization_code = 'OEEC' GROUP BY status"
        " ORDER BY status",
    )
    assert {row["status"] for row in statuses} == {"associate", "member", "observer"}
    listed = {
        m["status"] for m in run_cli_json(url, "members", "--org", "OEEC", "--on", "1960-06-01")
    }
    assert listed == {"member"}


def test_a_span_cites_its_cells_by_locator(connection_to):
    from sqlalchemy import select

    from csto_db.models import Citation, FactCitation

    with connection_to() as connection:
        rows = connection.execute(
            select(
                Citation.quote,
                Citation.locator_file,
                Citation.locator_record,
                Citation.locator_column,
                Citation.locator_first_year,
                Citation.locator_last_year,
            )
            .join(FactCitation, FactCitation.citation_key == Citation.key)
            .where(FactCitation.fact_key == "cow:NATO:USA:1949")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("1", "cow-igo-v3-excerpt.csv", "NATO", "usa", 1949, 2014)
    ]


def test_missing_data_stays_unknown(imported):
    url, _before, _result = imported
    rows = run_cli_json(
        url,
        "sql",
        "SELECT COUNT(*) AS n FROM membership_spans WHERE"
        " organization_code = 'CfRN' AND (start_precision ="
        " 'range' OR end_precision = 'range')",
    )
    assert rows[0]["n"] > 0


def test_check_verifies_locators_against_the_file(imported, connection_to, tmp_path):
    from sqlalchemy import update

    from csto_db.datasets.cow_import import verify_locators
    from csto_db.models import Citation

    url, _before, _result = imported
    assert "ok" in run_cli("check", "--cow-file", str(EXCERPT), db=url).stdout
    other = tmp_path / EXCERPT.name
    other.write_text(EXCERPT.read_text("utf-8").replace(",1949,", ",1949,", 1) + "\n", "utf-8")
    result = run_cli("check", "--cow-file", str(other), db=url, expect=1)
    assert "the import recorded" in result.stdout
    with connection_to() as connection:
        connection.execute(
            update(Citation).where(Citation.key == "cow:NATO:usa:1949-2014").values(quote="2")
        )
        problems = verify_locators(connection, EXCERPT)
        connection.rollback()
    assert problems == ["citation cow:NATO:usa:1949-2014: NATO usa in 1949 is '1', not '2'"]


# --- Bad files --------------------------------------------------------------------------------


@pytest.fixture
def built(empty_db_url):
    init_database(empty_db_url)
    return empty_db_url


def bad_copy(tmp_path: Path, line: int, column: int, value: str) -> Path:
    lines = EXCERPT.read_text("utf-8").split("\n")
    cells = lines[line - 1].split(",")
    cells[column - 1] = value
    lines[line - 1] = ",".join(cells)
    path = tmp_path / "igo_year_formatv3.csv"
    path.write_text("\n".join(lines), "utf-8")
    return path


def test_a_bad_code_fails_in_one_line_naming_line_and_column_and_writes_nothing(built, tmp_path):
    dump = dump_of(built)
    path = bad_copy(tmp_path, 40, 11, "7")  # column 11 is armenia
    result = run_cli("import-cow", str(path), db=built, expect=2)
    message = result.stderr.strip()
    assert message == (
        "csto-db: error: igo_year_formatv3.csv: line 40, column 11 (armenia): "
        "'7' is not a COW membership code (1, 2, 3, 0, -9 or empty)"
    )
    assert dump_of(built) == dump


@pytest.mark.parametrize(
    ("line", "column", "value", "says"),
    [
        (3, 3, "19x4", "line 3, column 3 (year): '19x4' is not a whole number"),
        (1, 11, "armenie", "line 1, column 11: 'armenie' is not a COW state column"),
        (3, 3, "-5", "line 3, column 3 (year): -5 is not a year from 1 to 9999"),
        (3, 3, "0", "line 3, column 3 (year): 0 is not a year from 1 to 9999"),
        (3, 3, "99999", "line 3, column 3 (year): 99999 is not a year from 1 to 9999"),
    ],
)
def test_other_bad_cells_name_their_place(built, tmp_path, line, column, value, says):
    dump = dump_of(built)
    result = run_cli("import-cow", str(bad_copy(tmp_path, line, column, value)), db=built, expect=2)
    assert result.stderr.startswith("csto-db: error: igo_year_formatv3.csv: ")
    assert says in result.stderr and result.stderr.count("\n") == 1
    assert dump_of(built) == dump


def test_a_short_row_is_named(built, tmp_path):
    path = tmp_path / "igo_year_formatv3.csv"
    path.write_text(EXCERPT.read_text("utf-8") + "NATO,North Atlantic,2015,1\n", "utf-8")
    result = run_cli("import-cow", str(path), db=built, expect=2)
    assert "line 275: 4 fields, the header has 235" in result.stderr


def test_the_progress_bar_draws_counts_and_rate_on_a_terminal(monkeypatch, capsys):
    import sys

    from csto_db.cli.datasets import ProgressBar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    bar = ProgressBar("import", quiet=False)
    bar(500, 1000)
    bar.close()
    drawn = capsys.readouterr().err
    assert "500/1,000 rows" in drawn and "rows/s" in drawn
    quiet = ProgressBar("import", quiet=True)
    quiet(500, 1000)
    assert capsys.readouterr().err == ""


# --- Cross-checks ------------------------------------------------------------------------------


def test_crosscheck_cow_finds_uzbekistan(built_db_url):
    data = run_cli_json(built_db_url, "crosscheck", "cow", "--org", "CSTO")
    uzb = {c["year"]: c for c in data["comparisons"] if c["state"] == "UZB"}
    for year in (2002, 2003, 2004, 2005):
        assert (uzb[year]["cow"], uzb[year]["record"], uzb[year]["agreement"]) == (
            "1",
            "not a member",
            "disagree",
        )
        assert "uzb-csto-membership-cow" in uzb[year]["evidence"][0]["disputes"]
        assert uzb[year]["evidence"][0]["citations"]
    assert (uzb[2012]["cow"], uzb[2012]["record"], uzb[2012]["agreement"]) == (
        "0",
        "member",
        "disagree",
    )
    assert 2008 not in uzb  # agreements are listed only with --all
    assert data["counts"]["disagree"] == 11


def test_crosscheck_cow_for_the_treaty_says_cow_has_no_rows(built_db_url):
    data = run_cli_json(built_db_url, "crosscheck", "cow", "--org", "CST")
    assert data["comparisons"] == [] and "no organization for CST" in data["note"]


def test_crosscheck_atop_finds_the_days(built_db_url):
    data = run_cli_json(built_db_url, "crosscheck", "atop")
    found = {(d["phase"], d["state"], d["first"], d["last"]): d for d in data["differences"]}
    belarus = found[(1, "BLR", "1993-12-31", "1994-01-02")]  # ATOP: in from 1994-01-03
    assert belarus["atop"] == "not a member" and belarus["agreement"].startswith("disagree")
    uzb_return = found[(2, "UZB", "2006-08-16", "2006-08-16")]  # ATOP: in from 2006-08-17
    # Both spans the day rests on: the Treaty's (from the protocol) and the Organization's.
    evidence = {item["span"]: item["disputes"] for item in uzb_return["evidence"]}
    assert set(evidence) == {"cst-uzb-party-2006", "csto-uzb-member"}
    assert "uzb-cst-return-day" in evidence["cst-uzb-party-2006"]
    assert "uzb-csto-return-day" in evidence["csto-uzb-member"]
    uzb_exit = found[(2, "UZB", "2012-06-29", "2012-12-18")]  # ATOP: last day 2012-06-28
    assert uzb_exit["record"] == "disputed, preferred member"


@pytest.mark.slow
@pytest.mark.skipif(
    not (SHARED / "atop-5.1" / "atop5_1m.csv").exists(),
    reason="the full ATOP 5.1 file is not beside the checkout (../shared/data)",
)
def test_crosscheck_atop_reads_the_full_file_the_same(built_db_url):
    full = run_cli_json(
        built_db_url, "crosscheck", "atop", "--file", str(SHARED / "atop-5.1" / "atop5_1m.csv")
    )
    packaged = run_cli_json(built_db_url, "crosscheck", "atop")
    assert full["differences"] == packaged["differences"]


def test_another_file_replaces_what_the_previous_import_wrote(built, tmp_path):
    run_cli("import-cow", str(EXCERPT), db=built)
    lines = EXCERPT.read_text("utf-8").split("\n")
    smaller = tmp_path / "igo_year_formatv3.csv"
    smaller.write_text("\n".join(line for line in lines if not line.startswith("OEEC,")), "utf-8")
    result = run_cli("import-cow", str(smaller), db=built)
    assert "5 organizations" in result.stdout
    gone = run_cli("members", "--org", "OEEC", "--on", "1960-06-01", db=built, expect=2)
    assert "unknown organization 'OEEC'" in gone.stderr
    assert run_cli_json(built, "members", "--org", "NATO", "--on", "1990-06-01")


def test_the_import_report_as_json(built):
    report = run_cli_json(built, "import-cow", str(EXCERPT))
    assert report["changed"] and report["organizations"] == 6 and report["spans"] == 420
    assert run_cli_json(built, "import-cow", str(EXCERPT))["changed"] is False


def test_downgrading_below_the_import_schema_removes_the_imported_rows(built):
    from sqlalchemy import func, select

    from csto_db.models import MembershipSpan, State
    from csto_db.store.db import make_engine
    from csto_db.store.schema import downgrade, upgrade

    before = dump_of(built)
    run_cli("import-cow", str(EXCERPT), db=built)
    engine = make_engine(built)
    try:
        with engine.connect() as connection:
            downgrade(connection, "0004")  # to the revision the import's schema builds on
        with engine.connect() as connection:
            upgrade(connection)
        with engine.connect() as connection:
            assert (
                connection.execute(
                    select(func.count()).select_from(State).where(State.iso2.is_(None))
                ).scalar()
                == 0
            )
            assert (
                connection.execute(
                    select(func.count())
                    .select_from(MembershipSpan)
                    .where(MembershipSpan.key.like("cow:%"))
                ).scalar()
                == 0
            )
    finally:
        engine.dispose()
    # The import resealed the build's digests; init records them again for what is left.
    run_cli("init", db=built)
    assert dump_of(built) == before
