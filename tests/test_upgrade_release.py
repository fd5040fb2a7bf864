"""Upgrades keep data: a database built by release 0.1.0 (revision 0002), upgraded to the
newest migration, keeps every row the seeds still hold, names the rows later corrections
dropped before it deletes them, and passes `check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import dump_of, sqlite_file_dump

from csto_db.build.checks import check_database
from csto_db.build.digests import row_key_text
from csto_db.build.init import init_database
from csto_db.build.sync import PruneRefused
from csto_db.store.db import make_engine
from csto_db.store.schema import current_revision, head_revision, upgrade

#: Release 0.1.0's database upgraded through every migration, several times: minutes in all,
#: so out of the quick run.
pytestmark = pytest.mark.slow

RELEASE_0_1_0 = Path(__file__).resolve().parent / "data" / "csto-0.1.0.db"


@pytest.fixture
def release_copy(server, tmp_path) -> str:
    if server is not None:
        pytest.skip("the release's database is a SQLite file: upgraded in the SQLite run")
    copy = tmp_path / "csto-0.1.0.db"
    shutil.copyfile(RELEASE_0_1_0, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def release_dump() -> dict[str, list[dict]]:
    dump = sqlite_file_dump(f"sqlite:///{RELEASE_0_1_0}")
    assert len(dump["facts"]) > 300 and dump["citations"], "the release file looks empty"
    return dump


def _rows_with_columns(rows: list[dict], columns: set[str]) -> list[dict]:
    return sorted(
        ({name: value for name, value in row.items() if name in columns} for row in rows), key=repr
    )


def test_migrations_alone_keep_every_row(release_copy, release_dump):
    """The migrations from 0002 to head change no row the release holds."""
    engine = make_engine(release_copy)
    try:
        with engine.connect() as connection:
            assert current_revision(connection) == "0002"
            upgrade(connection)
            assert current_revision(connection) == head_revision()
    finally:
        engine.dispose()
    upgraded = sqlite_file_dump(release_copy)
    for table, rows in release_dump.items():
        if table == "alembic_version":
            continue
        columns = set(rows[0]) if rows else set()
        assert _rows_with_columns(upgraded[table], columns) == rows, table


def test_init_names_the_release_rows_the_seeds_dropped_and_changes_nothing(
    release_copy, release_dump
):
    """Corrections since the release removed some facts; init lists them and stops."""
    with pytest.raises(PruneRefused) as refused:
        init_database(release_copy)
    assert refused.value.rows and all(table for table, _key in refused.value.rows)
    assert sqlite_file_dump(release_copy) == release_dump


def test_init_upgrades_the_release_keeping_every_fact(release_copy, release_dump):
    with pytest.raises(PruneRefused) as refused:
        init_database(release_copy)
    dropped = {(table, key) for table, key in refused.value.rows}
    report = init_database(release_copy, prune=True)
    assert (report.revision_before, report.revision_after) == ("0002", head_revision())
    upgraded = sqlite_file_dump(release_copy)
    for table in ("facts", "citations", "fact_citations", "sources", "states"):
        key_columns = {
            "facts": ("key",),
            "citations": ("key",),
            "sources": ("key",),
            "states": ("iso3",),
            "fact_citations": ("fact_key", "citation_key"),
        }[table]
        kept = {tuple(row[c] for c in key_columns) for row in upgraded[table]}
        lost = [
            row
            for row in release_dump[table]
            if tuple(row[c] for c in key_columns) not in kept
            and (table, row_key_text(tuple(row[c] for c in key_columns))) not in dropped
        ]
        assert lost == [], f"{table}: {len(lost)} rows lost unlisted, first {lost[:1]}"
    engine = make_engine(release_copy)
    try:
        with engine.connect() as connection:
            assert check_database(connection) == []
    finally:
        engine.dispose()


def test_upgraded_release_equals_a_fresh_build(release_copy, empty_db_url):
    init_database(release_copy, prune=True)
    init_database(empty_db_url)
    assert dump_of(release_copy) == dump_of(empty_db_url)
