"""Changes over a period and member counts over time, on the CST and CSTO as the sources tell
them: the entries of 1992 and 2003, the exits of 1999, Uzbekistan's return in 2006 and its
departure in 2012, Armenia's freeze in 2024; the counts by year and at each change agree with
`members` on every day; the same answers on every engine."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import require_module, run_cli, run_cli_json

from csto_db.answers.changes import changes
from csto_db.answers.counts import counts_by_day, counts_by_year
from csto_db.answers.membership import members_on
from csto_db.errors import QueryError

EXCERPT = Path(__file__).parent / "data" / "cow-igo-v3-excerpt.csv"
SIX_OF_1992 = {"ARM", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
SIX_OF_2003 = {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}


def _by(found, state, kind):
    (change,) = [c for c in found if c.state == state and c.kind == kind]
    return change


def _other_values(change):
    return {(r.field, r.value, r.dispute) for r in change.readings if not r.preferred}


# --- Changes: the Treaty ---------------------------------------------------------------------


def test_the_treaty_signed_by_six_in_tashkent(connection):
    # The overview: signed on 15 May 1992 in Tashkent by Armenia, Kazakhstan, Kyrgyzstan,
    # Russia, Tajikistan and Uzbekistan; nobody else entered that day.
    found = changes(connection, "CST", "1992-05-15", "1992-05-15")
    assert {c.state for c in found} == SIX_OF_1992
    assert {(c.kind, c.before, c.after, c.certainty) for c in found} == {
        ("entry", None, "party", "certain")
    }
    assert all(c.citations for c in found)


def test_the_exits_of_1999(connection):
    # Azerbaijan, Georgia and Uzbekistan did not sign the protocol of April 1999; Gibler and
    # ATOP date their leaving 20 April 1999, so 21 April is the first day outside. The
    # overview's "April 1999" only says less; Lenta.ru's 1998 for Uzbekistan disputes it.
    found = changes(connection, "CST", "1999-01-01", "1999-12-31")
    assert {(c.state, c.kind, c.day, c.before, c.after) for c in found} == {
        (state, "exit", "1999-04-21", "party", None) for state in ("AZE", "GEO", "UZB")
    }
    certainty = {c.state: c.certainty for c in found}
    assert certainty == {"AZE": "certain", "GEO": "certain", "UZB": "disputed"}
    uzbekistan = _by(found, "UZB", "exit")
    assert _other_values(uzbekistan) == {("end", "1998", "uzb-cst-exit-year")}
    assert uzbekistan.spans == ["cst-uzb-party"]
    assert {q.source for q in uzbekistan.citations} >= {"gibler-2009", "protocol-1999-text"}


def test_georgias_accession_day_is_disputed(connection):
    # Gibler and ATOP: 9 December 1993; a Kremlin note's repost and Russian Wikipedia: 9 September.
    georgia = _by(changes(connection, "CST", "1993-01-01", "1993-12-31"), "GEO", "entry")
    assert (georgia.day, georgia.certainty) == ("1993-12-09", "disputed")
    assert _other_values(georgia) == {("start", "1993-09-09", "cst-geo-accession-day")}


def test_uzbekistan_returns_to_the_treaty_in_2006_and_leaves_in_2012(connection):
    found = changes(connection, "CST", "2006-01-01", "2012-12-31")
    back = _by(found, "UZB", "return")
    # The protocol on the restoration of membership, 16 August 2006 (ATOP: the 17th; some
    # reports date the ratification, 28 March 2008).
    assert (back.day, back.before, back.after, back.certainty) == (
        "2006-08-16",
        None,
        "party",
        "disputed",
    )
    assert {value for _field, value, _dispute in _other_values(back)} == {
        "2006-08-17",
        "2008-03-28",
    }
    out = _by(found, "UZB", "exit")
    # 19 December 2012, the Council's decision; ATOP: 29 June, the day of the note; and no
    # withdrawal from the Treaty itself is recorded, a reading in words that disputes it.
    assert (out.day, out.before, out.after, out.certainty) == (
        "2012-12-19",
        "party",
        None,
        "disputed",
    )
    values = {value for _field, value, _dispute in _other_values(out)}
    assert "2012-06-29" in values and any(
        value.startswith("later, or not at all") for value in values
    )


# --- Changes: the Organization ---------------------------------------------------------------


def test_the_organization_begins_with_six_members_in_2003(connection):
    found = changes(connection, "CSTO", "2003-01-01", "2003-12-31")
    assert {c.state for c in found} == SIX_OF_2003
    assert {(c.kind, c.day, c.certainty) for c in found} == {("entry", "2003-09-18", "certain")}


def test_uzbekistan_returns_in_2006_and_is_suspended_in_2012(connection):
    found = changes(connection, "CSTO", "2006-01-01", "2012-12-31")
    assert [(c.state, c.kind) for c in found] == [("UZB", "return"), ("UZB", "suspension")]
    back, suspended = found
    # It returns: it had left the Treaty, the Organization's predecessor, in 1999.
    assert (back.day, back.before, back.after, back.certainty) == (
        "2006-08-16",
        None,
        "member",
        "disputed",
    )
    assert ("start", "2002", "uzb-csto-membership-cow") in _other_values(back)
    # One change joins the end of its membership and the start of its suspension.
    assert suspended.spans == ["csto-uzb-member", "csto-uzb-suspended"]
    assert (suspended.day, suspended.before, suspended.after) == (
        "2012-12-19",
        "member",
        "suspended",
    )
    assert suspended.certainty == "disputed"
    assert ("end", "2012-06-29", "uzb-csto-leaving") in _other_values(suspended)


def test_armenia_freezes_its_participation_in_2024(connection):
    (freeze,) = changes(connection, "CSTO", "2024-01-01", "2024-12-31")
    assert (freeze.state, freeze.kind, freeze.day, freeze.before, freeze.after) == (
        "ARM",
        "freeze",
        "2024-02-22",
        "member",
        "frozen",
    )
    # Russia, its foreign ministry and the Secretariat say Armenia is still a full member;
    # others that it is leaving: the status it changed to is disputed.
    assert freeze.certainty == "disputed"
    assert {value for _f, value, _d in _other_values(freeze)} == {"member", "leaving"}


def test_a_change_that_straddles_the_period_is_only_possible(connection):
    # The 1999 exits are certain on the 21st, but a period ending on 21 April holds them and
    # one ending on the 20th does not.
    assert {c.certainty for c in changes(connection, "CST", "1999-04-21", "1999-04-21")} == {
        "certain",
        "disputed",
    }
    assert changes(connection, "CST", "1999-04-01", "1999-04-20") == []


def test_a_change_only_another_reading_puts_in_the_period_is_contested(connection):
    assert changes(connection, "CST", "2008-01-01", "2008-12-31") == []
    (contested,) = changes(connection, "CST", "2008-01-01", "2008-12-31", contested=True)
    assert (contested.state, contested.kind, contested.contested) == ("UZB", "return", True)
    assert {value for _f, value, _d in _other_values(contested)} == {"2008-03-28"}


def test_every_change_is_where_members_on_changes(connection):
    # A change's day: on the day before the earliest, the state is in its old status; on
    # the latest, in its new one, as members_on says (a frozen member is still a member).
    for change in changes(connection, "CST", "1992-01-01", "2026-01-31") + changes(
        connection, "CSTO", "2003-01-01", "2026-01-31"
    ):
        before = date.fromisoformat(change.earliest) - timedelta(days=1)
        after = date.fromisoformat(change.latest)
        was = {m.state: m.status for m in members_on(connection, change.organization, before)}
        now = {m.state: m.status for m in members_on(connection, change.organization, after)}
        listed = ("party", "member", "frozen")
        assert was.get(change.state) == (change.before if change.before in listed else None)
        assert now.get(change.state) == (change.after if change.after in listed else None)


def test_past_the_horizon_the_answer_says_nothing_is_known(connection, built_db_url):
    assert changes(connection, "CSTO", "2027-01-01", "2030-12-31") == []
    args = ("changes", "--org", "CSTO", "--from", "2027-01-01", "--to", "2030-12-31")
    text = " ".join(run_cli(*args, db=built_db_url).stdout.split())
    assert "(none)" in text and "the record of CSTO ends on 2026-01-31" in text
    assert "entries, exits, suspensions, freezes and returns after it are not known" in text


def test_the_command_line(built_db_url):
    rows = run_cli_json(
        built_db_url, "changes", "--org", "csto", "--from", "2024-01-01", "--to", "2030-12-31"
    )
    assert [(r["state"], r["kind"], r["certainty"]) for r in rows] == [
        ("ARM", "freeze", "disputed")
    ]
    assert rows[0]["past_horizon"].startswith("the record of CSTO ends on 2026-01-31")
    assert rows[0]["readings"] and rows[0]["citations"]
    text = " ".join(
        run_cli(
            "changes",
            "--org",
            "CSTO",
            "--from",
            "2024-01-01",
            "--to",
            "2030-12-31",
            db=built_db_url,
        ).stdout.split()
    )
    assert "2024-02-22 ARM freeze member frozen disputed" in text
    assert "the record of CSTO ends on 2026-01-31" in text
    assert "disputed: ARM freeze 2024-02-22: status member by" in text
    before = " ".join(
        run_cli(
            "changes",
            "--org",
            "CSTO",
            "--from",
            "1995-01-01",
            "--to",
            "2000-01-01",
            db=built_db_url,
        ).stdout.split()
    )
    assert "(none)" in before and "CSTO membership begins on 2003-09-18" in before
    contested = run_cli_json(
        built_db_url,
        "changes",
        "--org",
        "CST",
        "--from",
        "2008-01-01",
        "--to",
        "2008-12-31",
        "--contested",
    )
    assert [(r["state"], r["contested"]) for r in contested] == [("UZB", True)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["changes", "--org", "CSTO", "--from", "2005-01-01", "--to", "2004-01-01"], "period ends"),
        (
            ["changes", "--org", "NOPE", "--from", "2005-01-01", "--to", "2006-01-01"],
            "unknown organization",
        ),
        (["changes", "--org", "CSTO", "--from", "2005-13-01", "--to", "2006-01-01"], "2005-13-01"),
        (["count", "--org", "CSTO", "--as-of", "02-30"], "not a reference day"),
        (["count", "--org", "CSTO", "--as-of", "July"], "MM-DD"),
        (
            ["count", "--org", "CSTO", "--by", "day", "--as-of", "12-31"],
            "--as-of goes with --by year",
        ),
        (["count", "--org", "CSTO", "--from", "2010-01-01", "--to", "2009-01-01"], "period ends"),
    ],
)
def test_bad_input_is_one_line(built_db_url, args, says):
    result = run_cli(*args, db=built_db_url, expect=2)
    assert result.stderr.count("\n") == 1 and says in result.stderr
    assert "Traceback" not in result.stderr


def test_the_library_refuses_a_backward_period(connection):
    with pytest.raises(QueryError, match="period ends"):
        changes(connection, "CST", date(2000, 1, 1), date(1999, 1, 1))


# --- Counts -----------------------------------------------------------------------------------


def test_the_organizations_members_each_first_of_july(connection):
    counts = {c.year: c for c in counts_by_year(connection, "CSTO")}
    # From the Charter's entry into force (18 September 2003) to the horizon: 2004 to 2025.
    assert sorted(counts) == list(range(2004, 2026))
    for year, count in counts.items():
        assert count.on == f"{year}-07-01"
        assert count.members == count.certain + count.possible + count.disputed
    # Six until Uzbekistan's return of 16 August 2006 (COW's 2002 contests it, not counted).
    for year in (2004, 2005, 2006):
        assert (counts[year].members, counts[year].contested_states) == (6, ["UZB"])
    # Seven to 2012, Uzbekistan disputed in 2011 and 2012 (COW: it left in 2011 or 2012).
    assert [counts[year].members for year in range(2007, 2013)] == [7] * 6
    assert counts[2010].certain == 7 and counts[2012].disputed_states == ["UZB"]
    # Six after its suspension of 19 December 2012; Armenia, frozen, is still a member.
    assert {counts[year].members for year in range(2013, 2026)} == {6}
    assert "ARM" in counts[2025].certain_states


def test_another_reference_day(connection):
    december = {c.year: c.members for c in counts_by_year(connection, "CSTO", month_day=(12, 31))}
    # On 31 December Uzbekistan is in by 2006 and out by 2012; 2003 is counted too.
    assert december[2003] == 6 and december[2006] == 7 and december[2012] == 6


def test_a_count_past_the_horizon_is_possible(connection):
    (count,) = counts_by_year(connection, "CSTO", "2030-01-01", "2030-12-31")
    assert (count.members, count.certain, count.possible) == (6, 0, 6)
    assert count.past_horizon and "2026-01-31" in count.past_horizon


def test_the_count_at_each_change_is_members_on_every_day(connection):
    for org in ("CST", "CSTO"):
        steps = counts_by_day(connection, org)
        assert steps[0].on == {"CST": "1992-05-15", "CSTO": "2003-09-18"}[org]
        assert steps[-1].until is None
        for step, following in itertools.pairwise(steps):
            assert step.until == following.on
        # Every first of the month and every day a step begins or ends, against members_on.
        days = {date(year, month, 1) for year in range(1992, 2026) for month in range(1, 13)}
        days |= {date.fromisoformat(s.on) for s in steps}
        days |= {date.fromisoformat(s.until) - timedelta(days=1) for s in steps if s.until}
        first = date.fromisoformat(steps[0].on)
        for day in sorted(d for d in days if first <= d <= date(2026, 1, 31)):
            (step,) = [
                s
                for s in steps
                if date.fromisoformat(s.on) <= day
                and (s.until is None or day < date.fromisoformat(s.until))
            ]
            listed = members_on(connection, org, day)
            assert step.members == len(listed), (org, day)
            assert step.certain == sum(m.certainty == "certain" for m in listed), (org, day)


def test_the_treatys_count_at_each_change(connection):
    steps = [(s.on, s.members, s.certain) for s in counts_by_day(connection, "CST")]
    # Six signatories; Azerbaijan accedes on 24 September 1993, Georgia on 9 December,
    # Belarus on 31 December (or 3 January 1994): nine until 21 April 1999, then six; seven
    # from Uzbekistan's return on 16 August 2006 to 19 December 2012.
    assert ("1992-05-15", 6, 6) in steps and ("1993-09-24", 7, 7) in steps
    assert ("1993-12-09", 8, 8) in steps and ("1994-01-03", 9, 9) in steps
    assert ("1999-04-21", 6, 6) in steps and steps[-1] == ("2012-12-19", 6, 6)


def test_count_on_the_command_line(built_db_url):
    rows = run_cli_json(
        built_db_url, "count", "--org", "CSTO", "--from", "2006-01-01", "--to", "2007-12-31"
    )
    assert [(r["year"], r["on"], r["members"]) for r in rows] == [
        (2006, "2006-07-01", 6),
        (2007, "2007-07-01", 7),
    ]
    text = run_cli("count", "--org", "CST", "--by", "day", db=built_db_url).stdout
    assert text.splitlines()[0].split()[:4] == ["on", "until", "members", "certain"]
    assert "2012-12-19" in text


def test_chart_count_draws_the_series_with_its_band(built_db_url, tmp_path):
    require_module("matplotlib", "chart")
    out = tmp_path / "count.svg"
    summary = run_cli_json(built_db_url, "chart", "count", "--org", "CSTO", "--out", str(out))
    assert summary == {
        "file": str(out),
        "organization": "CSTO",
        "points": 22,
        "first": "2004-07-01",
        "last": "2025-07-01",
    }
    svg = out.read_text(encoding="utf-8")
    for gid in ("count:members", "count:uncertain", "count:contested"):
        assert f'id="{gid}' in svg
    by_day = tmp_path / "steps.png"
    run_cli("chart", "count", "--org", "CST", "--by", "day", "--out", str(by_day), db=built_db_url)
    assert by_day.read_bytes().startswith(b"\x89PNG")
    bad = run_cli(
        "chart",
        "count",
        "--org",
        "CST",
        "--out",
        str(tmp_path / "x.txt"),
        db=built_db_url,
        expect=2,
    )
    assert ".svg or .png" in bad.stderr


# --- The same answers on every engine ---------------------------------------------------------


def _answers(url: str) -> dict[str, object]:
    from csto_db.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found: dict[str, object] = {}
            for org in ("CST", "CSTO", "NATO", "ICAO", "CIS", "OEEC"):
                found[f"changes {org}"] = [
                    c.to_dict()
                    for c in changes(connection, org, "1900-01-01", "2030-12-31", contested=True)
                ]
                found[f"count year {org}"] = [c.to_dict() for c in counts_by_year(connection, org)]
                found[f"count day {org}"] = [c.to_dict() for c in counts_by_day(connection, org)]
    finally:
        engine.dispose()
    return json.loads(json.dumps(found, ensure_ascii=False, sort_keys=True))


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    from test_engines import BuiltDatabases

    databases = BuiltDatabases(tmp_path_factory.mktemp("changes-engines"))

    def built(name: str) -> str:
        fresh = name not in databases.urls
        url = databases.url(name)
        if fresh:
            run_cli("import-cow", "--quiet", str(EXCERPT), db=url)
        return url

    yield built
    databases.drop_all()


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", ["postgresql", "mariadb"])
def test_the_same_changes_and_counts_as_sqlite(engines, engine_name):
    from test_engines import first_difference

    reference = _answers(engines("sqlite"))
    assert reference["changes CSTO"] and reference["count day NATO"]
    other = _answers(engines(engine_name))
    assert other == reference, first_difference(reference, other)
