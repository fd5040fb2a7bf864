"""One `init` at a time: concurrent runs all finish or say in one line that another holds the
database, and readers during an `init` see the old record or the new one, never a mix."""

from __future__ import annotations

import time

import pytest
from conftest import dump_of
from init_runs import changed_seeds, cli, start_init
from sqlalchemy import text

from csto_db.build.checks import check_database
from csto_db.build.init import init_database
from csto_db.build.init_lock import hold_init_lock
from csto_db.build.seed_set import seeds_dir
from csto_db.store.db import make_engine

#: Several `init` processes racing, many times over: minutes, so out of the quick run.
pytestmark = pytest.mark.slow

INTERNAL_ERROR_SIGNS = (
    "Traceback",
    "already exists",
    "duplicate key",
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
    "(1050",
    "pg_type",
)


def _assert_clean_failure_output(stderr: str) -> None:
    for sign in INTERNAL_ERROR_SIGNS:
        assert sign not in stderr, stderr


@pytest.fixture(scope="module")
def clean_dump(server, tmp_path_factory):
    """The dump of a database built once, alone, from the package's seeds."""
    from conftest import _fresh_url

    url = _fresh_url(server, tmp_path_factory.mktemp("clean"))
    init_database(url)
    yield dump_of(url)
    if server is not None:
        server.drop(url)


@pytest.mark.parametrize("existing", ["fresh", "seeded"])
def test_concurrent_inits_all_finish_and_agree(empty_db_url, clean_dump, existing):
    if existing == "seeded":
        init_database(empty_db_url)
    runs = [cli(empty_db_url, "init", "--wait", "120") for _ in range(4)]
    outcomes = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    for status, stdout, stderr in outcomes:
        assert status == 0, (stdout, stderr)
        _assert_clean_failure_output(stderr)
    # Exactly one run did the work when the database was fresh; the others found it done.
    built = [stdout for _, stdout, _ in outcomes if "schema migrated empty -> " in stdout]
    assert len(built) == (1 if existing == "fresh" else 0)
    assert dump_of(empty_db_url) == clean_dump
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:
        assert check_database(connection) == []
    engine.dispose()


def holding_the_init_lock(url: str):
    """Hold the lock `init` takes, as another `init` would."""
    return hold_init_lock(url, wait=0)


def test_a_second_init_that_will_not_wait_says_so_in_one_line(empty_db_url):
    init_database(empty_db_url)
    before = dump_of(empty_db_url)
    with holding_the_init_lock(empty_db_url):
        run = cli(empty_db_url, "init", "--wait", "0")
        _, stderr = run.communicate(timeout=120)
        assert run.returncode != 0
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, stderr
        assert "another `csto-db init` holds the database" in lines[0]
        _assert_clean_failure_output(stderr)
    assert dump_of(empty_db_url) == before


def test_a_second_init_waits_for_the_first(empty_db_url):
    init_database(empty_db_url)
    with holding_the_init_lock(empty_db_url):
        run = cli(empty_db_url, "init", "--wait", "60")
        time.sleep(2)
        assert run.poll() is None, "init did not wait for the lock"
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 0, stderr
    assert "seeds unchanged" in stdout


def _pair(url: str) -> tuple[str, str]:
    """Armenia's name and one threat's name, read in one statement (one snapshot)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            key = connection.dialect.identifier_preparer.quote("key")
            row = connection.execute(
                text(
                    "SELECT (SELECT name FROM states WHERE iso3 = 'ARM'), "
                    f"(SELECT name FROM threats WHERE {key} = 'threat-drug-trafficking')"
                )
            ).one()
            return tuple(row)
    finally:
        engine.dispose()


def test_readers_during_init_see_the_old_record_or_the_new(empty_db_url, tmp_path):
    """`sync` writes states and threats at different moments; a reader must never see
    one changed and not the other."""
    init_database(empty_db_url)
    old = _pair(empty_db_url)
    changed = changed_seeds(tmp_path / "changed", seeds_dir())
    seen: list[tuple[str, str]] = []
    for _ in range(3):
        for seeds in (changed, seeds_dir()):
            run = start_init(empty_db_url, seeds)
            while run.poll() is None:
                seen.append(_pair(empty_db_url))
            _, stderr = run.communicate()
            assert run.returncode == 0, stderr
    new = ("Republic of Armenia", "Narcotics trafficking")
    assert old == ("Armenia", "Drug trafficking")
    assert len(seen) >= 6, "the reader did not read while init ran"
    assert set(seen) <= {old, new}, set(seen) - {old, new}
