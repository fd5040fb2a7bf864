"""Versions and citation: one version for the package, the record, CHANGELOG.md, CITATION.cff
and every export; `--version` and `check` say what built a database; a database a newer
release built is refused; the release's data files and their sums."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, run_cli_json
from sqlalchemy import text

from csto_db import __version__
from csto_db.build.init import init_database
from csto_db.outputs.export import FORMATS, export
from csto_db.outputs.record_metadata import LICENSE, TITLE
from csto_db.release.versions import RELEASES, citation, read_database_release, release_of
from csto_db.store.db import make_engine
from csto_db.store.schema import SchemaRevisionError

#: The release's files built and checked, twice over: out of the quick run.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
THIS_RELEASE = RELEASES[-1]
SECRET = "s3cr3t-Pa55"


# --- One version everywhere ---------------------------------------------------------------


def test_the_package_is_the_newest_release():
    assert THIS_RELEASE.version == __version__
    assert importlib.metadata.version("csto-db") == __version__, "pip install -e . again"
    assert [r.released for r in RELEASES] == sorted(r.released for r in RELEASES)


def test_the_changelog_has_an_entry_for_every_release_newest_first():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert entries == [(r.version, r.released.isoformat()) for r in reversed(RELEASES)]
    assert "[Unreleased]" not in changelog


def test_citation_cff_names_this_release():
    """CITATION.cff agrees with the package (`cffconvert --validate` checks its form in CI)."""
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == __version__
    assert cff["date-released"] == THIS_RELEASE.released.isoformat()
    assert cff["title"] == TITLE
    assert cff["license"] == "MIT" == LICENSE["name"]
    assert cff["type"] == "dataset"
    assert "cite its sources" in " ".join(cff["message"].split())


def test_the_readme_says_how_to_cite_this_release():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How to cite", 1)[1].split("\n## ", 1)[0]
    assert citation() in " ".join(section.split())
    assert "CITATION.cff" in section and "csto-db evidence" in section


def test_a_citation_gives_the_release_year_and_version():
    assert citation("0.1.0") == (
        f"The csto-db maintainers (2026). {TITLE}, version 0.1.0 [Data set]."
    )
    assert "(n.d.)" in citation("9.9.9") and release_of("9.9.9") is None


# --- Every export carries the same metadata --------------------------------------------------


@pytest.fixture(scope="module")
def exports(built_db_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("exports")
    engine = make_engine(built_db_url)
    try:
        with engine.connect() as connection:
            for export_format in FORMATS:
                export(connection, export_format, directory / export_format)
    finally:
        engine.dispose()
    read = lambda path: json.loads((directory / path).read_text(encoding="utf-8"))  # noqa: E731
    return {
        "datapackage": read("datapackage/datapackage.json"),
        "json": read("json/csto-db.json"),
        "popolo": read("popolo/popolo.json"),
    }


def test_the_data_package_says_which_release_it_is(exports):
    package = exports["datapackage"]
    assert package["version"] == __version__
    assert package["created"] == f"{THIS_RELEASE.released.isoformat()}T00:00:00Z"
    assert package["licenses"] == [LICENSE]
    assert package["citation"]["record"] == citation()
    titles = [source["title"] for source in exports["json"]["sources"]]
    assert [source["title"] for source in package["sources"]] == titles
    assert any(source.get("path", "").startswith("https://") for source in package["sources"])


@pytest.mark.parametrize("export_format", ["json", "popolo"])
def test_json_and_popolo_carry_the_same_metadata(exports, export_format):
    package, document = exports["datapackage"], exports[export_format]
    for name in ("title", "version", "created", "licenses", "citation"):
        assert document[name] == package[name], name
    if export_format == "popolo":
        assert document["sources"] == package["sources"]
        assert document["organizations"] and document["memberships"]


# --- What built a database --------------------------------------------------------------------


def test_init_records_the_release(built_db_url):
    described = read_database_release(built_db_url)
    assert described.record_version == __version__
    assert described.summary().startswith(f"record {__version__}, schema ")


def test_version_names_the_package_and_the_database(built_db_url):
    lines = run_cli("--db", built_db_url, "--version").stdout.splitlines()
    assert lines[0] == f"csto-db {__version__}"
    assert lines[1].startswith("database ") and f"record {__version__}" in lines[1]
    assert lines[2] == "horizon: CST 2026-01-31, CSTO 2026-01-31"
    assert len(lines) == 3
    # --db after --version is read all the same.
    assert run_cli("--version", "--db", built_db_url).stdout.splitlines() == lines


def test_the_documented_version_lines_have_the_printed_form(built_db_url):
    page = (ROOT / "docs" / "releases.md").read_text(encoding="utf-8")
    documented = page.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    printed = run_cli("--db", built_db_url, "--version").stdout.splitlines()
    form = re.compile(r"database \S+: record (\S+), schema (\d{4}), seeds [0-9a-f]{12}")
    assert documented[0] == printed[0] == f"csto-db {__version__}"
    shown, actual = form.fullmatch(documented[1]), form.fullmatch(printed[1])
    assert shown and actual and shown.groups() == actual.groups(), (
        "update the `--version` example in docs/releases.md"
    )


def test_version_without_a_database_still_gives_the_version(tmp_path):
    result = run_cli("--db", f"sqlite:///{tmp_path / 'none.db'}", "--version")
    first, second = result.stdout.splitlines()
    assert first == f"csto-db {__version__}"
    assert "no database at" in second and "csto-db init" in second


def test_version_hides_the_password_of_a_server_it_cannot_reach():
    url = f"postgresql://reader:{SECRET}@127.0.0.1:1/csto"
    result = run_cli("--db", url, "--version")
    assert result.stdout.startswith(f"csto-db {__version__}\n")
    assert "cannot reach" in result.stdout and SECRET not in result.output


def test_version_of_release_0_1_0_says_it_names_no_release():
    url = f"sqlite:///{ROOT / 'tests' / 'data' / 'csto-0.1.0.db'}"
    line = run_cli("--db", url, "--version").stdout.splitlines()[1]
    assert line.endswith("no build record, schema 0002")


@pytest.fixture
def fresh(empty_db_url) -> str:
    init_database(empty_db_url)
    return empty_db_url


def _sql(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def test_the_horizon_is_printed_where_the_database_records_it(built_db_url):
    """`--version` and `check` print each curated organization's horizon as the database
    records it (``csto_db.release.versions.record_horizons`` reads it)."""
    lines = run_cli("--db", built_db_url, "--version").stdout.splitlines()
    assert lines[2] == "horizon: CST 2026-01-31, CSTO 2026-01-31"
    checked = run_cli("check", db=built_db_url).stdout.splitlines()
    assert checked[1] == "horizon: CST 2026-01-31, CSTO 2026-01-31"
    report = run_cli_json(built_db_url, "check")
    assert report["database"]["horizon"] == {"CST": "2026-01-31", "CSTO": "2026-01-31"}


def test_a_changed_horizon_is_printed_as_stored(fresh):
    _sql(fresh, "UPDATE organizations SET horizon_edtf = '2026-03' WHERE code = 'CST'")
    lines = run_cli("--db", fresh, "--version").stdout.splitlines()
    assert lines[2] == "horizon: CST 2026-03, CSTO 2026-01-31"


def test_check_names_the_package_and_the_record(built_db_url):
    first = run_cli("check", db=built_db_url).stdout.splitlines()[0]
    assert first.startswith(f"csto-db {__version__}; database: record {__version__}, schema ")
    report = run_cli_json(built_db_url, "check")
    assert report["ok"] is True and report["package_version"] == __version__
    assert report["database"]["record_version"] == __version__


# --- The gate: a newer release's database is refused ---------------------------------------


@pytest.mark.parametrize(
    "stored,words",
    [
        ("9.0.0", ["newer csto-db", "record 9.0.0", "upgrade the package"]),
        ("0.2.1", ["newer csto-db", "record 0.2.1"]),
        ("not a version; DROP TABLE facts", ["not a csto-db version", "--db"]),
    ],
)
def test_a_database_a_newer_release_built_is_refused(fresh, stored, words):
    _sql(fresh, f"UPDATE build_record SET record_version = '{stored.replace(chr(39), '')}'")
    engine = make_engine(fresh, check_revision=True)
    try:
        with pytest.raises(SchemaRevisionError) as refused:
            engine.connect()
    finally:
        engine.dispose()
    for word in words:
        assert word in str(refused.value)
    for args in (["members", "--org", "CSTO", "--on", "2005-01-01"], ["init"], ["check"]):
        result = run_cli(*args, db=fresh, expect=2)
        line = result.stderr
        assert line.count("\n") == 1 and line.startswith("csto-db: error: "), line
        assert words[0] in line
    # What the database is can still be asked.
    assert "record " in run_cli("--db", fresh, "--version").stdout


def test_an_older_release_reads_and_check_says_to_rebuild(fresh):
    _sql(fresh, "UPDATE build_record SET record_version = '0.1.0'")
    assert run_cli("members", "--org", "CSTO", "--on", "2005-01-01", db=fresh).stdout
    result = run_cli("check", db=fresh, expect=1)
    assert "built by csto-db 0.1.0" in result.stdout and "run `csto-db init`" in result.stdout
    run_cli("init", db=fresh)
    assert read_database_release(fresh).record_version == __version__
    run_cli("check", db=fresh)


def test_a_build_before_record_versions_is_named_by_check(fresh):
    _sql(fresh, "UPDATE build_record SET record_version = NULL")
    result = run_cli("check", db=fresh, expect=1)
    assert "older than 0.2.0" in result.stdout


# --- The release's data files -----------------------------------------------------------------


@pytest.fixture(scope="module")
def release_dir(server, tmp_path_factory) -> Path:
    if server is not None:
        pytest.skip("the release is built from the seeds into SQLite: tested in the SQLite run")
    out = tmp_path_factory.mktemp("release") / "out"
    run_cli("release-files", "--out", str(out))
    return out


def test_the_release_files_are_summed(release_dir):
    stem = f"csto-db-{__version__}"
    lines = (release_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    sums = dict(reversed(line.split("  ", 1)) for line in lines)
    files = {
        path.relative_to(release_dir).as_posix()
        for path in release_dir.rglob("*")
        if path.is_file() and path.name != "SHA256SUMS"
    }
    assert set(sums) == files
    assert {f"{stem}.sqlite", f"{stem}-datapackage.zip"} <= files
    assert f"{stem}-datapackage/datapackage.json" in files
    assert f"{stem}-datapackage/membership_spans.csv" in files
    for name, digest in sums.items():
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest, name


def test_the_release_database_and_package_name_the_release(release_dir):
    stem = f"csto-db-{__version__}"
    with closing(sqlite3.connect(release_dir / f"{stem}.sqlite")) as connection:
        assert connection.execute("SELECT record_version FROM build_record").fetchall() == [
            (__version__,)
        ]
    run_cli("check", db=f"sqlite:///{release_dir / f'{stem}.sqlite'}")
    package = json.loads(
        (release_dir / f"{stem}-datapackage" / "datapackage.json").read_text(encoding="utf-8")
    )
    assert package["version"] == __version__
    with zipfile.ZipFile(release_dir / f"{stem}-datapackage.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and f"{stem}-datapackage/datapackage.json" in names
        inside = archive.read(f"{stem}-datapackage/datapackage.json")
    assert inside == (release_dir / f"{stem}-datapackage" / "datapackage.json").read_bytes()


@pytest.mark.slow
def test_the_package_zip_is_the_same_bytes_each_time(release_dir, tmp_path):
    again = tmp_path / "again"
    run_cli("release-files", "--out", str(again))
    name = f"csto-db-{__version__}-datapackage.zip"
    assert (again / name).read_bytes() == (release_dir / name).read_bytes()


def test_a_release_is_written_only_into_a_new_or_empty_folder(release_dir, tmp_path):
    result = run_cli("release-files", "--out", str(release_dir), expect=2)
    assert "not an empty folder" in result.stderr
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert "file" in run_cli("release-files", "--out", str(a_file), expect=2).stderr
    missing = tmp_path / "no" / "such" / "folder"
    assert "does not exist" in run_cli("release-files", "--out", str(missing), expect=2).stderr
    assert not list(tmp_path.glob(".*release-*")), "a staging folder was left behind"
