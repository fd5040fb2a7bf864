"""The record's horizon: the last day its sources cover, stored and cited; past it nothing
is certain and every answer says where the record ends. COW's organizations end with the
last year COW codes them, and no answer rests on a cell of missing data (-9) as certain."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli, run_cli_json
from sqlalchemy import select, update

from csto_db.answers.asof import (
    CERTAIN,
    POSSIBLE,
    Horizon,
    certainty_on,
    horizon_of,
    judge,
    past_horizon,
)
from csto_db.answers.evidence import citations_for
from csto_db.answers.membership import members_on, missing_data_note
from csto_db.answers.record import chair_on, officials_on
from csto_db.build.checks import check_database
from csto_db.build.init import init_database
from csto_db.models import MissingData, Organization, Source
from csto_db.store.dates import PartialDate
from csto_db.store.db import make_engine

EXCERPT = Path(__file__).parent / "data" / "cow-igo-v3-excerpt.csv"
HORIZON = date(2026, 1, 31)
LATER = date(2040, 1, 1)


def d(text: str) -> PartialDate:
    return PartialDate.parse(text)


# --- The rule ------------------------------------------------------------------------------


def test_past_the_horizon_certain_becomes_possible_and_nothing_else_changes():
    assert past_horizon(CERTAIN, HORIZON, HORIZON) == CERTAIN  # the last day covered
    assert past_horizon(CERTAIN, date(2026, 2, 1), HORIZON) == POSSIBLE
    assert past_horizon("disputed", LATER, HORIZON) == "disputed"
    assert past_horizon(CERTAIN, LATER, None) == CERTAIN  # no horizon recorded
    assert certainty_on([d("2003-09-18")], [None], LATER) == CERTAIN
    assert certainty_on([d("2003-09-18")], [None], LATER, HORIZON) == POSSIBLE
    verdict = judge([d("2003-09-18")], [None], LATER, horizon=HORIZON)
    assert (verdict.certainty, verdict.contested) == (POSSIBLE, False)


def test_the_horizon_line_names_the_day_and_what_is_not_known():
    horizon = Horizon("CSTO", HORIZON, "2026-01-31", "the day it was last checked")
    assert horizon.beyond(HORIZON) is None
    line = horizon.beyond(LATER)
    assert line == (
        "the record of CSTO ends on 2026-01-31, the day it was last checked; states that "
        "joined or left after it are not known, and no answer after it is certain"
    )
    assert "changes of the chair after it" in horizon.beyond(LATER, "changes of the chair")


# --- The curated record ----------------------------------------------------------------------


def test_the_horizon_is_stored_and_cited(connection):
    row = connection.execute(
        select(
            Organization.code,
            Organization.horizon_edtf,
            Organization.horizon_upper,
            Organization.horizon_reasoning,
        ).where(Organization.code.in_(["CST", "CSTO"]))
    ).all()
    assert {(r.code, r.horizon_edtf, r.horizon_upper) for r in row} == {
        ("CST", "2026-01-31", HORIZON),
        ("CSTO", "2026-01-31", HORIZON),
    }
    assert all("abcmedia-2026" in r.horizon_reasoning for r in row)
    # The day is that of the newest source, which each organization cites.
    published = connection.execute(
        select(Source.published).where(Source.key == "abcmedia-2026")
    ).scalar_one()
    assert published == "2026-01-31"
    quotes = citations_for(connection, ["CST", "CSTO"])
    for code in ("CST", "CSTO"):
        assert "abcmedia-2026" in {quote.source for quote in quotes[code]}


def test_no_row_is_certain_past_the_horizon_and_the_answer_says_so(built_db_url):
    rows = run_cli_json(built_db_url, "members", "--org", "CSTO", "--on", "2040-01-01")
    assert [row["state"] for row in rows] == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    assert {row["certainty"] for row in rows} == {"possible"}
    assert {row["horizon"] for row in rows} == {"2026-01-31"}
    assert all("ends on 2026-01-31" in row["past_horizon"] for row in rows)
    assert all(
        "states that joined or left after it are not known" in row["past_horizon"] for row in rows
    )
    text = run_cli("members", "--org", "CSTO", "--on", "2040-01-01", db=built_db_url).stdout
    assert "certain " not in text.replace("is certain", "")
    assert "the record of CSTO ends on 2026-01-31" in " ".join(text.split())
    # On the horizon itself the record still answers for certain, and says nothing more.
    inside = run_cli_json(built_db_url, "members", "--org", "CSTO", "--on", "2026-01-31")
    assert {row["certainty"] for row in inside} == {"certain"}
    assert {row["past_horizon"] for row in inside} == {None}
    said = run_cli("members", "--org", "CSTO", "--on", "2026-01-31", db=built_db_url).stdout
    assert "the record of" not in said


def test_the_chair_and_officials_follow_the_same_rule(built_db_url, connection):
    terms = chair_on(connection, LATER)
    assert terms and {term.certainty for term in terms} == {"possible"}
    chair = run_cli_json(built_db_url, "chair", "--on", "2040-01-01")
    assert chair["certainty"] == "possible" and "changes of the chair" in chair["past_horizon"]
    officials = officials_on(connection, LATER)
    assert officials and {o.certainty for o in officials} == {"possible"}
    assert all("changes of its officers" in o.past_horizon for o in officials)
    text = run_cli("officials", "--on", "2040-01-01", db=built_db_url).stdout
    assert "the record of CSTO ends on 2026-01-31" in " ".join(text.split())
    assert chair_on(connection, date(2025, 6, 1))[0].certainty == "certain"


@pytest.mark.slow
def test_check_finds_a_fact_or_a_source_dated_after_the_horizon(empty_db_url):
    init_database(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert check_database(connection) == []
            connection.execute(
                update(Organization)
                .where(Organization.code.in_(["CST", "CSTO"]))
                .values(
                    horizon_edtf="2025-06-30",
                    horizon_lower=date(2025, 6, 30),
                    horizon_upper=date(2025, 6, 30),
                )
            )
            problems = check_database(connection)
            connection.rollback()
    finally:
        engine.dispose()
    after = [p for p in problems if "after the horizon" in p]
    assert (
        "chair_spans chair-rus-2026: start 2026-01-01 is after the horizon of CSTO (2025-06-30)"
        in after
    )
    assert any(p.startswith("source abcmedia-2026: published 2026-01-31") for p in after)
    assert any(p.startswith("events ") for p in after)


# --- COW's organizations ---------------------------------------------------------------------


@pytest.mark.parametrize(("org", "day"), [("NATO", "2021-01-01"), ("CIS", "2024-01-01")])
def test_past_cows_last_year_no_row_is_certain_and_the_answer_says_cow_ends(
    cow_excerpt_url, org, day
):
    rows = run_cli_json(cow_excerpt_url, "members", "--org", org, "--on", day)
    assert len(rows) >= 9
    assert {row["certainty"] for row in rows} == {"possible"}
    assert {row["horizon"] for row in rows} == {"2014-12-31"}
    for row in rows:
        assert "COW IGO v3" in row["past_horizon"] and "2014" in row["past_horizon"]
    text = " ".join(
        run_cli("members", "--org", org, "--on", day, db=cow_excerpt_url).stdout.split()
    )
    assert f"the record of {org} ends on 2014-12-31, the end of 2014, the last year COW IGO v3" in (
        text
    )


def test_nato_is_certain_inside_cows_years(cow_excerpt_url):
    rows = run_cli_json(cow_excerpt_url, "members", "--org", "NATO", "--on", "2010-06-01")
    certain = {row["state"] for row in rows if row["certainty"] == "certain"}
    assert {"USA", "DEU", "FRA"} <= certain
    assert {row["past_horizon"] for row in rows} == {None}


def test_no_row_rests_on_missing_data_as_certain(cow_excerpt_url):
    """COW codes every ICAO cell of 2014 -9: no member is certain that year, each row says
    why, and the states without data are named."""
    rows = run_cli_json(cow_excerpt_url, "members", "--org", "ICAO", "--on", "2014-07-01")
    assert len(rows) > 150
    assert "certain" not in {row["certainty"] for row in rows}
    for row in rows:
        assert "no data (-9) in 2014" in row["reasoning"], row["span"]
        assert row["until"].endswith("..]")
    text = " ".join(
        run_cli("members", "--org", "ICAO", "--on", "2014-07-01", db=cow_excerpt_url).stdout.split()
    )
    assert "no data (-9) in cow-igo-v3-file for 2014 on 217 states of ICAO" in text
    # A year whose cells are known stays certain.
    known = run_cli_json(cow_excerpt_url, "members", "--org", "ICAO", "--on", "2012-07-01")
    assert sum(row["certainty"] == "certain" for row in known) > 150


def test_every_run_of_missing_data_is_stored(cow_excerpt_url):
    engine = make_engine(cow_excerpt_url)
    try:
        with engine.connect() as connection:
            icao = (
                connection.execute(
                    select(MissingData.state_iso3).where(
                        MissingData.organization_code == "ICAO",
                        MissingData.first_year <= 2014,
                        MissingData.last_year >= 2014,
                    )
                )
                .scalars()
                .all()
            )
            # Those coded members before, and the others: no cell of -9 is dropped.
            assert len(icao) == 217
            note = missing_data_note(connection, "icao", "2014-07-01")
            assert note and "217 states of ICAO" in note
            assert missing_data_note(connection, "ICAO", "2012-07-01") is None
    finally:
        engine.dispose()


def test_an_organization_cow_says_ended_keeps_its_lifetime(cow_excerpt_url):
    """OEEC: COW codes it dead in 1961. After that no member, and no horizon line: it ended."""
    text = run_cli("members", "--org", "OEEC", "--on", "1995-01-01", db=cow_excerpt_url).stdout
    assert "no members on 1995-01-01: OEEC membership ended in 1961" in text
    assert "the record of" not in text
    engine = make_engine(cow_excerpt_url)
    try:
        with engine.connect() as connection:
            assert horizon_of(connection, "oeec").day == date(1961, 12, 31)
            assert members_on(connection, "OEEC", date(1960, 6, 1))
    finally:
        engine.dispose()


def test_check_verifies_the_missing_data_against_the_file(cow_excerpt_url, tmp_path):
    from csto_db.datasets.cow_import import verify_locators

    assert "ok" in run_cli("check", "--cow-file", str(EXCERPT), db=cow_excerpt_url).stdout
    engine = make_engine(cow_excerpt_url)
    try:
        with engine.connect() as connection:
            connection.execute(
                update(MissingData)
                .where(MissingData.organization_code == "ICAO", MissingData.state_iso3 == "USA")
                .values(last_year=2015)
            )
            problems = verify_locators(connection, EXCERPT)
            connection.rollback()
    finally:
        engine.dispose()
    assert "missing data ICAO usa 2014-2015: not a run of -9 cells" in problems[0]
    assert "missing data ICAO usa 2014-2014: -9 cells in" in problems[1]
