"""`csto-db diff` and the record's changelog: release 0.1.0 against a fresh build, by key and
across engines; a change made by hand named field by field with its sources; the generated
changelog in step with the seeds."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import run_cli, run_cli_json
from sqlalchemy import select, text

from csto_db import __version__
from csto_db.build.init import init_database
from csto_db.build.sync import PruneRefused
from csto_db.models import Fact
from csto_db.release.diff import diff_records, diff_snapshots
from csto_db.release.record_changelog import COMMAND, DOCUMENT, counts_in, render, stored_snapshots
from csto_db.release.snapshots import snapshot_of_url
from csto_db.store.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
RELEASE_0_1_0 = ROOT / "tests" / "data" / "csto-0.1.0.db"
CHANGELOG = (ROOT / DOCUMENT).read_text(encoding="utf-8")


def _fact_keys(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(select(Fact.key)).scalars())
    finally:
        engine.dispose()


def _release_fact_keys() -> set[str]:
    with closing(sqlite3.connect(f"file:{RELEASE_0_1_0}?mode=ro", uri=True)) as connection:
        return {key for (key,) in connection.execute("SELECT key FROM facts")}


@pytest.fixture(scope="module")
def since_release(built_db_url):
    """`csto-db diff` of release 0.1.0's SQLite file against the build of the engine under
    test (a PostgreSQL or MariaDB database in the server runs), as JSON."""
    return run_cli_json(built_db_url, "diff", str(RELEASE_0_1_0), built_db_url)


@pytest.fixture(scope="module")
def pruned_by_init(tmp_path_factory) -> list[dict[str, str]]:
    """The rows `init` names, and would delete, when it upgrades release 0.1.0's file."""
    copy = tmp_path_factory.mktemp("release") / "csto-0.1.0.db"
    shutil.copyfile(RELEASE_0_1_0, copy)
    with pytest.raises(PruneRefused) as refused:
        init_database(f"sqlite:///{copy}")
    return [{"table": table, "key": key} for table, key in refused.value.rows]


def test_the_diff_lists_every_row_init_would_prune(since_release, pruned_by_init):
    assert len(pruned_by_init) >= 20
    removed = since_release["rows"]["removed"]
    assert sorted(map(json.dumps, removed)) == sorted(map(json.dumps, pruned_by_init))


def test_the_diff_lists_the_facts_added_and_removed_by_key(since_release, built_db_url):
    old, new = _release_fact_keys(), _fact_keys(built_db_url)
    facts = since_release["changes"]["facts"]
    assert {fact["key"] for fact in facts["added"]} == new - old
    assert {fact["key"] for fact in facts["removed"]} == old - new
    removed = {fact["key"]: fact for fact in facts["removed"]}
    assert removed["csc-1992-07-06-moscow"]["table"] == "meetings"
    assert removed["csc-1992-07-06-moscow"]["sources"] == ["cislegislation-25669"]
    assert since_release["old"]["schema"] == "0002"
    assert since_release["new"]["record_version"] == __version__


def test_a_changed_fact_names_each_field_and_its_sources(since_release):
    changed = {fact["key"]: fact for fact in since_release["changes"]["facts"]["changed"]}
    cst = changed["CST"]
    assert cst["table"] == "organizations"
    assert cst["sources"] == ["abcmedia-2026", "csto-overview"]  # the horizon cites the newest
    fields = {field["field"]: field for field in cst["fields"]}
    assert fields["membership_start"] == {
        "field": "membership_start",
        "old": None,
        "new": "1992-05-15",
    }
    # The derived reach columns, new since 0.1.0, are no change of any fact.
    assert not any(
        field["field"].startswith("reach_") for fact in changed.values() for field in fact["fields"]
    )


def test_the_counts_are_the_record_changelogs(since_release):
    assert counts_in(CHANGELOG, __version__) == since_release["counts"]


def test_the_record_changelog_is_in_step_with_the_seeds(built_db_url):
    """docs/record-changelog.md is what the stored releases and the current seeds (here, as
    the engine under test built them) say."""
    current = snapshot_of_url(built_db_url, "the current seeds")
    assert render(current, stored_snapshots(ROOT)) == CHANGELOG, (
        f"{DOCUMENT} drifted from the seeds: run `{COMMAND}` to regenerate it"
    )


@pytest.mark.slow
def test_builds_of_the_same_seeds_on_two_engines_do_not_differ(built_db_url, tmp_path):
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    init_database(reference)
    result = diff_records(reference, built_db_url)
    assert result.is_empty(), result.summary_lines()
    assert result.counts()["facts"] == {"added": 0, "changed": 0, "removed": 0}


@pytest.mark.slow
def test_changes_made_by_hand_are_named_field_by_field(empty_db_url):
    init_database(empty_db_url)
    before = snapshot_of_url(empty_db_url)
    engine = make_engine(empty_db_url)
    key = engine.dialect.identifier_preparer.quote("key")
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE meetings SET place = 'Nowhere', held_edtf = '2002-05', "
                "held_lower = '2002-05-01', held_upper = '2002-05-31', held_precision = 'month' "
                f"WHERE {key} = 'csc-2002-05-14-moscow'"
            )
        )
        connection.execute(text(f"DELETE FROM threats WHERE {key} = 'threat-drug-trafficking'"))
        connection.execute(
            text("DELETE FROM fact_citations WHERE fact_key = 'threat-drug-trafficking'")
        )
        connection.execute(text(f"DELETE FROM facts WHERE {key} = 'threat-drug-trafficking'"))
    engine.dispose()
    result = diff_snapshots(before, snapshot_of_url(empty_db_url))
    (meeting,) = result.of("facts", "changed")
    assert meeting.key == "csc-2002-05-14-moscow" and meeting.table == "meetings"
    assert {(f.field, f.new) for f in meeting.fields} == {("place", "Nowhere"), ("held", "2002-05")}
    assert meeting.sources
    (threat,) = result.of("facts", "removed")
    assert threat.key == "threat-drug-trafficking" and threat.sources
    assert result.counts()["facts"] == {"added": 0, "changed": 1, "removed": 1}
    removed_rows = {(row.table, row.key) for row in result.rows["removed"]}
    assert ("threats", "threat-drug-trafficking") in removed_rows
    assert ("facts", "threat-drug-trafficking") in removed_rows


@pytest.mark.slow
def test_a_folder_of_seeds_compares_with_the_current_seeds(seed_copy, server):
    if server is not None:
        pytest.skip("seeds build into SQLite whatever the engine: run in the SQLite run")
    path = seed_copy / "data" / "threats.yaml"
    original = path.read_text(encoding="utf-8")
    assert "key: threat-drug-trafficking" in original
    path.write_text(
        original.replace("key: threat-drug-trafficking", "key: threat-narcotics", 1),
        encoding="utf-8",
    )
    result = diff_records(None, str(seed_copy))
    assert [c.key for c in result.of("facts", "added")] == ["threat-narcotics"]
    assert [c.key for c in result.of("facts", "removed")] == ["threat-drug-trafficking"]
    assert result.new.label == f"the seeds in {seed_copy}"


def test_the_command_prints_text_and_counts(built_db_url):
    text_out = run_cli("diff", str(RELEASE_0_1_0), built_db_url).stdout
    assert "removed fact csc-1992-07-06-moscow (meetings; sources: cislegislation-25669)" in (
        text_out
    )
    assert "    membership_start: (empty) -> 1992-05-15" in text_out
    counts = run_cli("diff", str(RELEASE_0_1_0), built_db_url, "--counts").stdout.splitlines()
    assert counts[0].startswith(f"old: {RELEASE_0_1_0} (no build record, schema 0002")
    assert any(line.startswith("facts: ") for line in counts)
    assert len(counts) == 2 + 6  # the sides, five kinds and the rows


@pytest.mark.parametrize(
    "side,words",
    [
        ("no-such-file.db", ["nothing to compare at no-such-file.db"]),
        ("{tmp}", ["not one of seeds", "no data/ folder"]),
        ("{tmp}/not-a-database.db", ["cannot read", "file is not a database"]),
        ("postgresql://reader:s3cr3t-Pa55@127.0.0.1:1/csto", ["cannot reach", "reader:***@"]),
    ],
)
def test_a_side_that_cannot_be_compared_is_one_line(built_db_url, tmp_path, side, words):
    (tmp_path / "not-a-database.db").write_text("SELECT 1; -- not SQLite\n")
    side = side.replace("{tmp}", str(tmp_path))
    result = run_cli("diff", side, built_db_url, expect=2)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("csto-db: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "s3cr3t-Pa55" not in result.output and "Traceback" not in result.output


def test_a_database_without_a_record_is_named(empty_db_url, built_db_url, server):
    if server is None:
        Path(empty_db_url.removeprefix("sqlite:///")).touch()
    result = run_cli("diff", empty_db_url, built_db_url, expect=2)
    assert "holds no csto-db record" in result.stderr


@pytest.mark.parametrize(
    "tables,words",
    [
        (["CREATE TABLE facts (key TEXT PRIMARY KEY)"], ["table facts lacks table_name"]),
        (
            [
                "CREATE TABLE facts (key TEXT PRIMARY KEY, table_name TEXT)",
                "CREATE TABLE fact_citations (fact_key TEXT, citation_key TEXT, extra TEXT)",
            ],
            ["table fact_citations is not keyed by ['fact_key', 'citation_key']"],
        ),
    ],
)
def test_a_database_that_only_looks_like_a_record_is_refused(built_db_url, tmp_path, tables, words):
    """Tables named as the record's but shaped otherwise: one line, not a traceback."""
    forged = tmp_path / "forged.db"
    with closing(sqlite3.connect(forged)) as connection:
        for statement in tables:
            connection.execute(statement)
        connection.commit()
    result = run_cli("diff", str(forged), built_db_url, expect=2)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)
