"""The seed loader: idempotent, all-or-nothing, and precise about what is wrong in a bad file."""

import pytest
from conftest import dump_of
from sqlalchemy import text

from csto_db.build.init import init_database
from csto_db.build.seed_files import read_seed_set
from csto_db.errors import SeedError
from csto_db.store.db import make_engine

#: Each test builds and rebuilds a database of its own from edited seeds: minutes in all, so
#: out of the quick run.
pytestmark = pytest.mark.slow


def test_every_quote_sits_at_its_offsets_in_the_stored_text(connection):
    rows = connection.execute(
        text(
            "SELECT c.key, c.quote, c.char_start, c.char_end, s.full_text FROM citations c "
            "JOIN sources s ON s.key = c.source_key WHERE s.full_text IS NOT NULL"
        )
    ).all()
    assert rows, "no citation into a held text"
    for key, quote, start, end, full_text in rows:
        assert start is not None, key
        assert full_text[start:end] == quote, key


def test_every_fact_has_a_citation(connection):
    uncited = (
        connection.execute(
            text(
                "SELECT f.key FROM facts f LEFT JOIN fact_citations fc ON fc.fact_key = f.key "
                "WHERE fc.fact_key IS NULL"
            )
        )
        .scalars()
        .all()
    )
    assert uncited == []


def test_second_init_changes_nothing(empty_db_url):
    first = init_database(empty_db_url)
    assert first.seeds.changed and first.revision_before is None
    before = dump_of(empty_db_url)
    second = init_database(empty_db_url)
    assert not second.seeds.changed
    assert second.revision_before == second.revision_after
    assert dump_of(empty_db_url) == before


def test_init_brings_an_edited_database_back_to_the_seeds(empty_db_url):
    init_database(empty_db_url)
    expected = dump_of(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE states SET name = 'Wrong' WHERE iso3 = 'ARM'"))
        connection.execute(
            text("DELETE FROM threats WHERE threats.key = 'threat-drug-trafficking'")
        )
    engine.dispose()
    report = init_database(empty_db_url)
    assert report.seeds.updated["states"] == 1
    assert report.seeds.inserted["threats"] == 1
    assert dump_of(empty_db_url) == expected


def test_moving_a_boundary_between_two_spans_reloads(empty_db_url, seed_copy):
    """Armenia's member span ends the day its frozen span starts; moving that day in both
    records must load, although updating one record first would overlap the other."""
    init_database(empty_db_url)
    memberships = seed_copy / "data" / "memberships.yaml"
    content = memberships.read_text(encoding="utf-8")
    assert content.count("2024-02-22\n") == 2, "the test needs updating"
    memberships.write_text(content.replace("2024-02-22\n", "2024-03-01\n"), encoding="utf-8")
    report = init_database(empty_db_url, seeds_directory=seed_copy)
    assert report.seeds.inserted["membership_spans"] == 0
    assert report.seeds.updated["membership_spans"] == 2
    engine = make_engine(empty_db_url)
    with engine.connect() as connection:
        start = connection.execute(
            text("SELECT m.start_edtf FROM membership_spans m WHERE m.key = 'csto-arm-frozen'")
        ).scalar()
    engine.dispose()
    assert start == "2024-03-01"


def _replace(path, old, new):
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


# Each case breaks one thing in a copy of the seeds and names what the error must point at:
# the file, the record, and the field.
BAD_SEEDS = [
    pytest.param(
        "memberships.yaml",
        "status: member\n",
        "status: ally\n",
        ["memberships.yaml", "csto-arm-member", "'status'", "ally"],
        id="vocabulary",
    ),
    pytest.param(
        "memberships.yaml",
        "start: 2003-09-18",
        "start: 2003-13-18",
        ["memberships.yaml", "csto-arm-member", "'start'"],
        id="impossible-date",
    ),
    pytest.param(
        "memberships.yaml",
        "state_iso3: ARM\n  organization_code: CSTO",
        "state_iso3: XXX\n  organization_code: CSTO",
        ["memberships.yaml", "csto-arm-member", "'state_iso3'", "XXX"],
        id="unknown-state",
    ),
    pytest.param(
        "threats.yaml",
        "name: Drug trafficking,",
        "name: Drug trafficking, colour: red,",
        ["threats.yaml", "threat-drug-trafficking", "colour"],
        id="unknown-field",
    ),
    pytest.param(
        "events.yaml",
        'quote: "It was decided to transform the CST',
        'quote: "It was agreed to transform the CST',
        ["events.yaml", "cst-transformation-decision", "citations", "verbatim"],
        id="quote-not-verbatim",
    ),
    pytest.param(
        "positions.yaml",
        "- key: blr-stance-strong-organization",
        "- key: blr-characterization-multifunctional",
        ["positions.yaml", "blr-characterization-multifunctional", "duplicate"],
        id="duplicate-key",
    ),
    pytest.param(
        "meetings.yaml",
        "- key: csc-2002-05-14-moscow",
        "- key: [csc-2002-05-14-moscow",
        ["meetings.yaml", "YAML"],
        id="broken-yaml",
    ),
    pytest.param(
        "memberships.yaml",
        "  start: 1992-05-15\n  end: 1999-04",
        "  start: 1999-05-15\n  end: 1999-04",
        ["memberships.yaml", "cst-uzb-party", "'end'"],
        id="ends-before-start",
    ),
]


@pytest.mark.parametrize("filename,old,new,expected", BAD_SEEDS)
def test_bad_seed_file_fails_with_one_line_and_leaves_database_untouched(
    empty_db_url, seed_copy, filename, old, new, expected
):
    init_database(empty_db_url)
    before = dump_of(empty_db_url)
    _replace(seed_copy / "data" / filename, old, new)
    with pytest.raises(SeedError) as raised:
        init_database(empty_db_url, seeds_directory=seed_copy)
    message = str(raised.value)
    assert "\n" not in message
    for part in expected:
        assert part in message
    assert dump_of(empty_db_url) == before


def test_corrupt_source_text_is_refused(empty_db_url, seed_copy):
    init_database(empty_db_url)
    before = dump_of(empty_db_url)
    text_file = seed_copy / "texts" / "csto-overview.txt"
    text_file.write_bytes(text_file.read_bytes().replace(b"Tashkent", b"Taskhent", 1))
    with pytest.raises(SeedError, match=r"sources.yaml.*csto-overview.*text_file.*sha256"):
        init_database(empty_db_url, seeds_directory=seed_copy)
    assert dump_of(empty_db_url) == before


def test_fact_without_citation_is_refused(seed_copy):
    path = seed_copy / "data" / "threats.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "- {key: threat-new, organization_code: "
        "CSTO, ordinal: 9, name: Piracy}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match=r"threat-new.*'citations'.*at least one citation"):
        read_seed_set(seed_copy)


def test_a_write_the_database_refuses_rolls_back_everything(empty_db_url, seed_copy):
    """Validation passes, then the database refuses one row: nothing of the run remains."""
    init_database(empty_db_url)
    before = dump_of(empty_db_url)
    # A new state passes validation but collides with ARM's unique alpha-2 code in the
    # database. Sources are written before states, so the changed source note is already
    # written when the state is refused, and must be rolled back with it.
    states = seed_copy / "data" / "states.yaml"
    states.write_text(
        states.read_text(encoding="utf-8") + "- {iso3: XAR, iso2: AM, numeric: "
        '"999", name: Duplicate, cow_ccode: 9999}\n',
        encoding="utf-8",
    )
    _replace(
        seed_copy / "data" / "sources.yaml",
        "The founding text of this database",
        "The first text of this database",
    )
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        init_database(empty_db_url, seeds_directory=seed_copy)
    assert dump_of(empty_db_url) == before
