"""Same rows, same answers: the database built on PostgreSQL and MariaDB against SQLite.

The servers come from CSTO_TEST_POSTGRES_URL and CSTO_TEST_MARIADB_URL, by default the local
ones. A server that cannot be reached skips its comparisons here and fails them in CI.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date

import pytest
from conftest import ServerDatabases, dump_of, in_ci
from sqlalchemy import select, text

from csto_db.answers import documents, evidence, membership
from csto_db.answers.timeline import timeline
from csto_db.build.init import init_database
from csto_db.models import Fact, State
from csto_db.query_door.reader_role import grant_reader
from csto_db.store.db import make_engine

#: The same record built on every engine and compared: minutes, so out of the quick run.
pytestmark = pytest.mark.slow

SERVERS = {
    "postgresql": ("CSTO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("CSTO_TEST_MARIADB_URL", "mariadb+pymysql://root@127.0.0.1:3306/test"),
}

#: Days that cross the record's turns: signature, entry into force, renewals, the Charter,
#: accessions and departures, and today's membership.
MEMBERSHIP_DAYS = (
    date(1992, 5, 14),
    date(1992, 5, 15),
    date(1993, 12, 24),
    date(1994, 4, 20),
    date(1999, 4, 2),
    date(1999, 4, 21),
    date(2002, 10, 7),
    date(2003, 9, 18),
    date(2006, 8, 16),
    date(2008, 6, 1),
    date(2012, 12, 20),
    date(2024, 2, 23),
    date(2025, 1, 1),
)
ORGANIZATIONS = ("CST", "CSTO")


class BuiltDatabases:
    """Builds the database once per engine for the module and drops it afterwards."""

    def __init__(self, directory) -> None:
        self.directory = directory
        self.urls: dict[str, str] = {}
        self.servers: dict[str, ServerDatabases] = {}
        #: On a server, the URL of a role of the test's own that only reads (for `sql`).
        self.readers: dict[str, str] = {}
        self.reader_name = f"engines_reader_{uuid.uuid4().hex[:8]}"

    def url(self, engine_name: str) -> str:
        if engine_name not in self.urls:
            self.urls[engine_name] = self._build(engine_name)
        return self.urls[engine_name]

    def _build(self, engine_name: str) -> str:
        if engine_name == "sqlite":
            url = f"sqlite:///{self.directory / 'reference.db'}"
        else:
            variable, default = SERVERS[engine_name]
            server = ServerDatabases(os.environ.get(variable) or default)
            problem = server.reachable()
            if problem:
                message = (
                    f"{engine_name} at {server.url.render_as_string()} unreachable "
                    f"(set {variable}): {problem}"
                )
                if in_ci():
                    pytest.fail(message)
                pytest.skip(message)
            url = server.create()
            self.servers[engine_name] = server
        init_database(url)
        if engine_name != "sqlite":
            reader = grant_reader(url, self.reader_name, "engines")
            self.readers[engine_name] = reader.render_as_string(hide_password=False)
        return url

    def drop_all(self) -> None:
        for engine_name, server in self.servers.items():
            server.drop(self.urls[engine_name])
            with server.admin.connect() as connection:
                if server.backend == "postgresql":
                    connection.execute(text(f"DROP ROLE IF EXISTS {self.reader_name}"))
                else:
                    connection.execute(text(f"DROP USER IF EXISTS '{self.reader_name}'@'%'"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    databases = BuiltDatabases(tmp_path_factory.mktemp("engines"))
    yield databases
    databases.drop_all()


def answers_of(url: str) -> dict[str, object]:
    """Every query function's answer, as the JSON the command line would print."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            answers: dict[str, object] = {}
            for organization in ORGANIZATIONS:
                for day in MEMBERSHIP_DAYS:
                    answers[f"members_on {organization} {day}"] = [
                        m.to_dict() for m in membership.members_on(connection, organization, day)
                    ]
            states = connection.execute(select(State.iso3).order_by(State.iso3)).scalars()
            for iso3 in list(states):
                answers[f"timeline {iso3}"] = [e.to_dict() for e in timeline(connection, iso3)]
            answers["documents"] = [d.to_dict() for d in documents.documents(connection)]
            answers["initiatives"] = [i.to_dict() for i in documents.initiatives(connection)]
            answers["disputes"] = [d.to_dict() for d in evidence.disputes(connection)]
            answers["disputes with refinements"] = [
                d.to_dict() for d in evidence.disputes(connection, include_refinements=True)
            ]
    finally:
        engine.dispose()
    return json.loads(json.dumps(answers, ensure_ascii=False, sort_keys=True))


def first_difference(reference: dict, other: dict) -> str:
    """The first key whose value differs, for a readable failure."""
    for key in sorted(set(reference) | set(other)):
        if reference.get(key) != other.get(key):
            mine, theirs = reference.get(key), other.get(key)
            if isinstance(mine, list) and isinstance(theirs, list):
                for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
                    if a != b:
                        return f"{key}[{index}]: sqlite {a!r} != {b!r}"
                return f"{key}: sqlite has {len(mine)} items, the other {len(theirs)}"
            return f"{key}: sqlite {mine!r} != {theirs!r}"
    return ""


@pytest.fixture(scope="module")
def reference_dump(built) -> dict[str, list[dict]]:
    return dump_of(built.url("sqlite"))


@pytest.fixture(scope="module")
def reference_answers(built) -> dict[str, object]:
    return answers_of(built.url("sqlite"))


def test_the_reference_is_not_empty(reference_dump, reference_answers):
    # An empty database would make every comparison below pass.
    assert len(reference_dump["facts"]) > 50
    assert reference_dump["fact_citations"]
    assert reference_answers["members_on CSTO 2008-06-01"]
    assert reference_answers["documents"]
    assert reference_answers["disputes with refinements"]


def test_dump_is_plain_json(reference_dump):
    assert json.loads(json.dumps(reference_dump)) == reference_dump
    assert "alembic_version" not in reference_dump
    booleans = {row["inferred"] for row in reference_dump["membership_spans"]}
    assert booleans <= {True, False}


@pytest.mark.parametrize("engine_name", SERVERS)
def test_same_rows_as_sqlite(built, reference_dump, engine_name):
    dump = dump_of(built.url(engine_name))
    assert dump == reference_dump, first_difference(reference_dump, dump)


@pytest.mark.parametrize("engine_name", SERVERS)
def test_same_answers_as_sqlite(built, reference_answers, engine_name):
    answers = answers_of(built.url(engine_name))
    assert answers == reference_answers, first_difference(reference_answers, answers)


# --- The command line ----------------------------------------------------------------------


def cli_commands(url: str) -> list[list[str]]:
    """Every command that prints JSON, with arguments that reach every table it reads."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            states = list(connection.execute(select(State.iso3).order_by(State.iso3)).scalars())
            # One fact of each table is enough to reach every join `evidence` makes.
            facts = connection.execute(
                select(Fact.table_name, Fact.key).order_by(Fact.table_name, Fact.key)
            ).all()
    finally:
        engine.dispose()
    first_of_each_table = sorted({table: key for table, key in reversed(facts)}.values())
    commands = [
        ["members", "--org", org, "--on", day.isoformat(), "--json"]
        for org in ORGANIZATIONS
        for day in MEMBERSHIP_DAYS[::3]
    ]
    commands += [["timeline", iso3, "--json"] for iso3 in states]
    commands += [
        ["documents", "--json"],
        ["initiatives", "--json"],
        ["disputes", "--json"],
        ["disputes", "--all", "--json"],
        ["check", "--json"],
        ["sql", "SELECT code, name, kind FROM organizations ORDER BY code", "--json"],
    ]
    commands += [["evidence", key, "--json"] for key in first_of_each_table]
    return commands


def cli_outputs(
    url: str, commands: list[list[str]], reader: str | None = None
) -> dict[str, object]:
    """Each command's JSON; `sql` runs as ``reader`` when given (on a server it must)."""
    from click.testing import CliRunner

    from csto_db.cli import main

    runner = CliRunner()
    outputs = {}
    for command in commands:
        door = ["--reader-url", reader] if reader and command[0] == "sql" else []
        result = runner.invoke(main, ["--db", url, *command, *door])
        assert result.exit_code == 0, f"{command}: {result.output}"
        outputs[" ".join(command)] = json.loads(result.stdout)
    return outputs


@pytest.fixture(scope="module")
def reference_cli(built):
    url = built.url("sqlite")
    commands = cli_commands(url)
    return commands, cli_outputs(url, commands)


def test_cli_reference_is_not_empty(reference_cli):
    commands, outputs = reference_cli
    assert any(command[0] == "evidence" for command in commands)
    assert outputs["check --json"]["ok"] is True and outputs["check --json"]["problems"] == []
    assert outputs["documents --json"]


@pytest.mark.parametrize("engine_name", SERVERS)
def test_same_cli_json_as_sqlite(built, reference_cli, engine_name):
    commands, reference = reference_cli
    outputs = cli_outputs(built.url(engine_name), commands, built.readers[engine_name])
    assert outputs == reference, first_difference(reference, outputs)
