"""Quotes are the sources' words exactly. For a source held in full, the offsets prove it
(see test_seeding); for the others, each quote must stand verbatim in the compiled records
it was taken from, which sit beside the project when it is checked out for development."""

import os
from pathlib import Path

import pytest

from csto_db.build.seed_files import read_seed_set

SHARED = Path(os.environ.get("CSTO_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
RECORDS = ("external-record.md", "record-1992-2026.md", "record-2010-2025-additions.md")


@pytest.fixture(scope="module")
def compiled_records() -> list[str]:
    paths = [SHARED / "sources" / name for name in RECORDS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        pytest.skip(
            f"the compiled records are not here ({', '.join(missing)}); "
            "set CSTO_SHARED_DIR to check quotes against them"
        )
    # The records are Markdown: a double quote inside a quoted cell or quote is escaped.
    return [p.read_text(encoding="utf-8").replace('\\"', '"') for p in paths]


def test_every_quote_without_a_held_text_stands_in_the_records(compiled_records):
    seeds = read_seed_set()
    held = {key for (key,), row in seeds.rows["sources"].items() if row["full_text"]}
    checked, absent = 0, []
    for (key,), citation in seeds.rows["citations"].items():
        if citation["source_key"] in held:
            continue
        checked += 1
        if not any(citation["quote"] in text for text in compiled_records):
            absent.append(f"{key}: {citation['quote'][:80]!r}")
    assert checked > 200, "expected the records' quotes"
    assert absent == [], "\n".join(absent)
