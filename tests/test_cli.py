"""The command line: every command, its JSON keys, its help text, and one-line errors."""

import json
import re

import click
import pytest
from conftest import run_cli, run_cli_json
from sqlalchemy import text

from csto_db.build.init import init_database
from csto_db.cli import main
from csto_db.store.db import make_engine


def test_members_of_the_csto_on_2005_01_01(built_db_url):
    listed = run_cli_json(built_db_url, "members", "--org", "CSTO", "--on", "2005-01-01")
    # COW IGO alone codes Uzbekistan a member in 2002-2005, against the record's preferred
    # reading: contested, so not listed.
    assert [m["state"] for m in listed] == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    for member in listed:
        assert {"state", "name", "status", "certainty", "since", "citations"} <= set(member)
        assert member["certainty"] == "certain" and member["contested"] is False
        assert member["citations"] and all(
            {"source", "quote"} <= set(c) for c in member["citations"]
        )


def test_members_text_names_the_contested_state_under_the_table(built_db_url):
    lines = run_cli(
        "--db", built_db_url, "members", "--org", "CSTO", "--on", "2005-01-01"
    ).stdout.splitlines()
    assert not any(line.startswith("UZB") for line in lines)
    [note] = [line for line in lines if line.startswith("contested")]
    assert "UZB" in note and "cow-igo-v3" in note and "uzb-csto-membership-cow" in note


def test_contested_adds_the_state_marked(built_db_url):
    rows = run_cli_json(
        built_db_url, "members", "--org", "CST", "--on", "1993-10-01", "--contested"
    )
    georgia = [m for m in rows if m["state"] == "GEO"]
    assert [(m["contested"], m["since"]) for m in georgia] == [(True, "1993-12-09")]
    assert "1993-09-09" in {r["value"] for r in georgia[0]["readings"]}
    assert not any(m["contested"] for m in rows if m["state"] != "GEO")
    text_lines = run_cli(
        "--db", built_db_url, "members", "--org", "CST", "--on", "1993-10-01", "--contested"
    ).stdout.splitlines()
    assert any(line.startswith("GEO") and "contested" in line for line in text_lines)


@pytest.mark.parametrize("on", ["2002-01-01", "2002-12-31", "2003-09-17"])
def test_no_members_of_the_csto_before_its_membership_begins(built_db_url, on):
    assert run_cli_json(built_db_url, "members", "--org", "CSTO", "--on", on) == []
    output = run_cli("--db", built_db_url, "members", "--org", "CSTO", "--on", on).stdout
    [line] = [line for line in output.splitlines() if "2003-09-18" in line]
    assert "--org CST" in line


@pytest.mark.parametrize(
    "args,keys",
    [
        (["timeline", "GEO"], {"organization", "status", "start", "end", "citations"}),
        (
            ["documents"],
            {"key", "title", "kind", "signed", "place", "in_force", "parties", "citations"},
        ),
        (["initiatives"], {"key", "title", "proposer", "date", "outcome", "citations"}),
        (["disputes", "--all"], {"key", "question", "readings", "preferred", "reason"}),
        (["sql", "SELECT iso3, name FROM states"], {"iso3", "name"}),
        (
            ["members", "--org", "CST", "--on", "1995-01-01"],
            {"state", "name", "status", "certainty", "since", "citations"},
        ),
    ],
)
def test_json_output_carries_the_documented_keys(built_db_url, args, keys):
    data = run_cli_json(built_db_url, *args)
    assert isinstance(data, list) and data, "expected a non-empty list"
    for item in data:
        assert keys <= set(item), f"missing {keys - set(item)}"


@pytest.mark.parametrize(
    "args,expected",
    [
        (["members", "--org", "CSTO", "--on", "2005-01-01"], "Tajikistan"),
        (["timeline", "uzb"], "CST"),
        (["documents", "--kind", "charter"], "csto-charter"),
        (["initiatives"], "blr-un-peacekeeping"),
        (["evidence", "cst-geo-party"], "Subsequently, Azerbaijan, Georgia and Belarus joined it."),
        (["sql", "SELECT count(*) AS n FROM states WHERE iso3 = 'ARM'"], "1"),
        (["check"], "ok: no problems found"),
    ],
)
def test_tables_for_people(built_db_url, args, expected):
    assert expected in run_cli(*args, db=built_db_url).stdout


def test_every_command_has_help_text():
    commands = main.all_commands()
    assert {
        "init",
        "members",
        "timeline",
        "documents",
        "initiatives",
        "disputes",
        "evidence",
        "sql",
        "check",
    } <= set(commands)
    for name, command in commands.items():
        assert command.help and command.help.strip(), f"{name} has no help"
        result = run_cli(name, "--help")
        assert "Usage:" in result.stdout


def test_each_command_is_found_in_the_module_the_group_names():
    # The group imports a command's module only when the command is asked for: a command
    # missing from COMMAND_MODULES would never run, one named with the wrong module would
    # run another module's import for nothing and then not be found.
    import pkgutil

    import csto_db.cli
    from csto_db.cli.group import COMMAND_MODULES

    for module in pkgutil.iter_modules(csto_db.cli.__path__):
        if module.name not in ("__main__", "docs"):
            __import__(f"csto_db.cli.{module.name}")
    assert set(main.commands) == set(COMMAND_MODULES)
    for name, command in main.commands.items():
        assert command.callback is not None
        assert command.callback.__module__ == f"csto_db.cli.{COMMAND_MODULES[name]}", name


def test_a_command_loads_its_own_module_and_not_the_others():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from csto_db.cli import main\n"
        "main(['release-files', '--help'], prog_name='csto-db', standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith('csto_db.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines()[-1] == "['csto_db.cli.group', 'csto_db.cli.release']"


def test_every_query_command_takes_json():
    commands = main.all_commands()
    for name, group in main.all_commands().items():  # a group's subcommands answer, not the group
        if isinstance(group, click.Group):
            del commands[name]
            commands.update({f"{name} {sub}": c for sub, c in group.commands.items()})
    for name, command in commands.items():
        if name in ("init", "serve"):  # they answer no query: nothing to print
            continue
        options = {
            opt for param in command.params if isinstance(param, click.Option) for opt in param.opts
        }
        assert "--json" in options, f"{name} has no --json"


@pytest.mark.parametrize(
    "args,message",
    [
        (["members", "--org", "NATO", "--on", "2005-01-01"], "unknown organization 'NATO'"),
        (
            ["members", "--org", "CSTO", "--on", "2005-01-01", "--source", "nobody"],
            "unknown source 'nobody'",
        ),
        (["timeline", "XYZ"], "unknown state 'XYZ'"),
        (["evidence", "no-such-fact"], "no fact with key"),
        (["sql", "SELECT * FROM no_such_table"], "no_such_table"),
        # each engine words it its own way: "not authorized" (SQLite's authorizer),
        # "read-only", "READ ONLY"
        (
            ["sql", "DELETE FROM states"],
            re.compile(r"read.?only|not authorized|command denied", re.IGNORECASE),
        ),
    ],
)
def test_errors_are_one_line_with_exit_status_2(built_db_url, args, message):
    result = run_cli(*args, db=built_db_url, expect=2)
    stderr = result.stderr
    assert stderr.startswith("csto-db: error: ")
    if isinstance(message, re.Pattern):
        assert message.search(stderr), stderr
    else:
        assert message in stderr
    assert stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_sql_cannot_write(built_db_url):
    run_cli("sql", "DELETE FROM states", db=built_db_url, expect=2)
    assert "ARM" in run_cli("sql", "SELECT iso3 FROM states", db=built_db_url).stdout


def test_querying_a_missing_database_says_to_run_init(tmp_path):
    result = run_cli(
        "members",
        "--org",
        "CSTO",
        "--on",
        "2005-01-01",
        db=f"sqlite:///{tmp_path / 'absent.db'}",
        expect=2,
    )
    assert "csto-db init" in result.stderr
    assert not (tmp_path / "absent.db").exists()


def test_bad_date_is_a_usage_error(built_db_url):
    result = run_cli("members", "--org", "CSTO", "--on", "2005-02-30", db=built_db_url, expect=2)
    assert "not a real date" in result.stderr


@pytest.mark.slow
def test_init_prints_what_it_did_and_is_safe_to_repeat(empty_db_url):
    first = run_cli("init", db=empty_db_url).stdout
    assert "migrated empty ->" in first and "inserted" in first
    second = run_cli("init", db=empty_db_url).stdout
    assert "already at" in second and "seeds unchanged: 0 inserted, 0 updated, 0 deleted" in second


@pytest.mark.slow
def test_check_lists_problems_and_exits_1(empty_db_url):
    init_database(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE citations SET quote = 'The treaty came into force on April 21, 1994.' "
                "WHERE quote = 'The treaty came into force on April 20, 1994.'"
            )
        )
    engine.dispose()
    result = run_cli("check", "--json", db=empty_db_url, expect=1)
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert any("quote is not at" in problem for problem in report["problems"])


def test_db_option_falls_back_to_the_environment(built_db_url, monkeypatch):
    monkeypatch.setenv("CSTO_DB_URL", built_db_url)
    assert "ARM" in run_cli("sql", "SELECT iso3 FROM states").stdout
