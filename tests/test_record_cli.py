"""The command line for the record: sessions, chair, officials, operations; JSON keys,
tables, sources and one-line errors."""

import pytest
from conftest import run_cli, run_cli_json


@pytest.mark.parametrize(
    "args,keys",
    [
        (["sessions"], {"date", "place", "kind", "presided_by", "adopted", "citations"}),
        (["chair", "--on", "2015-01-01"], {"state", "start", "end", "certainty", "citations"}),
        (
            ["officials", "--on", "2010-01-01"],
            {"office", "person", "nationality", "acting", "start", "end", "certainty", "citations"},
        ),
        (
            ["operations"],
            {
                "key",
                "title",
                "host",
                "decided",
                "start",
                "end",
                "contributors",
                "strength",
                "citations",
            },
        ),
    ],
)
def test_json_carries_the_documented_keys(built_db_url, args, keys):
    data = run_cli_json(built_db_url, *args)
    if args[0] == "chair":  # one object: the chair that day
        data = [data]
    assert isinstance(data, list) and data
    for item in data:
        assert keys <= set(item), f"missing {keys - set(item)}"
        assert item["citations"] and all({"source", "quote"} <= set(c) for c in item["citations"])


@pytest.mark.parametrize(
    "year,dates",
    [
        ("2009", ["2009-02-04", "2009-06-14", "2009-07-31"]),
        ("2012", ["2012-05-15", "2012-12-19"]),
        ("1997", []),
    ],
)
def test_sessions_of_a_year(built_db_url, year, dates):
    assert [s["date"] for s in run_cli_json(built_db_url, "sessions", "--year", year)] == dates


def test_sessions_adopted_documents_and_chair(built_db_url):
    [moscow] = [
        s
        for s in run_cli_json(built_db_url, "sessions", "--year", "2009")
        if s["date"] == "2009-06-14"
    ]
    assert moscow["presided_by"] == "RUS" and moscow["kind"] == "regular"
    assert moscow["adopted"] == [
        {
            "key": "crrf-agreement-2009",
            "title": "Agreement on the Collective Rapid Reaction Force "
            "of the Collective Security Treaty Organization",
        }
    ]


@pytest.mark.parametrize(
    "on,expected",
    [
        ("2011-12-19", [("BLR", "certain")]),
        ("2011-12-20", [("KAZ", "disputed")]),  # Belarus is contested: see below
        ("2011-12-21", [("KAZ", "certain")]),
        ("2005-12-01", []),
    ],
)
def test_chair_on_a_day(built_db_url, on, expected):
    data = run_cli_json(built_db_url, "chair", "--on", on)
    assert [(c["state"], c["certainty"]) for c in data["candidates"]] == expected
    if len(expected) == 1:
        assert (data["state"], data["certainty"]) == expected[0]
        assert data["citations"] and data["start"]
    else:
        assert data["state"] is None  # the record does not pick among candidates
        assert data["certainty"] == (
            "disputed"
            if any(c == "disputed" for _, c in expected)
            else "possible"
            if expected
            else None
        )


@pytest.mark.parametrize(
    "on,source,expected",
    [("2007-07-01", "liquisearch", ["KGZ"]), ("2007-07-01", "uzdaily-jubilee-2007", ["BLR"])],
)
def test_chair_from_one_source(built_db_url, on, source, expected):
    data = run_cli_json(built_db_url, "chair", "--on", on, "--source", source)
    assert [c["state"] for c in data["candidates"]] == expected
    assert all(q["source"] == source for c in data["candidates"] for q in c["citations"])


@pytest.mark.parametrize(
    "on,expected",
    [
        ("2016-12-31", [("Nikolai Bordyuzha", False)]),
        ("2017-01-01", [("Valery Semerikov", True)]),
        ("2025-12-31", [("Imangali Tasmagambetov", False)]),
        ("2026-01-01", [("Taalatbek Masadykov", False)]),
    ],
)
def test_officials_on_a_day(built_db_url, on, expected):
    data = run_cli_json(built_db_url, "officials", "--on", on)
    assert [(o["person"], o["acting"]) for o in data] == expected


def test_operations_table_and_json(built_db_url, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no cell wraps
    table = run_cli("operations", db=built_db_url).stdout
    assert table.splitlines()[0].split() == [
        "key",
        "kind",
        "host",
        "decided",
        "start",
        "end",
        "contributors",
        "strength",
    ]
    assert "csto-kazakhstan-2022" in table and "ARM, BLR, KGZ, RUS, TJK" in table
    [kazakhstan] = [
        o for o in run_cli_json(built_db_url, "operations") if o["key"] == "csto-kazakhstan-2022"
    ]
    assert (kazakhstan["strength"], kazakhstan["end"]) == (2030, "2022-01-19")


def test_the_chair_table_lists_sources(built_db_url):
    verdict, *lines = run_cli("chair", "--on", "2024-06-01", db=built_db_url).stdout.splitlines()
    assert verdict.startswith("On 2024-06-01 KAZ held the chair of CSTO (certain")
    assert lines[0].split() == ["state", "certainty", "start", "end", "key", "sources"]
    assert lines[2].split()[:4] == ["KAZ", "certain", "2024-01-01", "2025-01-01"]
    assert "odkb-csto-session-2023" in lines[2]


@pytest.mark.parametrize(
    "args,message",
    [
        (["chair", "--on", "2024-06-01", "--source", "nowhere"], "unknown source 'nowhere'"),
        (["chair", "--on", "2024-06-01", "--org", "XYZ"], "unknown organization 'XYZ'"),
        (["sessions", "--source", "nowhere"], "unknown source 'nowhere'"),
        (["officials", "--on", "2024-06-01", "--source", "nowhere"], "unknown source"),
        (["operations", "--source", "nowhere"], "unknown source"),
    ],
)
def test_errors_are_one_line(built_db_url, args, message):
    result = run_cli(*args, db=built_db_url, expect=2)
    assert result.stderr.startswith("csto-db: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_day_must_be_a_full_day(built_db_url):
    result = run_cli("officials", "--on", "2017-05", db=built_db_url, expect=2)
    assert "--on" in result.stderr
