"""Exports: every format is written, valid, complete, and byte for byte the same on every
engine as on SQLite."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, timedelta

import pytest
from conftest import require_module, run_cli
from sqlalchemy import func, select

from csto_db.answers.membership import members_on
from csto_db.build.canonical_dump import canonical_dump
from csto_db.build.init import init_database
from csto_db.models import (
    MEMBER_STATUSES,
    MEMBERSHIP_STATUSES,
    Citation,
    FactCitation,
    MembershipSpan,
    State,
)
from csto_db.outputs.export import FORMATS, export
from csto_db.outputs.popolo import exact_iso, iso_bounds, popolo_end, popolo_start, reduced_iso
from csto_db.store.dates import OPEN_UPPER
from csto_db.store.db import make_engine


def _export_all(url: str, directory) -> dict[str, dict[str, bytes]]:
    engine = make_engine(url)
    files = {}
    try:
        with engine.connect() as connection:
            for export_format in FORMATS:
                out = directory / export_format
                sizes = export(connection, export_format, out)
                files[export_format] = {name: (out / name).read_bytes() for name in sizes}
                assert all(size == len(files[export_format][n]) for n, size in sizes.items())
    finally:
        engine.dispose()
    return files


@pytest.fixture(scope="module")
def exported(built_db_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("export")
    return directory, _export_all(built_db_url, directory)


@pytest.fixture(scope="module")
def tables(built_db_url):
    engine = make_engine(built_db_url)
    try:
        with engine.connect() as connection:
            return canonical_dump(connection)
    finally:
        engine.dispose()


def test_same_bytes_as_a_sqlite_build(built_db_url, exported, tmp_path_factory):
    """The engine under test exports exactly the bytes a SQLite build of the seeds exports
    (on SQLite itself: a second build exports the same bytes as the first)."""
    directory = tmp_path_factory.mktemp("reference")
    reference_url = f"sqlite:///{directory / 'reference.db'}"
    init_database(reference_url)
    reference = _export_all(reference_url, directory)
    _, files = exported
    for export_format in FORMATS:
        assert sorted(files[export_format]) == sorted(reference[export_format])
        for name, data in reference[export_format].items():
            assert files[export_format][name] == data, f"{export_format}/{name} differs"


def test_csv_has_one_file_per_table_with_every_row(exported, tables):
    pandas = require_module("pandas", "test")
    directory, files = exported
    assert sorted(files["csv"]) == sorted(f"{name}.csv" for name in tables)
    assert "alembic_version.csv" not in files["csv"]
    for name, rows in tables.items():
        frame = pandas.read_csv(directory / "csv" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(frame) == len(rows), name
        if rows:
            assert list(frame.columns) == list(rows[0]), name


def test_csv_writes_nulls_empty_dates_iso_and_booleans_as_words(exported):
    directory, _ = exported
    with open(directory / "csv" / "membership_spans.csv", encoding="utf-8", newline="") as f:
        spans = {row["key"]: row for row in csv.DictReader(f)}
    arm = spans["csto-arm-member"]
    assert (arm["start_edtf"], arm["start_lower"], arm["end_lower"]) == (
        "2003-09-18",
        "2003-09-18",
        "2024-02-22",
    )
    open_span = spans["csto-blr-member"]
    assert open_span["end_edtf"] == open_span["end_lower"] == ""
    assert {row["inferred"] for row in spans.values()} <= {"true", "false"}


def test_datapackage_validates_with_frictionless(exported):
    frictionless = require_module("frictionless", "test")
    directory, _ = exported
    report = frictionless.validate(str(directory / "datapackage" / "datapackage.json"))
    errors = [
        (task.name, error.type, error.message) for task in report.tasks for error in task.errors
    ]
    assert report.valid and errors == [], errors[:5]
    assert report.stats["tasks"] == len(
        json.loads((directory / "datapackage" / "datapackage.json").read_text())["resources"]
    )


def test_frictionless_catches_a_broken_foreign_key(exported, tmp_path):
    """The validation above can fail: a span pointing at a state that does not exist."""
    frictionless = require_module("frictionless", "test")
    directory, _ = exported
    broken = tmp_path / "broken"
    shutil.copytree(directory / "datapackage", broken)
    spans = broken / "membership_spans.csv"
    spans.write_text(
        spans.read_text(encoding="utf-8").replace(",ARM,", ",XXX,", 1), encoding="utf-8"
    )
    report = frictionless.validate(str(broken / "datapackage.json"))
    assert not report.valid
    assert {error.type for task in report.tasks for error in task.errors} == {"foreign-key"}


def test_datapackage_describes_columns_from_the_models(exported):
    directory, _ = exported
    package = json.loads((directory / "datapackage" / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "MIT"
    assert len(package["sources"]) > 10
    resource = next(r for r in package["resources"] if r["name"] == "membership_spans")
    assert resource["description"].startswith("A state's status in an organization")
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert fields["start_lower"]["type"] == "date"
    assert fields["start_lower"]["description"] == "Earliest day the start date can be"
    assert fields["status"]["constraints"]["enum"] == list(MEMBERSHIP_STATUSES)
    assert {"party", "member", "frozen", "suspended"} <= set(MEMBERSHIP_STATUSES)
    assert resource["schema"]["primaryKey"] == ["key"]
    assert {
        "fields": ["state_iso3"],
        "reference": {"resource": "states", "fields": ["iso3"]},
    } in resource["schema"]["foreignKeys"]


def test_json_nests_spans_with_their_citations_and_readings(exported, connection):
    _, files = exported
    record = json.loads(files["json"]["csto-db.json"])
    spans = [span for state in record["states"] for span in state["membership_spans"]]
    assert len(spans) == connection.scalar(select(func.count()).select_from(MembershipSpan))
    assert len(record["states"]) == connection.scalar(select(func.count()).select_from(State))
    for span in spans:
        expected = connection.scalar(
            select(func.count())
            .select_from(FactCitation)
            .where(FactCitation.fact_key == span["key"])
        )
        assert len(span["citations"]) == expected > 0, span["key"]
        quotes = set(
            connection.scalars(
                select(Citation.quote)
                .join(FactCitation, FactCitation.citation_key == Citation.key)
                .where(FactCitation.fact_key == span["key"])
            )
        )
        assert {c["quote"] for c in span["citations"]} == quotes
    uzbekistan = next(state for state in record["states"] if state["iso3"] == "UZB")
    exit_1999 = next(s for s in uzbekistan["membership_spans"] if s["key"] == "cst-uzb-party")
    assert {r["field"] for r in exit_1999["readings"]} == {"end"}
    assert any(r["preferred"] for r in exit_1999["readings"])
    assert record["disputes"] and all(d["readings"] for d in record["disputes"])
    documents = {doc["key"]: doc for doc in record["documents"]}
    assert len(documents["cst"]["parties"]) >= 9


POPOLO_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}){0,2}$")


def test_popolo_memberships(exported, tables):
    _, files = exported
    popolo = json.loads(files["popolo"]["popolo.json"])
    ids = {organization["id"] for organization in popolo["organizations"]}
    assert {row["iso3"] for row in tables["states"]} <= ids
    assert {row["code"] for row in tables["organizations"]} <= ids
    memberships = {m["id"]: m for m in popolo["memberships"] if "member" in m}
    others = {m["id"]: m for m in popolo["other_statuses"]}
    # Spans in which a state counts as a member are memberships; the others are kept apart.
    assert {row["key"] for row in tables["membership_spans"]} == set(memberships) | set(others)
    assert {m["role"] for m in memberships.values()} <= set(MEMBER_STATUSES)
    assert others and {m["role"] for m in others.values()} <= set(MEMBERSHIP_STATUSES) - set(
        MEMBER_STATUSES
    )
    quotes = {row["quote"] for row in tables["citations"]}
    for membership in [*memberships.values(), *others.values()]:
        assert membership["member"]["id"] in ids and membership["organization_id"] in ids
        for key in ("start_date", "end_date"):
            assert key not in membership or POPOLO_DATE.match(membership[key])
        assert membership["sources"]
        for source in membership["sources"]:
            quote = source["note"].split(": “", 1)[1][:-1]
            assert quote in quotes
    armenia = memberships["csto-arm-member"]
    # the database's end is the first day out; Popolo's end_date is the last day in
    assert (armenia["start_date"], armenia["end_date"], armenia["role"]) == (
        "2003-09-18",
        "2024-02-21",
        "member",
    )
    assert "end_date" not in memberships["csto-blr-member"]


def _popolo_members_on(popolo: dict, org: str, day: date) -> set[str]:
    """What a Popolo consumer counts from the file alone: the members of the memberships of
    ``org`` that hold ``day``, start_date <= day <= end_date (a date of reduced precision
    read as the days it covers), whatever their role."""
    found = set()
    for membership in popolo["memberships"]:
        if membership["organization_id"] != org or "member" not in membership:
            continue
        start = membership.get("start_date")
        end = membership.get("end_date")
        if (start is None or iso_bounds(start)[0] <= day) and (
            end is None or day <= iso_bounds(end)[1]
        ):
            found.add(membership["member"]["id"])
    return found


def _turning_days(popolo: dict, org: str) -> list[date]:
    """The days on which a count of ``org``'s members can change, read from the file: the
    organization's founding, each membership's first day and the day after its last, and
    the day before each of them."""
    days = set()
    founded = next(o for o in popolo["organizations"] if o["id"] == org).get("founding_date")
    if founded:
        days.add(iso_bounds(founded)[0])
    for membership in popolo["memberships"]:
        if membership["organization_id"] != org or "member" not in membership:
            continue
        if "start_date" in membership:
            days.add(iso_bounds(membership["start_date"])[0])
        if "end_date" in membership:
            days.add(iso_bounds(membership["end_date"])[1] + timedelta(days=1))
    return sorted(days | {day - timedelta(days=1) for day in days})


def test_counting_popolo_memberships_gives_the_members_the_library_lists(exported, connection):
    """A consumer who counts the memberships holding a day, without reading their role, gets
    exactly the states members_on lists, on every day the count can change: suspended
    states are not among the memberships."""
    _, files = exported
    popolo = json.loads(files["popolo"]["popolo.json"])
    asked = [
        (org, day)
        for org in ("CST", "CSTO")
        for day in [*_turning_days(popolo, org), date(2040, 1, 1)]
    ]
    assert len(asked) >= 14, asked
    for org, day in asked:
        listed = {member.state for member in members_on(connection, org, day)}
        assert _popolo_members_on(popolo, org, day) == listed, (org, day)


def test_popolo_counts_can_go_wrong(exported):
    """The count above can fail: a suspended span put back among the memberships is counted."""
    _, files = exported
    popolo = json.loads(files["popolo"]["popolo.json"])
    suspended = next(m for m in popolo["other_statuses"] if m["role"] == "suspended")
    day = iso_bounds(suspended["start_date"])[0] + timedelta(days=1)
    before = _popolo_members_on(popolo, suspended["organization_id"], day)
    popolo["memberships"].append(suspended)
    after = _popolo_members_on(popolo, suspended["organization_id"], day)
    assert after - before == {suspended["member"]["id"]}


def test_popolo_officers_are_persons_holding_posts(exported, tables):
    _, files = exported
    popolo = json.loads(files["popolo"]["popolo.json"])
    persons = {person["id"]: person for person in popolo["persons"]}
    posts = {post["id"]: post for post in popolo["posts"]}
    terms = {m["id"]: m for m in popolo["memberships"] if "person_id" in m}
    assert set(terms) == {row["key"] for row in tables["office_terms"]}
    for term in terms.values():
        assert term["person_id"] in persons and term["post_id"] in posts
        assert term["organization_id"] == posts[term["post_id"]]["organization_id"]
        assert term["sources"] and POPOLO_DATE.match(term["start_date"])
    bordyuzha = terms["sg-bordyuzha"]
    assert persons[bordyuzha["person_id"]] == {
        "id": "person:nikolai-bordyuzha",
        "name": "Nikolai Bordyuzha",
        "national_identity": "Russia",
    }
    assert (bordyuzha["start_date"], bordyuzha["end_date"]) == ("2003-04-28", "2016-12-31")
    assert posts[bordyuzha["post_id"]]["label"] == "Secretary General, CSTO"
    acting = next(term for term in terms.values() if term["role"].startswith("Acting"))
    assert acting["post_id"] == "CSTO:secretary_general"


def test_popolo_organizations_have_founding_dates_and_say_where_the_record_ends(exported):
    _, files = exported
    popolo = json.loads(files["popolo"]["popolo.json"])
    organizations = {o["id"]: o for o in popolo["organizations"]}
    assert organizations["CST"]["founding_date"] == "1992-05-15"
    assert organizations["CSTO"]["founding_date"] == "2003-09-18"
    for code in ("CST", "CSTO"):
        assert "ends on 2026-01-31" in organizations[code]["description"]
    assert any("start_date <= day <= end_date" in note for note in popolo["notes"])


def test_the_exports_say_where_the_record_ends(exported):
    _, files = exported
    package = json.loads(files["datapackage"]["datapackage.json"])
    assert "The record of CST and CSTO ends on 2026-01-31" in package["description"]
    record = json.loads(files["json"]["csto-db.json"])
    assert "ends on 2026-01-31" in record["record_ends"]
    assert {h["organization"]: h["horizon"] for h in record["horizons"]} == {
        "CST": "2026-01-31",
        "CSTO": "2026-01-31",
    }


def test_popolo_dates_are_the_outer_days_unless_a_calendar_period_is_exact():
    assert popolo_start(date(1999, 4, 1), date(1999, 4, 30)) == "1999-04"
    assert popolo_start(date(1992, 5, 15), date(1999, 4, 30)) == "1992-05-15"
    # an end of 1990 (the first day out in 1990): the last day in is 1989-12-31..1990-12-30
    assert popolo_end(date(1990, 1, 1), date(1990, 12, 31)) == "1990-12-30"
    assert popolo_end(date(1999, 4, 21), date(1999, 4, 21)) == "1999-04-20"
    assert popolo_end(date(1999, 5, 2), date(1999, 6, 1)) == "1999-05"
    assert popolo_end(date(1999, 5, 1), date(2000, 1, 1)) == "1999-12-31"
    assert popolo_end(date(2014, 1, 1), OPEN_UPPER) is None
    assert exact_iso(date(2011, 1, 1), date(2011, 12, 31)) == "2011"
    assert exact_iso(date(2011, 1, 2), date(2011, 12, 31)) is None


def test_reduced_iso_keeps_only_what_both_bounds_share():
    assert reduced_iso(date(1999, 4, 2), date(1999, 4, 2)) == "1999-04-02"
    assert reduced_iso(date(1999, 4, 1), date(1999, 4, 30)) == "1999-04"
    assert reduced_iso(date(2011, 1, 1), date(2011, 12, 31)) == "2011"
    assert reduced_iso(date(1992, 5, 15), date(1999, 4, 30)) is None


def test_export_command_prints_sizes(built_db_url, tmp_path):
    result = run_cli("export", "--format", "popolo", "--out", str(tmp_path / "p"), db=built_db_url)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["bytes", "file"]
    size, path = lines[2].split()
    assert (
        path.endswith("popolo.json")
        and int(size) == (tmp_path / "p" / "popolo.json").stat().st_size
    )
    listed = json.loads(
        run_cli(
            "export", "--format", "csv", "--out", str(tmp_path / "c"), "--json", db=built_db_url
        ).stdout
    )
    assert len(listed) == len(list((tmp_path / "c").glob("*.csv"))) > 20


def test_export_into_a_file_is_one_line_error(built_db_url, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = run_cli("export", "--format", "csv", "--out", str(target), db=built_db_url, expect=2)
    assert "a-file" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_format_writes_nothing(connection, tmp_path):
    from csto_db.outputs.export import ExportError

    with pytest.raises(ExportError, match="unknown export format 'xml'"):
        export(connection, "xml", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_files_already_in_the_folder_are_kept_unless_forced(built_db_url, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "states.csv").write_text("mine\n")
    (out / "notes.txt").write_text("mine\n")
    arguments = ["export", "--format", "csv", "--out", str(out)]
    result = run_cli(*arguments, db=built_db_url, expect=2)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("csto-db: error: ")
    assert "states.csv" in result.stderr and "--force" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "states.csv"]
    assert (out / "states.csv").read_text() == "mine\n"
    run_cli(*arguments, "--force", db=built_db_url)
    assert (out / "states.csv").read_text().startswith("iso3,")
    assert (out / "notes.txt").read_text() == "mine\n"  # not the export's: left alone
    assert len(list(out.glob("*.csv"))) > 20
