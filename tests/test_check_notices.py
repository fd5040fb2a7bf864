"""`check` notices what it must: a schema without data, a partial load, and any row changed,
added or removed behind `init`'s back, named by table and key."""

import pytest
from conftest import run_cli
from sqlalchemy import text

from csto_db.checks import check_database
from csto_db.db import make_engine
from csto_db.schema import upgrade


def test_a_built_database_passes(connection):
    assert check_database(connection) == []


def test_a_bare_schema_is_reported(empty_db_url):
    """`alembic upgrade head` without the seeds: a schema at head, no data."""
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            upgrade(connection)
            problems = check_database(connection)
    finally:
        engine.dispose()
    assert any("no build record" in problem for problem in problems), problems
    assert "table states is empty: the seeds are not loaded; run `csto-db init`" in problems
    assert "table facts is empty: the seeds are not loaded; run `csto-db init`" in problems


def test_a_bare_schema_fails_the_command(empty_db_url):
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:
        upgrade(connection)
    engine.dispose()
    result = run_cli("check", db=empty_db_url, expect=1)
    assert "no build record" in result.stdout


def _quoted(connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


# Each change another client could make, and the line `check` must print about it.
CHANGES = [
    pytest.param(
        ["UPDATE states SET name = 'HACKED' WHERE iso3 = 'ARM'"],
        ["states ARM: row changed since `csto-db init` built the database"],
        id="row-changed",
    ),
    pytest.param(
        [
            "INSERT INTO states (iso3, iso2, {numeric}, name, cow_ccode) "
            "VALUES ('XXA', 'XA', '998', 'Nowhere', 9998)"
        ],
        ["states XXA: row added since `csto-db init` built the database"],
        id="row-added",
    ),
    pytest.param(
        ["DELETE FROM threats WHERE {key} = 'threat-drug-trafficking'"],
        ["threats threat-drug-trafficking: row removed since `csto-db init` built the database"],
        id="row-removed",
    ),
    pytest.param(
        ["UPDATE membership_spans SET start_edtf = '1992-06-01' WHERE {key} = 'cst-arm-party'"],
        ["membership_spans cst-arm-party: row changed since `csto-db init` built the database"],
        id="date-text-changed",
    ),
    pytest.param(
        ["DELETE FROM threats"],
        [
            "table threats is empty: the seeds are not loaded; run `csto-db init`",
            "threats threat-terrorism: row removed since `csto-db init` built the database",
        ],
        id="table-emptied",
    ),
    pytest.param(
        ["UPDATE row_digests SET sha256 = 'x' WHERE table_name = 'states' AND row_key = 'ARM'"],
        [
            "row_digests no longer match the build record: the digests were edited; "
            "run `csto-db init`",
            "states ARM: row changed since `csto-db init` built the database",
        ],
        id="digest-edited",
    ),
    pytest.param(
        ["DELETE FROM build_record"],
        ["no build record: the schema was not loaded by `csto-db init` (run `csto-db init`)"],
        id="build-record-removed",
    ),
]


@pytest.mark.parametrize("statements,expected", CHANGES)
def test_a_change_behind_inits_back_is_named(connection, statements, expected):
    for statement in statements:
        connection.execute(
            text(
                statement.format(
                    key=_quoted(connection, "key"), numeric=_quoted(connection, "numeric")
                )
            )
        )
    problems = check_database(connection)
    for line in expected:
        assert line in problems, problems


def test_many_changes_in_one_table_are_named_up_to_ten_then_counted(connection):
    connection.execute(text("UPDATE citations SET translation = 'edited'"))
    problems = check_database(connection)
    named = [p for p in problems if p.startswith("citations ") and "row changed" in p]
    assert len(named) == 10
    assert any(p.startswith("citations: ") and "more rows changed" in p for p in problems)


def test_other_seed_files_are_reported(connection, seed_copy):
    path = seed_copy / "data" / "threats.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "name: Drug trafficking", "name: Narcotics trafficking"
        ),
        encoding="utf-8",
    )
    problems = check_database(connection, seeds_directory=seed_copy)
    assert len(problems) == 1 and "built from other seed files" in problems[0]
