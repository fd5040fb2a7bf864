"""The web view, in-process over Datasette's own client: the home page asks the questions;
each answer is the library's (members on the record's turning days as `members_on` gives
them, certainty, other readings and contested lines included); what is asked is checked and
refused with the values that exist; keys link to the evidence, which shows the row as
stored, the quotes and the disputes; search finds the quotes; bookkeeping tables are hidden
and reachable. In a real browser in test_browser.py."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
from datetime import date
from html.parser import HTMLParser

import pytest
from conftest import require_module, run_cli
from sqlalchemy.engine import make_url

from csto_db.answers.asof import contested_note, horizon_of
from csto_db.answers.documents import documents
from csto_db.answers.evidence import disputes, evidence
from csto_db.answers.membership import members_on
from csto_db.answers.record import chair_answer, chair_on, officials_on
from csto_db.answers.timeline import timeline
from csto_db.build.init import init_database
from csto_db.outputs.web import (
    HIDDEN_TABLES,
    TRUNCATE_CELLS,
    datasette_app,
    metadata,
    sqlite_path,
)
from csto_db.store.db import make_engine

require_module("datasette", "web")

#: Days across the record's turns: signature, Georgia's contested accession, entry into
#: force, departures, the Charter, Uzbekistan's return, its disputed membership and
#: suspension, Armenia's freeze, the end of the record.
DAYS = (
    date(1992, 5, 14),
    date(1992, 5, 15),
    date(1993, 10, 1),
    date(1993, 12, 31),
    date(1994, 4, 20),
    date(1999, 4, 20),
    date(1999, 4, 21),
    date(2003, 4, 28),
    date(2003, 9, 17),
    date(2003, 9, 18),
    date(2005, 1, 1),
    date(2006, 8, 16),
    date(2012, 7, 1),
    date(2012, 12, 19),
    date(2024, 2, 22),
    date(2025, 1, 1),
    # the record's horizon, the day after it, and a day long after
    date(2026, 1, 31),
    date(2026, 2, 1),
    date(2040, 1, 1),
)


class _Page(HTMLParser):
    """A page's text, its links, and the rows of its tables by the columns' classes."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.paragraphs: dict[str, list[str]] = {}
        self._table: str | None = None
        self._cell: str | None = None
        self._text: list[str] = []
        self._paragraph: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(html.unescape(attrs["href"]))
        if tag == "table":
            self._table = attrs.get("id") or ""
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append({})
        elif tag == "td" and self._table is not None:
            names = [c for c in (attrs.get("class") or "").split() if c.startswith("col-")]
            self._cell = names[0][4:] if names else None
            self._text = []
        elif tag == "p" and attrs.get("class"):
            self._paragraph = attrs["class"]
            self._text = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
            return
        text = " ".join("".join(self._text).split())
        if tag == "td" and self._table is not None and self._cell:
            self.tables[self._table][-1][self._cell] = text
            self._cell = None
        elif tag == "p" and self._paragraph:
            self.paragraphs.setdefault(self._paragraph, []).append(text)
            self._paragraph = None

    def handle_data(self, data):
        self._text.append(data)


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.text)
    return page


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


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
def connection(sqlite_db):
    engine = make_engine(sqlite_db)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


@pytest.fixture(scope="module")
def get(sqlite_db):
    datasette = datasette_app(sqlite_path(sqlite_db))
    database = sqlite_path(sqlite_db).stem

    def fetch(path: str, **params):
        return asyncio.run(
            datasette.client.get(path.replace("{db}", database), params=params or None)
        )

    return fetch


def _members(get, **params) -> tuple[list[dict[str, str]], list[str], _Page]:
    response = get("/members", **params)
    assert response.status_code == 200, (params, text_of(response)[:300])
    page = parse(response)
    return page.tables.get("members", [])[1:], page.paragraphs.get("csto-line contested", []), page


def _expected_lines(rows, listed: bool) -> list[str]:
    """The library's contested lines, as the page words them: its command-line advice
    becomes a link saying "list it"."""
    lines = []
    for row in rows:
        if row.contested:
            line = contested_note(
                f"{row.state} {row.name}", row.to_dict()["readings"], listed=listed
            )
            lines.append(line.replace("; --contested lists it", "; list it"))
    return lines


@pytest.mark.parametrize("org", ["CST", "CSTO"])
@pytest.mark.parametrize("with_contested", [False, True])
def test_members_are_those_of_members_on(get, connection, org, with_contested):
    """Rows, certainty (contested marked), dates, span, other readings and contested lines
    are the library's on every turning day."""
    for day in DAYS:
        answers = members_on(connection, org, day, contested=True)
        expected = [m for m in answers if with_contested or not m.contested]
        rows, lines, _ = _members(
            get, org=org.lower(), day=day.isoformat(), contested="1" if with_contested else ""
        )
        shown = [(r["state"], r["status"], r["certainty"], r["since"], r["until"]) for r in rows]
        assert shown == [
            (
                m.state,
                m.status,
                "contested" if m.contested else m.certainty,
                m.since,
                m.until or "",
            )
            for m in expected
        ], (org, day)
        assert [r["span"] for r in rows] == [m.span for m in expected]
        for row, member in zip(rows, expected, strict=True):
            others = [r for r in member.to_dict().get("readings", []) if not r["preferred"]]
            for other in others:
                assert other["value"] in row["readings"] and other["dispute"] in row["readings"]
            if not others:
                assert row["readings"] == ""
        assert lines == _expected_lines(answers, with_contested), (org, day)


def test_uzbekistan_disputed_and_georgia_contested(get):
    rows, _, _ = _members(get, org="CSTO", day="2012-07-01")
    assert {r["state"]: r["certainty"] for r in rows}["UZB"] == "disputed"
    rows, lines, page = _members(get, org="CST", day="1993-10-01")
    assert "GEO" not in {r["state"] for r in rows}
    assert len(lines) == 1 and "GEO Georgia" in lines[0] and "cst-geo-accession-day" in lines[0]
    assert "/members?org=CST&day=1993-10-01&contested=1" in page.links
    rows, _, _ = _members(get, org="CST", day="1993-10-01", contested="1")
    assert {r["state"]: r["certainty"] for r in rows}["GEO"] == "contested"


def test_a_short_day_is_read_as_its_full_form(get):
    short, _, page = _members(get, org="CSTO", day="2012-7-1")
    full, _, _ = _members(get, org="CSTO", day="2012-07-01")
    assert short == full and len(full) == 7
    assert "2012-7-1 read as 2012-07-01." in page.paragraphs["csto-line"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"org": "cso", "day": "2012-07-01"}, "unknown organization 'cso'; the database has: "),
        ({"org": "CSTO", "day": "2005"}, "'2005' is not a day: give one as YYYY-MM-DD"),
        ({"org": "CSTO", "day": "2005-02-30"}, "'2005-02-30' is not a day of the calendar"),
    ],
)
def test_a_wrong_question_gets_a_message_not_an_empty_answer(get, params, message):
    response = get("/members", **params)
    assert response.status_code == 400
    page = parse(response)
    assert page.paragraphs["csto-error"][0].startswith(message)
    assert "members" not in page.tables
    if params["org"] == "cso":
        assert "CST, CSTO" in page.paragraphs["csto-error"][0]


def test_a_day_outside_the_lifetime_says_why(get):
    rows, _, page = _members(get, org="CSTO", day="2001-01-01")
    assert rows == [] and "members" not in page.tables
    assert "CSTO membership begins on 2003-09-18" in page.paragraphs["csto-line"][0]


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("/members", "/members?org=CSTO&day=2005-01-01"),
        ("/timeline", "/timeline?state=ARM"),
        ("/evidence", "/evidence?fact=csto-arm-frozen"),
        ("/chair", "/chair?org=CSTO&day=2011-12-20"),
        ("/officials", "/officials?day=2017-05-02"),
    ],
)
def test_an_empty_form_shows_an_example(get, path, example):
    response = get(path)
    assert response.status_code == 200
    page = parse(response)
    assert example in page.links
    assert not [t for t in page.tables if t] and "0 results" not in response.text
    assert get(example).status_code == 200


def test_the_home_page_asks_the_questions_first(get, connection, sqlite_db):
    response = get("/")
    body = response.text
    forms = [body.index(f'action="/{name}"') for name in ("members", "timeline", "documents")]
    forms += [body.index(f'action="/{name}"') for name in ("evidence", "disputes", "search")]
    assert max(forms) < body.rindex('href="/{db}"'.replace("{db}", sqlite_path(sqlite_db).stem))
    intro = parse(response).paragraphs["csto-intro"][0]
    horizon = horizon_of(connection, "CSTO")
    assert horizon is not None and horizon.edtf in intro and "MIT License" in intro
    assert len(intro) < 800
    # The sources have a page of their own.
    count = connection.exec_driver_sql("SELECT count(*) FROM sources").scalar()
    assert "gibler-2009" not in body
    sources = parse(get("/sources")).tables["sources"][1:]
    assert len(sources) == count
    assert "/sources?source=gibler-2009" in parse(get("/sources")).links


def test_the_timeline_is_the_librarys(get, connection):
    page = parse(get("/timeline", state="Armenia"))
    rows = page.tables["timeline"][1:]
    expected = timeline(connection, "ARM")
    assert [(r["entry"], r["key"], r["start"]) for r in rows] == [
        (e.entry, e.key, e.start or "") for e in expected
    ]
    assert "/evidence?fact=csto-arm-frozen" in page.links
    response = get("/timeline", state="Narnia")
    assert response.status_code == 400
    assert "ARM" in parse(response).paragraphs["csto-error"][0]


def test_a_document_with_its_parties(get, connection):
    [protocol] = [d for d in documents(connection) if d.key == "cst-prolongation-protocol"]
    page = parse(get("/documents", document=protocol.key))
    parties = page.tables[""]
    assert len(parties) - 1 == len(protocol.parties)
    assert protocol.title in text_of(get("/documents", document=protocol.key))
    assert "/evidence?fact=cst-prolongation-protocol" in page.links
    response = get("/documents", document="no-such-document")
    assert response.status_code == 400
    assert "cst-prolongation-protocol" in parse(response).paragraphs["csto-error"][0]


def test_the_evidence_of_a_fact(get, connection, sqlite_db):
    found = evidence(connection, "csto-arm-frozen")
    response = get("/evidence", fact="csto-arm-frozen")
    page, body = parse(response), text_of(response)
    stored = {r.get("start_edtf") for r in page.tables["stored"]}
    assert "2024-02-22" in stored
    for quote in found.citations:
        assert " ".join(quote.quote.split()) in body
        if quote.translation:
            assert " ".join(quote.translation.split()) in body
        assert f"/sources?source={quote.source}" in page.links
    with sqlite3.connect(sqlite_path(sqlite_db)) as db:
        address_of = dict(db.execute("SELECT key, address FROM sources"))
    addresses = [address_of[q.source] for q in found.citations if address_of[q.source]]
    assert addresses and all(a in page.links or a in body for a in addresses)


def test_a_disputed_fact_shows_its_readings_and_the_reason(get, connection):
    [dispute] = [d for d in disputes(connection) if d.key == "cst-geo-accession-day"]
    body = text_of(get("/evidence", fact="cst-geo-party"))
    assert " ".join(dispute.reason.split()) in body
    for reading in dispute.readings:
        assert reading.value in body


def test_an_unknown_fact_names_the_keys_that_contain_it(get):
    response = get("/evidence", fact="cst-geo")
    assert response.status_code == 400
    message = parse(response).paragraphs["csto-error"][0]
    assert "cst-geo-party" in message and "cst-geo-accession-day:1" in message


def test_the_disputes_are_the_librarys(get, connection):
    page = parse(get("/disputes"))
    for dispute in disputes(connection):
        assert f"/disputes?dispute={dispute.key}" in page.links
    one = text_of(get("/disputes", dispute="cst-geo-accession-day"))
    assert "1993-09-09" in one
    assert get("/disputes", dispute="nothing").status_code == 400


def test_the_chair_and_the_officials_are_the_librarys(get, connection):
    on = date(2011, 12, 20)
    terms = chair_on(connection, on, "CSTO")
    answer = chair_answer(terms, on, "CSTO", horizon_of(connection, "CSTO"))
    page = parse(get("/chair", org="CSTO", day="2011-12-20"))
    assert page.paragraphs["csto-verdict"][0].startswith(
        f"On 2011-12-20 {answer.state} held the chair of CSTO ({answer.certainty}"
    )
    on = date(2017, 5, 2)
    expected = [o.key for o in officials_on(connection, on) if not o.contested]
    page = parse(get("/officials", day="2017-05-02"))
    assert [f"/evidence?fact={key}" in page.links for key in expected] == [True] * len(expected)


@pytest.mark.parametrize(
    ("words", "fact"),
    [
        ("prolongation", "cst-prolongation-protocol"),
        ("заморозк", "arm-freeze-announcement-date:1"),
        ("Kishinev", "csto-charter"),
    ],
)
def test_search_finds_the_quotes(get, words, fact):
    response = get("/search", q=words)
    assert response.status_code == 302
    found = get(response.headers["location"])
    assert found.status_code == 200
    assert f"/evidence?fact={fact}" in parse(found).links


def test_bookkeeping_tables_are_hidden_and_reachable(get):
    tables = {t["name"]: t["hidden"] for t in get("/{db}.json").json()["tables"]}
    for name in HIDDEN_TABLES:
        assert tables[name] is True, name
        assert get(f"/{{db}}/{name}").status_code == 200
    assert tables["membership_spans"] is False and tables["search_index"] is False


def test_long_cells_are_cut_in_tables_and_whole_on_the_row(get, connection):
    key, reasoning = connection.exec_driver_sql(
        "SELECT key, reasoning FROM membership_spans ORDER BY length(reasoning) DESC"
    ).first()
    assert len(reasoning) > TRUNCATE_CELLS
    table = parse(get("/{db}/membership_spans"))
    cut = [r["reasoning"] for r in table.tables[""] if r.get("reasoning")]
    assert cut and all(len(cell) <= TRUNCATE_CELLS + 1 for cell in cut)
    assert " ".join(reasoning.split()) in text_of(get(f"/{{db}}/membership_spans/{key}"))


def test_dates_and_keys_do_not_wrap(get):
    css = get("/-/csto-db.css").text
    assert "td.col-start_edtf" in css and "td.col-key" in css and "white-space: nowrap" in css
    page = get("/{db}/membership_spans")
    assert "/-/csto-db.css" in page.text


def test_database_is_immutable_and_described(get, sqlite_db):
    databases = get("/-/databases.json").json()
    assert [d["is_mutable"] for d in databases] == [False]
    served = get("/-/metadata.json").json()
    assert served["license"] == "MIT License"
    table = get("/{db}/membership_spans")
    assert "closed-open span [start, end)" in html.unescape(table.text)
    assert "Earliest day the start date can be" in html.unescape(table.text)
    path = sqlite_path(sqlite_db)
    assert "queries" not in metadata(path)["databases"][path.stem]


def test_the_original_file_is_only_read(sqlite_db):
    path = make_url(sqlite_db).database
    with sqlite3.connect(path) as db:
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master")}
    assert "search_index" not in names


def test_writing_sql_is_refused(get):
    response = get("/{db}.json", sql="DELETE FROM states")
    assert response.status_code == 400
    assert get("/{db}/states.json").json()["rows"]


def test_serve_on_a_server_url_says_so_in_one_line():
    result = run_cli("serve", db="postgresql+psycopg://nobody@127.0.0.1:1/none", expect=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "serves a SQLite file" in lines[0]
    assert "sqlite:///csto.db init" in lines[0]


def test_serve_without_a_database_is_one_line_error(tmp_path):
    result = run_cli("serve", db=f"sqlite:///{tmp_path / 'none.db'}", expect=2)
    assert "no database at" in result.stderr and "Traceback" not in result.output
