"""The parse cache of seed files: an unchanged file is not parsed again, an edited one is,
a damaged or unwritable cache costs nothing but time, and `check` never trusts it."""

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from csto_db.build import seed_cache, seed_yaml
from csto_db.build.checks import check_database
from csto_db.build.init import init_database
from csto_db.build.seed_cache import CACHE_VARIABLE, load_records
from csto_db.build.seed_set import seeds_dir
from csto_db.store.db import make_engine

RECORDS = "- {key: a, value: 1, flag: true, ratio: 0.5, note: null}\n- {key: b, value: 2}\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(folder))
    return folder / "seeds"


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "things.yaml"
    path.parent.mkdir()
    path.write_text(RECORDS, encoding="utf-8")
    return path


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.iterdir()) if cache.exists() else []


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, data: bytes) -> list:
        raise AssertionError(f"{path} was parsed, not read from the cache")

    monkeypatch.setattr(seed_yaml, "parse_seed_bytes", refuse)


def test_an_unchanged_file_is_read_from_the_cache(cache, seed_file, monkeypatch):
    first = load_records(seed_file)
    assert first == seed_yaml.load_seed_file(seed_file)
    assert [entry.name.split(".")[0] for entry in _entries(cache)] == ["data-things"]
    _no_parsing(monkeypatch)
    again = load_records(seed_file)
    assert repr(again) == repr(first)  # types too: True stays a bool, 0.5 a float


def test_every_seed_file_reads_back_from_the_cache_as_parsed(cache, monkeypatch):
    paths = sorted((seeds_dir() / "data").glob("*.yaml"))
    parsed = [repr(seed_yaml.load_seed_file(path)) for path in paths]
    assert [repr(load_records(path)) for path in paths] == parsed
    assert len(_entries(cache)) == len(paths)
    _no_parsing(monkeypatch)
    assert [repr(load_records(path)) for path in paths] == parsed


def test_an_edited_file_is_parsed_again_and_replaces_its_entry(cache, seed_file):
    load_records(seed_file)
    [old] = _entries(cache)
    seed_file.write_text(RECORDS.replace("value: 2", "value: 3"), encoding="utf-8")
    assert load_records(seed_file)[1] == {"key": "b", "value": 3}
    [new] = _entries(cache)
    assert new != old


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not an entry at all",
        seed_cache._LAYOUT,
        seed_cache._LAYOUT + marshal.dumps([{"key": "a"}])[:5],
        seed_cache._LAYOUT + marshal.dumps({"key": "a"}),
        seed_cache._LAYOUT + marshal.dumps([]),
        seed_cache._LAYOUT + marshal.dumps(["a record that is not a mapping"]),
    ],
    ids=["empty", "foreign", "layout-only", "truncated", "mapping", "no-records", "not-mappings"],
)
def test_a_damaged_entry_is_parsed_afresh_and_replaced(cache, seed_file, damage):
    expected = load_records(seed_file)
    [entry] = _entries(cache)
    entry.write_bytes(damage)
    assert load_records(seed_file) == expected
    assert entry.read_bytes().startswith(seed_cache._LAYOUT)
    assert marshal.loads(entry.read_bytes()[len(seed_cache._LAYOUT) :]) == expected


def test_an_unwritable_cache_still_reads_the_file(tmp_path, seed_file, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv(CACHE_VARIABLE, str(blocker))  # its "seeds" folder cannot be made
    assert load_records(seed_file) == seed_yaml.load_seed_file(seed_file)
    assert blocker.read_text() == "in the way"


def test_an_empty_variable_keeps_no_cache(tmp_path, seed_file, monkeypatch):
    monkeypatch.setenv(CACHE_VARIABLE, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert seed_cache.cache_dir() is None
    assert load_records(seed_file)[0]["key"] == "a"
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_without_the_parsers_source_nothing_is_kept(cache, seed_file, monkeypatch):
    def unreadable() -> bytes:
        raise FileNotFoundError("seed_yaml.py")

    monkeypatch.setattr(seed_cache, "_parser_digest", unreadable)
    assert load_records(seed_file) == seed_yaml.load_seed_file(seed_file)
    assert _entries(cache) == []


def test_the_default_folder_is_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert seed_cache.cache_dir() == tmp_path / "xdg" / "csto-db" / "seeds"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert seed_cache.cache_dir() == tmp_path / "home" / ".cache" / "csto-db" / "seeds"


def test_uncached_reads_neither_use_nor_fill_the_cache(cache, seed_file, monkeypatch):
    assert load_records(seed_file, cached=False)[0]["key"] == "a"
    assert _entries(cache) == []
    load_records(seed_file)
    [entry] = _entries(cache)
    entry.write_bytes(seed_cache._LAYOUT + marshal.dumps([{"key": "forged"}]))
    assert load_records(seed_file)[0] == {"key": "forged"}  # the cache is trusted here...
    assert load_records(seed_file, cached=False)[0]["key"] == "a"  # ...and not here


def test_a_value_marshal_cannot_keep_is_read_but_not_kept(cache, tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text("- {key: a, when: !!timestamp 2001-02-03}\n", encoding="utf-8")
    assert str(load_records(path)[0]["when"]) == "2001-02-03"
    assert _entries(cache) == []


def test_errors_are_the_parsers_and_are_not_kept(cache, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("- {key: a\n", encoding="utf-8")
    with pytest.raises(seed_yaml.SeedError, match="not valid YAML"):
        load_records(path)
    with pytest.raises(seed_yaml.SeedError, match="seed file missing"):
        load_records(tmp_path / "absent.yaml")
    path.write_bytes(b"- {key: \xff}\n")
    with pytest.raises(seed_yaml.SeedError, match="not UTF-8"):
        load_records(path)
    assert _entries(cache) == []


def test_check_finds_what_a_forged_cache_entry_put_in_the_database(cache, tmp_path):
    """`init` trusts an entry found under a file's digest; `check` reads the files afresh
    and names the row that differs from them."""
    states = seeds_dir() / "data" / "states.yaml"
    load_records(states)
    [entry] = [e for e in _entries(cache) if e.name.startswith("data-states.yaml.")]
    records = marshal.loads(entry.read_bytes()[len(seed_cache._LAYOUT) :])
    assert records[0]["iso3"] == "ARM"
    records[0]["name"] = "Forged Armenia"
    entry.write_bytes(seed_cache._LAYOUT + marshal.dumps(records))
    url = f"sqlite:///{tmp_path / 'forged.db'}"
    init_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            problems = check_database(connection)
    finally:
        engine.dispose()
    assert "states ARM: row differs from what the seed files build, in name" in problems


def test_init_with_a_warm_cache_does_not_load_the_yaml_parser(cache, tmp_path):
    script = (
        "import sys; from csto_db.build.init import init_database; "
        "init_database(sys.argv[1]); print('yaml' in sys.modules)"
    )
    environment = {**os.environ, CACHE_VARIABLE: str(cache.parent)}
    loaded = [
        subprocess.run(
            [sys.executable, "-c", script, f"sqlite:///{tmp_path / name}"],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for name in ("cold.db", "warm.db")
    ]
    assert loaded == ["True", "False"]
