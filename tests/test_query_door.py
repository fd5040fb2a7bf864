"""The query door: hostile statements on every engine leave the database, its schema, its
roles and the filesystem as they were; on a server they run only through a reader role, and
a role that could write is refused before anything is sent; every query can be stopped, by
its timeout or by Ctrl-C, on the server too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from csto_db.build.canonical_dump import canonical_dump
from csto_db.build.init import init_database
from csto_db.build.init_lock import PG_LOCK_KEY
from csto_db.cli import main
from csto_db.errors import QueryError
from csto_db.query_door.mariadb import grant_rights
from csto_db.query_door.reader_role import grant_reader
from csto_db.query_door.run import READER_STATEMENT_TIMEOUT, QueryRefused, WriterRefused, run_query
from csto_db.query_door.sqlite import SQLITE_HEAP_LIMIT
from csto_db.store.db import make_engine

TOKEN = uuid.uuid4().hex[:8]
READER = f"door_reader_{TOKEN}"
CANARY = f"door_canary_{TOKEN}"
PROBE = f"door_probe_{TOKEN}"
READER_PASSWORD = "p%s'w\\d"  # quoting, %-formatting and backslashes must all survive

#: Statements every engine must refuse ({dir}: a folder the server could write to).
COMMON = [
    "DELETE FROM states",
    "UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
    "INSERT INTO facts (key, table_name) VALUES ('hacked', 'states')",
    "DROP TABLE dispute_subjects",
    "ALTER TABLE states ADD COLUMN hacked INTEGER",
    "CREATE TABLE hacked (a INTEGER)",
    "CREATE INDEX ix_hacked ON states (name)",
    "CREATE VIEW hacked_view AS SELECT 1 AS a",
    "DROP INDEX ix_citations_source_key",
    "CREATE TEMPORARY TABLE hacked_temp (a INTEGER)",
    "TRUNCATE TABLE citations",
    "COMMIT; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
    "ROLLBACK; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
    "END; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
    "SELECT 1; DELETE FROM states",
    "SELECT 1; SELECT 2",
    "WITH x AS (SELECT 1) DELETE FROM states",
    "CREATE TRIGGER hacked AFTER INSERT ON states FOR EACH ROW DELETE FROM facts",
    "CREATE TABLE {probe} (i int)",
]

SQLITE = [
    "ATTACH '{dir}/attached.db' AS extra",
    "ATTACH 'file:{dir}/uri.db?mode=rwc' AS extra",
    "ATTACH 'relative.db' AS extra",  # relative to the working folder, which is {dir}
    "VACUUM",
    "VACUUM INTO '{dir}/copy.db'",
    "PRAGMA journal_mode = WAL",
    "PRAGMA user_version = 7",
    "PRAGMA query_only = 0",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA writable_schema = ON",
    "PRAGMA schema.user_version = 1",
    "SELECT load_extension('{dir}/nothing')",
    "SELECT writefile('{dir}/written', 'x')",
    "SELECT fts3_tokenizer('simple')",
    "REINDEX",
    "ANALYZE",
    "BEGIN IMMEDIATE",
    "BEGIN",
    "SAVEPOINT s",
    "DETACH DATABASE main",
    "REPLACE INTO states (iso3, iso2, numeric, name) VALUES ('ARM', 'AM', '051', 'x')",
    "INSERT INTO temp.sqlite_master VALUES (1)",
    "CREATE VIRTUAL TABLE hacked USING fts5(a)",
    "SELECT * INTO hacked FROM states",
    "GRANT SELECT ON states TO nobody",
    "DROP USER nobody",
    "LOCK TABLE states",
    "CALL nothing()",
    "DO 1",
]

POSTGRESQL = [
    "COPY states TO PROGRAM 'touch {dir}/program'",
    "COPY states TO '{dir}/copy.csv'",
    "COPY states FROM '/etc/hostname'",
    "SELECT lo_export(lo_from_bytea(0, 'x'), '{dir}/lo_export')",
    "SELECT lo_import('/etc/hostname')",
    "SELECT pg_read_file('/etc/hostname')",
    "SELECT set_config('transaction_read_only', 'off', false)",
    "SELECT set_config('default_transaction_read_only', 'off', false), "
    "(SELECT count(*) FROM (SELECT 1 FROM states FOR UPDATE) AS locked)",
    "SELECT * FROM states FOR UPDATE",
    "SELECT * INTO hacked FROM states",
    "DO $$BEGIN UPDATE states SET name = 'HACKED'; END$$",
    "CALL nothing()",
    "LOCK TABLE states IN ACCESS EXCLUSIVE MODE",
    "SET ROLE postgres",
    "SET SESSION AUTHORIZATION postgres",
    "CREATE ROLE door_new_{token} SUPERUSER LOGIN",
    "ALTER ROLE {reader} SUPERUSER",
    "DROP ROLE {canary}",
    "DROP OWNED BY {canary}",
    "GRANT ALL ON states TO PUBLIC",
    "REVOKE SELECT ON states FROM {reader}",
    "ALTER SYSTEM SET work_mem = '1MB'",
    "CREATE EXTENSION IF NOT EXISTS adminpack",
    "CREATE DATABASE door_new_{token}",
    "DROP DATABASE IF EXISTS door_absent_{token}",
    "CREATE SCHEMA hacked",
    "CREATE FUNCTION hacked() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "COMMENT ON TABLE states IS 'hacked'",
    "VACUUM states",
    "CLUSTER states",
    "REINDEX TABLE states",
    "REFRESH MATERIALIZED VIEW nothing",
    "SELECT nextval('nothing')",
    "NOTIFY hacked; UPDATE states SET name = 'HACKED'",
    "MERGE INTO states USING (SELECT 1) AS s ON false WHEN NOT MATCHED THEN "
    "INSERT (iso3, iso2, numeric, name) VALUES ('XXX', 'XX', '999', 'x')",
    "COPY (SELECT 1) TO PROGRAM 'touch {dir}/{probe}'",
    # Another session: the test's own canary, so nothing else is hit if one got through.
    "SELECT pg_terminate_backend({canary_pid})",
    "SELECT pg_cancel_backend({canary_pid})",
    "LOCK TABLE alembic_version IN EXCLUSIVE MODE",  # init's lock
    "SELECT * FROM alembic_version FOR UPDATE",
]

MARIADB = [
    "SELECT * FROM states INTO OUTFILE '{dir}/outfile.txt'",
    "SELECT 1 INTO DUMPFILE '{dir}/dumpfile.bin'",
    "LOAD DATA INFILE '/etc/hostname' INTO TABLE states",
    "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE states",
    "SELECT LOAD_FILE('/etc/hostname') INTO OUTFILE '{dir}/copied'",
    "RENAME TABLE dispute_subjects TO dispute_subjects_old",
    "CREATE DATABASE door_new_{token}",
    "DROP DATABASE {database}",
    "GRANT ALL PRIVILEGES ON *.* TO '{reader}'@'%'",
    "GRANT ALL PRIVILEGES ON {database}.* TO '{reader}'@'%'",
    "DROP USER '{canary}'@'%'",
    "CREATE USER 'door_new_{token}'@'%'",
    "SET PASSWORD FOR '{canary}'@'%' = PASSWORD('x')",
    "RENAME USER '{canary}'@'%' TO 'door_renamed_{token}'@'%'",
    "LOCK TABLES states WRITE",
    "CALL mysql.nothing()",
    "SET GLOBAL read_only = ON",
    "SET GLOBAL general_log_file = '{dir}/general.log'",
    "INSTALL SONAME 'ha_blackhole'",
    "FLUSH TABLES",
    "OPTIMIZE TABLE states",
    "ANALYZE TABLE states",
    "REPAIR TABLE states",
    "CREATE PROCEDURE hacked() DELETE FROM states",
    "CREATE EVENT hacked ON SCHEDULE EVERY 1 SECOND DO DELETE FROM states",
    "CREATE OR REPLACE TABLE states (a INT)",
    "REPLACE INTO states (iso3, iso2, `numeric`, name) VALUES ('ARM', 'AM', '051', 'x')",
    "INSERT INTO states SELECT * FROM states ON DUPLICATE KEY UPDATE name = 'HACKED'",
    "XA START 'hacked'",
    "HANDLER states OPEN; UPDATE states SET name = 'HACKED'",
    "DO 1; DELETE FROM states",
    "SET STATEMENT max_statement_time = 1 FOR DELETE FROM states",
    "SET SESSION TRANSACTION READ WRITE; UPDATE states SET name = 'HACKED'",
    "SELECT * FROM csto_init_lock FOR UPDATE",  # init's lock: the reader may not read it
    "SELECT * FROM csto_init_lock",
]

#: Statements whose effect would reach past the test's own database and its own roles, on a
#: server every suite shares, if one ever ran: sent only as the reader, whom the server
#: refuses, never as an administrator (SHUTDOWN and KILL are sent by no test at all).
SERVER_WIDE = {
    "CREATE ROLE door_new_{token} SUPERUSER LOGIN",
    "ALTER ROLE {reader} SUPERUSER",
    "ALTER SYSTEM SET work_mem = '1MB'",
    "CREATE DATABASE door_new_{token}",
    "GRANT ALL PRIVILEGES ON *.* TO '{reader}'@'%'",
    "DROP USER '{canary}'@'%'",
    "CREATE USER 'door_new_{token}'@'%'",
    "SET PASSWORD FOR '{canary}'@'%' = PASSWORD('x')",
    "RENAME USER '{canary}'@'%' TO 'door_renamed_{token}'@'%'",
    "SET GLOBAL read_only = ON",
    "SET GLOBAL general_log_file = '{dir}/general.log'",
    "INSTALL SONAME 'ha_blackhole'",
    "FLUSH TABLES",
}

#: Statements that may run because they change nothing the door guards (a lock on a read
#: handle, a setting of the session that ends with it); the state must still be unchanged.
HARMLESS = {
    "postgresql": [
        "SET TRANSACTION READ WRITE",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SET default_transaction_read_only = off",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "END",
        "ANALYZE states",  # skipped with a warning: only the owner may analyze
        "PREPARE hacked AS UPDATE states SET name = 'HACKED'",  # prepared, never run
        # init's lock on a database without a schema; a built one's cannot be held so
        "SELECT pg_advisory_xact_lock({lock_key}), pg_sleep(0.1)",
    ],
    "mariadb": [
        "HANDLER states OPEN",
        "DO 1",
        "SET SESSION TRANSACTION READ WRITE",
        "SET tx_read_only = 0",
        "SET @x = 1",
        "COMMIT",
        "ROLLBACK",
        "BEGIN",
        "SELECT GET_LOCK('csto-db init {database}', 0)",  # the lock init took before
    ],
    "sqlite": ["SELECT 1"],
}


def statements_for(backend: str) -> list[str]:
    own = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "mariadb": MARIADB}[backend]
    return COMMON + own


@pytest.fixture(scope="module")
def door(server, tmp_path_factory):
    """A database of its own (hostile statements run here), a reader on servers, a canary
    role (and on PostgreSQL a canary session) for statements aimed at others, and a folder
    the server could write to."""
    folder = tmp_path_factory.mktemp("door")
    os.chmod(folder, 0o777)  # so only the database's refusal keeps the server out
    if server is None:
        url = f"sqlite:///{folder / 'csto.db'}"
        init_database(url)
        yield {
            "backend": "sqlite",
            "url": url,
            "reader": None,
            "dir": folder,
            "database": "main",
            "canary_pid": None,
        }
        return
    url = server.create()
    init_database(url)
    reader = grant_reader(url, READER, READER_PASSWORD).render_as_string(hide_password=False)
    admin = server.admin  # on the server's own database: roles and users are server-wide
    with admin.connect() as connection:
        if server.backend == "postgresql":
            connection.execute(text(f"CREATE ROLE {CANARY}"))
        else:
            connection.execute(text(f"CREATE USER '{CANARY}'@'%'"))
    canary_engine = make_engine(url)
    canary = canary_engine.connect()  # a session of the test's own, for the signal tests
    try:
        pid = None
        if server.backend == "postgresql":
            pid = canary.execute(text("SELECT pg_backend_pid()")).scalar()
            canary.commit()
        yield {
            "backend": server.backend,
            "url": url,
            "reader": reader,
            "dir": folder,
            "database": make_url(url).database,
            "canary_pid": pid,
            "canary": canary,
        }
    finally:
        canary.close()
        canary_engine.dispose()
        try:
            server.drop(url)  # first: a PostgreSQL role cannot go while it holds grants
        finally:
            with admin.connect() as connection:
                if server.backend == "postgresql":
                    for role in (READER, CANARY):
                        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
                else:
                    for user in (READER, CANARY):
                        connection.execute(text(f"DROP USER IF EXISTS '{user}'@'%'"))


def snapshot(door) -> dict:
    """Everything the door must leave as it was: every row, the schema, the server's roles
    and databases that the statements name, and the files in the test folder."""
    engine = make_engine(door["url"])
    try:
        with engine.connect() as connection:
            schema = {}
            inspector = inspect(connection)
            for table in sorted(inspector.get_table_names()):
                schema[table] = (
                    [(c["name"], str(c["type"])) for c in inspector.get_columns(table)],
                    sorted(i["name"] for i in inspector.get_indexes(table)),
                )
            schema["views"] = sorted(inspector.get_view_names())
            state = {"rows": canonical_dump(connection), "schema": schema}
            backend = door["backend"]
            if backend == "sqlite":
                state["master"] = connection.execute(
                    text("SELECT type, name, sql FROM sqlite_master ORDER BY name")
                ).all()
                state["pragmas"] = [
                    connection.execute(text(f"PRAGMA {name}")).scalar()
                    for name in ("user_version", "journal_mode")
                ]
            elif backend == "postgresql":
                state["roles"] = connection.execute(
                    text(
                        "SELECT rolname, rolsuper, rolcanlogin FROM pg_roles "
                        "WHERE rolname LIKE :pattern ORDER BY rolname"
                    ),
                    {"pattern": f"door_%{TOKEN}"},
                ).all()
                state["databases"] = connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                    {"pattern": f"door_%{TOKEN}"},
                ).all()
                state["routines"] = connection.execute(
                    text(
                        "SELECT routine_name FROM information_schema.routines "
                        "WHERE routine_schema = current_schema()"
                    )
                ).all()
                state["grants"] = connection.execute(
                    text(
                        "SELECT grantee, table_name, privilege_type FROM "
                        "information_schema.role_table_grants WHERE grantee LIKE :pattern "
                        "ORDER BY 1, 2, 3"
                    ),
                    {"pattern": f"door_%{TOKEN}"},
                ).all()
            else:
                state["users"] = connection.execute(
                    text(
                        "SELECT User, Host, authentication_string FROM mysql.user "
                        "WHERE User LIKE :pattern ORDER BY User"
                    ),
                    {"pattern": f"door_%{TOKEN}"},
                ).all()
                state["grants"] = [
                    connection.execute(text(f"SHOW GRANTS FOR '{user}'@'%'")).all()
                    for user in (READER, CANARY)
                ]
                state["databases"] = connection.execute(
                    text(
                        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                        "WHERE SCHEMA_NAME LIKE :pattern OR SCHEMA_NAME = DATABASE()"
                    ),
                    {"pattern": f"door_%{TOKEN}"},
                ).all()
                state["routines"] = connection.execute(
                    text(
                        "SELECT ROUTINE_NAME FROM information_schema.ROUTINES "
                        "WHERE ROUTINE_SCHEMA = DATABASE()"
                    )
                ).all()
                state["events"] = connection.execute(
                    text(
                        "SELECT EVENT_NAME FROM information_schema.EVENTS "
                        "WHERE EVENT_SCHEMA = DATABASE()"
                    )
                ).all()
    finally:
        engine.dispose()
    state["files"] = sorted(path.name for path in door["dir"].iterdir())
    return state


def fill(statement: str, door) -> str:
    return statement.format(
        dir=door["dir"],
        token=TOKEN,
        reader=READER,
        canary=CANARY,
        database=door["database"],
        probe=PROBE,
        canary_pid=door["canary_pid"],
        lock_key=PG_LOCK_KEY,
    )


def door_args(door) -> list[str]:
    return ["--reader-url", door["reader"]] if door["reader"] else []


def assert_one_line(stream: str, start: str) -> None:
    assert stream.count("\n") == 1 and stream.startswith(start), stream
    assert "Traceback" not in stream and READER_PASSWORD not in stream


def assert_canary_alive(door) -> None:
    if door["backend"] != "sqlite":
        assert door["canary"].execute(text("SELECT 1")).scalar() == 1
        door["canary"].rollback()


def probe_absent(door) -> bool:
    engine = make_engine(door["url"])
    try:
        with engine.connect() as connection:
            return not inspect(connection).has_table(PROBE)
    finally:
        engine.dispose()


def test_every_hostile_statement_is_refused_and_changes_nothing(door, monkeypatch):
    monkeypatch.chdir(door["dir"])
    before = snapshot(door)
    refused = []
    for statement in statements_for(door["backend"]):
        sql = fill(statement, door)
        result = run_cli("sql", sql, *door_args(door), db=door["url"], expect=2)
        assert_one_line(result.stderr, "csto-db: error: the database refused the query")
        refused.append(sql)
    assert snapshot(door) == before
    assert len(refused) == len(statements_for(door["backend"]))
    assert probe_absent(door)
    assert_canary_alive(door)


@pytest.mark.server
def test_an_administrator_is_refused_before_any_statement_is_sent(door, monkeypatch):
    """Every statement, hostile, harmless or reading, given with the administrator's URL
    (the one most people have): refused in one line naming grant-reader and --reader-url,
    and nothing happens. Statements that would reach past the test's own database if they
    ran are left out: the server is shared."""
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    monkeypatch.chdir(door["dir"])
    before = snapshot(door)
    statements = [
        *statements_for(door["backend"]),
        *HARMLESS[door["backend"]],
        "SELECT name FROM states",
    ]
    tried = [fill(s, door) for s in statements if s not in SERVER_WIDE]
    for sql in tried:
        result = run_cli("sql", sql, db=door["url"], expect=2, add_reader=False)
        assert_one_line(result.stderr, "csto-db: error: sql will not run as ")
        assert "could write or administer" in result.stderr
        assert "`csto-db grant-reader NAME`" in result.stderr and "--reader-url" in result.stderr
        assert result.stdout == ""
    assert snapshot(door) == before
    assert len(tried) == len(statements) - len(SERVER_WIDE & set(statements))
    assert probe_absent(door)
    assert_canary_alive(door)


@pytest.mark.server
def test_an_administrator_cannot_create_a_table_on_mariadb(door):
    if door["backend"] != "mariadb":
        pytest.skip("MariaDB only")
    result = run_cli(
        "sql", f"CREATE TABLE {PROBE} (i int)", db=door["url"], expect=2, add_reader=False
    )
    assert_one_line(result.stderr, "csto-db: error: sql will not run as root@")
    assert probe_absent(door)


@pytest.mark.server
def test_an_administrator_cannot_run_a_program_on_postgresql(door):
    if door["backend"] != "postgresql":
        pytest.skip("PostgreSQL only")
    touched = door["dir"] / PROBE
    statement = f"COPY (SELECT 1) TO PROGRAM 'touch {touched}'"
    result = run_cli("sql", statement, db=door["url"], expect=2, add_reader=False)
    assert_one_line(result.stderr, "csto-db: error: sql will not run as postgres")
    assert "superuser" in result.stderr
    assert not touched.exists()


def test_harmless_statements_change_nothing_either(door):
    before = snapshot(door)
    for statement in HARMLESS[door["backend"]]:
        arguments = ["--db", door["url"], "sql", fill(statement, door), *door_args(door)]
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code in (0, 2), (statement, result.output)
        assert "Traceback" not in result.output
    assert snapshot(door) == before


READS = {
    "sqlite": [
        ("SELECT name FROM states WHERE iso3 = 'ARM'", "Armenia"),
        ("SELECT value FROM json_each('[\"Armenia\"]')", "Armenia"),
        ("SELECT name FROM pragma_table_info('states') WHERE cid = 0", "iso3"),
        ("PRAGMA table_info(states)", "iso3"),
    ],
    "postgresql": [
        ("SELECT name FROM states WHERE iso3 = 'ARM'", "Armenia"),
        ("SELECT value FROM json_array_elements_text('[\"Armenia\"]')", "Armenia"),
    ],
    "mariadb": [
        ("SELECT name FROM states WHERE iso3 = 'ARM'", "Armenia"),
        ("SELECT JSON_VALUE('[\"Armenia\"]', '$[0]') AS v", "Armenia"),
    ],
}


@pytest.mark.parametrize("index", range(4))
def test_the_reader_reads(door, index):
    reads = READS[door["backend"]]
    if index >= len(reads):
        pytest.skip("no such read on this engine")
    statement, expected = reads[index]
    result = run_cli("sql", statement, *door_args(door), db=door["url"])
    assert expected in result.stdout and result.stderr == ""


def test_a_statement_may_start_with_a_comment(door):
    for arguments in (
        ["-- the members\nSELECT 1 AS one", *door_args(door)],
        [*door_args(door), "-- the members\nSELECT 1 AS one"],
        [*door_args(door), "--", "-- note\nSELECT 1 AS one"],
    ):
        result = run_cli("sql", *arguments, db=door["url"])
        assert result.stdout.splitlines()[-1].strip() == "1"


@pytest.mark.parametrize("statement", ["", "   ", "\n", "-- only a comment"])
def test_an_empty_statement_is_refused_in_one_line(door, statement):
    result = run_cli("sql", statement, *door_args(door), db=door["url"], expect=2)
    if not statement.strip() or door["backend"] != "mariadb":
        assert_one_line(result.stderr, "csto-db: error: no statement to run")
    else:  # MariaDB answers a comment as it answers a statement that returns no rows
        assert_one_line(result.stderr, "csto-db: error: the statement returns no rows")


def test_rows_past_the_limit_are_not_read_and_a_line_says_so(door):
    statement = "SELECT iso3 FROM states ORDER BY iso3"
    whole = run_cli("sql", statement, "--json", *door_args(door), db=door["url"])
    every = [row["iso3"] for row in json.loads(whole.stdout)]
    assert len(every) > 3 and whole.stderr == ""
    result = run_cli("sql", statement, "--max-rows", "3", *door_args(door), db=door["url"])
    assert result.stdout.split() == ["iso3", "----", *every[:3]]
    assert_one_line(result.stderr, "csto-db: note: the answer was cut after 3 rows")
    as_json = run_cli(
        "sql", statement, "--max-rows", "3", "--json", *door_args(door), db=door["url"]
    )
    assert [row["iso3"] for row in json.loads(as_json.stdout)] == every[:3]
    assert_one_line(as_json.stderr, "csto-db: note: the answer was cut after 3 rows")


def test_sqlite_memory_is_bounded(door):
    if door["backend"] != "sqlite":
        pytest.skip("SQLite only: a server bounds its own memory")
    result = run_cli(
        "sql", "SELECT length(randomblob(500000000))", *door_args(door), db=door["url"], expect=2
    )
    assert_one_line(result.stderr, "csto-db: error: the database refused the query")
    assert f"{SQLITE_HEAP_LIMIT // 2**20} MiB" in result.stderr
    assert f"{SQLITE_HEAP_LIMIT // 2**20} MiB" in run_cli("sql", "--help").stdout


# --- Queries that do not end ---------------------------------------------------------------

#: Per engine, statements that run until stopped, without a row to show before.
ENDLESS = {
    "sqlite": [
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c",
        "SELECT count(*) FROM citations a, citations b, citations c, citations d",
    ],
    "postgresql": [
        "SELECT pg_sleep(600)",
        # A set-returning function in the select list streams: no temporary file grows.
        "SELECT count(*) FROM (SELECT generate_series(1, 1000000000000) AS x) AS s",
    ],
    "mariadb": ["SELECT SLEEP(600)", "SELECT BENCHMARK(1000000000000, MD5('x'))"],
}


def running_queries(door, token: str) -> list[str]:
    """The statements holding ``token`` that the server still runs (none on SQLite)."""
    if door["backend"] == "sqlite":
        return []
    engine = make_engine(door["url"])
    try:
        with engine.connect() as connection:
            if door["backend"] == "postgresql":
                query = (
                    "SELECT query FROM pg_stat_activity WHERE state = 'active' "
                    "AND pid <> pg_backend_pid() AND position(:token in query) > 0"
                )
            else:
                query = (
                    "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
                    "AND COMMAND = 'Query' AND LOCATE(:token, INFO) > 0"
                )
            return list(connection.execute(text(query), {"token": token}).scalars())
    finally:
        engine.dispose()


def tagged(statement: str, token: str) -> str:
    """The statement with a comment holding ``token``, to find it in the process list."""
    return f"{statement} /* {token} */"


@pytest.mark.parametrize("which", [0, 1], ids=["sleep-or-recursion", "cpu"])
def test_a_query_that_runs_too_long_is_stopped_by_its_timeout(door, which):
    token = uuid.uuid4().hex
    statement = tagged(ENDLESS[door["backend"]][which], token)
    started = time.monotonic()
    result = run_cli("sql", "--timeout", "2", statement, *door_args(door), db=door["url"], expect=2)
    assert time.monotonic() - started < 5
    assert_one_line(result.stderr, "csto-db: error: the query ran longer than 2 s")
    assert running_queries(door, token) == []


#: Statements that try to lift the door's time limit for themselves.
UNLIMITED = {
    "postgresql": "SELECT set_config('statement_timeout', '0', false), pg_sleep(600)",
    "mariadb": "SET STATEMENT max_statement_time = 0 FOR SELECT SLEEP(600)",
}


def test_a_query_cannot_lift_its_own_timeout(door):
    if door["backend"] == "sqlite":
        pytest.skip("SQLite's limit is the door's progress handler, out of the query's reach")
    token = uuid.uuid4().hex
    statement = tagged(UNLIMITED[door["backend"]], token)
    started = time.monotonic()
    result = run_cli("sql", "--timeout", "2", statement, *door_args(door), db=door["url"], expect=2)
    assert time.monotonic() - started < 5
    assert_one_line(result.stderr, "csto-db: error: the query ran longer than 2 s")
    assert running_queries(door, token) == []


def test_the_endless_recursive_query_comes_back_cut_in_time(door):
    if door["backend"] != "sqlite":
        pytest.skip("the SQLite case the door was first reported with")
    statement = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c"
    started = time.monotonic()
    result = run_cli("sql", "--timeout", "2", statement, db=door["url"])
    assert time.monotonic() - started < 5
    assert_one_line(result.stderr, "csto-db: note: the answer was cut after 10000 rows")
    assert result.stdout.split()[-1] == "10000"


def _fd_targets(pid: int) -> set[str]:
    folder = Path(f"/proc/{pid}/fd")
    targets = set()
    for entry in folder.iterdir() if folder.exists() else ():
        try:
            targets.add(os.readlink(entry))
        except OSError:
            continue
    return targets


def wait_until_running(door, process: subprocess.Popen, token: str) -> None:
    """Until the server lists the statement (on SQLite: until the child has the database
    open, and a moment more), so the signal meets the statement, not the imports."""
    deadline = time.monotonic() + 30
    database = str(Path(make_url(door["url"]).database or "").resolve())
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if door["backend"] == "sqlite":
            if database in _fd_targets(process.pid):
                time.sleep(0.5)
                return
        elif running_queries(door, token):
            time.sleep(0.2)
            return
        time.sleep(0.05)
    raise AssertionError("the statement never started")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX's")
@pytest.mark.parametrize("which", [0, 1], ids=["sleep-or-recursion", "cpu"])
def test_ctrl_c_stops_the_query_on_the_server_too(door, which):
    token = uuid.uuid4().hex
    statement = tagged(ENDLESS[door["backend"]][which], token)
    environment = {**os.environ, "CSTO_DB_URL": door["url"]}
    if door["reader"]:
        environment["CSTO_DB_READER_URL"] = door["reader"]
    process = subprocess.Popen(
        [sys.executable, "-c", "from csto_db.cli import main; main()", "sql", statement],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        wait_until_running(door, process, token)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert took < 2, took
    assert_one_line(stderr, "csto-db: interrupted: the query was stopped")
    assert stdout == ""
    assert running_queries(door, token) == []


# --- The reader role ------------------------------------------------------------------------


@pytest.mark.server
def test_the_reader_carries_its_own_statement_timeout(door):
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    engine = make_engine(door["reader"])
    try:
        with engine.connect() as connection:
            if door["backend"] == "postgresql":
                settings = connection.execute(
                    text(
                        "SELECT current_setting('statement_timeout'), "
                        "current_setting('idle_in_transaction_session_timeout')"
                    )
                ).one()
                assert settings == (f"{READER_STATEMENT_TIMEOUT // 60}min",) * 2
            else:
                limit = connection.execute(text("SELECT @@max_statement_time")).scalar()
                assert float(limit) == READER_STATEMENT_TIMEOUT
    finally:
        engine.dispose()


#: What a reader tries, to take init's lock itself; the server must refuse each.
INIT_LOCK_ATTEMPTS = {
    "postgresql": [
        ["SET TRANSACTION READ WRITE", "LOCK TABLE alembic_version IN EXCLUSIVE MODE NOWAIT"],
        ["SET TRANSACTION READ WRITE", "SELECT * FROM alembic_version FOR SHARE"],
        ["SET TRANSACTION READ WRITE", "SELECT * FROM alembic_version FOR UPDATE"],
    ],
    "mariadb": [
        ["SELECT * FROM csto_init_lock FOR UPDATE"],
        ["SELECT * FROM csto_init_lock LOCK IN SHARE MODE"],
        # Under SERIALIZABLE every read locks what it reads.
        ["SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SELECT * FROM csto_init_lock"],
    ],
}


@pytest.mark.server
def test_a_reader_cannot_hold_init_back(door):
    """The reader holds every lock it can, including the ones init took before, and tries
    to take init's own, which the server refuses; init still gets its lock at once."""
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    engine = make_engine(door["reader"])
    try:
        with engine.connect() as holder:
            if door["backend"] == "postgresql":
                holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
                holder.execute(text("SELECT * FROM alembic_version"))  # ACCESS SHARE, held
            else:
                holder.execute(text("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
                holder.execute(text("START TRANSACTION"))
                holder.execute(text("SELECT * FROM states FOR UPDATE"))  # its rows, held
                name = f"csto-db init {door['database']}"
                got = holder.execute(text("SELECT GET_LOCK(:name, 0)"), {"name": name}).scalar()
                assert got == 1
            for attempt in INIT_LOCK_ATTEMPTS[door["backend"]]:
                with engine.connect() as trying:
                    with pytest.raises(Exception, match="denied") as refused:
                        for statement in attempt:
                            trying.execute(text(statement))
                    assert "csto_init_lock" in str(refused.value) or "alembic_version" in str(
                        refused.value
                    )
                    trying.rollback()
            # init waits at most 5 s for its lock: it raises if the reader held it.
            report = init_database(door["url"], lock_wait=5)
            assert report.revision_after is not None
            holder.rollback()
    finally:
        engine.dispose()


@pytest.mark.server
def test_the_mariadb_reader_is_granted_each_table_but_inits_lock(door):
    if door["backend"] != "mariadb":
        pytest.skip("MariaDB only")
    engine = make_engine(door["url"])
    try:
        with engine.connect() as connection:
            grants = connection.execute(text(f"SHOW GRANTS FOR '{READER}'@'%'")).scalars().all()
            tables = inspect(connection).get_table_names()
    finally:
        engine.dispose()
    assert "csto_init_lock" in tables
    assert not any(f"`{door['database']}`.* " in grant for grant in grants), grants
    for table in set(tables) - {"csto_init_lock"}:
        assert any(f"`{door['database']}`.`{table}` " in grant for grant in grants), table
    assert not any("csto_init_lock" in grant for grant in grants)


@pytest.mark.parametrize(
    "line,rights,role",
    [
        ("GRANT USAGE ON *.* TO `r`@`%` WITH MAX_STATEMENT_TIME 60.000000", [], None),
        ("GRANT SELECT, SHOW VIEW ON `db`.* TO `r`@`%`", [], None),
        ("GRANT SELECT (`name`, `iso3`) ON `db`.`states` TO `r`@`%`", [], None),
        ("GRANT SELECT, INSERT ON `db`.* TO `r`@`%`", ["INSERT on `db`.*"], None),
        ("GRANT SELECT (`a`), UPDATE (`b`) ON `db`.`t` TO `r`@`%`", ["UPDATE on `db`.`t`"], None),
        (
            "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
            ["ALL PRIVILEGES on *.*", "may grant what it holds on *.*"],
            None,
        ),
        (
            "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
            ["PROXY on ''@'%'", "may grant what it holds on ''@'%'"],
            None,
        ),
        ("GRANT `readers` TO `r`@`%`", [], "readers"),
        ("GRANT `admins` TO `r`@`%` WITH ADMIN OPTION", ["may grant role admins"], "admins"),
        ("GRANT SELECT ON `we ON TO`.* TO `r`@`%`", [], None),
        ("GRANT EXECUTE ON PROCEDURE `db`.`p` TO `r`@`%`", ["EXECUTE on PROCEDURE `db`.`p`"], None),
    ],
)
def test_mariadb_grants_are_read_as_the_server_writes_them(line, rights, role):
    assert grant_rights(line) == (rights, role)


@pytest.mark.server
def test_grant_reader_from_the_command_line_is_idempotent(door):
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    for _ in range(2):
        result = run_cli("grant-reader", READER, "--password", READER_PASSWORD, db=door["url"])
        assert f"reader {READER} may read" in result.stdout
        assert READER_PASSWORD not in result.output and "***" in result.stdout
    assert (
        "Armenia"
        in run_cli(
            "sql", "SELECT name FROM states", "--reader-url", door["reader"], db=door["url"]
        ).stdout
    )


@pytest.mark.server
def test_grant_reader_refuses_a_role_that_can_write(door):
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    admin = make_url(door["url"]).username
    before = snapshot(door)
    result = run_cli("grant-reader", admin, db=door["url"], expect=2)
    assert "rights beyond reading" in result.stderr
    assert snapshot(door) == before


def test_grant_reader_on_sqlite_says_why_not(door):
    if door["backend"] != "sqlite":
        pytest.skip("servers have roles")
    result = run_cli("grant-reader", "reader", db=door["url"], expect=2)
    assert "SQLite has no roles" in result.stderr


def test_the_reader_url_comes_from_the_environment(door, monkeypatch):
    if door["reader"] is None:
        pytest.skip("SQLite has no roles")
    monkeypatch.setenv("CSTO_DB_READER_URL", door["reader"])
    result = run_cli("sql", "SELECT current_user", db=door["url"], add_reader=False)
    assert READER in result.stdout and result.stderr == ""


@pytest.mark.server
def test_mariadb_connections_refuse_a_second_statement_at_the_server(door):
    if door["backend"] != "mariadb":
        pytest.skip("MariaDB only")
    from pymysql.constants import CLIENT

    engine = make_engine(door["url"])
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert not raw.client_flag & CLIENT.MULTI_STATEMENTS
            with raw.cursor() as cursor, pytest.raises(Exception, match="1064"):
                cursor.execute("SELECT 1; SELECT 2")
    finally:
        engine.dispose()


@pytest.mark.server
def test_a_mariadb_url_that_asks_for_several_statements_is_refused(door):
    if door["backend"] != "mariadb":
        pytest.skip("MariaDB only")
    from pymysql.constants import CLIENT

    url = f"{door['url']}?client_flag={CLIENT.MULTI_STATEMENTS}"
    result = run_cli("sql", "SELECT 1", db=url, expect=2)
    assert "allows several statements" in result.stderr


def test_library_refusal_is_a_user_error(door):
    with pytest.raises(QueryRefused):
        run_query("DELETE FROM states", door["url"], reader=door["reader"])
    with pytest.raises(QueryError, match="no statement"):
        run_query(" ", door["url"], reader=door["reader"])
    result = run_query(
        "SELECT iso3 FROM states WHERE iso3 = 'ARM'", door["url"], reader=door["reader"]
    )
    assert (result.columns, result.rows, result.cut) == (["iso3"], [("ARM",)], False)
    result = run_query("SELECT iso3 FROM states", door["url"], reader=door["reader"], max_rows=2)
    assert (len(result.rows), result.cut) == (2, True)


@pytest.mark.server
def test_library_refuses_a_writer(door):
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    with pytest.raises(WriterRefused, match="could write or administer"):
        run_query("SELECT 1", door["url"])
