"""The web view: Datasette serves the SQLite database read-only with metadata, and every
canned query answers; the members query agrees with `members_on` on the record's turning
days. Over HTTP in-process here; in a real browser in test_browser.py."""

from __future__ import annotations

import asyncio
import html
from datetime import date

import pytest
from conftest import require_module, run_cli

from csto_db.answers.membership import members_on
from csto_db.build.init import init_database
from csto_db.outputs.web import CANNED_QUERIES, datasette_app, metadata, sqlite_path
from csto_db.store.db import make_engine

require_module("datasette", "web")

#: Days across the record's turns: signature, entry into force, departures, the Charter,
#: Uzbekistan's return and suspension, Armenia's freeze, the end of the record.
DAYS = (
    date(1992, 5, 14),
    date(1992, 5, 15),
    date(1993, 12, 31),
    date(2003, 4, 28),
    date(1994, 4, 20),
    date(1999, 4, 20),
    date(1999, 4, 21),
    date(2003, 9, 17),
    date(2003, 9, 18),
    date(2005, 1, 1),
    date(2006, 8, 16),
    date(2012, 12, 19),
    date(2024, 2, 22),
    date(2025, 1, 1),
    # the record's horizon, the day after it, and a day long after
    date(2026, 1, 31),
    date(2026, 2, 1),
    date(2040, 1, 1),
)


@pytest.fixture(scope="module")
def sqlite_db(built_db_url, tmp_path_factory) -> str:
    """The built database when the suite runs on SQLite, else a SQLite build of the seeds:
    Datasette serves SQLite only."""
    if built_db_url.startswith("sqlite"):
        return built_db_url
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'csto.db'}"
    init_database(url)
    return url


@pytest.fixture(scope="module")
def get(sqlite_db):
    datasette = datasette_app(sqlite_path(sqlite_db))
    database = sqlite_path(sqlite_db).stem

    def fetch(path: str, **params):
        response = asyncio.run(
            datasette.client.get(path.replace("{db}", database), params=params or None)
        )
        return response

    return fetch


def _rows(get, query: str, **params) -> list[dict]:
    response = get(f"/{{db}}/{query}.json", _shape="array", **params)
    assert response.status_code == 200, (query, params, response.text[:300])
    return response.json()


def test_members_on_2005_lists_the_six_members(get):
    rows = _rows(get, "members_on", org="CSTO", day="2005-01-01")
    assert [(r["state"], r["status"], r["certainty"]) for r in rows] == [
        (state, "member", "certain") for state in ("ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK")
    ]
    assert "csto-overview" in rows[0]["sources"]


@pytest.mark.parametrize("org", ["CST", "CSTO"])
def test_members_query_agrees_with_members_on(get, sqlite_db, org):
    """The preferred reading decides who is listed, here as in `members_on`; the certainty
    is the same but where the library finds another reading that puts the day outside."""
    engine = make_engine(sqlite_db)
    try:
        with engine.connect() as connection:
            for day in DAYS:
                expected = {m.state: m for m in members_on(connection, org, day)}
                rows = {
                    r["state"]: r
                    for r in _rows(get, "members_on", org=org.lower(), day=day.isoformat())
                }
                assert set(rows) == set(expected), (org, day)
                for state, member in expected.items():
                    if member.certainty != "disputed":
                        assert rows[state]["certainty"] == member.certainty, (org, day, state)
    finally:
        engine.dispose()


def test_members_query_leaves_out_suspended_and_departed(get):
    states = {r["state"] for r in _rows(get, "members_on", org="CSTO", day="2013-01-01")}
    assert "UZB" not in states and {"ARM", "RUS"} <= states
    assert "UZB" in {r["state"] for r in _rows(get, "members_on", org="CSTO", day="2012-12-18")}
    frozen = {
        r["state"]: r["status"] for r in _rows(get, "members_on", org="CSTO", day="2025-01-01")
    }
    assert frozen["ARM"] == "frozen"


def test_state_timeline(get):
    rows = _rows(get, "state_timeline", iso3="uzb")
    spans = [
        (r["organization"], r["what"], r["start"], r["end"])
        for r in rows
        if r["entry"] == "membership"
    ]
    assert spans == [
        ("CST", "party", "1992-05-15", "1999-04-21"),
        ("CST", "party", "2006-08-16", "2012-12-19"),
        ("CSTO", "member", "2006-08-16", "2012-12-19"),
        ("CSTO", "suspended", "2012-12-19", None),
    ]
    days = [r["start"] for r in rows if r["start"]]
    assert days[0].startswith("1992")


def test_documents_with_parties(get):
    treaties = _rows(get, "documents_with_parties", kind="treaty")
    cst = next(r for r in treaties if r["key"] == "cst")
    assert cst["in_force"] == "1994-04-20"
    assert "ARM signatory 1992-05-15" in cst["parties"]
    everything = _rows(get, "documents_with_parties", kind="")
    assert len(everything) > len(treaties) and {r["kind"] for r in treaties} == {"treaty"}


def test_disputes_with_readings(get):
    rows = _rows(get, "disputes_with_readings")
    by_dispute: dict[str, list[dict]] = {}
    for row in rows:
        by_dispute.setdefault(row["dispute"], []).append(row)
    assert by_dispute and all(
        sum(r["preferred"] == "preferred" for r in readings) == 1
        for readings in by_dispute.values()
    )
    assert all(r["sources"] for r in rows)


def test_evidence(get):
    rows = _rows(get, "evidence", fact="cst-geo-party")
    assert rows and {r["table"] for r in rows} == {"membership_spans"}
    assert all(r["quote"] and r["source_title"] for r in rows)
    assert _rows(get, "evidence", fact="no-such-fact") == []


def test_every_canned_query_has_a_page(get):
    for name in CANNED_QUERIES:
        response = get(f"/{{db}}/{name}")
        assert response.status_code == 200, name
        assert CANNED_QUERIES[name]["title"] in html.unescape(response.text)


def test_database_is_immutable_and_described(get, sqlite_db):
    databases = get("/-/databases.json").json()
    assert [d["is_mutable"] for d in databases] == [False]
    served = get("/-/metadata.json").json()
    assert served["license"] == "MIT License"
    table = get("/{db}/membership_spans")
    assert "closed-open span [start, end)" in html.unescape(table.text)
    assert "Earliest day the start date can be" in html.unescape(table.text)
    assert "gibler-2009" in metadata(sqlite_path(sqlite_db))["description_html"]


def test_writing_sql_is_refused(get):
    response = get("/{db}.json", sql="DELETE FROM states")
    assert response.status_code == 400
    assert len(_rows(get, "members_on", org="CSTO", day="2005-01-01")) == 6


def test_serve_on_a_server_url_says_so_in_one_line():
    result = run_cli("serve", db="postgresql+psycopg://nobody@127.0.0.1:1/none", expect=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "serves a SQLite file" in lines[0]
    assert "sqlite:///csto.db init" in lines[0]


def test_serve_without_a_database_is_one_line_error(tmp_path):
    result = run_cli("serve", db=f"sqlite:///{tmp_path / 'none.db'}", expect=2)
    assert "no database at" in result.stderr and "Traceback" not in result.output
