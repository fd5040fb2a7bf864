"""The as-of path: the day reaches SQL through each span's reach and an index, evidence comes
for the rows answered, every index has a use, the loader keeps the reach and the lifetimes."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import event, select, text

from csto_db.answers import dyads, membership, record
from csto_db.answers.timeline import _CHAIRS, _EVENTS, _SPANS
from csto_db.build.checks import check_database
from csto_db.build.init import init_database
from csto_db.build.seed_files import read_seed_set
from csto_db.build.seed_set import seeds_dir
from csto_db.errors import SeedError
from csto_db.models import Base, Contribution, Meeting
from csto_db.store.db import make_engine

ON = date(2010, 1, 1)

#: Each index and the query that uses it, run with the parameters given.
QUERY_INDEXES = {
    "ix_membership_spans_as_of": (membership.MEMBER_CANDIDATES, {"org": "CSTO", "on": ON}),
    "ix_dispute_subjects_fact_key": (membership.MEMBER_CANDIDATES, {"org": "CSTO", "on": ON}),
    "ix_chair_spans_as_of": (record._CHAIR_CANDIDATES, {"org": "CSTO", "on": ON}),
    "ix_office_terms_as_of": (record._OFFICE_CANDIDATES, {"on": ON}),
    "ix_membership_spans_state_iso3": (_SPANS, {"iso3": "ARM"}),
    "ix_chair_spans_state_iso3": (_CHAIRS, {"iso3": "ARM"}),
    "ix_events_state_iso3": (_EVENTS, {"iso3": "ARM"}),
    "ix_meetings_body_code": (select(Meeting).where(Meeting.body_code == "CSC"), {}),
    "ix_missing_data_by_state": (
        dyads.MISSING_IN_YEAR,
        {"first": "ARM", "second": "KAZ", "year": 2010},
    ),
    "ix_contributions_operation_key": (
        select(Contribution).where(Contribution.operation_key == "csto-kazakhstan-2022"),
        {},
    ),
}

#: Indexes that serve a foreign key: the check when a parent row is deleted (the loader
#: deletes rows), and MariaDB, which needs an index on every foreign key's columns.
FOREIGN_KEY_INDEXES = {
    "ix_citations_source_key",
    "ix_body_observers_body_code",
    "ix_fact_citations_citation_key",
    "ix_office_terms_organization_code",
    "ix_document_parties_state_iso3",
    "ix_document_parties_document_key",
    "ix_initiatives_proposer_iso3",
    "ix_operations_host_iso3",
    "ix_contributions_state_iso3",
    "ix_contributions_force_key",
    # The facts a dataset import wrote: the seed loader and a new import select them by it.
    "ix_facts_dataset_key",
    # The cells of missing data an import wrote: a new import deletes them by it.
    "ix_missing_data_source_key",
    # The empty cells and organization-year rows an import wrote: deleted by it likewise.
    "ix_not_in_system_source_key",
    "ix_cow_years_source_key",
}


def _indexes():
    return {index.name: index for table in Base.metadata.tables.values() for index in table.indexes}


def test_every_index_has_a_use_and_none_sits_on_a_partial_date_bound():
    assert set(_indexes()) == set(QUERY_INDEXES) | FOREIGN_KEY_INDEXES
    for name, index in _indexes().items():
        columns = [column.name for column in index.columns]
        assert not any(c.endswith(("_lower", "_upper")) for c in columns), name
        if name in FOREIGN_KEY_INDEXES:
            keys = [
                [element.parent.name for element in fk.elements]
                for fk in index.table.foreign_key_constraints
            ]
            assert columns in keys, (name, columns)


def _plan(connection, statement, params) -> str:
    """The engine's plan for ``statement``: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on the
    servers (PostgreSQL analysed and told to avoid sequential scans, which it prefers on
    tables this small, so the plan shows the index it would use)."""
    dialect = connection.dialect.name
    compiled = statement.compile(dialect=connection.dialect)
    values = compiled.construct_params(
        {
            k: (v.isoformat() if dialect == "sqlite" and isinstance(v, date) else v)
            for k, v in params.items()
        }
    )
    args = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
    if dialect == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args).all()
        return "\n".join(str(row[-1]) for row in rows)
    if dialect == "postgresql":
        connection.exec_driver_sql("ANALYZE")  # statistics, as a database in use has them
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", args).all()
        return "\n".join(row[0] for row in rows)
    # MariaDB reads tables this small whole; the keys it weighs show which indexes can
    # serve the query.
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", args).mappings().all()
    return "\n".join(
        f"{row['table']}: key={row['key']} possible_keys={row['possible_keys']}" for row in rows
    )


#: On PostgreSQL the exclusion constraint against overlapping spans has a GiST index that
#: leads with the state, and serves a state's timeline there; SQLite and MariaDB have no such
#: index, and use the btree one.
SERVED_INSTEAD = {
    ("postgresql", "ix_membership_spans_state_iso3"): "ex_membership_spans_no_overlap"
}


#: Indexes of a table only a dataset import fills: their plans are read on the COW excerpt
#: imported, since an empty table gives a planner no reason to prefer one index.
ON_IMPORTED = {"ix_missing_data_by_state"}


@pytest.mark.parametrize("index", sorted(QUERY_INDEXES))
def test_the_query_uses_its_index(connection, index, request):
    statement, params = QUERY_INDEXES[index]
    if index in ON_IMPORTED:
        engine = make_engine(request.getfixturevalue("cow_excerpt_url"))
        try:
            with engine.connect() as imported:
                plan = _plan(imported, statement, params)
                imported.rollback()
        finally:
            engine.dispose()
    else:
        plan = _plan(connection, statement, params)
    assert SERVED_INSTEAD.get((connection.dialect.name, index), index) in plan, plan


def test_a_day_outside_the_reach_of_every_span_selects_none(connection):
    rows = connection.execute(
        membership.MEMBER_CANDIDATES, {"org": "CSTO", "on": date(2003, 9, 17)}
    ).all()
    assert [row.key for row in rows] == [None]  # the organization's row alone


def _statements(connection):
    sent: list[tuple[str, object]] = []

    def record_statement(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record_statement)
    return sent, lambda: event.remove(connection, "before_cursor_execute", record_statement)


def test_members_on_sends_two_statements_and_cites_only_the_rows_answered(connection):
    sent, stop = _statements(connection)
    try:
        answered = membership.members_on(connection, "CSTO", date(2005, 1, 1))
    finally:
        stop()
    assert len(sent) == 2
    assert [m.state for m in answered] == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    citations_statement, parameters = sent[1]
    assert "fact_citations" in citations_statement
    # Uzbekistan is a candidate (COW's reading reaches 2002) but not in the answer
    assert "csto-uzb-member" not in str(parameters)
    assert all(m.citations for m in answered)


def test_a_day_outside_the_lifetime_sends_one_statement(connection):
    sent, stop = _statements(connection)
    try:
        assert membership.members_on(connection, "CSTO", date(2002, 1, 1)) == []
    finally:
        stop()
    assert len(sent) == 1


def test_the_loader_refuses_a_preferred_reading_outside_the_lifetime(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), copy)
    path = copy / "data" / "memberships.yaml"
    original = path.read_text(encoding="utf-8")
    changed = original.replace(
        "  key: csto-blr-member\n  state_iso3: BLR\n"
        "  organization_code: CSTO\n  status: member\n"
        "  start: 2003-09-18\n",
        "  key: csto-blr-member\n  state_iso3: BLR\n"
        "  organization_code: CSTO\n  status: member\n"
        "  start: 2002-10-07\n",
    )
    assert changed != original
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(SeedError, match="before CSTO membership begins"):
        read_seed_set(copy)


def test_the_loader_keeps_a_non_preferred_reading_outside_the_lifetime():
    seeds = read_seed_set()
    cow = [
        r
        for r in seeds.rows["readings"].values()
        if r["dispute_key"] == "uzb-csto-membership-cow" and not r["preferred"]
    ]
    assert [r["value_date_edtf"] for r in cow] == ["2002"]
    span = seeds.rows["membership_spans"][("csto-uzb-member",)]
    assert (span["reach_start"], span["reach_end"]) == (date(2002, 1, 1), date(2012, 12, 19))


@pytest.mark.slow
def test_check_finds_a_reach_that_does_not_hold_the_readings(empty_db_url):
    init_database(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            key = connection.dialect.identifier_preparer.quote("key")
            connection.execute(
                text(
                    f"UPDATE membership_spans SET reach_start = start_lower"
                    f" WHERE {key} = 'csto-uzb-member'"
                )
            )
        with engine.connect() as connection:
            problems = check_database(connection)
    finally:
        engine.dispose()
    # The reach check says what is wrong with the row; the build's digests notice the change.
    assert problems == [
        "membership_spans csto-uzb-member: row changed since `csto-db init` built the database",
        "membership_spans: span csto-uzb-member has reach 2006-08-16..2012-12-19,"
        " its readings give 2002-01-01..2012-12-19",
    ]
