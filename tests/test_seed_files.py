"""Seed files that cannot shrink by accident: damaged files are refused in one line naming
the file, and rows the seeds no longer hold are deleted only with --prune."""

import json
import re

import pytest
import yaml
from conftest import dump_of, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csto_db.build.init import init_database
from csto_db.build.seed_files import read_seed_set
from csto_db.build.seed_yaml import load_seed_file
from csto_db.build.sync import PruneRefused
from csto_db.errors import SeedError
from csto_db.store.dates import PartialDate, PartialDateError, parse_day
from csto_db.store.schema import SCHEMA_REVISION


def _records(path) -> list[str]:
    """The top-level records of a seed file as text, each starting with ``- ``."""
    content = path.read_text(encoding="utf-8")
    return ["- " + part for part in re.split(r"^- ", content, flags=re.MULTILINE)[1:]]


def _header(path) -> str:
    return re.split(r"^- ", path.read_text(encoding="utf-8"), flags=re.MULTILINE)[0]


def _duplicate_start(text: str) -> str:
    old = (
        "- key: cst-arm-party\n  state_iso3: ARM\n  organization_code: CST\n  status: party\n"
        "  start: 1992-05-15\n"
    )
    assert old in text, "the test needs updating"
    return text.replace(old, old + "  start: 1992-06-01\n")


# Each damage: the file, what to write (a function of the old text), and what the one-line
# error must contain besides the file's name.
DAMAGES = [
    pytest.param("threats.yaml", lambda _: "", ["no records"], id="zero-bytes"),
    pytest.param("threats.yaml", lambda _: "\n\n   \n", ["no records"], id="blank-lines"),
    pytest.param(
        "threats.yaml",
        lambda old: "".join(f"# {line}\n" for line in old.splitlines()),
        ["no records"],
        id="commented-out",
    ),
    pytest.param("threats.yaml", lambda _: "[]\n", ["no records"], id="empty-list"),
    pytest.param(
        "documents-record.yaml", lambda _: "# nothing yet\n", ["no records"], id="empty-extra-part"
    ),
    pytest.param(
        "memberships.yaml",
        _duplicate_start,
        ["line 13", "duplicate key 'start'", "first on line 12"],
        id="duplicate-key-in-record",
    ),
    pytest.param(
        "threats.yaml",
        lambda old: old.replace(
            "{key: threat-terrorism, ", "{key: threat-terrorism, ordinal: 7, ", 1
        ),
        ["line 3", "duplicate key 'ordinal'"],
        id="duplicate-key-in-flow-mapping",
    ),
    pytest.param(
        "threats.yaml",
        lambda _: "key: threat-terrorism\nname: Terrorism\n",
        ["line 1", "expected a list of records", "mapping"],
        id="a-mapping",
    ),
    pytest.param(
        "threats.yaml",
        lambda _: "International terrorism\n",
        ["line 1", "expected a list of records"],
        id="a-scalar",
    ),
    pytest.param(
        "threats.yaml",
        lambda _: "- threat-terrorism\n- threat-drug-trafficking\n",
        ["record #1", "must be a mapping"],
        id="a-list-of-strings",
    ),
    pytest.param(
        "threats.yaml",
        lambda old: old + "\n---\n" + old,
        ["not valid YAML", "single document"],
        id="two-documents",
    ),
    pytest.param(
        "threats.yaml", lambda old: old[: len(old) // 2], ["not valid YAML"], id="cut-mid-record"
    ),
]


def _damage(seed_copy, filename, damage) -> None:
    path = seed_copy / "data" / filename
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")


@pytest.mark.parametrize("filename,damage,expected", DAMAGES)
def test_damaged_seed_file_is_refused_in_one_line(seed_copy, filename, damage, expected):
    _damage(seed_copy, filename, damage)
    with pytest.raises(SeedError) as raised:
        read_seed_set(seed_copy)
    message = str(raised.value)
    assert "\n" not in message
    assert filename in message
    for part in expected:
        assert part in message, message


@pytest.mark.slow
@pytest.mark.parametrize("case", ["zero-bytes", "duplicate-key-in-record", "a-mapping"])
def test_damaged_seed_file_leaves_the_database_as_it_was(empty_db_url, seed_copy, case):
    init_database(empty_db_url)
    before = dump_of(empty_db_url)
    filename, damage, _ = next(param.values for param in DAMAGES if param.id == case)
    _damage(seed_copy, filename, damage)
    with pytest.raises(SeedError):
        init_database(empty_db_url, seeds_directory=seed_copy, prune=True)
    assert dump_of(empty_db_url) == before


def test_not_utf8_is_refused(seed_copy):
    (seed_copy / "data" / "threats.yaml").write_bytes(b"- {key: \xff\xfe}\n")
    with pytest.raises(SeedError, match=r"threats.yaml: not UTF-8"):
        read_seed_set(seed_copy)


def test_a_merge_key_is_not_a_duplicate(tmp_path):
    path = tmp_path / "merged.yaml"
    path.write_text("- &base {a: 1, b: 2}\n- <<: *base\n  b: 3\n", encoding="utf-8")
    assert load_seed_file(path) == [{"a": 1, "b": 2}, {"a": 1, "b": 3}]


def _cut_threats(seed_copy, keep: int) -> list[str]:
    """Cut threats.yaml to its first ``keep`` records; the keys of the ones cut off."""
    path = seed_copy / "data" / "threats.yaml"
    records = _records(path)
    path.write_text(_header(path) + "".join(records[:keep]), encoding="utf-8")
    return [re.match(r"- \{key: ([\w-]+),", record).group(1) for record in records[keep:]]


@pytest.mark.slow
def test_a_file_cut_short_costs_no_fact_without_prune(empty_db_url, seed_copy):
    init_database(empty_db_url)
    before = dump_of(empty_db_url)
    lost = _cut_threats(seed_copy, 2)
    assert len(lost) == 3
    with pytest.raises(PruneRefused) as raised:
        init_database(empty_db_url, seeds_directory=seed_copy)
    rows = raised.value.rows
    assert [key for table, key in rows if table == "threats"] == sorted(lost)
    assert [key for table, key in rows if table == "facts"] == sorted(lost)
    # Each threat's link to its citation goes too; the citation stays (two threats keep it).
    assert len([1 for table, _ in rows if table == "fact_citations"]) == 3
    assert "\n" not in str(raised.value) and "--prune" in str(raised.value)
    assert dump_of(empty_db_url) == before


@pytest.mark.slow
def test_prune_deletes_the_listed_rows_and_says_which(empty_db_url, seed_copy):
    init_database(empty_db_url)
    lost = _cut_threats(seed_copy, 2)
    report = init_database(empty_db_url, seeds_directory=seed_copy, prune=True)
    assert report.seeds.deleted["threats"] == 3
    assert sorted(key for table, key in report.seeds.prunable if table == "threats") == sorted(lost)
    threats = {row["key"] for row in dump_of(empty_db_url)["threats"]}
    assert threats.isdisjoint(lost) and len(threats) == 2
    assert any(line == f"deleted threats {lost[0]}" for line in report.lines())


@pytest.mark.slow
def test_cli_lists_rows_it_would_delete_and_exits_non_zero(empty_db_url, seed_copy, monkeypatch):
    init_database(empty_db_url)
    lost = _cut_threats(seed_copy, 2)
    monkeypatch.setattr("csto_db.build.init.seeds_dir", lambda: seed_copy)
    from click.testing import CliRunner

    from csto_db.cli import main

    result = CliRunner().invoke(main, ["--db", empty_db_url, "init"])
    assert result.exit_code != 0
    for key in lost:
        assert f"would delete threats {key}" in result.stdout
        assert f"would delete facts {key}" in result.stdout
    error_lines = result.stderr.strip().splitlines()
    assert len(error_lines) == 1 and "--prune" in error_lines[0]
    assert "Traceback" not in result.output

    as_json = CliRunner().invoke(main, ["--db", empty_db_url, "init", "--json"])
    assert as_json.exit_code != 0
    listed = json.loads(as_json.stdout)["would_prune"]
    assert {"table": "threats", "key": lost[0]} in listed

    pruned = CliRunner().invoke(main, ["--db", empty_db_url, "init", "--prune", "--json"])
    assert pruned.exit_code == 0, pruned.output
    report = json.loads(pruned.stdout)
    assert report["pruned"] is True and report["tables"]["threats"]["deleted"] == 3
    assert {"table": "threats", "key": lost[0]} in report["deleted_rows"]


def test_init_json_is_one_object_with_revisions_and_counts(empty_db_url):
    first = json.loads(run_cli("init", "--json", db=empty_db_url).stdout)
    assert first["revision_before"] is None and first["revision_after"] == SCHEMA_REVISION
    assert first["tables"]["states"]["inserted"] > 0
    assert first["would_prune"] == [] and first["pruned"] is False
    second = json.loads(run_cli("init", "--json", db=empty_db_url).stdout)
    assert second["revision_before"] == second["revision_after"] == SCHEMA_REVISION
    assert all(
        counts == {"inserted": 0, "updated": 0, "deleted": 0}
        for counts in second["tables"].values()
    )


def test_init_help_and_the_building_page_mention_prune():
    help_text = run_cli("init", "--help").stdout
    assert "--prune" in help_text
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert "--prune" in (root / "docs" / "building.md").read_text(encoding="utf-8")
    assert "docs/building.md" in (root / "README.md").read_text(encoding="utf-8")


# --- Property-based: never a traceback, a value or one line ------------------------------------


def _one_line_error(error: Exception) -> None:
    message = str(error)
    assert message and "\n" not in message


DATE_LIKE = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A\[?-?\d{1,6}(-\d{1,3}(-\d{1,3})?)?(\.\.|/)?(\d{1,5}(-\d{1,3})?)?\]?\Z"),
    st.builds(
        lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
)


@settings(max_examples=600, deadline=None)
@given(DATE_LIKE)
def test_date_parser_gives_a_date_or_one_line(text):
    try:
        parsed = PartialDate.parse(text)
    except PartialDateError as error:
        _one_line_error(error)
        return
    assert parsed.lower <= parsed.upper
    assert parsed.precision in ("day", "month", "year", "range")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.none(), st.floats()))
def test_parse_day_gives_a_day_or_one_line(value):
    try:
        day = parse_day(value)
    except PartialDateError as error:
        _one_line_error(error)
        return
    assert day.isoformat() == str(value).strip()


YAML_PIECES = st.sampled_from(
    [
        "- ",
        "-",
        "  ",
        "\n",
        ": ",
        ":",
        "key",
        "start",
        "{",
        "}",
        "[",
        "]",
        ", ",
        "&a ",
        "*a",
        "<<: *a",
        "!!int ",
        "!!binary ",
        "!!python/object ",
        "#",
        "'",
        '"',
        "|",
        ">",
        "---",
        "...",
        "? ",
        "1992-05-15",
        "1e999",
        "0x",
        "~",
        "null",
        "yes",
        "\t",
        "%YAML 1.1\n",
        "\\",
        "é",
        "\x00",
        "\ufeff",
    ]
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(YAML_PIECES, max_size=40).map("".join)))
def test_seed_file_reader_gives_records_or_one_line(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("yaml") / "threats.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        records = load_seed_file(path)
    except SeedError as error:
        _one_line_error(error)
        assert "threats.yaml" in str(error)
        return
    assert records and all(isinstance(record, dict) for record in records)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["CSTO", "ARM", "1992-05-15", "2003-13-18", "csto-overview"]),
)
THREAT_FIELDS = st.sampled_from(
    ["key", "organization_code", "ordinal", "name", "citations", "colour", "start"]
)
RECORDS = st.lists(
    st.dictionaries(
        THREAT_FIELDS,
        st.one_of(
            SCALARS,
            st.lists(
                st.dictionaries(
                    st.sampled_from(["source", "quote", "offset"]), SCALARS, max_size=3
                ),
                max_size=2,
            ),
        ),
        max_size=6,
    ),
    max_size=4,
)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(RECORDS)
def test_seed_set_reader_gives_a_seed_set_or_one_line(seed_copy, records):
    (seed_copy / "data" / "threats.yaml").write_text(
        yaml.safe_dump(records, allow_unicode=True), encoding="utf-8"
    )
    try:
        seeds = read_seed_set(seed_copy)
    except SeedError as error:
        _one_line_error(error)
        return
    assert len(seeds.rows["threats"]) == len(records)
