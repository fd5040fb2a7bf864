"""`check` notices what it must: a schema without data, a partial load, and any row changed,
added or removed behind `init`'s back, named by table and key."""

import pytest
from conftest import run_cli
from sqlalchemy import text

from csto_db.build.checks import check_database
from csto_db.build.digests import row_digests, rows_of_seeds
from csto_db.build.seed_files import read_seed_set
from csto_db.store.db import make_engine
from csto_db.store.schema import upgrade


def test_a_built_database_passes(connection):
    assert check_database(connection) == []


def test_an_empty_database_is_digested_from_the_seeds_as_it_reads_back(connection):
    # `init` on an empty database records the digests of the seed rows instead of reading
    # every row back: on this engine each must be what the database gives for the row.
    seeds = read_seed_set()
    from_seeds = row_digests(connection, rows_of_seeds(seeds))
    read_back = row_digests(connection)
    assert len(from_seeds) == seeds.count() > 2000
    assert from_seeds == read_back
    stored = dict(
        ((table, key), value)
        for table, key, value in connection.execute(
            text("SELECT table_name, row_key, sha256 FROM row_digests")
        )
    )
    assert stored == read_back


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# --- The schema, against the one the migrations at head create ------------------------------

#: Per change: the statement for each engine, and the line `check` must print about it.
SCHEMA_CHANGES = {
    "trigger-dropped": (
        {
            "sqlite": "DROP TRIGGER trg_membership_spans_no_overlap_insert",
            "mariadb": "DROP TRIGGER trg_membership_spans_no_overlap_insert",
            "postgresql": "DROP TRIGGER trg_membership_spans_cited ON membership_spans",
        },
        {
            "sqlite": "schema: trigger trg_membership_spans_no_overlap_insert on "
            "membership_spans is missing",
            "mariadb": "schema: trigger trg_membership_spans_no_overlap_insert on "
            "membership_spans is missing",
            "postgresql": "schema: trigger trg_membership_spans_cited on membership_spans is "
            "missing",
        },
    ),
    "index-dropped": (
        {
            "sqlite": "DROP INDEX ix_office_terms_as_of",
            "mariadb": "DROP INDEX ix_office_terms_as_of ON office_terms",
            "postgresql": "DROP INDEX ix_office_terms_as_of",
        },
        "schema: index ix_office_terms_as_of on office_terms is missing",
    ),
    "column-added": (
        "ALTER TABLE states ADD COLUMN hacked INTEGER",
        "schema: column states.hacked is not one the migrations create",
    ),
    "table-dropped": (
        "DROP TABLE dispute_subjects",
        "schema: table dispute_subjects is missing",
    ),
    "table-added": (
        "CREATE TABLE extra_notes (note VARCHAR(10))",
        "schema: table extra_notes is not one the migrations create",
    ),
    "trigger-added": (
        {
            "sqlite": "CREATE TRIGGER trg_extra AFTER INSERT ON states BEGIN SELECT 1; END",
            "mariadb": "CREATE TRIGGER trg_extra AFTER INSERT ON states FOR EACH ROW SET @x = 1",
            "postgresql": "CREATE TRIGGER trg_extra AFTER INSERT ON states "
            "FOR EACH ROW EXECUTE FUNCTION csto_fact_has_citation('iso3')",
        },
        "schema: trigger trg_extra on states is not one the migrations create",
    ),
    "check-dropped": (
        {
            "sqlite": None,  # SQLite cannot drop a constraint in place
            "mariadb": "ALTER TABLE build_record DROP CONSTRAINT ck_build_record_one_row",
            "postgresql": "ALTER TABLE build_record DROP CONSTRAINT ck_build_record_one_row",
        },
        "schema: check ck_build_record_one_row on build_record is missing",
    ),
}


def _for(value, dialect: str):
    return value[dialect] if isinstance(value, dict) else value


@pytest.fixture
def built_alone(empty_db_url):
    """A database of the test's own, built by init: the changes below are DDL, which
    MariaDB and SQLite commit at once."""
    from csto_db.build.init import init_database

    init_database(empty_db_url)
    return empty_db_url


def _dialect(url: str) -> str:
    from sqlalchemy.engine import make_url

    name = make_url(url).get_backend_name()
    return "mariadb" if name == "mysql" else name


@pytest.mark.slow
@pytest.mark.parametrize("change", SCHEMA_CHANGES)
def test_a_changed_schema_is_named_and_fails_the_command(built_alone, change):
    statements, line = SCHEMA_CHANGES[change]
    dialect = _dialect(built_alone)
    statement, line = _for(statements, dialect), _for(line, dialect)
    if statement is None:
        pytest.skip(f"no such change on {dialect}")
    engine = make_engine(built_alone)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    result = run_cli("check", db=built_alone, expect=1)
    lines = result.stdout.splitlines()
    assert line in lines, result.stdout
    assert lines[-1].endswith("problem(s)")
    if change == "table-dropped":  # a finding, not an SQL error; the rows wait for a schema
        assert "rows not checked" in result.stdout
        assert "Traceback" not in result.output and result.stderr == ""


@pytest.mark.slow
def test_the_schema_record_is_what_a_fresh_migration_makes(empty_db_url):
    """The record of the objects the models do not describe (triggers, functions, CHECK
    constraints...) is what the migrations at head create on this engine."""
    from csto_db.store.schema_check import expected_objects, schema_objects

    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            upgrade(connection)
            found = schema_objects(connection)
    finally:
        engine.dispose()
    dialect = _dialect(empty_db_url)
    assert found, "no object found: the comparison would prove nothing"
    assert found == expected_objects(dialect), (
        f"csto_db/store/data/schema_objects.json drifted from the migrations on {dialect}: run "
        "`python -m csto_db.store.schema_check sqlite:// postgresql://... mariadb://...` "
        "(each a server's URL) to record them again"
    )


# --- Rows, against what the seed files build ------------------------------------------------


@pytest.mark.slow
def test_a_forged_row_with_recomputed_digests_is_caught(built_alone):
    """Armenia's CSTO membership ended in 2010 and every digest recomputed to match, as a
    forger with write access would: the digests pass, the seed files do not."""
    from csto_db.build.digests import record_build, seeds_digest
    from csto_db.build.seed_set import seeds_dir
    from csto_db.store.schema import current_revision

    before = run_cli("members", "--org", "CSTO", "--on", "2012-01-01", "--json", db=built_alone)
    assert '"ARM"' in before.stdout
    engine = make_engine(built_alone)
    try:
        with engine.begin() as connection:
            key = _quoted(connection, "key")
            connection.execute(
                text(
                    "UPDATE membership_spans SET end_edtf = '2010', end_lower = '2010-01-01', "
                    "end_upper = '2010-12-31', end_precision = 'year', "
                    f"reach_end = '2010-12-31' WHERE {key} = 'csto-arm-member'"
                )
            )
            record_build(connection, current_revision(connection), seeds_digest(seeds_dir()))
    finally:
        engine.dispose()
    after = run_cli("members", "--org", "CSTO", "--on", "2012-01-01", "--json", db=built_alone)
    assert '"ARM"' not in after.stdout  # the forgery works on the answers
    result = run_cli("check", db=built_alone, expect=1)
    assert not any("since `csto-db init` built" in line for line in result.stdout.splitlines())
    assert (
        "membership_spans csto-arm-member: row differs from what the seed files build, in "
        "end_edtf, end_lower, end_precision, end_upper, reach_end"
    ) in result.stdout.splitlines(), result.stdout


@pytest.mark.slow
def test_rows_the_seeds_do_not_build_are_named(built_alone):
    from csto_db.build.digests import record_build, seeds_digest
    from csto_db.build.seed_set import seeds_dir
    from csto_db.store.schema import current_revision

    engine = make_engine(built_alone)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "DELETE FROM threats WHERE {key} = 'threat-drug-trafficking'".format(
                        key=_quoted(connection, "key")
                    )
                )
            )
            connection.execute(
                text(
                    "INSERT INTO states (iso3, iso2, {numeric}, name, cow_ccode) "
                    "VALUES ('XXA', 'XA', '998', 'Nowhere', 9998)".format(
                        numeric=_quoted(connection, "numeric")
                    )
                )
            )
            record_build(connection, current_revision(connection), seeds_digest(seeds_dir()))
            problems = check_database(connection)
    finally:
        engine.dispose()
    assert "states XXA: row not in what the seed files build" in problems
    assert "threats threat-drug-trafficking: row missing: the seed files build it" in problems
