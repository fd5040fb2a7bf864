"""The library's public face: navigable models, partial dates as one value, typed answers."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from conftest import run_cli_json
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, selectinload

import csto_db
from csto_db import MembershipSpan, PartialDate, State


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def walk_spans(session: Session, *conditions) -> int:
    """Touch everything a reader of the membership spans would: state, organization, dates,
    citations and their sources, readings. Returns how many spans it walked."""
    spans = session.scalars(select(MembershipSpan).where(*conditions)).all()
    for span in spans:
        assert span.state.name and span.organization.name
        assert str(span.start) == span.start_edtf
        assert span.citations, span.key
        assert all(citation.source.title for citation in span.citations)
        assert all(reading.dispute.question for reading in span.readings)
    return len(spans)


# --- Navigation ----------------------------------------------------------------------------


def test_a_loop_over_members_and_their_citations_costs_the_same_statements_at_any_length(
    built_engine,
):
    counts = {}
    for label, condition in [
        ("one state", MembershipSpan.state_iso3 == "ARM"),
        ("one organization", MembershipSpan.organization_code == "CSTO"),
        ("every span", MembershipSpan.key.is_not(None)),
    ]:
        with Session(built_engine) as session, counting(built_engine) as statements:
            rows = walk_spans(session, condition)
        counts[label] = (rows, len(statements))
    rows = [rows for rows, _ in counts.values()]
    assert rows[0] < rows[1] < rows[2], counts
    # A query per row would grow with the rows; the statements stay the same.
    assert len({statements for _, statements in counts.values()}) == 1, counts
    assert counts["every span"][1] < counts["every span"][0], counts


def test_from_one_state_to_its_spans_citations_and_sources(built_engine):
    with Session(built_engine) as session, counting(built_engine) as statements:
        belarus = session.get(State, "BLR")
        assert belarus is not None
        seen = [
            (
                span.organization.code,
                span.start,
                span.end,
                sorted({citation.source.key for citation in span.citations}),
            )
            for span in belarus.memberships
        ]
    assert [code for code, *_ in seen] == ["CST", "CSTO"]
    assert all(sources for *_, sources in seen)
    # The state, its spans, then one statement for each kind of thing they lead to (their
    # organizations, citations, sources, readings and the readings' own), however many.
    assert len(statements) <= 12, [" ".join(s.split()[:4]) for s in statements]


def test_from_many_states_with_selectinload_the_statements_do_not_grow(built_engine):
    # A state's spans load when asked (lazily: a state can have many); from many states at
    # once, the query says so with selectinload.
    counts = []
    for condition in (State.iso3 == "ARM", State.iso3.is_not(None)):
        with Session(built_engine) as session, counting(built_engine) as statements:
            states = session.scalars(
                select(State).where(condition).options(selectinload(State.memberships))
            ).all()
            spans = [span for state in states for span in state.memberships]
            quotes = [citation.quote for span in spans for citation in span.citations]
            assert spans and quotes
        counts.append((len(states), len(statements)))
    assert counts[0][0] < counts[1][0] and counts[0][1] == counts[1][1], counts


def test_relationships_meet_from_both_sides(built_engine):
    with Session(built_engine) as session:
        treaty = session.get(csto_db.Document, "cst")
        assert treaty is not None
        assert {party.state_iso3 for party in treaty.parties if party.role == "signatory"} >= {
            "ARM",
            "KAZ",
            "KGZ",
            "RUS",
            "TJK",
            "UZB",
        }
        assert all(party.document is treaty for party in treaty.parties)
        csto = session.get(csto_db.Organization, "CSTO")
        assert csto is not None and csto.predecessor is not None
        assert csto.predecessor.code == "CST" and csto in csto.predecessor.successors
        assert all(span.organization is csto for span in csto.memberships)
        dispute = session.scalars(select(csto_db.Dispute)).first()
        assert dispute is not None and dispute.readings
        assert all(reading.dispute is dispute for reading in dispute.readings)
        subject = dispute.subjects[0]
        assert subject.fact.key == subject.fact_key
        citation = session.scalars(select(csto_db.Citation)).first()
        assert citation is not None and citation in citation.source.citations
        for chair in session.scalars(select(csto_db.ChairSpan)):
            assert chair in chair.state.chair_spans and chair in chair.organization.chair_spans
        for operation in session.scalars(select(csto_db.Operation)):
            assert operation.host.iso3 == operation.host_iso3
            assert {c.state_iso3 for c in operation.contributions} == {
                c.state.iso3 for c in operation.contributions
            }


def test_readings_of_a_fact_are_the_readings_of_the_disputes_about_it(built_engine):
    with Session(built_engine) as session:
        disputed = session.scalars(
            select(MembershipSpan).where(MembershipSpan.readings.any())
        ).all()
        assert disputed
        for span in disputed:
            expected = {
                reading.key
                for subject in session.scalars(
                    select(csto_db.DisputeSubject).where(
                        csto_db.DisputeSubject.fact_key == span.key
                    )
                )
                for reading in subject.dispute.readings
            }
            assert [r.key for r in span.readings] == sorted(expected)


# --- Partial dates -------------------------------------------------------------------------


def test_a_date_is_one_partial_date_and_an_empty_one_is_none(built_engine):
    with Session(built_engine) as session:
        treaty = session.get(csto_db.Document, "cst")
        assert treaty is not None
        assert treaty.signed == PartialDate.parse("1992-05-15")
        assert f"{treaty.signed}" == "1992-05-15"
        open_spans = session.scalars(
            select(MembershipSpan).where(MembershipSpan.end_edtf.is_(None))
        ).all()
        assert open_spans and all(span.end is None for span in open_spans)
        assert all(isinstance(span.start, PartialDate) for span in open_spans)


def test_every_partial_date_of_every_fact_table_is_one_attribute():
    from sqlalchemy import inspect

    from csto_db.models import FACT_MODELS

    for model in FACT_MODELS.values():
        composites = inspect(model).composites
        for name in model.partial_dates:
            assert name in composites, f"{model.__name__}.{name}"
            columns = [prop.key for prop in composites[name].props]
            assert columns == [f"{name}_{part}" for part in ("edtf", "lower", "upper", "precision")]


def test_partial_dates_compare_by_their_bounds():
    year, day = PartialDate.parse("1999"), PartialDate.parse("1999-04-02")
    assert year < day < PartialDate.parse("1999-05")
    assert sorted([day, year]) == [year, day]
    assert str(PartialDate.parse("[1992-05-15..1999-04]")) == "[1992-05-15..1999-04]"


def test_a_partial_date_in_a_query(built_engine):
    day = date(2005, 1, 1)
    with Session(built_engine) as session:
        by_bounds = set(
            session.scalars(
                select(MembershipSpan.key).where(
                    MembershipSpan.start.lower <= day,
                    MembershipSpan.end.upper.is_(None) | (MembershipSpan.end.upper > day),
                )
            )
        )
        by_method = set(
            session.scalars(select(MembershipSpan.key).where(MembershipSpan.holds(day)))
        )
        loaded = {span.key for span in session.scalars(select(MembershipSpan)) if span.holds(day)}
        certain = set(
            session.scalars(
                select(MembershipSpan.key).where(MembershipSpan.holds(day, certain=True))
            )
        )
        treaty = session.scalars(
            select(csto_db.Document).where(
                csto_db.Document.signed == PartialDate.parse("1992-05-15")
            )
        ).all()
        undated = session.scalars(
            select(csto_db.Initiative.key).where(csto_db.Initiative.proposed.is_(None))
        ).all()
        undated_by_column = session.scalars(
            select(csto_db.Initiative.key).where(csto_db.Initiative.proposed_edtf.is_(None))
        ).all()
        dated = session.scalars(
            select(csto_db.Initiative.key).where(csto_db.Initiative.proposed.is_not(None))
        ).all()
    assert by_bounds == by_method == loaded
    assert certain <= by_method and certain
    assert "csto-arm-member" in certain
    assert {doc.key for doc in treaty} >= {"cst"}
    assert undated == undated_by_column and undated and dated
    assert not set(undated) & set(dated)


def test_setting_a_partial_date_sets_its_four_columns():
    span = MembershipSpan(key="x")
    span.end = PartialDate.parse("2012-06")
    assert (span.end_edtf, span.end_lower, span.end_upper, span.end_precision) == (
        "2012-06",
        date(2012, 6, 1),
        date(2012, 6, 30),
        "month",
    )
    span.end = None
    assert (span.end_edtf, span.end_lower, span.end_upper, span.end_precision) == (
        None,
        None,
        None,
        None,
    )


# --- The public face -----------------------------------------------------------------------

PUBLIC_FUNCTIONS = [
    "make_engine",
    "members_on",
    "timeline",
    "documents",
    "initiatives",
    "disputes",
    "evidence",
    "sessions",
    "chair_on",
    "officials_on",
    "operations",
]


def test_the_public_names():
    for name in PUBLIC_FUNCTIONS:
        assert callable(getattr(csto_db, name)), name
    for name in ["State", "Organization", "MembershipSpan", "Document", "Citation", "Source"]:
        assert issubclass(getattr(csto_db, name), csto_db.Base)
    for error in [
        "DatabaseError",
        "QueryError",
        "PartialDateError",
        "SeedError",
        "SchemaRevisionError",
    ]:
        assert issubclass(getattr(csto_db, error), csto_db.Error)
    assert set(PUBLIC_FUNCTIONS) <= set(csto_db.__all__) <= set(dir(csto_db))
    with pytest.raises(AttributeError):
        _ = csto_db.no_such_name


def test_importing_the_package_is_cheap_and_the_functions_win_over_their_modules():
    # A fresh interpreter: what `import csto_db` loads, then the names that are also modules.
    code = """
import sys
import csto_db
heavy = sorted(m for m in ("sqlalchemy", "sqlalchemy.orm", "alembic", "yaml")
               if m in sys.modules)
import csto_db.answers.timeline, csto_db.answers.evidence
from csto_db.answers.timeline import TimelineEntry
print(heavy, csto_db.timeline.__name__, csto_db.evidence.__module__, TimelineEntry.__name__)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["[]", "timeline", "csto_db.answers.evidence", "TimelineEntry"]


def test_a_day_may_be_given_as_iso_text(connection):
    assert [m.to_dict() for m in csto_db.members_on(connection, "CSTO", "2005-01-01")] == [
        m.to_dict() for m in csto_db.members_on(connection, "CSTO", date(2005, 1, 1))
    ]
    assert csto_db.chair_on(connection, "2011-12-20") == csto_db.chair_on(
        connection, date(2011, 12, 20)
    )
    with pytest.raises(csto_db.Error, match="give a full day"):
        csto_db.officials_on(connection, "2017-05")


# --- Typed answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, answer",
    [
        (["documents"], lambda c: [d.to_dict() for d in csto_db.documents(c)]),
        (
            ["documents", "--source", "csto-overview"],
            lambda c: [d.to_dict() for d in csto_db.documents(c, source="csto-overview")],
        ),
        (["initiatives"], lambda c: [i.to_dict() for i in csto_db.initiatives(c)]),
        (
            ["disputes", "--all"],
            lambda c: [d.to_dict() for d in csto_db.disputes(c, include_refinements=True)],
        ),
        (["evidence", "cst-geo-party"], lambda c: csto_db.evidence(c, "cst-geo-party").to_dict()),
        (
            ["chair", "--on", "2011-12-20"],
            lambda c: csto_db.chair_answer(
                csto_db.chair_on(c, "2011-12-20"), date(2011, 12, 20)
            ).to_dict(),
        ),
    ],
)
def test_the_command_lines_json_is_the_answers_to_dict(built_db_url, connection, command, answer):
    assert run_cli_json(built_db_url, *command) == json.loads(
        json.dumps(answer(connection), ensure_ascii=False)
    )


def test_the_answers_are_frozen_dataclasses(connection):
    answers = [
        csto_db.documents(connection)[0],
        csto_db.initiatives(connection)[0],
        csto_db.disputes(connection)[0],
        csto_db.evidence(connection, "cst-geo-party"),
        csto_db.chair_answer(csto_db.chair_on(connection, "2005-01-01"), date(2005, 1, 1)),
    ]
    for answer in answers:
        field = dataclasses.fields(answer)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(answer, field, None)
    document = answers[0]
    assert all(isinstance(party, type(document.parties[0])) for party in document.parties)
    assert answers[4].state is not None and answers[4].on == date(2005, 1, 1)


@pytest.mark.parametrize("typed", ["csto", "Csto", "CSTO"])
def test_the_question_functions_take_an_organization_code_in_any_case(
    built_engine, connection, typed
):
    """As the command line does: `csto` is the CSTO, and the answers name it as stored."""
    from csto_db.answers.asof import horizon_of, lifetime_of
    from csto_db.datasets.crosscheck_cow import crosscheck_cow

    day = date(2015, 1, 1)
    expected = csto_db.members_on(connection, "CSTO", day)
    with Session(built_engine) as session:
        assert csto_db.members_on(session, typed, day) == expected
    assert {member.organization for member in expected} == {"CSTO"}
    assert "UZB" not in {member.state for member in expected}  # suspended, not a member
    assert csto_db.chair_on(connection, day, typed) == csto_db.chair_on(connection, day, "CSTO")
    assert csto_db.chair_on(connection, day, typed)[0].organization == "CSTO"
    assert lifetime_of(connection, typed) == lifetime_of(connection, "CSTO")
    assert horizon_of(connection, typed) == horizon_of(connection, "CSTO")
    assert (
        crosscheck_cow(connection, typed).to_dict() == crosscheck_cow(connection, "CSTO").to_dict()
    )
    assert csto_db.members_on(connection, typed.lower().replace("csto", "cst"), day) == (
        csto_db.members_on(connection, "CST", day)
    )


def test_an_unknown_organization_in_any_case_is_a_query_error(connection):
    with pytest.raises(csto_db.QueryError, match="unknown organization 'NATO'"):
        csto_db.members_on(connection, "NATO", date(2015, 1, 1))
    with pytest.raises(csto_db.QueryError, match="unknown organization 'cstoo'"):
        csto_db.chair_on(connection, date(2015, 1, 1), "cstoo")
