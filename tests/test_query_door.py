"""The query door: hostile statements on every engine leave the database, its schema, its
roles and the filesystem as they were; on a server they run through a reader role."""

from __future__ import annotations

import os
import uuid

import pytest
from click.testing import CliRunner
from conftest import run_cli
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from csto_db.build import init_database
from csto_db.cli import main
from csto_db.db import make_engine
from csto_db.dump import canonical_dump
from csto_db.query_door import QueryRefused, grant_reader, run_query

TOKEN = uuid.uuid4().hex[:8]
READER = f"door_reader_{TOKEN}"
CANARY = f"door_canary_{TOKEN}"
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
]

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
    ],
    "sqlite": ["SELECT 1"],
}


def statements_for(backend: str) -> list[str]:
    own = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "mariadb": MARIADB}[backend]
    return COMMON + own


@pytest.fixture(scope="module")
def door(server, tmp_path_factory):
    """A database of its own (hostile statements run here), a reader on servers, and a
    folder the server could write to."""
    folder = tmp_path_factory.mktemp("door")
    os.chmod(folder, 0o777)  # so only the database's refusal keeps the server out
    if server is None:
        url = f"sqlite:///{folder / 'csto.db'}"
        init_database(url)
        yield {"backend": "sqlite", "url": url, "reader": None, "dir": folder, "database": "main"}
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
    try:
        yield {
            "backend": server.backend,
            "url": url,
            "reader": reader,
            "dir": folder,
            "database": make_url(url).database,
        }
    finally:
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
        dir=door["dir"], token=TOKEN, reader=READER, canary=CANARY, database=door["database"]
    )


def door_args(door) -> list[str]:
    return ["--reader-url", door["reader"]] if door["reader"] else []


def test_every_hostile_statement_is_refused_and_changes_nothing(door, monkeypatch):
    monkeypatch.chdir(door["dir"])
    before = snapshot(door)
    refused = []
    for statement in statements_for(door["backend"]):
        sql = fill(statement, door)
        result = run_cli("sql", sql, *door_args(door), db=door["url"], expect=2)
        assert result.stderr.startswith("csto-db: error: the database refused the query"), (
            sql,
            result.stderr,
        )
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
        assert READER_PASSWORD not in result.output
        refused.append(sql)
    assert snapshot(door) == before
    assert len(refused) == len(statements_for(door["backend"]))


def test_harmless_statements_change_nothing_either(door):
    before = snapshot(door)
    for statement in HARMLESS[door["backend"]]:
        result = CliRunner().invoke(main, ["--db", door["url"], "sql", statement, *door_args(door)])
        assert result.exit_code in (0, 2), (statement, result.output)
        assert "Traceback" not in result.output
    assert snapshot(door) == before


def test_the_reader_reads(door):
    result = run_cli(
        "sql", "SELECT name FROM states WHERE iso3 = 'ARM'", *door_args(door), db=door["url"]
    )
    assert "Armenia" in result.stdout
    assert "warning" not in result.stderr  # a reader (or SQLite's read-only file): no warning


@pytest.mark.server
def test_a_role_that_could_write_is_named_and_still_kept_in_the_transaction(door):
    if door["backend"] == "sqlite":
        pytest.skip("SQLite has no roles")
    before = snapshot(door)
    for statement in [
        "UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
        "DELETE FROM citations",
        "COMMIT; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
        "ROLLBACK; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
        "END; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
        "SELECT 1; UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'",
    ]:
        result = run_cli("sql", statement, db=door["url"], expect=2)
        assert "warning: sql runs as" in result.stderr and "could write" in result.stderr
        assert result.stderr.count("\n") == 2  # the warning and the error, one line each
        if ";" in statement:  # the server, not the package, refuses the second statement
            refusal = {
                "postgresql": "cannot insert multiple commands into a prepared",
                "mariadb": "error in your SQL syntax",
            }[door["backend"]]
            assert refusal in result.stderr
    assert snapshot(door) == before
    result = run_cli("sql", "SELECT 1 AS one", db=door["url"])
    assert result.stderr.count("\n") == 1 and "grant-reader" in result.stderr


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
    result = run_cli("sql", "SELECT current_user", db=door["url"])
    assert READER in result.stdout and "warning" not in result.stderr


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
    result = run_query(
        "SELECT iso3 FROM states WHERE iso3 = 'ARM'", door["url"], reader=door["reader"]
    )
    assert (result.columns, result.rows, result.role_can_write) == (["iso3"], [("ARM",)], None)
