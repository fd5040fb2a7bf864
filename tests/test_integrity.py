"""The database refuses bad rows written past the package: raw SQL into a built database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from csto_db.build.init import init_database
from csto_db.models import FACT_TABLES
from csto_db.store.db import make_engine

SOURCE = "integrity-test-source"
CITATION = "integrity-test-source:1"
SECOND_CITATION = "integrity-test-source:2"


@pytest.fixture(scope="module")
def built_engine_for_writes(server, tmp_path_factory):
    """A database built by ``init`` that these tests may write to (the session's may not)."""
    if server is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('integrity') / 'csto.db'}"
    else:
        url = server.create()
    init_database(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        Rows(engine).add_source(connection)
    yield engine
    engine.dispose()
    if server is not None:
        server.drop(url)


@pytest.fixture
def rows(built_engine_for_writes) -> Rows:
    return Rows(built_engine_for_writes)


_serial = itertools.count(1)


class Rows:
    """Writes valid rows with raw SQL, each in its own committed transaction, so that one
    violating statement afterwards is the only thing the database can refuse."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.preparer = engine.dialect.identifier_preparer

    def insert_statement(self, table: str, row: dict[str, Any]):
        columns = ", ".join(self.preparer.quote(column) for column in row)
        values = ", ".join(f":{column}" for column in row)
        return text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row

    def run(self, statement, parameters: dict | None = None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                statement if not isinstance(statement, str) else text(statement), parameters or {}
            )

    def insert(self, table: str, row: dict[str, Any]) -> None:
        self.run(*self.insert_statement(table, row))

    def snapshot(self, table: str) -> list[tuple]:
        with self.engine.connect() as connection:
            return sorted(map(tuple, connection.execute(text(f"SELECT * FROM {table}"))), key=repr)

    def add_source(self, connection) -> None:
        for statement, parameters in (
            self.insert_statement(
                "sources",
                {"key": SOURCE, "title": "Integrity tests", "kind": "reference", "language": "en"},
            ),
            self.insert_statement(
                "citations", {"key": CITATION, "source_key": SOURCE, "quote": "first"}
            ),
            self.insert_statement(
                "citations", {"key": SECOND_CITATION, "source_key": SOURCE, "quote": "second"}
            ),
        ):
            connection.execute(statement, parameters)

    def fact(self, table: str, *, cited: bool = True) -> str:
        """A new key registered in ``facts`` for ``table``, with a citation unless told."""
        key = f"test-{table}-{next(_serial)}"
        self.insert("facts", {"key": key, "table_name": table})
        if cited:
            self.insert("fact_citations", {"fact_key": key, "citation_key": CITATION})
        return key

    def state(self) -> str:
        """A new state: digits in its codes keep it apart from every real one."""
        n = next(_serial) % 100
        iso3 = f"Q{n:02d}"
        self.insert(
            "states",
            {"iso3": iso3, "iso2": f"{n:02d}", "numeric": f"9{n:02d}", "name": f"Test state {n}"},
        )
        return iso3

    def organization(self) -> str:
        code = self.fact("organizations")
        self.insert("organizations", {"code": code, "name": code, "kind": "organ"})
        return code

    def threat(self, organization: str, *, cited: bool = True) -> str:
        key = self.fact("threats", cited=cited)
        self.insert("threats", self.threat_row(key, organization))
        return key

    @staticmethod
    def threat_row(key: str, organization: str) -> dict[str, Any]:
        return {"key": key, "organization_code": organization, "ordinal": 1, "name": key}

    def span_row(
        self,
        table: str,
        subject: dict[str, str],
        start: str,
        end: str | None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """A valid row of a span table: day-precise dates, [start, end)."""
        row = {"key": key or self.fact(table), **subject, **day("start", start), **day("end", end)}
        if table == "membership_spans":
            row["status"] = "member"
        elif table == "office_terms":
            row["person"] = "A. Person"
        if table in REACH_TABLES:  # no readings: the reach is the span's own dates
            row["reach_start"], row["reach_end"] = start, end
        return row


def day(name: str, value: str | None) -> dict[str, Any]:
    """The four columns of a day-precise partial date (all NULL for no date)."""
    return {
        f"{name}_edtf": value,
        f"{name}_lower": value,
        f"{name}_upper": value,
        f"{name}_precision": value and "day",
    }


def span_subject(rows: Rows, table: str) -> dict[str, str]:
    """A subject no other test uses, so only this test's spans can overlap."""
    organization = rows.organization()
    if table == "membership_spans":
        return {"state_iso3": rows.state(), "organization_code": organization}
    if table == "chair_spans":
        return {"organization_code": organization, "state_iso3": rows.state()}
    if table == "office_terms":
        return {"organization_code": organization, "office": "secretary_general"}
    return {"body_code": organization, "observer": "Test parliament"}


# --- The rules -----------------------------------------------------------------------------


@dataclass
class Violation:
    """One statement the database must refuse, the table it must leave unchanged, what the
    refusal must mention, and which kind of rule refuses it (the MariaDB driver reports a
    CHECK or a trigger's SIGNAL as an OperationalError, a foreign key as an IntegrityError)."""

    table: str
    statement: Any
    parameters: dict[str, Any]
    mentions: str
    kind: str  # "constraint" (foreign key, unique), "check" or "trigger"


SPAN_TABLES = ("membership_spans", "chair_spans", "office_terms", "body_observers")
REACH_TABLES = ("membership_spans", "chair_spans", "office_terms")


def overlap_on_insert(table: str) -> Callable[[Rows], Violation]:
    def build(rows: Rows) -> Violation:
        subject = span_subject(rows, table)
        rows.insert(table, rows.span_row(table, subject, "2000-01-01", "2005-01-01"))
        statement, parameters = rows.insert_statement(
            table, rows.span_row(table, subject, "2004-12-31", None)
        )
        return Violation(table, statement, parameters, "overlap", "trigger")

    return build


def overlap_on_update(table: str) -> Callable[[Rows], Violation]:
    def build(rows: Rows) -> Violation:
        subject = span_subject(rows, table)
        rows.insert(table, rows.span_row(table, subject, "2000-01-01", None))
        later = rows.span_row(table, subject, "1990-01-01", "1995-01-01")
        rows.insert(table, later)
        key = rows.preparer.quote("key")
        reach = ", reach_end = '2000-01-02'" if table in REACH_TABLES else ""
        statement = text(
            f"UPDATE {table} SET end_edtf = '2000-01-02', end_lower = '2000-01-02',"
            f" end_upper = '2000-01-02'{reach} WHERE {key} = :key"
        )
        return Violation(table, statement, {"key": later["key"]}, "overlap", "trigger")

    return build


def ends_before_start(rows: Rows) -> Violation:
    subject = span_subject(rows, "membership_spans")
    row = rows.span_row("membership_spans", subject, "2000-01-01", "1999-01-01")
    return Violation(
        "membership_spans",
        *rows.insert_statement("membership_spans", row),
        "ends_after_start",
        "check",
    )


def bounds_out_of_order(rows: Rows) -> Violation:
    subject = span_subject(rows, "membership_spans")
    row = rows.span_row("membership_spans", subject, "2000-01-01", None)
    row.update(
        start_edtf="2000",
        start_lower="2000-12-31",
        start_upper="2000-01-01",
        start_precision="year",
    )
    return Violation(
        "membership_spans",
        *rows.insert_statement("membership_spans", row),
        "start_bounds_ordered",
        "check",
    )


def status_outside_vocabulary(rows: Rows) -> Violation:
    subject = span_subject(rows, "membership_spans")
    row = rows.span_row("membership_spans", subject, "2000-01-01", None)
    row["status"] = "ally"
    return Violation(
        "membership_spans",
        *rows.insert_statement("membership_spans", row),
        "membership_status",
        "check",
    )


def fact_table_outside_vocabulary(rows: Rows) -> Violation:
    return Violation(
        "facts",
        *rows.insert_statement(
            "facts", {"key": "test-no-such-table", "table_name": "no_such_table"}
        ),
        "fact_table",
        "check",
    )


def span_of_unknown_state(rows: Rows) -> Violation:
    subject = span_subject(rows, "membership_spans")
    subject["state_iso3"] = "QQQ"
    row = rows.span_row("membership_spans", subject, "2000-01-01", None)
    return Violation(
        "membership_spans",
        *rows.insert_statement("membership_spans", row),
        "foreign key",
        "constraint",
    )


def citation_link_to_unknown_citation(rows: Rows) -> Violation:
    key = rows.fact("threats", cited=False)
    return Violation(
        "fact_citations",
        *rows.insert_statement(
            "fact_citations", {"fact_key": key, "citation_key": "no-such-citation"}
        ),
        "foreign key",
        "constraint",
    )


def uncited_organization(rows: Rows) -> Violation:
    code = rows.fact("organizations", cited=False)
    return Violation(
        "organizations",
        *rows.insert_statement("organizations", {"code": code, "name": code, "kind": "organ"}),
        "no citation",
        "trigger",
    )


def uncited_threat(rows: Rows) -> Violation:
    organization = rows.organization()
    key = rows.fact("threats", cited=False)
    return Violation(
        "threats",
        *rows.insert_statement("threats", rows.threat_row(key, organization)),
        "no citation",
        "trigger",
    )


def uncited_span(rows: Rows) -> Violation:
    subject = span_subject(rows, "membership_spans")
    key = rows.fact("membership_spans", cited=False)
    row = rows.span_row("membership_spans", subject, "2000-01-01", None, key=key)
    return Violation(
        "membership_spans",
        *rows.insert_statement("membership_spans", row),
        "no citation",
        "trigger",
    )


def key_changed_to_uncited(rows: Rows) -> Violation:
    threat = rows.threat(rows.organization())
    uncited = rows.fact("threats", cited=False)
    key = rows.preparer.quote("key")
    statement = text(f"UPDATE threats SET {key} = :new WHERE {key} = :old")
    return Violation(
        "threats", statement, {"new": uncited, "old": threat}, "no citation", "trigger"
    )


def last_citation_deleted(rows: Rows) -> Violation:
    threat = rows.threat(rows.organization())
    statement = text("DELETE FROM fact_citations WHERE fact_key = :key")
    return Violation("fact_citations", statement, {"key": threat}, "last citation", "trigger")


def last_citation_moved(rows: Rows) -> Violation:
    threat = rows.threat(rows.organization())
    other = rows.fact("threats", cited=False)
    statement = text("UPDATE fact_citations SET fact_key = :other WHERE fact_key = :key")
    return Violation(
        "fact_citations", statement, {"key": threat, "other": other}, "last citation", "trigger"
    )


RULES: dict[str, Callable[[Rows], Violation]] = {
    **{f"{table}-overlap-insert": overlap_on_insert(table) for table in SPAN_TABLES},
    **{f"{table}-overlap-update": overlap_on_update(table) for table in SPAN_TABLES},
    "span-ends-before-start": ends_before_start,
    "partial-date-bounds-out-of-order": bounds_out_of_order,
    "status-outside-vocabulary": status_outside_vocabulary,
    "fact-table-outside-vocabulary": fact_table_outside_vocabulary,
    "foreign-key-state": span_of_unknown_state,
    "foreign-key-citation": citation_link_to_unknown_citation,
    "uncited-organization": uncited_organization,
    "uncited-threat": uncited_threat,
    "uncited-membership-span": uncited_span,
    "fact-key-changed-to-uncited": key_changed_to_uncited,
    "last-citation-deleted": last_citation_deleted,
    "last-citation-moved": last_citation_moved,
}


def expected_error(dialect: str, kind: str) -> type[Exception]:
    if dialect == "mariadb" and kind in ("check", "trigger"):
        return OperationalError
    return IntegrityError


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_database_refuses(rows: Rows, rule: Callable[[Rows], Violation]):
    violation = rule(rows)
    before = rows.snapshot(violation.table)
    with pytest.raises((IntegrityError, OperationalError)) as refused:
        rows.run(violation.statement, violation.parameters)
    assert type(refused.value) is expected_error(rows.engine.dialect.name, violation.kind)
    assert violation.mentions in str(refused.value.orig).lower()
    assert rows.snapshot(violation.table) == before


def test_valid_rows_are_accepted(rows: Rows):
    for table in SPAN_TABLES:
        subject = span_subject(rows, table)
        before = len(rows.snapshot(table))
        # Closed-open spans: one may start on the day the previous one ends.
        rows.insert(table, rows.span_row(table, subject, "2000-01-01", "2005-01-01"))
        rows.insert(table, rows.span_row(table, subject, "2005-01-01", "2010-01-01"))
        rows.insert(table, rows.span_row(table, subject, "2010-01-01", None))
        assert len(rows.snapshot(table)) == before + 3


def test_citations_go_in_the_loaders_order(rows: Rows):
    threat = rows.threat(rows.organization())
    rows.insert("fact_citations", {"fact_key": threat, "citation_key": SECOND_CITATION})
    # One of two citations may go; the last may go once the fact's row is gone.
    rows.run(
        "DELETE FROM fact_citations WHERE fact_key = :key AND citation_key = :citation",
        {"key": threat, "citation": SECOND_CITATION},
    )
    key = rows.preparer.quote("key")
    rows.run(f"DELETE FROM threats WHERE {key} = :key", {"key": threat})
    rows.run("DELETE FROM fact_citations WHERE fact_key = :key", {"key": threat})
    rows.run(f"DELETE FROM facts WHERE {key} = :key", {"key": threat})
    assert [r for r in rows.snapshot("fact_citations") if r[0] == threat] == []
    assert [r for r in rows.snapshot("threats") if r[0] == threat] == []


def test_a_fact_key_may_change_to_a_cited_key(rows: Rows):
    threat = rows.threat(rows.organization())
    cited = rows.fact("threats")
    key = rows.preparer.quote("key")
    rows.run(f"UPDATE threats SET {key} = :new WHERE {key} = :old", {"new": cited, "old": threat})
    assert [r[0] for r in rows.snapshot("threats") if r[0] in (threat, cited)] == [cited]


def test_every_fact_table_has_its_citation_trigger(rows: Rows):
    dialect = rows.engine.dialect.name
    with rows.engine.connect() as connection:
        if dialect == "sqlite":
            triggers = connection.execute(
                text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            ).all()
        elif dialect == "postgresql":
            triggers = connection.execute(
                text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c"
                    " ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                )
            ).all()
        else:
            triggers = connection.execute(
                text(
                    "SELECT event_object_table, trigger_name FROM information_schema.triggers"
                    " WHERE trigger_schema = DATABASE()"
                )
            ).all()
    cited = {table for table, name in triggers if "_cited" in name}
    assert cited == set(FACT_TABLES)
