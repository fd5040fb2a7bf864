"""Bad input: one line saying what is wrong and what to do, exit status 2, no traceback, no
SQL, no driver tuple, no password; and the schema gate on old, new and foreign databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import dump_of, run_cli
from sqlalchemy import text
from sqlalchemy.engine import make_url

from csto_db.build.init import init_database
from csto_db.errors import DatabaseError, Error
from csto_db.store.db import make_engine
from csto_db.store.schema import SCHEMA_REVISION, SchemaRevisionError, require_revision

SECRET = "s3cr3t-Pa55"

#: (arguments, words the one line must hold). "{db}" is the built database of the engine
#: under test; the others name their own.
BAD_INPUTS = [
    (["members", "--org", "NATO", "--on", "2005-01-01"], ["'NATO'", "CSTO", "CST"]),
    (["chair", "--org", "NATO", "--on", "2005-01-01"], ["'NATO'", "CSTO"]),
    (["members", "--org", "CSTO", "--on", "2005-01-01", "--source", "nobody"], ["'nobody'"]),
    (["sessions", "--source", "nobody"], ["'nobody'"]),
    (["timeline", "USA"], ["'USA'", "not in the database", "ARM"]),
    (["timeline", "XYZ"], ["'XYZ'", "not in the database"]),
    (["documents", "--kind", "nonsense"], ["'nonsense'", "protocol", "charter", "treaty"]),
    (["evidence", "no-such-fact"], ["'no-such-fact'", "SELECT key FROM facts"]),
    (["members", "--org", "CSTO", "--on", "2005-02-30"], ["not a real date"]),
    (["members", "--org", "CSTO", "--on", "2005-13-01"], ["--on"]),
    (["officials", "--on", "2017-05"], ["--on"]),
    (["chair", "--on", "yesterday"], ["--on"]),
    (["sessions", "--year", "twenty"], ["--year"]),
    (["sql", "SELECT * FROM no_such_table"], ["no_such_table"]),
    (["sql", "SELEKT 1"], ["refused"]),
    (["sql", "SELECT 1; SELECT 2"], ["refused"]),
    (["grant-reader", "bad name; DROP"], ["not a role name"]),
]

#: (URL, arguments, words): URLs that are wrong in themselves, each with a password.
BAD_URLS = [
    (
        f"postgresql://user:{SECRET}@127.0.0.1:abc/csto",
        ["members", "--org", "CSTO", "--on", "2005-01-01"],
        ["port"],
    ),
    (f"mariadb://user:{SECRET}@127.0.0.1:99999/csto", ["check"], ["port", "99999"]),
    (f"postgresql://user:{SECRET}@127.0.0.1:/csto", ["init"], ["port"]),
    (f"oracle://user:{SECRET}@127.0.0.1/csto", ["documents"], ["'oracle'", "sqlite"]),
    (f"not a url {SECRET}", ["check"], ["not a database URL", "sqlite:///PATH"]),
    (f"not a url {SECRET}", ["init"], ["not a database URL"]),
    (f"postgresql://user:{SECRET}@x{SECRET}@127.0.0.1:abc/csto", ["init"], ["port"]),
    # nothing listens on port 9: an unreachable server, each driver's way
    (
        f"postgresql://user:{SECRET}@127.0.0.1:9/csto",
        ["members", "--org", "CSTO", "--on", "2005-01-01"],
        ["cannot reach"],
    ),
    (f"mariadb://user:{SECRET}@127.0.0.1:9/csto", ["sql", "SELECT 1"], ["cannot reach"]),
    (f"postgresql://user:{SECRET}@127.0.0.1:9/csto", ["init"], ["cannot reach"]),
    (f"mariadb://user:{SECRET}@127.0.0.1:9/csto", ["grant-reader", "reader"], ["cannot reach"]),
]


def assert_one_user_line(result, words) -> None:
    line = result.stderr
    assert line.count("\n") == 1, line
    assert line.startswith("csto-db: error: ")
    for word in words:
        assert word in line, (word, line)
    assert "Traceback" not in result.output
    assert "[SQL:" not in result.output and "sqlalche.me" not in result.output
    assert not re.search(r"\(\d{4}, ['\"]", result.output), "a raw driver tuple"
    assert SECRET not in result.output


#: Mistakes click itself catches, and the ones the issue of one-line errors listed: each is
#: one line, `csto-db: error: ...`, with exit status 2, where `--help` is named.
USAGE_ERRORS = [
    (["members", "--org", "CSTO", "--on", "2005-02-30"], ["--on", "not a real date"]),
    (["members", "--org", "CSTO", "--on", "0000-01-01"], ["--on", "year 0"]),
    (["members", "--org", "CSTO", "--on", ""], ["--on", "not a date"]),
    (["members", "--org", "CSTO", "--on", "2005/01/01"], ["--on"]),
    (["members", "--org", "CSTO", "--on", "-5"], ["--on"]),
    (["chair", "--on", "2005-02-29"], ["--on"]),
    (["sessions", "--year", "abc"], ["--year", "abc"]),
    (["sessions", "--year", "0"], ["--year", "1<=x<=9999"]),
    (["sessions", "--year", "-5"], ["--year", "1<=x<=9999"]),
    (["sessions", "--year", "99999"], ["--year", "1<=x<=9999"]),
    (["members", "--bogus"], ["No such option", "--bogus", "`csto-db members --help`"]),
    (["members", "--on", "2005-01-01"], ["Missing option", "--org"]),
    (["members", "--org"], ["--org", "requires an argument"]),
    (["timeline"], ["Missing argument", "ISO3", "`csto-db timeline --help`"]),
    (["timeline", "ARM", "RUS"], ["unexpected extra argument"]),
    (["no-such-command"], ["No such command", "`csto-db --help`"]),
    ([], ["Missing command", "`csto-db --help`"]),
    (["chart"], ["Missing command", "`csto-db chart --help`"]),
    (["crosscheck"], ["Missing command"]),
    (["export", "--format", "xml", "--out", "x"], ["--format", "xml"]),
    (["export", "--format", "csv"], ["writes into a folder", "--out DIR"]),
    (["serve", "--port", "0"], ["--port"]),
    (["chart", "members", "--org", "NATO"], ["--org", "NATO"]),
    (["init", "--wait", "-1"], ["--wait"]),
    (["sql"], ["Missing argument", "QUERY"]),
    (["sql", ""], ["no statement to run"]),
    (["sql", "SELECT 1", "--timeout", "0"], ["--timeout"]),
    (["sql", "SELECT 1", "--max-rows", "0"], ["--max-rows"]),
    (["sql", "SELECT 1", "--timeout", "soon"], ["--timeout", "soon"]),
    (["grant-reader"], ["Missing argument", "NAME"]),
    (["grant-reader", "reader", "--timeout", "0"], ["--timeout"]),
    (["--db"], ["--db", "requires an argument"]),
]


@pytest.mark.parametrize("args,words", BAD_INPUTS + USAGE_ERRORS)
def test_bad_input_is_one_line_with_exit_status_2(built_db_url, args, words):
    assert_one_user_line(run_cli(*args, db=built_db_url, expect=2), words)


def test_the_help_stays_one_option_away(built_db_url):
    assert "Usage: csto-db members [OPTIONS]" in run_cli("members", "--help").stdout


def test_a_usage_error_keeps_a_password_hidden(built_db_url):
    url = f"postgresql://reader:{SECRET}@127.0.0.1/csto"
    result = run_cli("sql", "SELECT 1", "extra", url, db=built_db_url, expect=2)
    assert_one_user_line(result, ["unexpected extra argument", "***"])


@pytest.mark.parametrize("url,args,words", BAD_URLS)
def test_bad_urls_are_one_line_and_hide_the_password(url, args, words):
    assert_one_user_line(run_cli(*args, db=url, expect=2), words)


def test_a_password_in_a_url_that_fails_later_stays_hidden(built_db_url, monkeypatch):
    # A reader URL with a password that the server (or SQLite, which takes none) never sees.
    result = run_cli(
        "sql",
        "SELECT 1",
        "--reader-url",
        f"postgresql://reader:{SECRET}@127.0.0.1:9/csto",
        db=built_db_url,
        expect=2,
    )
    assert_one_user_line(result, ["cannot reach", "***"])


def test_a_sqlite_path_in_a_missing_folder(tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "csto.db"
    result = run_cli("init", db=f"sqlite:///{missing}", expect=2)
    assert_one_user_line(result, [str(missing.parent), "does not exist", "create it"])
    result = run_cli(
        "members", "--org", "CSTO", "--on", "2005-01-01", db=f"sqlite:///{missing}", expect=2
    )
    assert_one_user_line(result, ["no database at", "csto-db init"])
    assert not (tmp_path / "no").exists()


def test_server_errors_are_one_line_without_a_tuple(built_db_url, server):
    if server is None:
        pytest.skip("a server's errors")
    for query in ["SELECT * FROM no_such_table", "SELECT no_such_column FROM states", "SELECT 1 +"]:
        assert_one_user_line(run_cli("sql", query, db=built_db_url, expect=2), ["refused"])


def test_every_user_error_derives_from_the_one_base():
    from csto_db.errors import QueryError as EvidenceQueryError
    from csto_db.errors import SeedError
    from csto_db.query_door.run import QueryRefused

    for error in (DatabaseError, SchemaRevisionError, EvidenceQueryError, SeedError, QueryRefused):
        assert issubclass(error, Error)


# --- The schema gate ------------------------------------------------------------------------


@pytest.fixture
def stamped(empty_db_url):
    """A built database whose recorded revision a test sets."""
    init_database(empty_db_url)

    def stamp(revision: str) -> str:
        engine = make_engine(empty_db_url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        engine.dispose()
        return empty_db_url

    return stamp


READERS = [
    ["members", "--org", "CSTO", "--on", "2005-01-01"],
    ["sql", "SELECT 1"],
    ["documents"],
    ["evidence", "cst-geo-party"],
]


def test_a_newer_database_is_refused_by_every_command_and_left_alone(stamped):
    url = stamped("9999")
    before = dump_of(url)
    for args in [*READERS, ["init"], ["check"]]:
        result = run_cli(*args, db=url, expect=2)
        assert_one_user_line(result, ["newer csto-db", "9999", "upgrade the package"])
    assert dump_of(url) == before


def test_a_foreign_revision_is_named(stamped):
    url = stamped("ffe1a2b3c4d5")
    for args in [*READERS, ["init"], ["check"]]:
        result = run_cli(*args, db=url, expect=2)
        assert_one_user_line(result, ["'ffe1a2b3c4d5'", "not a csto-db revision"])


def test_an_older_database_says_to_run_init_and_init_takes_it(stamped):
    url = stamped("0001")
    for args in READERS:
        assert_one_user_line(
            run_cli(*args, db=url, expect=2), ["0001", "run `csto-db init` to upgrade"]
        )
    # check reports it as a problem of the database (exit 1), not a mistake of the user
    assert "0001" in run_cli("check", db=url, expect=1).stdout


def test_a_database_never_built(empty_db_url, server):
    if server is None:  # an empty file is an empty SQLite database
        Path(make_url(empty_db_url).database).touch()
    result = run_cli("members", "--org", "CSTO", "--on", "2005-01-01", db=empty_db_url, expect=2)
    assert_one_user_line(result, ["no csto-db schema", "run `csto-db init`"])


def test_a_database_half_built_is_named_so(empty_db_url):
    """What a reader meets while MariaDB's `init` builds from empty (its schema changes
    commit one by one, the load commits last), or after a build was cut short: the schema
    at head, nothing loaded."""
    from csto_db.store.schema import upgrade

    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            upgrade(connection)
    finally:
        engine.dispose()
    for args in READERS:
        result = run_cli(*args, db=empty_db_url, expect=2)
        assert_one_user_line(result, ["not finished", "`csto-db init`"])
    assert "no build record" in run_cli("check", db=empty_db_url, expect=1).stdout


def test_make_engine_applies_the_gate_on_first_connect(stamped):
    url = stamped("9999")
    engine = make_engine(url, check_revision=True)
    try:
        with pytest.raises(SchemaRevisionError, match="newer csto-db"):
            engine.connect()
    finally:
        engine.dispose()
    engine = make_engine(url)  # without the gate: connects, as migrations need
    try:
        with engine.connect() as connection:
            with pytest.raises(SchemaRevisionError):
                require_revision(connection)
            assert (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == "9999"
            )
    finally:
        engine.dispose()


def test_the_gate_passes_the_current_revision_and_leaves_no_transaction(built_db_url):
    engine = make_engine(built_db_url, check_revision=True)
    try:
        with engine.begin() as connection:  # begin() works: the gate ended its transaction
            assert require_revision(connection) == SCHEMA_REVISION
    finally:
        engine.dispose()
