"""Text for people: tables fit the terminal and lose no word, every row shows its fact key,
the chair has a verdict, unknown parties read "not recorded", help summaries are whole."""

from __future__ import annotations

import pytest
from conftest import run_cli

from csto_db.outputs.render import format_table, paragraph

QUOTE = (
    "The Collective Security Treaty (CST) was signed on May 15, 1992 in Tashkent, by the "
    "Heads of six countries: Armenia, Kazakhstan, Kyrgyzstan, Russia, Tajikistan and "
    "Uzbekistan."
)


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_a_table_fits_the_width_and_keeps_every_word(width):
    rows = [
        {"key": "cst-arm-party", "quote": QUOTE, "source": "csto-overview"},
        {"key": "csto-kazakhstan-2022", "quote": "short", "source": "x"},
    ]
    table = format_table(rows, ["key", "quote", "source"], width=width)
    assert all(len(line) <= width for line in table.splitlines()), table
    assert QUOTE.split() == [w for w in table.split() if w in QUOTE.split()][: len(QUOTE.split())]
    for key in ("cst-arm-party", "csto-kazakhstan-2022", "csto-overview"):
        assert key in table.split()  # keys are never broken across lines


def test_an_empty_table_can_keep_its_header():
    assert format_table([], ["iso3", "name"], empty=None).splitlines() == [
        "iso3  name",
        "----  ----",
        "(no rows)",
    ]
    assert format_table([], ["iso3"]) == "(none)"


def test_paragraph_wraps_with_a_hanging_indent():
    text = paragraph(QUOTE, indent="  * ", hanging="      ", width=50)
    lines = text.splitlines()
    assert len(lines) > 1 and all(len(line) <= 50 for line in lines)
    assert lines[0].startswith("  * The") and all(line.startswith("      ") for line in lines[1:])
    assert text.split()[1:] == QUOTE.split()


@pytest.mark.parametrize("columns", ["60", "80", "100"])
@pytest.mark.parametrize(
    "args",
    [
        ["disputes"],
        ["disputes", "--all"],
        ["timeline", "ARM"],
        ["timeline", "UZB"],
        ["members", "--org", "CSTO", "--on", "2005-01-01"],
        ["documents"],
        ["evidence", "cst"],
        ["chair", "--on", "2011-12-20"],
        ["officials", "--on", "2017-05-02"],
        ["sessions"],
        ["initiatives"],
        ["operations"],
    ],
)
def test_no_line_is_wider_than_the_terminal(built_db_url, monkeypatch, args, columns):
    monkeypatch.setenv("COLUMNS", columns)
    out = run_cli(*args, db=built_db_url).stdout
    too_wide = [
        line for line in out.splitlines() if len(line) > int(columns) and " " in line.strip()
    ]
    assert not too_wide, too_wide


def test_members_and_timeline_show_each_rows_fact_key(built_db_url, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    members = run_cli("members", "--org", "CSTO", "--on", "2005-01-01", db=built_db_url).stdout
    assert "span" in members.splitlines()[0].split() and "csto-arm-member" in members
    timeline = run_cli("timeline", "ARM", db=built_db_url).stdout
    assert "key" in timeline.splitlines()[0].split() and "cst-arm-party" in timeline


def test_chair_prints_a_verdict(built_db_url):
    one = run_cli("chair", "--on", "2015-12-20", db=built_db_url).stdout.splitlines()[0]
    assert one.startswith("On 2015-12-20 ARM held the chair of CSTO (certain")
    # The preferred reading hands the chair over on 2011-12-20; a later reading of the
    # handover contests it, so the verdict names Kazakhstan, disputed, and Belarus is named
    # under the table as contested.
    edge = run_cli("chair", "--on", "2011-12-20", db=built_db_url).stdout
    assert edge.splitlines()[0].startswith("On 2011-12-20 KAZ held the chair of CSTO (disputed")
    assert "contested, not listed: BLR" in edge
    nobody = run_cli("chair", "--on", "1995-01-01", db=built_db_url).stdout
    assert nobody.startswith("No source in the record names a chair of CSTO on 1995-01-01")


def test_documents_without_listed_parties_say_not_recorded(built_db_url, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    table = run_cli("documents", db=built_db_url).stdout
    assert "not recorded" in table
    header = table.splitlines()[0].split()
    parties = [
        line.split()[header.index("parties")]
        for line in table.splitlines()[2:]
        if line.startswith("cst ")
    ]
    assert parties and parties[0].isdigit() and parties[0] != "0"


def test_help_summaries_are_whole(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = run_cli("--help").stdout
    commands = out.split("Commands:")[1]
    assert "..." not in commands
    assert "with certainty and sources." in " ".join(out.split())


def test_an_empty_sql_result_prints_its_columns(built_db_url):
    out = run_cli(
        "sql", "SELECT iso3, name FROM states WHERE iso3 = 'NONE'", db=built_db_url
    ).stdout
    assert out.splitlines()[0].split() == ["iso3", "name"] and "(no rows)" in out
