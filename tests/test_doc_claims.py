"""What the documentation says a command answers, it answers: every shell example of the
README and docs/ (a line of a ```sh block, or a command in a `code span`) is either run
here and its stated result checked (a count, the states listed, a field's value), or listed
with why it states no result to check. A new example must be placed in one or the other."""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, run_cli_json

from csto_db.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: The shared datasets: ``CSTO_SHARED_DATA``, else ``shared/data`` beside the checkout (CI).
SHARED = Path(
    os.environ.get("CSTO_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
COW_FILE = SHARED / "cow-igo-v3" / "igo_year_formatv3.csv"

GENERATED = re.compile(r"<!-- BEGIN GENERATED.*?<!-- END GENERATED[^>]*-->", re.DOTALL)
FENCE = re.compile(r"^[ \t]*```([a-z]*)\n(.*?)^[ \t]*```[ \t]*$", re.DOTALL | re.MULTILINE)
SHELL = ("sh", "shell", "bash", "console")
CODE_SPAN = re.compile(r"`([^`]+)`")


def shell_examples() -> dict[tuple[str, str], str]:
    """Every shell example of the pages, ``(page, example)`` -> the text around it: the
    line of a shell block with its comment, or the paragraph a code span is in. A code span
    is an example when it runs the command line: ``csto-db ...``, or a command's name and
    more (``members --org NATO --on 1990-06-01``). Generated sections (the commands'
    help, the data dictionary) come from the code and are left out."""
    commands = set(main.all_commands())
    found: dict[tuple[str, str], str] = {}
    for page in PAGES:
        text = GENERATED.sub("", page.read_text(encoding="utf-8"))
        for language, block in FENCE.findall(text):
            if language in SHELL:
                for line in block.splitlines():
                    command = line.split("  #")[0].strip()
                    if command:
                        found[(page.name, command)] = line.strip()
        prose = FENCE.sub("", text)
        for paragraph in re.split(r"\n\s*\n", prose):
            joined = " ".join(paragraph.split())
            for span in CODE_SPAN.findall(joined):
                words = span.split()
                if len(words) >= 2 and (words[0] == "csto-db" or words[0] in commands):
                    key = (page.name, span)
                    found[key] = (found.get(key, "") + " " + joined).strip()
    return found


def json_blocks(page: str) -> list[Any]:
    text = (ROOT / page).read_text(encoding="utf-8")
    return [json.loads(block) for language, block in FENCE.findall(text) if language == "json"]


def matches(example: Any, actual: Any, where: str = "") -> None:
    """Assert that ``actual`` is what the documentation's ``example`` shows: ``"..."``
    stands for anything; an object with a ``"..."`` key may have more keys, one without
    has exactly these; a list ending with ``"..."`` may have more items."""
    if example == "...":
        return
    if isinstance(example, dict):
        assert isinstance(actual, dict), where
        shown = {key: value for key, value in example.items() if key != "..."}
        if "..." not in example:
            assert set(actual) == set(shown), (where, sorted(set(actual) ^ set(shown)))
        for key, value in shown.items():
            assert key in actual, (where, key)
            matches(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), where
        items = example[:-1] if example and example[-1] == "..." else example
        if len(items) == len(example):
            assert len(actual) == len(items), (where, len(actual), len(items))
        assert len(actual) >= len(items), where
        for index, item in enumerate(items):
            matches(item, actual[index], f"{where}[{index}]")
    else:
        assert actual == example, (where, actual, example)


def text_of(url: str, *args: str) -> str:
    """A command's text output with its lines joined, as the reader reads the wrapped lines."""
    return " ".join(run_cli(*args, db=url).stdout.split())


# --- The claims ------------------------------------------------------------------------------

SIX = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]


def members_csto_2005(url: str, _cow: str) -> None:
    """README: lists six states, each certain; Uzbekistan named under the table as
    contested (uzb-csto-membership-cow) and listed, marked, with --contested."""
    rows = run_cli_json(url, "members", "--org", "CSTO", "--on", "2005-01-01")
    assert [row["state"] for row in rows] == SIX
    assert {row["certainty"] for row in rows} == {"certain"}
    text = text_of(url, "members", "--org", "CSTO", "--on", "2005-01-01")
    assert "contested, not listed: UZB Uzbekistan" in text and "uzb-csto-membership-cow" in text
    marked = run_cli_json(url, "members", "--org", "CSTO", "--on", "2005-01-01", "--contested")
    assert [row["state"] for row in marked if row["contested"]] == ["UZB"]


def members_csto_2002(url: str, _cow: str) -> None:
    """README: lists nobody; membership begins on 2003-09-18; --org CST answers before it."""
    assert run_cli_json(url, "members", "--org", "CSTO", "--on", "2002-01-01") == []
    text = text_of(url, "members", "--org", "CSTO", "--on", "2002-01-01")
    assert "membership begins on 2003-09-18" in text and "--org CST answers" in text


def members_cst_1993(url: str, _cow: str) -> None:
    """README: seven parties, the six of 1992 and Azerbaijan (1993-09-24); Georgia contested
    (1993-12-09 preferred, 1993-09-09 by another reading, cst-geo-accession-day);
    --contested lists it with since 1993-12-09 and that reading beside it."""
    rows = run_cli_json(url, "members", "--org", "CST", "--on", "1993-10-01")
    assert len(rows) == 7
    since = {row["state"]: row["since"] for row in rows}
    assert since.pop("AZE") == "1993-09-24"
    assert since == dict.fromkeys(["ARM", "KAZ", "KGZ", "RUS", "TJK", "UZB"], "1992-05-15")
    assert {row["status"] for row in rows} == {"party"}
    marked = run_cli_json(url, "members", "--org", "CST", "--on", "1993-10-01", "--contested")
    (georgia,) = [row for row in marked if row["contested"]]
    assert georgia["state"] == "GEO" and georgia["since"] == "1993-12-09"
    assert {(r["value"], r["dispute"]) for r in georgia["readings"] if not r["preferred"]} == {
        ("1993-09-09", "cst-geo-accession-day")
    }


def members_csto_2040(url: str, _cow: str) -> None:
    """README: six states, each possible, and the answer says where the record ends."""
    rows = run_cli_json(url, "members", "--org", "CSTO", "--on", "2040-01-01")
    assert [row["state"] for row in rows] == SIX
    assert {row["certainty"] for row in rows} == {"possible"}
    assert "the record of CSTO ends on 2026-01-31" in text_of(
        url, "members", "--org", "CSTO", "--on", "2040-01-01"
    )


def member_json(url: str, _cow: str) -> None:
    """README: the member shown in the JSON of `members --org CSTO --on 2025-01-01 --json`."""
    example = json_blocks("README.md")[0]
    rows = run_cli_json(url, "members", "--org", "CSTO", "--on", "2025-01-01")
    (row,) = [row for row in rows if row["state"] == example["state"]]
    matches(example, row, "member")


def chair_json_2011(url: str, _cow: str) -> None:
    """README: one state, KAZ, disputed; --contested adds Belarus's term, contested."""
    matches(json_blocks("README.md")[1], run_cli_json(url, "chair", "--on", "2011-12-20"))
    with_contested = run_cli_json(url, "chair", "--on", "2011-12-20", "--contested")
    assert with_contested["state"] == "KAZ"
    assert [(c["state"], c["contested"]) for c in with_contested["candidates"]] == [
        ("BLR", True),
        ("KAZ", False),
    ]


def chair_json_2020(url: str, _cow: str) -> None:
    """README: an edge the sources leave open: no state, the two terms as candidates."""
    matches(json_blocks("README.md")[2], run_cli_json(url, "chair", "--on", "2020-12-15"))


def chair_json_object(url: str, _cow: str) -> None:
    """README, library page: `chair --json` prints one object."""
    assert isinstance(run_cli_json(url, "chair", "--on", "2011-12-20"), dict)


def chair_text_2011(url: str, _cow: str) -> None:
    """README: who held the rotating chair that day."""
    assert "On 2011-12-20 KAZ held the chair of CSTO" in text_of(url, "chair", "--on", "2011-12-20")


def timeline_arm(url: str, _cow: str) -> None:
    """README: one state's spans, chairs and events."""
    entries = run_cli_json(url, "timeline", "ARM")
    assert {entry["entry"] for entry in entries} == {"span", "chair", "event"}


def documents_protocol(url: str, _cow: str) -> None:
    """README: the documents of one kind."""
    rows = run_cli_json(url, "documents", "--kind", "protocol")
    assert rows and {row["kind"] for row in rows} == {"protocol"}


def sessions_2022(url: str, _cow: str) -> None:
    """README: the Council's sessions of 2022."""
    rows = run_cli_json(url, "sessions", "--year", "2022")
    assert rows and all(row["date"].lstrip("[").startswith("2022") for row in rows)


def officials_2017(url: str, _cow: str) -> None:
    """README: the Secretary General that day."""
    rows = run_cli_json(url, "officials", "--on", "2017-05-02")
    assert [row["office"] for row in rows] == ["secretary_general"]


def operations_listed(url: str, _cow: str) -> None:
    """README: deployments and missions, with their contributors."""
    rows = run_cli_json(url, "operations")
    assert {row["kind"] for row in rows} == {"deployment", "mission"}
    assert all(row["contributors"] for row in rows if row["kind"] == "deployment")


def disputes_listed(url: str, _cow: str) -> None:
    """README: where sources disagree, and why the record prefers one reading."""
    rows = run_cli_json(url, "disputes")
    assert rows
    for row in rows:
        assert sum(reading["preferred"] for reading in row["readings"]) == 1, row["key"]
        assert row["reason"]


def evidence_geo(url: str, _cow: str) -> None:
    """README: the quotes behind a fact."""
    found = run_cli_json(url, "evidence", "cst-geo-party")
    assert found["fact"] == "cst-geo-party" and found["citations"]


def source_view(url: str, _cow: str) -> None:
    """README: one source's view: every row rests on that source."""
    rows = run_cli_json(
        url, "members", "--org", "CSTO", "--on", "2010-01-01", "--source", "csto-overview"
    )
    assert rows
    assert all({c["source"] for c in row["citations"]} == {"csto-overview"} for row in rows)


def sql_spans(url: str, _cow: str) -> None:
    """README: the four columns asked for, one row per span."""
    rows = run_cli_json(
        url, "sql", "SELECT state_iso3, status, start_edtf, end_edtf FROM membership_spans"
    )
    spans = run_cli_json(url, "sql", "SELECT COUNT(*) AS n FROM membership_spans")[0]["n"]
    assert len(rows) == spans and list(rows[0]) == [
        "state_iso3",
        "status",
        "start_edtf",
        "end_edtf",
    ]


def check_ok(url: str, _cow: str) -> None:
    """README: check verifies a database (a sound one: no problems, exit 0)."""
    assert run_cli("check", db=url).stdout.splitlines()[-1] == "ok: no problems found"


def version_lines(url: str, _cow: str) -> None:
    """README and releases.md: the package's version, the database's record version, schema
    and seeds, and the record's horizon."""
    from csto_db import __version__

    lines = run_cli("--db", url, "--version").stdout.splitlines()
    assert lines[0] == f"csto-db {__version__}"
    assert re.fullmatch(
        rf"database \S+: record {re.escape(__version__)}, schema \d{{4}}, seeds [0-9a-f]{{12}}",
        lines[1],
    )
    assert lines[2] == "horizon: CST 2026-01-31, CSTO 2026-01-31"


def check_prints_the_version_first(url: str, _cow: str) -> None:
    """releases.md: check prints the --version database line first, and in --json the
    package_version and database fields."""
    first = run_cli("check", db=url).stdout.splitlines()[0]
    assert (
        first.startswith("csto-db ")
        and run_cli("--db", url, "--version").stdout.splitlines()[1].split(": ", 1)[1] in first
    )
    report = run_cli_json(url, "check")
    assert set(report["database"]) >= {"schema", "record_version", "seeds_sha256", "horizon"}


def _changelog_counts() -> dict[str, Any]:
    from csto_db import __version__
    from csto_db.release.record_changelog import DOCUMENT, counts_in

    return counts_in((ROOT / DOCUMENT).read_text(encoding="utf-8"), __version__)


def diff_since_release_counts(url: str, _cow: str) -> None:
    """README: what changed since release 0.1.0: the counts of the record's changelog."""
    release = str(ROOT / "tests" / "data" / "csto-0.1.0.db")
    assert run_cli_json(url, "diff", release, url)["counts"] == _changelog_counts()
    text = run_cli("diff", release, url, "--counts", db=url).stdout
    assert "0.1.0" in text or "csto-0.1.0.db" in text


def diff_json_example(url: str, _cow: str) -> None:
    """releases.md: the JSON of `diff` has the form the page shows."""
    (shown,) = json_blocks("docs/releases.md")
    shown["new"]["label"] = "..."  # the page names the default database; this one is a test's
    here = Path.cwd()
    os.chdir(ROOT)  # the page's path is the checkout's
    try:
        matches(shown, run_cli_json(url, "diff", "tests/data/csto-0.1.0.db", url))
    finally:
        os.chdir(here)


def release_files_summed(_url: str, _cow: str, tmp_path: Path | None = None) -> None:
    """releases.md and exports.md: the SQLite file, the Data Package as a folder and a zip,
    and SHA256SUMS that `sha256sum -c` accepts."""
    import hashlib

    from csto_db import __version__

    assert tmp_path is not None
    out = tmp_path / "release"
    run_cli("release-files", "--out", str(out))
    listed = {}
    for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    prefix = f"csto-db-{__version__}"
    assert {f"{prefix}.sqlite", f"{prefix}-datapackage.zip"} <= set(listed)
    assert any(name.startswith(f"{prefix}-datapackage/") for name in listed)
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


def export_datapackage(url: str, _cow: str, tmp_path: Path | None = None) -> None:
    """README: CSV files and datapackage.json."""
    assert tmp_path is not None
    out = tmp_path / "export"
    run_cli("export", "--format", "datapackage", "--out", str(out), db=url)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(path.name for path in out.glob("*.csv")) == sorted(
        resource["path"] for resource in package["resources"]
    )


def init_json(_url: str, _cow: str, tmp_path: Path | None = None) -> None:
    """building.md: one object: revision_before, revision_after, per table inserted,
    updated and deleted, would_prune."""
    assert tmp_path is not None
    report = run_cli_json(f"sqlite:///{tmp_path / 'fresh.db'}", "init")
    assert report["revision_before"] is None and report["revision_after"]
    assert set(report["tables"]["membership_spans"]) == {"inserted", "updated", "deleted"}
    assert report["would_prune"] == []


def nato_1990(_url: str, cow: str) -> None:
    """README, cow.md: any imported organization, by COW's name."""
    rows = run_cli_json(cow, "members", "--org", "NATO", "--on", "1990-06-01")
    assert "USA" in {row["state"] for row in rows}


def timeline_usa(_url: str, cow: str) -> None:
    """cow.md: the imported spans are in a state's timeline."""
    keys = {entry["key"] for entry in run_cli_json(cow, "timeline", "USA")}
    assert "cow:NATO:USA:1949" in keys


def nato_2021(_url: str, cow: str) -> None:
    """cow.md: 28 states, each possible; COW ends in 2014; not Montenegro, North Macedonia."""
    rows = run_cli_json(cow, "members", "--org", "NATO", "--on", "2021-01-01")
    assert len(rows) == 28 and {row["certainty"] for row in rows} == {"possible"}
    assert not {"MNE", "MKD"} & {row["state"] for row in rows}
    text = text_of(cow, "members", "--org", "NATO", "--on", "2021-01-01")
    assert "ends on 2014-12-31" in text and "COW IGO v3" in text


def cis_2024(_url: str, cow: str) -> None:
    """cow.md: so does CIS on 2024-01-01, for nine states."""
    rows = run_cli_json(cow, "members", "--org", "CIS", "--on", "2024-01-01")
    assert len(rows) == 9 and {row["certainty"] for row in rows} == {"possible"}
    text = text_of(cow, "members", "--org", "CIS", "--on", "2024-01-01")
    assert "ends on 2014-12-31" in text and "COW IGO v3" in text


def oeec_1995(_url: str, cow: str) -> None:
    """cow.md: its membership ended in 1961."""
    assert "OEEC membership ended in 1961" in text_of(
        cow, "members", "--org", "OEEC", "--on", "1995-01-01"
    )


def icao_2014(_url: str, cow: str) -> None:
    """cow.md: no state certain; the 217 states with no data that year named."""
    rows = run_cli_json(cow, "members", "--org", "ICAO", "--on", "2014-07-01")
    assert rows and "certain" not in {row["certainty"] for row in rows}
    assert "for 2014 on 217 states of ICAO" in text_of(
        cow, "members", "--org", "ICAO", "--on", "2014-07-01"
    )


def crosscheck_cow(url: str, _cow: str) -> None:
    """cow.md: the disagreements, year by year (the agreements with --all)."""
    data = run_cli_json(url, "crosscheck", "cow", "--org", "CSTO")
    assert data["comparisons"]
    assert all(c["agreement"] != "agree" for c in data["comparisons"])
    assert ("UZB", 2012) in {(c["state"], c["year"]) for c in data["comparisons"]}
    everything = run_cli_json(url, "crosscheck", "cow", "--org", "CSTO", "--all")
    assert any(c["agreement"] == "agree" for c in everything["comparisons"])


def crosscheck_atop(url: str, _cow: str) -> None:
    """cow.md: day by day within each phase; the package holds alliance 4220's 16 rows."""
    from csto_db.datasets.crosscheck_atop import packaged_atop, read_atop

    raw, name = packaged_atop()
    assert len(read_atop(raw, name)) == 16
    assert run_cli_json(url, "crosscheck", "atop")["alliance"] == 4220


def import_the_file(_url: str, _cow: str) -> None:
    """cow.md: igo_year_formatv3.csv holds 534 organizations, 217 states, 1816–2014."""
    if not COW_FILE.exists():
        pytest.skip(f"the full COW file is not beside the checkout ({COW_FILE})")
    from csto_db.datasets.cow_file import read_cow_file

    data = read_cow_file(COW_FILE)
    years = {year for organization in data.organizations for year in organization.years}
    assert (len(data.organizations), len(data.states)) == (534, 217)
    assert (min(years), max(years)) == (1816, 2014)


def changes_csto(url: str, _cow: str) -> None:
    """README, igo-research.md: the Organization's changes: six entries on 2003-09-18,
    Uzbekistan's return (2006-08-16) and suspension (2012-12-19), Armenia's freeze
    (2024-02-22); the last three disputed."""
    rows = run_cli_json(
        url, "changes", "--org", "CSTO", "--from", "2003-01-01", "--to", "2026-01-31"
    )
    assert [(r["day"], r["state"], r["kind"]) for r in rows] == [
        *(("2003-09-18", state, "entry") for state in SIX),
        ("2006-08-16", "UZB", "return"),
        ("2012-12-19", "UZB", "suspension"),
        ("2024-02-22", "ARM", "freeze"),
    ]
    assert [r["certainty"] for r in rows] == ["certain"] * 6 + ["disputed"] * 3


def count_csto(url: str, _cow: str) -> None:
    """README, igo-research.md: members as of 1 July of every year from 2004 to 2025, each
    split by certainty."""
    rows = run_cli_json(url, "count", "--org", "CSTO")
    assert [r["year"] for r in rows] == list(range(2004, 2026))
    assert all(r["on"] == f"{r['year']}-07-01" for r in rows)
    assert all(r["members"] == r["certain"] + r["possible"] + r["disputed"] for r in rows)


def count_cst_by_day(url: str, _cow: str) -> None:
    """README, igo-research.md: the Treaty's parties from each day the count changes."""
    rows = run_cli_json(url, "count", "--org", "CST", "--by", "day")
    assert rows[0]["on"] == "1992-05-15" and rows[-1]["until"] is None
    assert all(a["until"] == b["on"] for a, b in itertools.pairwise(rows))
    assert all(
        (a["certain_states"], a["possible_states"], a["disputed_states"], a["contested_states"])
        != (b["certain_states"], b["possible_states"], b["disputed_states"], b["contested_states"])
        for a, b in itertools.pairwise(rows)
    )


def chart_count_csto(url: str, _cow: str, tmp_path: Path | None = None) -> None:
    """igo-research.md: the line of members, the band down to the certain count, the
    contested above it."""
    assert tmp_path is not None
    out = tmp_path / "count.svg"
    run_cli("chart", "count", "--org", "CSTO", "--out", str(out), db=url)
    svg = out.read_text(encoding="utf-8")
    assert all(
        f'id="{gid}' in svg for gid in ("count:members", "count:uncertain", "count:contested")
    )


def organizations_listed(url: str, _cow: str) -> None:
    """igo-research.md: every organization's code and name."""
    rows = run_cli_json(url, "sql", "SELECT o.code, o.name FROM organizations o")
    assert {"CST", "CSTO"} <= {row["code"] for row in rows}
    assert all(set(row) == {"code", "name"} for row in rows)


def shared_arm_kaz(_url: str, cow: str) -> None:
    """README, cow.md: the organizations Armenia and Kazakhstan share, the CST, the CSTO
    and the CIS among them; each as sure as the less sure of the two."""
    answer = run_cli_json(cow, "shared", "ARM", "KAZ", "--on", "2020-01-01")
    assert {"CST", "CSTO", "CIS"} <= {row["organization"] for row in answer["shared"]}
    order = ("certain", "possible", "disputed")
    for row in answer["shared"]:
        states = [order.index(m["certainty"]) for m in row["memberships"]]
        assert order.index(row["certainty"]) == max(states)


def shared_usa_can_2014(_url: str, cow: str) -> None:
    """cow.md: ICAO, all -9 in 2014, is listed apart as unknown, with both states."""
    answer = run_cli_json(cow, "shared", "USA", "CAN", "--year", "2014")
    unknown = {row["organization"]: row for row in answer["unknown"]}
    assert set(unknown["ICAO"]["missing"]) == {"USA", "CAN"}
    assert "ICAO" not in {row["organization"] for row in answer["shared"]}


def dyads_2000(_url: str, cow: str) -> None:
    """cow.md: the long form's columns, one row per dyad of the state system."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run_cli("dyads", "--year", "2000", db=cow).stdout)))
    assert list(rows[0]) == [
        "dyadid", "ccode1", "state1", "ccode2", "state2", "year", "joint", "missing"
    ]  # fmt: skip
    assert all(int(r["dyadid"]) == 1000 * int(r["ccode1"]) + int(r["ccode2"]) for r in rows)
    assert len(rows) == 18_145  # 191 states in COW's system in 2000


Check = Callable[..., None]

#: Each example that states a result, by page and example, and the check of that result.
CLAIMS: dict[tuple[str, str], Check] = {
    ("README.md", "csto-db members --org CST --on 1993-10-01"): members_cst_1993,
    ("README.md", "csto-db members --org CSTO --on 2025-01-01 --json"): member_json,
    ("README.md", "members --org CSTO --on 2025-01-01 --json"): member_json,
    ("README.md", "csto-db timeline ARM"): timeline_arm,
    ("README.md", "csto-db documents --kind protocol"): documents_protocol,
    ("README.md", "csto-db sessions --year 2022"): sessions_2022,
    ("README.md", "csto-db chair --on 2011-12-20"): chair_text_2011,
    ("README.md", "csto-db officials --on 2017-05-02"): officials_2017,
    ("README.md", "csto-db operations"): operations_listed,
    ("README.md", "csto-db disputes"): disputes_listed,
    ("README.md", "csto-db evidence cst-geo-party"): evidence_geo,
    ("README.md", "csto-db members --org CSTO --on 2010-01-01 --source csto-overview"): (
        source_view
    ),
    (
        "README.md",
        'csto-db sql "SELECT state_iso3, status, start_edtf, end_edtf FROM membership_spans"',
    ): sql_spans,
    ("README.md", "csto-db check"): check_ok,
    ("README.md", "csto-db --version"): version_lines,
    ("README.md", "csto-db diff tests/data/csto-0.1.0.db --counts"): diff_since_release_counts,
    ("README.md", "csto-db release-files --out release"): release_files_summed,
    ("releases.md", "csto-db --version"): version_lines,
    ("releases.md", "csto-db check"): check_prints_the_version_first,
    ("releases.md", "csto-db diff tests/data/csto-0.1.0.db"): diff_since_release_counts,
    ("releases.md", "csto-db diff tests/data/csto-0.1.0.db sqlite:///csto.db --json"): (
        diff_json_example
    ),
    ("releases.md", "csto-db release-files --out release"): release_files_summed,
    ("releases.md", "cd release && sha256sum -c SHA256SUMS"): release_files_summed,
    ("README.md", "csto-db export --format datapackage --out export"): export_datapackage,
    ("README.md", "csto-db members --org NATO --on 1990-06-01"): nato_1990,
    ("README.md", "csto-db crosscheck cow --org CSTO"): crosscheck_cow,
    ("README.md", "csto-db crosscheck atop"): crosscheck_atop,
    ("README.md", "chair --json"): chair_json_object,
    ("README.md", "chair --on 2011-12-20 --json"): chair_json_2011,
    ("README.md", "chair --on 2020-12-15 --json"): chair_json_2020,
    ("README.md", "csto-db members --org CSTO --on 2040-01-01"): members_csto_2040,
    ("README.md", "csto-db members --org CSTO --on 2005-01-01"): members_csto_2005,
    ("README.md", "csto-db members --org CSTO --on 2002-01-01"): members_csto_2002,
    ("building.md", "csto-db init --json"): init_json,
    ("cow.md", "csto-db import-cow PATH"): import_the_file,
    ("cow.md", "members --org NATO --on 1990-06-01"): nato_1990,
    ("cow.md", "timeline USA"): timeline_usa,
    ("cow.md", "members --org NATO --on 2021-01-01"): nato_2021,
    ("cow.md", "members --org CIS --on 2024-01-01"): cis_2024,
    ("cow.md", "members --org OEEC --on 1995-01-01"): oeec_1995,
    ("cow.md", "members --org ICAO --on 2014-07-01"): icao_2014,
    ("cow.md", "csto-db crosscheck cow --org CSTO"): crosscheck_cow,
    ("cow.md", "csto-db crosscheck atop"): crosscheck_atop,
    ("library.md", "csto-db chair --json"): chair_json_object,
    ("README.md", "csto-db changes --org CSTO --from 2003-01-01 --to 2026-01-31"): changes_csto,
    ("README.md", "csto-db count --org CSTO"): count_csto,
    ("README.md", "csto-db count --org CST --by day"): count_cst_by_day,
    ("igo-research.md", "csto-db changes --org CSTO --from 2003-01-01 --to 2026-01-31"): (
        changes_csto
    ),
    ("igo-research.md", "csto-db count --org CSTO"): count_csto,
    ("igo-research.md", "csto-db count --org CST --by day"): count_cst_by_day,
    ("igo-research.md", "csto-db chart count --org CSTO --out count.svg"): chart_count_csto,
    ("igo-research.md", 'csto-db sql "SELECT o.code, o.name FROM organizations o"'): (
        organizations_listed
    ),
    ("README.md", "csto-db shared ARM KAZ --on 2020-01-01"): shared_arm_kaz,
    ("cow.md", "csto-db shared ARM KAZ --on 2020-01-01"): shared_arm_kaz,
    ("cow.md", "shared USA CAN --year 2014"): shared_usa_can_2014,
    ("cow.md", "csto-db dyads --year 2000"): dyads_2000,
    ("cow.md", "crosscheck cow --org CSTO"): crosscheck_cow,
}

#: Each example that states no result of its own, and why (where its behaviour is tested).
NO_RESULT: dict[tuple[str, str], str] = {
    ("README.md", "pip install . && csto-db init && csto-db members --org CSTO --on 2005-01-01"): (
        "the first steps; .ci/run runs them from the wheel, and the result is the one "
        "'csto-db members --org CSTO --on 2005-01-01' states below"
    ),
    ("README.md", "pip install '.[test]' && python -m pytest -q"): "runs the tests",
    ("README.md", 'python -m pytest -q -m ""'): "runs the tests, the slow ones too",
    ("README.md", "csto-db initiatives"): "a listing; its JSON is compared across engines",
    ("README.md", "csto-db serve --port 8001"): "starts a server: tests/test_web.py",
    ("README.md", "csto-db chart members --out docs/membership.svg"): (
        "draws the chart: tests/test_docs.py checks the drawn file against the record"
    ),
    ("README.md", "csto-db --db postgresql://admin@host/csto grant-reader csto_reader"): (
        "makes a role on a server: tests/test_query_door.py"
    ),
    ("README.md", "csto-db import-cow igo_year_formatv3.csv"): (
        "imports; what the import answers is checked through the members examples"
    ),
    ("README.md", "csto-db chart members [--org CST|CSTO|both] [--out FILE.svg|.png]"): (
        "a pattern: tests/test_chart.py"
    ),
    ("README.md", "csto-db init"): "named, not run",
    ("README.md", "csto-db serve"): "named, not run",
    (
        "README.md",
        "python -m csto_db.outputs.web_screenshot docs/web-front-page.png sqlite:///csto.db",
    ): ("makes the picture: tests/test_browser.py photographs the front page the same way"),
    ("README.md", "csto-db sql"): "named, not run",
    ("README.md", "csto-db --help"): "help text: tests/test_cli.py",
    ("README.md", "csto-db COMMAND --help"): "help text: tests/test_cli.py",
    ("building.md", "csto-db init"): "builds: tests/test_seed_files.py, test_init_*.py",
    ("building.md", "csto-db init --prune"): "deletes rows: tests/test_seed_files.py",
    ("building.md", "csto-db check"): "behaviour: tests/test_check_notices.py",
    ("building.md", "check --json"): "its object: tests/test_cli.py, test_engines.py",
    ("building.md", "check --cow-file"): "behaviour: tests/test_cow.py",
    ("building.md", "check --cow-file FILE"): "behaviour: tests/test_cow.py",
    ("cow.md", "csto-db init"): "after an import: tests/test_cow.py",
    ("cow.md", "csto-db check --cow-file PATH"): "behaviour: tests/test_cow.py",
    ("README.md", "csto-db export --format cow-year --out igo.csv"): (
        "writes a file; tests/test_cow_year.py checks what the export writes, cell by cell"
    ),
    ("README.md", "csto-db crosscheck cow --cow-year"): (
        "its output is docs/cow.md's generated block: tests/test_cow_year.py holds them equal"
    ),
    ("cow.md", "check --cow-file"): "behaviour: tests/test_cow.py and tests/test_horizon.py",
    ("cow.md", "csto-db export --format cow-year [--org ORG ...] [--out FILE]"): (
        "the usage; tests/test_cow_year.py runs it on the excerpt and the whole file"
    ),
    ("cow.md", "crosscheck cow --cow-year"): (
        "its output is the generated block below it: tests/test_cow_year.py holds them equal"
    ),
    ("cow.md", "csto-db crosscheck cow --cow-year"): (
        "its output is the generated block below it: tests/test_cow_year.py holds them equal"
    ),
    ("development.md", "csto-db serve"): "named, not run",
    ("development.md", "csto-db chart"): "named, not run",
    ("development.md", "csto-db init"): "named, not run",
    ("exports.md", "csto-db export --format FORMAT --out DIR"): (
        "a pattern; the formats' content: tests/test_export.py"
    ),
    ("exports.md", "csto-db members"): "named, not run",
    ("exports.md", "csto-db serve [--port N]"): "a pattern: tests/test_web.py",
    ("exports.md", "csto-db --db sqlite:///csto.db init"): "builds a SQLite copy",
    ("library.md", "csto-db init"): "named, not run",
    (
        "query-door.md",
        "csto-db --db postgresql://admin@host/csto grant-reader csto_reader --password 'secret'",
    ): "makes a role on a server: tests/test_query_door.py",
    ("query-door.md", "export CSTO_DB_READER_URL='postgresql://csto_reader:secret@host/csto'"): (
        "sets a variable"
    ),
    ("query-door.md", 'csto-db sql "SELECT count(*) FROM membership_spans"'): (
        "runs as the reader role: tests/test_query_door.py"
    ),
    ("query-door.md", "csto-db sql"): "named, not run",
    ("query-door.md", 'csto-db sql -- "$QUERY"'): (
        "a pattern: tests/test_query_door.py passes a statement that starts with a comment"
    ),
    ("query-door.md", "sql --timeout SECONDS"): (
        "a pattern: tests/test_query_door.py stops queries with --timeout 2"
    ),
    ("query-door.md", "grant-reader --timeout SECONDS"): (
        "a pattern: tests/test_query_door.py reads the reader's own timeout back"
    ),
    ("schema.md", "csto-db init"): "named, not run",
    ("schema.md", "csto-db check"): "named, not run",
    ("schema.md", "csto-db members"): "named, not run",
    ("servers.md", "pip install '.[postgres]'"): "installs a driver",
    ("servers.md", "pip install '.[mariadb]'"): "installs a driver",
    ("servers.md", "csto-db --db postgresql+psycopg://user@host/csto init"): (
        "builds on a server: the whole suite runs on PostgreSQL"
    ),
    ("servers.md", "csto-db --db mariadb+pymysql://user@host/csto init"): (
        "builds on a server: the whole suite runs on MariaDB"
    ),
    (
        "servers.md",
        "CSTO_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test "
        "python -m pytest -q",
    ): "runs the tests",
    (
        "servers.md",
        "CSTO_TEST_DATABASE_URL=mariadb+pymysql://root@127.0.0.1:3306/test python -m pytest -q",
    ): "runs the tests",
    ("servers.md", "csto-db init"): "named, not run",
    ("README.md", "csto-db diff"): "named, not run",
    ("README.md", "csto-db evidence KEY"): "a pattern: the evidence examples are checked",
    ("exports.md", "csto-db release-files"): "named, not run",
    ("record-changelog.md", "csto-db diff OLD NEW"): "a pattern: tests/test_diff.py",
    ("releases.md", "csto-db diff"): "named, not run",
    ("releases.md", "csto-db diff OLD [NEW]"): "a pattern: tests/test_diff.py",
    ("releases.md", "csto-db diff sqlite:///csto.db ../old-checkout/seeds"): (
        "needs another checkout: tests/test_diff.py diffs a folder of seeds"
    ),
    ("releases.md", "csto-db diff sqlite:///csto.db postgresql://reader@host/csto --counts"): (
        "needs a named server: tests/test_diff.py diffs SQLite against each server"
    ),
    ("releases.md", "csto-db init"): "named, not run",
    ("releases.md", "init --prune"): "named, not run",
    ("releases.md", "python -m csto_db.release.record_changelog"): (
        "rewrites the changelog: tests/test_diff.py checks it is in step"
    ),
    ("servers.md", "csto-db sql"): "named, not run",
    ("igo-research.md", "csto-db members --org ORG --on DAY"): "a pattern: the members examples",
    ("igo-research.md", "csto-db timeline STATE"): "a pattern: the timeline examples",
    ("igo-research.md", "csto-db changes --org ORG --from D1 --to D2"): (
        "a pattern: tests/test_changes.py"
    ),
    ("igo-research.md", "csto-db count --org ORG --by year"): "a pattern: tests/test_changes.py",
    ("igo-research.md", "csto-db chart count --org ORG"): "a pattern: tests/test_changes.py",
    ("igo-research.md", "csto-db shared STATE STATE --on DAY"): (
        "a pattern of the shared-memberships command, which its own tests check"
    ),
    ("igo-research.md", "csto-db dyads --year Y"): (
        "a pattern of the dyad-year command, which its own tests check against COW"
    ),
    ("igo-research.md", "csto-db export --format cow-year [--org ORG]"): (
        "a pattern of the COW layout export, which its round-trip test checks"
    ),
    ("README.md", "csto-db dyads --from 1816 --to 2014 --out dyads.csv"): (
        "writes a file: tests/test_dyads.py compares dyad-years of that range with COW's file"
    ),
}


def test_every_example_is_checked_or_says_why_not():
    examples = set(shell_examples())
    unplaced = sorted(examples - set(CLAIMS) - set(NO_RESULT))
    assert not unplaced, f"place these examples in CLAIMS or NO_RESULT: {unplaced}"
    stale = sorted((set(CLAIMS) | set(NO_RESULT)) - examples)
    assert not stale, f"these examples are no longer in the pages: {stale}"
    assert not set(CLAIMS) & set(NO_RESULT)


def test_the_extraction_finds_blocks_spans_and_results():
    examples = shell_examples()
    assert "seven" in examples[("README.md", "csto-db members --org CST --on 1993-10-01")]
    assert "lists six states, each `certain`" not in examples  # prose is not an example
    assert len(CLAIMS) >= 30


@pytest.mark.parametrize(
    "example", sorted(CLAIMS), ids=[f"{page}: {text}" for page, text in sorted(CLAIMS)]
)
def test_the_result_the_documentation_states(example, built_db_url, cow_excerpt_url, tmp_path):
    check = CLAIMS[example]
    if "tmp_path" in check.__code__.co_varnames:
        check(built_db_url, cow_excerpt_url, tmp_path=tmp_path)
    else:
        check(built_db_url, cow_excerpt_url)


def test_a_wrong_claim_fails(built_db_url):
    """The checks can fail: the count the README once gave for the Treaty's parties."""
    rows = run_cli_json(built_db_url, "members", "--org", "CST", "--on", "1993-10-01")
    with pytest.raises(AssertionError):
        assert len(rows) == 6
    with pytest.raises(AssertionError):
        matches(
            {"state": None, "...": "..."}, run_cli_json(built_db_url, "chair", "--on", "2011-12-20")
        )


def test_the_library_pages_examples_answer_their_questions(built_db_url, monkeypatch, tmp_path):
    """docs/library.md: its statement of the members on 1 January 2015 keeps to members
    (Uzbekistan, suspended, is not one): the states members_on lists; and its question
    functions on 2040-01-01 answer `possible` and say where the record ends."""
    from sqlalchemy.orm import Session
    from test_readme import PYTHON_BLOCK, run_blocks

    import csto_db

    monkeypatch.setenv("CSTO_DB_URL", built_db_url)
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    blocks = [("docs/library.md", block) for block in PYTHON_BLOCK.findall(text)]
    namespace = run_blocks(blocks)
    engine = namespace["engine"]
    try:
        with Session(engine) as session:
            names = [row.name for row in session.execute(namespace["members"])]
            listed = csto_db.members_on(session, "CSTO", namespace["day"])
        assert sorted(names) == sorted(member.name for member in listed)
        assert "Uzbekistan" not in names and len(names) == 6
        later = namespace["later"]
        assert {member.certainty for member in later} == {"possible"}
    finally:
        engine.dispose()
