"""What two states share, and every dyad-year: `shared` and `dyads` on the COW excerpt, the
same on SQLite, PostgreSQL and MariaDB, and against COW's own file (the expectations
computed from the CSV with pandas and numpy alone)."""

from __future__ import annotations

import csv
import io
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import ServerDatabases, _fresh_url, in_ci, run_cli, run_cli_json

from csto_db.answers.asof import certainty_on
from csto_db.answers.dyads import listed_years, shared_in_year, shared_on, weaker
from csto_db.build.init import init_database
from csto_db.store.dates import PartialDate
from csto_db.store.db import make_engine

DATA = Path(__file__).parent / "data"
EXCERPT = DATA / "cow-igo-v3-excerpt.csv"
SHARED = Path(
    os.environ.get("CSTO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
COW_DIR = SHARED / "cow-igo-v3"
COW_FILE = COW_DIR / "igo_year_formatv3.csv"

#: The organizations whose rows in the database are not COW's, a documented difference:
#: the curated CSTO stands for COW's CSTO rows, and the Treaty (CST) is not in COW at all.
CURATED = ("CST", "CSTO")


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- The year rule is the as-of rule, year by year -----------------------------------------------


@pytest.mark.parametrize(
    "start, end",
    [
        ("1990", "2000"),  # COW's 1s from 1990 to 2000
        ("[1985..1990]", "[2014..]"),  # missing data before, open to the end of the rows
        ("2003-09-18", None),  # the Charter in force, still open
        ("1992-05-15", "1999-04-21"),  # a day-precise exit
        ("1999-04", "2000-01-01"),  # ends on New Year's Day: not a member in 2000
        ("[1992-05-15..1999-04]", "2012-12-20"),
    ],
)
def test_the_year_rule_lists_the_years_the_as_of_rule_lists_some_day(start, end):
    start_date = PartialDate.parse(start)
    end_date = PartialDate.parse(end) if end else None
    years = listed_years(start_date.lower, end_date.upper if end_date else None, None, last=2016)
    for year in range(1980, 2017):
        days = (date(year, 1, 1) + timedelta(days=n) for n in range(366 if year % 4 == 0 else 365))
        listed = any(certainty_on([start_date], [end_date], day) is not None for day in days)
        assert (year in years) == listed, year


def test_a_shared_membership_is_as_sure_as_the_less_sure_state():
    assert weaker("certain", "possible") == "possible"
    assert weaker("disputed", "certain") == "disputed"
    assert weaker("possible", "disputed") == "disputed"
    assert weaker("certain", "certain") == "certain"


# --- On the excerpt ------------------------------------------------------------------------------


def test_armenia_and_kazakhstan_share_the_treaty_the_organization_and_the_cis(cow_excerpt_url):
    answer = run_cli_json(cow_excerpt_url, "shared", "ARM", "KAZ", "--on", "2020-01-01")
    by_code = {row["organization"]: row for row in answer["shared"]}
    assert {"CST", "CSTO", "CIS"} <= set(by_code)
    assert by_code["CSTO"]["certainty"] == "certain"
    # COW's record of the CIS ends in 2014: past it nothing is certain.
    assert by_code["CIS"]["certainty"] == "possible"
    assert by_code["CIS"]["past_horizon"]
    assert [m["state"] for m in by_code["CSTO"]["memberships"]] == ["ARM", "KAZ"]


def test_the_certainty_is_the_weaker_of_the_two_states(cow_excerpt_url):
    answer = run_cli_json(cow_excerpt_url, "shared", "ARM", "KAZ", "--on", "2020-01-01")
    for row in answer["shared"]:
        first, second = (m["certainty"] for m in row["memberships"])
        assert row["certainty"] == weaker(first, second)


def test_armenia_frozen_in_the_csto_still_shares_it(cow_excerpt_url):
    answer = run_cli_json(cow_excerpt_url, "shared", "ARM", "RUS", "--on", "2025-01-01")
    csto = next(row for row in answer["shared"] if row["organization"] == "CSTO")
    assert csto["memberships"][0]["status"] == "frozen"


def test_uzbekistan_suspended_shares_no_csto_membership(cow_excerpt_url):
    # Uzbekistan's participation was suspended from 2012-12-20: not a member.
    answer = run_cli_json(cow_excerpt_url, "shared", "UZB", "RUS", "--on", "2013-07-01")
    assert "CSTO" not in {row["organization"] for row in answer["shared"]}
    earlier = run_cli_json(cow_excerpt_url, "shared", "UZB", "RUS", "--on", "2010-07-01")
    assert "CSTO" in {row["organization"] for row in earlier["shared"]}


def test_missing_data_is_listed_apart_and_never_shared(cow_excerpt_url):
    # ICAO codes every state -9 in 2014.
    answer = run_cli_json(cow_excerpt_url, "shared", "USA", "CAN", "--on", "2014-07-01")
    unknown = {row["organization"]: row for row in answer["unknown"]}
    assert "ICAO" in unknown and set(unknown["ICAO"]["missing"]) == {"USA", "CAN"}
    assert "ICAO" not in {row["organization"] for row in answer["shared"]}
    year = run_cli_json(cow_excerpt_url, "shared", "USA", "CAN", "--year", "2014")
    assert "ICAO" in {row["organization"] for row in year["unknown"]}
    assert "ICAO" not in {row["organization"] for row in year["shared"]}
    text = run_cli("shared", "USA", "CAN", "--year", "2014", db=cow_excerpt_url).stdout
    assert "unknown, no data (-9)" in text and "ICAO (" in text


def test_a_year_counts_full_membership_at_some_point_of_it(cow_excerpt_url):
    # The CSTO's membership counts from 2003-09-18: in 2003, not in 2002.
    codes = lambda year: {  # noqa: E731
        row["organization"]
        for row in run_cli_json(cow_excerpt_url, "shared", "ARM", "RUS", "--year", str(year))[
            "shared"
        ]
    }
    assert "CSTO" in codes(2003) and "CSTO" not in codes(2002)
    assert "CST" in codes(2002)


def test_a_year_past_the_record_s_horizon_says_so(cow_excerpt_url):
    year = run_cli_json(cow_excerpt_url, "shared", "ARM", "KAZ", "--year", "2020")
    by_code = {row["organization"]: row for row in year["shared"]}
    assert "ends on 2014-12-31" in by_code["CIS"]["past_horizon"]
    assert by_code["CSTO"]["past_horizon"] is None  # its record covers 2020
    covered = run_cli_json(cow_excerpt_url, "shared", "ARM", "KAZ", "--year", "2014")
    assert {row["past_horizon"] for row in covered["shared"]} == {None}
    text = run_cli("shared", "ARM", "KAZ", "--year", "2020", db=cow_excerpt_url).stdout
    assert "the record of CIS ends on 2014-12-31" in text


def test_associates_and_observers_share_nothing_with_a_full_member(cow_excerpt_url):
    engine = make_engine(cow_excerpt_url)
    try:
        with engine.connect() as connection:
            from sqlalchemy import text

            row = connection.execute(
                text(
                    "SELECT s.organization_code, s.state_iso3, s.start_lower FROM "
                    "membership_spans s WHERE s.status IN ('associate', 'observer') "
                    "ORDER BY s.organization_code, s.state_iso3"
                )
            ).first()
            assert row is not None
            day = date.fromisoformat(str(row.start_lower)) + timedelta(days=190)
            member = connection.execute(
                text(
                    "SELECT state_iso3 FROM membership_spans WHERE organization_code = :org "
                    "AND status = 'member' AND start_upper <= :day AND end_lower > :day "
                    "ORDER BY state_iso3"
                ),
                {"org": row.organization_code, "day": day},
            ).first()
            assert member is not None
            for answer in (
                shared_on(connection, row.state_iso3, member.state_iso3, day),
                shared_in_year(connection, row.state_iso3, member.state_iso3, day.year),
            ):
                assert row.organization_code not in {s.organization for s in answer.shared}
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "args, says",
    [
        (["shared", "ARM", "XYZ", "--on", "2020-01-01"], "unknown state 'XYZ'"),
        (["shared", "ARM", "arm", "--on", "2020-01-01"], "the same state (ARM)"),
        (["shared", "ARM", "KAZ"], "give --on YYYY-MM-DD or --year YYYY"),
        (["shared", "ARM", "KAZ", "--on", "2020-01-01", "--year", "2020"], "one of them"),
        (["shared", "ARM", "KAZ", "--on", "2020-02-30"], "--on"),
        (["dyads"], "give --year YYYY"),
        (["dyads", "--year", "2000", "--from", "1999"], "not both"),
        (["dyads", "--from", "2000", "--to", "1990"], "--from 2000 is after --to 1990"),
        (["dyads", "--year", "2020"], "covers 1816–2014"),
    ],
)
def test_bad_questions_are_one_line(cow_excerpt_url, args, says):
    result = run_cli(*args, db=cow_excerpt_url, expect=2)
    assert result.stderr.startswith("csto-db: error: ") and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_dyads_of_a_year_as_csv_json_and_wide(cow_excerpt_url, tmp_path):
    rows = parse_csv(run_cli("dyads", "--year", "1995", db=cow_excerpt_url).stdout)
    # COW's state list, as packaged: the states in the system in 1995 make its dyads.
    listed = parse_csv((DATA.parent.parent / "csto_db/datasets/data/cow_states.csv").read_text())
    inside = [s for s in listed if int(s["first_year"]) <= 1995 <= int(s["last_year"])]
    assert len(rows) == len(inside) * (len(inside) - 1) // 2
    assert all(int(r["ccode1"]) < int(r["ccode2"]) for r in rows)
    assert all(int(r["dyadid"]) == 1000 * int(r["ccode1"]) + int(r["ccode2"]) for r in rows)
    arm_kaz = next(r for r in rows if (r["state1"], r["state2"]) == ("ARM", "KAZ"))
    year = run_cli_json(cow_excerpt_url, "shared", "ARM", "KAZ", "--year", "1995")
    assert int(arm_kaz["joint"]) == len(year["shared"])
    assert int(arm_kaz["missing"]) == len(year["unknown"])
    lines = run_cli("dyads", "--year", "1995", "--json", db=cow_excerpt_url).stdout.splitlines()
    assert [json.loads(line) for line in lines] == [
        {key: (value if key in ("state1", "state2") else int(value)) for key, value in r.items()}
        for r in rows
    ]
    out = tmp_path / "wide.csv"
    run_cli("dyads", "--year", "1995", "--wide", "--out", str(out), db=cow_excerpt_url)
    wide = parse_csv(out.read_text("utf-8"))
    organizations = [c for c in wide[0] if c not in ("dyadid", "ccode1", "ccode2", "year")]
    assert {"CIS", "CSTO", "ICAO", "NATO"} <= set(organizations)
    assert [r["dyadid"] for r in wide] == [r["dyadid"] for r in rows]
    for long_row, wide_row in zip(rows, wide, strict=True):
        codes = [int(wide_row[c]) for c in organizations]
        assert set(codes) <= {1, 0, -9, -1}
        assert codes.count(1) == int(long_row["joint"])
        assert codes.count(-9) == int(long_row["missing"])
    # The CSTO's membership begins in 2003: not in existence in 1995.
    assert {r["CSTO"] for r in wide} == {"-1"}


# --- The same answers on every engine ------------------------------------------------------------


SERVERS = {
    "postgresql": ("CSTO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("CSTO_TEST_MARIADB_URL", "mariadb+pymysql://root@127.0.0.1:3306/test"),
}
PAIRS = (("ARM", "KAZ"), ("USA", "CAN"), ("RUS", "UZB"), ("FRA", "DEU"), ("GEO", "AZE"))
DAYS = ("1950-07-01", "1992-06-01", "1999-04-21", "2003-09-18", "2014-07-01", "2024-03-01")


def answers_of(url: str) -> dict[str, object]:
    """`shared` on days and in years, and `dyads` long and wide, as the command line prints
    them."""
    answers: dict[str, object] = {}
    for first, second in PAIRS:
        for day in DAYS:
            answers[f"shared {first} {second} --on {day}"] = run_cli_json(
                url, "shared", first, second, "--on", day
            )
            answers[f"shared {first} {second} --year {day[:4]}"] = run_cli_json(
                url, "shared", first, second, "--year", day[:4]
            )
    answers["dyads 1990-1995"] = run_cli("dyads", "--from", "1990", "--to", "1995", db=url).stdout
    answers["dyads --wide 2003"] = run_cli("dyads", "--year", "2003", "--wide", db=url).stdout
    return answers


@pytest.fixture(scope="module")
def excerpt_on_each_engine(tmp_path_factory):
    """The excerpt imported on SQLite and on each server, dropped afterwards."""
    urls: dict[str, str] = {}
    made: list[tuple[ServerDatabases, str]] = []
    directory = tmp_path_factory.mktemp("dyads-engines")
    urls["sqlite"] = f"sqlite:///{directory / 'excerpt.db'}"
    for name, (variable, default) in SERVERS.items():
        server = ServerDatabases(os.environ.get(variable) or default)
        if server.reachable():
            if in_ci():
                pytest.fail(f"{name} unreachable (set {variable})")
            continue
        urls[name] = server.create()
        made.append((server, urls[name]))
    for url in urls.values():
        init_database(url)
        run_cli("import-cow", str(EXCERPT), db=url)
    yield urls
    for server, url in made:
        server.drop(url)


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", SERVERS)
def test_the_same_answers_on_every_engine(excerpt_on_each_engine, engine_name):
    if engine_name not in excerpt_on_each_engine:
        pytest.skip(f"{engine_name} not reachable")
    reference = answers_of(excerpt_on_each_engine["sqlite"])
    assert any(answer["shared"] for key, answer in reference.items() if key.startswith("shared"))
    assert any(answer["unknown"] for key, answer in reference.items() if key.startswith("shared"))
    other = answers_of(excerpt_on_each_engine[engine_name])
    for key in reference:
        assert other[key] == reference[key], key


# --- Against COW's own file ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cow_full_url(server, tmp_path_factory):
    """The database built by init with COW's whole file imported, on the engine under test."""
    if not COW_FILE.exists():
        if in_ci():
            pytest.fail(f"the COW file is not at {COW_FILE}")
        pytest.skip(f"the COW file is not at {COW_FILE}")
    url = _fresh_url(server, tmp_path_factory.mktemp("cow-full"))
    init_database(url)
    run_cli("import-cow", str(COW_FILE), db=url)
    yield url
    if server is not None:
        server.drop(url)


def ended_after_their_rows(igo, year):
    """The organizations whose rows in COW's file end before ``year`` while COW says they
    ended in ``year`` or later (``deaddate``): a documented difference. The record keeps
    their last members possible members to that year (the span's end falls between the
    last row and the end); COW's file has no row to code them in."""
    last = igo.groupby("ioname").agg(last_row=("year", "max"), ended=("deaddate", "max"))
    return set(last.index[(last.last_row < year) & (last.ended >= year)])


@pytest.fixture(scope="module")
def cow_frame():
    """COW's file and its state list, read with pandas."""
    pd = pytest.importorskip("pandas")
    igo = pd.read_csv(COW_FILE, low_memory=False)
    states = pd.read_csv(COW_DIR / "states.csv")
    return igo[igo.ioname != "CSTO"], states  # the curated CSTO stands for COW's rows


def cow_dyad_codes(igo, states, year):
    """Per dyad of ``year`` (both states in the system, by COW code) and organization, the
    codebook's joint code from the CSV alone: both coded 1 is joint; either coded -9 is
    missing. Returns the dyads and two boolean matrices (dyad x organization) in the
    organizations' order."""
    import numpy as np

    rows = igo[igo.year == year].sort_values("ioname")
    inside = states[(states.first_year <= year) & (states.last_year >= year)].sort_values("ccode")
    cells = rows[list(inside.state_column)].to_numpy(dtype=float)  # organizations x states
    ccodes = inside.ccode.to_numpy()
    first, second = np.triu_indices(len(ccodes), 1)
    full, missing = cells == 1, cells == -9
    joint = full[:, first] & full[:, second]
    unknown = missing[:, first] | missing[:, second]
    dyads = list(zip(ccodes[first].tolist(), ccodes[second].tolist(), strict=True))
    return dyads, list(rows.ioname), joint.T, unknown.T


@pytest.mark.slow
@pytest.mark.parametrize("year", [1816, 1880, 1925, 1968, 1986, 2000, 2014])
def test_joint_full_memberships_per_dyad_year_are_cows(cow_full_url, cow_frame, year, tmp_path):
    import numpy as np

    igo, states = cow_frame
    dyads, organizations, joint, unknown = cow_dyad_codes(igo, states, year)
    assert len(dyads) >= 200
    long_rows = parse_csv(run_cli("dyads", "--year", str(year), db=cow_full_url).stdout)
    out = tmp_path / "wide.csv"
    run_cli("dyads", "--year", str(year), "--wide", "--out", str(out), db=cow_full_url)
    wide = parse_csv(out.read_text("utf-8"))
    assert [(int(r["ccode1"]), int(r["ccode2"])) for r in long_rows] == dyads
    assert [(int(r["ccode1"]), int(r["ccode2"])) for r in wide] == dyads
    ours = np.array([[int(r[name]) for name in organizations] for r in wide])
    # Every organization's 1s and -9s as COW codes them, dyad by dyad.
    assert ((ours == 1) == joint).all()
    assert ((ours == -9) == unknown).all()
    # The long form's counts: COW's joint full memberships, and the documented others: the
    # curated CST and CSTO, and organizations that ended after their last row.
    without_rows = [name for name in wide[0] if name not in organizations][4:]
    assert {name for name in without_rows if any(r[name] == "1" for r in wide)} <= set(
        CURATED
    ) | ended_after_their_rows(igo, year)
    others = np.array([sum(r[name] == "1" for name in without_rows) for r in wide], dtype=int)
    counts = np.array([int(r["joint"]) for r in long_rows])
    assert (counts - others == joint.sum(axis=1)).all()
    assert (np.array([int(r["missing"]) for r in long_rows]) == unknown.sum(axis=1)).all()


@pytest.mark.slow
def test_shared_on_the_first_of_july_is_cows_joint_membership(cow_full_url, cow_frame):
    igo, states = cow_frame
    chooser = random.Random(19)
    years = sorted(chooser.sample(range(1900, 2015), 20))
    engine = make_engine(cow_full_url)
    asked = 0
    try:
        with engine.connect() as connection:
            for year in years:
                rows = igo[igo.year == year]
                ended = ended_after_their_rows(igo, year)
                inside = states[(states.first_year <= year) & (states.last_year >= year)]
                column_of = dict(zip(inside.ccode, inside.state_column, strict=True))
                pairs = chooser.sample(
                    [(a, b) for a in sorted(column_of) for b in sorted(column_of) if a < b], 20
                )
                for first, second in pairs:
                    a = rows[column_of[first]].to_numpy(dtype=float)
                    b = rows[column_of[second]].to_numpy(dtype=float)
                    names = rows.ioname.to_numpy()
                    expected = set(names[(a == 1) & (b == 1)])
                    missing = set(names[(a == -9) | (b == -9)])
                    answer = shared_on(connection, str(first), str(second), f"{year}-07-01")
                    shared = {s.organization for s in answer.shared} - set(CURATED)
                    # Ended after their last row: possible members, where COW has no row.
                    assert shared - expected <= ended, (first, second, year)
                    assert shared - ended == expected, (first, second, year)
                    if shared - expected:
                        assert {s.certainty for s in answer.shared if s.organization in ended} == {
                            "possible"
                        }
                    # The documented -9 cases: listed apart, never as shared.
                    assert {u.organization for u in answer.unknown} == missing
                    asked += 1
    finally:
        engine.dispose()
    assert asked == 400
