"""The tables, as SQLAlchemy Core defines them: every table's columns, keys, constraints,
indexes and comments on one ``MetaData``, with the vocabularies and the four columns of a partial
date. The models in this folder map these tables; the questions read them without the ORM."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, overload

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import text as sql_text

from .dates import PRECISIONS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Server default of the boolean flags. Written as the literal ``false`` rather than
#: ``sqlalchemy.false()``: autogenerate compiles an expression for the dialect it runs on and
#: SQLite's ``0`` would reach PostgreSQL, which refuses an integer default on a boolean.
#: SQLite (3.23+), PostgreSQL and MariaDB all read the keyword ``false``.
FALSE_DEFAULT = sql_text("false")

KEY = String(100)
"""Every fact's key: short, readable, stable (``cst-geo-party``)."""

# Vocabularies. Each becomes a VARCHAR with a named CHECK constraint on every engine.
SOURCE_KINDS = (
    "founding_text",
    "treaty_text",
    "official",
    "reference",
    "dataset",
    "agency",
    "encyclopedia",
)
FACT_TABLES = (
    "organizations",
    "membership_spans",
    "documents",
    "document_parties",
    "meetings",
    "events",
    "initiatives",
    "objectives",
    "threats",
    "positions",
    "readings",
    "chair_spans",
    "office_terms",
    "forces",
    "operations",
    "contributions",
    "body_observers",
)
#: Each fact table's partial dates by name (each is four columns: ``start`` is
#: ``start_edtf``, ``start_lower``, ``start_upper``, ``start_precision``).
PARTIAL_DATES: dict[str, tuple[str, ...]] = {
    "organizations": ("membership_start", "membership_end", "horizon"),
    "membership_spans": ("start", "end"),
    "documents": ("signed", "in_force"),
    "document_parties": ("acted",),
    "meetings": ("held",),
    "events": ("happened",),
    "initiatives": ("proposed",),
    "objectives": (),
    "threats": (),
    "positions": ("period",),
    "readings": ("value_date",),
    "chair_spans": ("start", "end"),
    "office_terms": ("start", "end", "appointed"),
    "forces": ("established",),
    "operations": ("requested", "decided", "start", "end"),
    "contributions": (),
    "body_observers": ("start", "end"),
}
#: The span tables: the columns within which spans must not overlap.
SPAN_GROUPS: dict[str, tuple[str, ...]] = {
    "membership_spans": ("state_iso3", "organization_code"),
    "chair_spans": ("organization_code",),
    "office_terms": ("organization_code", "office"),
    "body_observers": ("body_code", "observer"),
}


#: Tables only a dataset import fills (``csto-db import-cow``); the seeds leave them empty.
IMPORT_TABLES = ("dataset_imports", "missing_data", "not_in_system", "cow_years")
#: Tables ``init`` keeps about the build, not filled from the seeds.
BUILD_TABLES = ("build_record", "row_digests")


def fact_key_column_of(table: str) -> str:
    """The column of the fact table ``table`` that holds its key in ``facts``."""
    return "code" if table == "organizations" else "key"


ORGANIZATION_KINDS = (
    "treaty_system",
    "international_organization",
    "organ",
    "un_organ",
    "un_department",
    "regional_organization",
)
MEMBERSHIP_STATUSES = ("party", "member", "frozen", "suspended", "observer", "associate")
#: Statuses that count a state in ``members_on``: a frozen member is still a member.
MEMBER_STATUSES = ("party", "member", "frozen")
DOCUMENT_KINDS = (
    "treaty",
    "protocol",
    "charter",
    "agreement",
    "resolution",
    "memorandum",
    "statement",
    "decision",
    "declaration",
    "regulations",
)
PARTY_ROLES = ("signatory", "accession", "adoption", "non_signatory", "ratification")
MEETING_KINDS = ("regular", "extraordinary", "informal", "unspecified")
EVENT_KINDS = (
    "accession",
    "signature",
    "entry_into_force",
    "withdrawal",
    "suspension",
    "freeze",
    "restoration",
    "decision",
    "registration",
    "statement",
    "request",
    "refusal",
    "notification",
    "other",
)
OBJECTIVE_RANKS = ("fundamental", "key")
OFFICES = ("secretary_general", "council_secretary_general")
FORCE_KINDS = ("rapid_deployment", "rapid_reaction", "peacekeeping")
OPERATION_KINDS = ("deployment", "mission")
DISPUTE_RULES = ("source_rank", "precision", "editorial")


def vocabulary(values: tuple[str, ...], name: str) -> Enum:
    """A portable enumeration: VARCHAR plus a named CHECK, never a native enum type."""
    return Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
        validate_strings=True,
    )


#: The four columns of a partial date that must be given, and of one that may be empty.
RequiredDateColumns = tuple[Column[str], Column[date], Column[date], Column[str]]
OptionalDateColumns = tuple[
    Column[str | None],
    Column[date | None],
    Column[date | None],
    Column[str | None],
]


@overload
def partial_date(name: str, *, nullable: Literal[False], comment: str) -> RequiredDateColumns: ...
@overload
def partial_date(name: str, *, nullable: Literal[True], comment: str) -> OptionalDateColumns: ...
def partial_date(name: str, *, nullable: bool, comment: str) -> tuple[Column[Any], ...]:
    """The four columns of one partial date: EDTF text, lower and upper bound, precision."""
    return (
        Column(f"{name}_edtf", String(40), nullable=nullable, comment=comment + " (EDTF)"),
        Column(
            f"{name}_lower", Date, nullable=nullable, comment=f"Earliest day the {name} date can be"
        ),
        Column(
            f"{name}_upper", Date, nullable=nullable, comment=f"Latest day the {name} date can be"
        ),
        Column(
            f"{name}_precision",
            vocabulary(PRECISIONS, f"{name}_precision"),
            nullable=nullable,
            comment="day, month, year or range",
        ),
    )


def partial_date_checks(name: str, *, nullable: bool) -> list[CheckConstraint]:
    """Bounds in order and, for an optional date, its four columns set or empty together."""
    checks = [CheckConstraint(f"{name}_lower <= {name}_upper", name=f"{name}_bounds_ordered")]
    if nullable:
        checks.append(
            CheckConstraint(
                f"({name}_edtf IS NULL AND {name}_lower IS NULL AND {name}_upper IS NULL"
                f" AND {name}_precision IS NULL) OR ({name}_edtf IS NOT NULL AND"
                f" {name}_lower IS NOT NULL AND {name}_upper IS NOT NULL"
                f" AND {name}_precision IS NOT NULL)",
                name=f"{name}_all_or_none",
            )
        )
    return checks


def reach_columns() -> tuple[Column[date], Column[date | None]]:
    """The outermost bounds of a span over every reading of its start and end, so that the
    day a question asks about can select candidate spans in SQL. The loader writes them and
    ``csto-db check`` recomputes them."""
    return (
        Column(
            "reach_start",
            Date,
            nullable=False,
            comment="Earliest day any reading of the start can be",
        ),
        Column(
            "reach_end",
            Date,
            nullable=True,
            comment="Latest day any reading of the end can be; empty while any "
            "reading leaves the span open",
        ),
    )


def reach_checks() -> list[CheckConstraint]:
    """The reach holds the stored (preferred) dates."""
    return [
        CheckConstraint("reach_start <= start_lower", name="reach_start_outermost"),
        CheckConstraint(
            "reach_end IS NULL OR (end_upper IS NOT NULL AND end_upper <= reach_end)",
            name="reach_end_outermost",
        ),
    ]


metadata = MetaData(naming_convention=NAMING_CONVENTION)
"""The one ``MetaData`` of every table; the models' declarative base shares it."""


# --- bookkeeping ---------------------------------------------------------------------

dataset_imports = Table(
    "dataset_imports",
    metadata,
    Column("source_key", ForeignKey("sources.key"), primary_key=True),
    Column("file_name", String(200), comment="The file's name, no folder", nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("organizations", Integer, comment="Organizations it wrote", nullable=False),
    Column("spans", Integer, comment="Membership spans it wrote", nullable=False),
    comment="Each dataset file imported whole, as its own source.",
)


build_record = Table(
    "build_record",
    metadata,
    Column(
        "id", Integer, primary_key=True, autoincrement=False, comment="Always 1: one build record"
    ),
    Column("revision", String(32), comment="Schema revision of the build", nullable=False),
    Column(
        "seeds_sha256",
        String(64),
        comment="SHA-256 over the seed files' names and bytes",
        nullable=False,
    ),
    Column(
        "content_sha256",
        String(64),
        comment="SHA-256 over every row digest, in table and key order",
        nullable=False,
    ),
    Column("row_count", Integer, comment="Rows the seeds put in the database", nullable=False),
    Column(
        "record_version",
        String(32),
        comment="The csto-db release that built the database; empty for a build older than "
        "the column",
        nullable=True,
    ),
    CheckConstraint("id = 1", name="one_row"),
    comment="What `csto-db init` last built the database from; `check` compares.",
)


row_digests = Table(
    "row_digests",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("row_key", String(400), primary_key=True, comment="The row's primary key as text"),
    Column("sha256", String(64), comment="SHA-256 of the row's values", nullable=False),
    comment="A digest of each row `init` wrote; `check` recomputes them.",
)


# --- provenance ----------------------------------------------------------------------

sources = Table(
    "sources",
    metadata,
    Column("key", String(64), primary_key=True, comment="Short key"),
    Column("title", String(500), nullable=False),
    Column("kind", vocabulary(SOURCE_KINDS, "source_kind"), nullable=False),
    Column("publisher", String(200), nullable=True),
    Column("address", String(500), comment="URL or file reference", nullable=True),
    Column("language", String(8), comment="BCP 47 code of the quotes", nullable=False),
    Column("published", String(40), comment="Publication date (EDTF)", nullable=True),
    # Deferred by the model: loaded when read, not with every source a citation brings.
    Column("full_text", Text, comment="The whole text, where held", nullable=True),
    Column("full_text_sha256", String(64), nullable=True),
    Column("note", Text, nullable=True),
    comment="Each source a fact comes from.",
)


citations = Table(
    "citations",
    metadata,
    Column("key", String(100), primary_key=True, comment="source key and a hash of the quote"),
    Column("source_key", ForeignKey("sources.key"), index=True, nullable=False),
    Column("quote", Text, comment="The source's words, exactly", nullable=False),
    Column("translation", Text, comment="English gloss; not the source", nullable=True),
    Column(
        "char_start",
        Integer,
        comment="Offset of the quote in sources.full_text (code points, from 0)",
        nullable=True,
    ),
    Column("char_end", Integer, comment="Offset one past the quote", nullable=True),
    Column(
        "locator_file", String(200), comment="Dataset file the quote's cells are in", nullable=True
    ),
    Column(
        "locator_record",
        String(100),
        comment="The record's name in that file (COW: the ioname)",
        nullable=True,
    ),
    Column("locator_column", String(100), comment="The cells' column", nullable=True),
    Column("locator_first_year", Integer, comment="First year (row) of the cells", nullable=True),
    Column("locator_last_year", Integer, comment="Last year (row) of the cells", nullable=True),
    CheckConstraint(
        "(char_start IS NULL AND char_end IS NULL) OR "
        "(char_start IS NOT NULL AND char_end IS NOT NULL AND 0 <= char_start "
        "AND char_start < char_end)",
        name="offsets_ordered",
    ),
    comment="A verbatim quote from one source.",
)


facts = Table(
    "facts",
    metadata,
    Column("key", KEY, primary_key=True),
    Column("table_name", vocabulary(FACT_TABLES, "fact_table"), nullable=False),
    Column(
        "dataset_key",
        ForeignKey("sources.key"),
        index=True,
        comment="The dataset import that wrote the fact; empty for the seeds' facts",
        nullable=True,
    ),
    comment="Registry of every fact row's key, across all fact tables.",
)


fact_citations = Table(
    "fact_citations",
    metadata,
    Column("fact_key", ForeignKey("facts.key"), primary_key=True),
    Column("citation_key", ForeignKey("citations.key"), primary_key=True, index=True),
    comment="Which citations support which fact.",
)


disputes = Table(
    "disputes",
    metadata,
    Column("key", KEY, primary_key=True),
    Column("question", String(300), nullable=False),
    Column(
        "rule",
        vocabulary(DISPUTE_RULES, "dispute_rule"),
        comment="How the preferred reading was chosen",
        nullable=False,
    ),
    Column("reason", Text, comment="Why the preferred reading is preferred", nullable=False),
    Column(
        "disagreement",
        Boolean,
        comment="1 when readings contradict each other; 0 when they only differ "
        "in precision (a refinement)",
        nullable=False,
    ),
    comment="A question sources answer differently; see readings.",
)


dispute_subjects = Table(
    "dispute_subjects",
    metadata,
    Column("dispute_key", ForeignKey("disputes.key"), primary_key=True),
    Column("fact_key", ForeignKey("facts.key"), primary_key=True, index=True),
    Column("field", String(40), primary_key=True),
    comment="The fact fields a dispute is about.",
)


readings = Table(
    "readings",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    # No index of its own: the unique constraint's index leads with dispute_key.
    Column("dispute_key", ForeignKey("disputes.key"), nullable=False),
    Column("value_text", String(300), comment="A value that is not a date", nullable=True),
    *partial_date("value_date", nullable=True, comment="A date value"),
    Column(
        "preferred",
        Boolean,
        comment="1 for the preferred reading, NULL for the others",
        nullable=True,
    ),
    Column("note", Text, nullable=True),
    *partial_date_checks("value_date", nullable=True),
    UniqueConstraint("dispute_key", "preferred", name="uq_readings_one_preferred"),
    CheckConstraint("preferred", name="preferred_true_or_null"),
    comment="One source's answer to a dispute; preferred is 1 for exactly one.",
)


# --- documents -----------------------------------------------------------------------

documents = Table(
    "documents",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("title", String(400), nullable=False),
    Column("kind", vocabulary(DOCUMENT_KINDS, "document_kind"), nullable=False),
    *partial_date("signed", nullable=True, comment="Signed or adopted"),
    Column("place", String(100), comment="Where signed or adopted", nullable=True),
    *partial_date("in_force", nullable=True, comment="Entered into force"),
    Column(
        "organization_code",
        ForeignKey("organizations.code"),
        comment="The organization the document belongs to",
        nullable=True,
    ),
    Column(
        "meeting_key",
        ForeignKey("meetings.key"),
        comment="The meeting that adopted it",
        nullable=True,
    ),
    Column("note", Text, nullable=True),
    *partial_date_checks("signed", nullable=True),
    *partial_date_checks("in_force", nullable=True),
    comment="Legal documents: treaties, protocols, charter, agreements, resolutions.",
)


document_parties = Table(
    "document_parties",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("document_key", ForeignKey("documents.key"), index=True, nullable=False),
    Column("state_iso3", ForeignKey("states.iso3"), index=True, nullable=True),
    Column("organization_code", ForeignKey("organizations.code"), nullable=True),
    Column("role", vocabulary(PARTY_ROLES, "party_role"), nullable=False),
    *partial_date("acted", nullable=True, comment="When the party acted"),
    Column("inferred", Boolean, default=False, server_default=FALSE_DEFAULT, nullable=False),
    Column("reasoning", Text, comment="Why, where inferred", nullable=True),
    CheckConstraint("(state_iso3 IS NULL) <> (organization_code IS NULL)", name="one_party"),
    *partial_date_checks("acted", nullable=True),
    CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
    comment="Who signed, acceded to, adopted or did not sign each document, and when.",
)


initiatives = Table(
    "initiatives",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("proposer_iso3", ForeignKey("states.iso3"), index=True, nullable=False),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    *partial_date("proposed", nullable=True, comment="When proposed or promoted"),
    Column("area", String(100), nullable=False),
    Column("description", Text, nullable=False),
    Column("outcome_document_key", ForeignKey("documents.key"), nullable=True),
    Column("meeting_key", ForeignKey("meetings.key"), nullable=True),
    *partial_date_checks("proposed", nullable=True),
    comment="Initiatives member states brought to the organization.",
)


objectives = Table(
    "objectives",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    Column("rank", vocabulary(OBJECTIVE_RANKS, "objective_rank"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("text", Text, nullable=False),
    comment="The organization's stated objectives.",
)


threats = Table(
    "threats",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    comment="Security threats and challenges the organization names.",
)


positions = Table(
    "positions",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("state_iso3", ForeignKey("states.iso3"), nullable=False),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    Column("topic", String(100), nullable=False),
    Column("text", Text, nullable=False),
    *partial_date("period", nullable=True, comment="When it applies"),
    *partial_date_checks("period", nullable=True),
    comment="Positions, priorities and characterizations a state states.",
)


# --- membership ----------------------------------------------------------------------

states = Table(
    "states",
    metadata,
    Column(
        "iso3",
        String(3),
        primary_key=True,
        comment="ISO 3166-1 alpha-3; X.. (user-assigned) for a state ISO never coded",
    ),
    Column(
        "iso2",
        String(2),
        unique=True,
        comment="ISO 3166-1 alpha-2; empty for X.. codes",
        nullable=True,
    ),
    Column(
        "numeric",
        String(3),
        unique=True,
        comment="ISO 3166-1 numeric; empty for X.. codes",
        nullable=True,
    ),
    Column("name", String(100), comment="English short name", nullable=False),
    Column(
        "cow_ccode", Integer, unique=True, comment="Correlates of War state code", nullable=True
    ),
    Column(
        "dataset_key",
        ForeignKey("sources.key"),
        comment="The dataset import that added the state; empty for the seeds' states",
        nullable=True,
    ),
    comment="States, keyed by ISO 3166-1 alpha-3, with COW codes.",
)


organizations = Table(
    "organizations",
    metadata,
    Column("code", ForeignKey("facts.key"), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", vocabulary(ORGANIZATION_KINDS, "organization_kind"), nullable=False),
    Column(
        "parent_code",
        ForeignKey("organizations.code"),
        comment="The organization an organ belongs to",
        nullable=True,
    ),
    Column(
        "predecessor_code",
        ForeignKey("organizations.code"),
        comment="What this one was built on (CST for CSTO)",
        nullable=True,
    ),
    Column("cow_ionum", Integer, comment="COW IGO number", nullable=True),
    *partial_date(
        "membership_start",
        nullable=True,
        comment="First day its membership counts: no member before it",
    ),
    *partial_date(
        "membership_end",
        nullable=True,
        comment="First day its membership no longer counts; empty while it lasts",
    ),
    *partial_date(
        "horizon",
        nullable=True,
        comment="The last day its record covers (its upper bound): past it no answer is certain",
    ),
    Column(
        "horizon_reasoning",
        Text,
        comment="Why the record ends there: its newest source, or a dataset's last year",
        nullable=True,
    ),
    Column("note", Text, nullable=True),
    *partial_date_checks("membership_start", nullable=True),
    *partial_date_checks("membership_end", nullable=True),
    *partial_date_checks("horizon", nullable=True),
    CheckConstraint(
        "horizon_edtf IS NULL OR horizon_reasoning IS NOT NULL", name="horizon_has_reasoning"
    ),
    comment="Organizations, treaty systems and their organs.",
)


membership_spans = Table(
    "membership_spans",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("state_iso3", ForeignKey("states.iso3"), index=True, nullable=False),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    Column("status", vocabulary(MEMBERSHIP_STATUSES, "membership_status"), nullable=False),
    *partial_date("start", nullable=False, comment="First day in this status"),
    *partial_date(
        "end", nullable=True, comment="First day no longer in this status; empty while open"
    ),
    Column("start_document_key", ForeignKey("documents.key"), nullable=True),
    Column("start_event_key", ForeignKey("events.key"), nullable=True),
    Column("end_document_key", ForeignKey("documents.key"), nullable=True),
    Column("end_event_key", ForeignKey("events.key"), nullable=True),
    *reach_columns(),
    Column("inferred", Boolean, default=False, server_default=FALSE_DEFAULT, nullable=False),
    Column("reasoning", Text, comment="Why, where inferred", nullable=True),
    Column("note", Text, nullable=True),
    *partial_date_checks("start", nullable=False),
    *partial_date_checks("end", nullable=True),
    CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
    CheckConstraint("end_upper IS NULL OR start_upper <= end_upper", name="ends_after_start_upper"),
    CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
    *reach_checks(),
    # members_on: the organization's spans whose reach holds the day.
    Index("ix_membership_spans_as_of", "organization_code", "reach_start"),
    comment="A state's status in an organization over a closed-open span [start, end).",
)


body_observers = Table(
    "body_observers",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("body_code", ForeignKey("organizations.code"), index=True, nullable=False),
    Column("observer", String(200), comment="The observer, by name", nullable=False),
    Column(
        "state_iso3",
        ForeignKey("states.iso3"),
        comment="The state whose parliament it is, if any",
        nullable=True,
    ),
    *partial_date("start", nullable=False, comment="First day as observer"),
    *partial_date("end", nullable=True, comment="First day no longer observer; empty while open"),
    Column("note", Text, nullable=True),
    *partial_date_checks("start", nullable=False),
    *partial_date_checks("end", nullable=True),
    CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
    comment="Observers at an organ, such as parliaments at the Parliamentary Assembly.",
)


def _runs_of_cells(name: str, comment: str, *extra: Any) -> Table:
    """A table of runs of years in which a dataset codes a state's cell for an organization
    one way (missing, empty): one row per run, located in the dataset by its source."""
    return Table(
        name,
        metadata,
        Column("organization_code", ForeignKey("organizations.code"), primary_key=True),
        Column("state_iso3", ForeignKey("states.iso3"), primary_key=True),
        Column("first_year", Integer, primary_key=True, comment="First year of the run"),
        Column("last_year", Integer, comment="Last year of the run", nullable=False),
        Column(
            "source_key",
            ForeignKey("sources.key"),
            index=True,
            comment="The dataset whose cells these are: the row locates them (record, state "
            "column, years)",
            nullable=False,
        ),
        CheckConstraint("first_year <= last_year", name="years_ordered"),
        *extra,
        comment=comment,
    )


missing_data = _runs_of_cells(
    "missing_data",
    "Runs of years a dataset codes as missing data (COW IGO: -9) for a "
    "state in an organization: neither member nor not, unknown.",
    # shared: the runs of either of two states in a year (the key begins with the
    # organization).
    Index("ix_missing_data_by_state", "state_iso3", "first_year"),
)

not_in_system = _runs_of_cells(
    "not_in_system",
    "Runs of years a dataset leaves a state's cell empty for an "
    "organization (COW IGO: -1, state not a member of the state system): neither "
    "member nor not, outside the system.",
)

cow_years = Table(
    "cow_years",
    metadata,
    Column(
        "organization_code",
        ForeignKey("organizations.code"),
        primary_key=True,
        comment="COW's ioname",
    ),
    Column("year", Integer, primary_key=True, comment="The row's year"),
    Column(
        "source_key",
        ForeignKey("sources.key"),
        index=True,
        comment="The dataset file the row is from",
        nullable=False,
    ),
    Column("orgname", String(200), comment="COW's orgname", nullable=False),
    Column("sdate", String(20), comment="COW's sdate: the start year", nullable=False),
    Column("deaddate", String(20), comment="COW's deaddate: the end year", nullable=False),
    Column("dead", String(20), comment="COW's dead flag", nullable=False),
    Column("integrated", String(20), comment="COW's integrated flag", nullable=False),
    Column("replaced", String(20), comment="COW's replaced flag", nullable=False),
    Column("longorgname", String(400), comment="COW's longorgname", nullable=False),
    Column("ionum", String(20), comment="COW's ionum, as the file writes it", nullable=False),
    Column("igocode", String(20), comment="COW's igocode (v1.1 number)", nullable=False),
    Column("version", String(40), comment="COW's version, as written", nullable=False),
    Column(
        "accuracyofpre1965membershipdates",
        String(200),
        comment="COW's accuracy of pre-1965 membership dates",
        nullable=False,
    ),
    Column("sourcesandnotes", Text, comment="COW's sources and notes", nullable=False),
    Column("imputed", String(20), comment="COW's imputed flag", nullable=False),
    Column("political", String(20), comment="COW's political flag", nullable=False),
    Column("social", String(20), comment="COW's social flag", nullable=False),
    Column("economic", String(20), comment="COW's economic flag", nullable=False),
    comment="COW IGO's organization-year rows (layout 3.0a): which years the file "
    "codes an organization, and each row's cells beside the state columns, verbatim.",
)


# --- record --------------------------------------------------------------------------

meetings = Table(
    "meetings",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("body_code", ForeignKey("organizations.code"), index=True, nullable=False),
    Column("kind", vocabulary(MEETING_KINDS, "meeting_kind"), nullable=False),
    *partial_date("held", nullable=False, comment="When it was held"),
    Column("place", String(100), nullable=True),
    Column("presided_by_iso3", ForeignKey("states.iso3"), nullable=True),
    Column("note", Text, nullable=True),
    *partial_date_checks("held", nullable=False),
    comment="Sessions and meetings of the organizations' organs.",
)


events = Table(
    "events",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("kind", vocabulary(EVENT_KINDS, "event_kind"), nullable=False),
    Column("title", String(300), nullable=False),
    *partial_date("happened", nullable=False, comment="When it happened"),
    Column("place", String(100), nullable=True),
    Column("state_iso3", ForeignKey("states.iso3"), index=True, nullable=True),
    Column("organization_code", ForeignKey("organizations.code"), nullable=True),
    Column("document_key", ForeignKey("documents.key"), nullable=True),
    Column("meeting_key", ForeignKey("meetings.key"), nullable=True),
    Column("description", Text, nullable=True),
    Column("inferred", Boolean, default=False, server_default=FALSE_DEFAULT, nullable=False),
    Column("reasoning", Text, nullable=True),
    *partial_date_checks("happened", nullable=False),
    CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
    comment="Dated events: accessions, decisions, registrations, statements.",
)


chair_spans = Table(
    "chair_spans",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    Column("state_iso3", ForeignKey("states.iso3"), index=True, nullable=False),
    *partial_date("start", nullable=False, comment="First day in the chair"),
    *partial_date("end", nullable=True, comment="First day out of the chair; empty while open"),
    Column(
        "start_meeting_key",
        ForeignKey("meetings.key"),
        comment="The session that handed the chair over",
        nullable=True,
    ),
    Column("end_meeting_key", ForeignKey("meetings.key"), nullable=True),
    *reach_columns(),
    Column("inferred", Boolean, default=False, server_default=FALSE_DEFAULT, nullable=False),
    Column("reasoning", Text, nullable=True),
    Column("note", Text, nullable=True),
    *partial_date_checks("start", nullable=False),
    *partial_date_checks("end", nullable=True),
    CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
    CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
    *reach_checks(),
    # chair_on: the organization's terms whose reach holds the day.
    Index("ix_chair_spans_as_of", "organization_code", "reach_start"),
    comment="Which state chaired an organization, over a closed-open span.",
)


office_terms = Table(
    "office_terms",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("organization_code", ForeignKey("organizations.code"), index=True, nullable=False),
    Column("office", vocabulary(OFFICES, "office"), nullable=False),
    Column("person", String(200), nullable=False),
    Column(
        "nationality_iso3",
        ForeignKey("states.iso3"),
        comment="The state that nominated the holder",
        nullable=True,
    ),
    Column("acting", Boolean, default=False, server_default=FALSE_DEFAULT, nullable=False),
    *partial_date("start", nullable=False, comment="First day in office"),
    *partial_date("end", nullable=True, comment="First day out of office; empty while in office"),
    *partial_date("appointed", nullable=True, comment="When the appointment was decided"),
    Column("appointed_meeting_key", ForeignKey("meetings.key"), nullable=True),
    *reach_columns(),
    Column("inferred", Boolean, default=False, server_default=FALSE_DEFAULT, nullable=False),
    Column("reasoning", Text, nullable=True),
    Column("note", Text, nullable=True),
    *partial_date_checks("start", nullable=False),
    *partial_date_checks("end", nullable=True),
    *partial_date_checks("appointed", nullable=True),
    CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
    CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
    *reach_checks(),
    # officials_on: every office's terms whose reach holds the day.
    Index("ix_office_terms_as_of", "reach_start"),
    comment="Who held an office of the organization, over a closed-open span.",
)


forces = Table(
    "forces",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", vocabulary(FORCE_KINDS, "force_kind"), nullable=False),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    *partial_date("established", nullable=True, comment="When created"),
    Column(
        "document_key",
        ForeignKey("documents.key"),
        comment="The instrument that created it",
        nullable=True,
    ),
    Column("nominal_strength", Integer, nullable=True),
    Column("note", Text, nullable=True),
    *partial_date_checks("established", nullable=True),
    comment="Collective forces the organization created.",
)


operations = Table(
    "operations",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("kind", vocabulary(OPERATION_KINDS, "operation_kind"), nullable=False),
    Column("organization_code", ForeignKey("organizations.code"), nullable=False),
    Column("force_key", ForeignKey("forces.key"), nullable=True),
    Column("host_iso3", ForeignKey("states.iso3"), index=True, nullable=False),
    *partial_date("requested", nullable=True, comment="When the host asked"),
    *partial_date("decided", nullable=True, comment="When the Council decided"),
    Column("decision_document_key", ForeignKey("documents.key"), nullable=True),
    *partial_date("start", nullable=True, comment="Arrival: first day on the ground"),
    *partial_date("end", nullable=True, comment="Withdrawal completed"),
    Column("strength", Integer, comment="Personnel sent in all", nullable=True),
    Column("commander", String(200), nullable=True),
    Column("note", Text, nullable=True),
    *partial_date_checks("requested", nullable=True),
    *partial_date_checks("decided", nullable=True),
    *partial_date_checks("start", nullable=True),
    *partial_date_checks("end", nullable=True),
    CheckConstraint(
        "start_lower IS NULL OR end_lower IS NULL OR start_lower <= end_lower",
        name="ends_after_start",
    ),
    comment="Deployments and missions the organization sent.",
)


contributions = Table(
    "contributions",
    metadata,
    Column("key", ForeignKey("facts.key"), primary_key=True),
    Column("force_key", ForeignKey("forces.key"), index=True, nullable=True),
    Column("operation_key", ForeignKey("operations.key"), index=True, nullable=True),
    Column("state_iso3", ForeignKey("states.iso3"), index=True, nullable=False),
    Column("personnel", Integer, nullable=True),
    Column("note", Text, nullable=True),
    CheckConstraint(
        "(force_key IS NULL) <> (operation_key IS NULL)", name="one_force_or_operation"
    ),
    comment="Which states contributed to a force or an operation, and how many.",
)


#: MariaDB table options: utf8mb4 whatever the server's default, and a binary collation so
#: keys compare and sort as on SQLite and PostgreSQL (the default ``utf8mb4_general_ci``
#: makes ``CST`` and ``cst`` one key). Both prefixes: a ``mysql://`` URL reads ``mysql_*``.
MARIADB_TABLE_OPTIONS = {"charset": "utf8mb4", "collate": "utf8mb4_bin"}


@event.listens_for(metadata, "before_create")
def _mariadb_table_options(target: MetaData, connection: Any, **_: Any) -> None:
    # Given to the tables when a MariaDB connection creates them, not when this module is
    # imported: naming a dialect's options makes SQLAlchemy import that dialect, and a
    # question asked of SQLite would pay for MariaDB's 19 modules.
    if connection.dialect.name not in ("mariadb", "mysql"):
        return
    for table in target.tables.values():
        for prefix in ("mariadb", "mysql"):
            for option, value in MARIADB_TABLE_OPTIONS.items():
                table.dialect_kwargs[f"{prefix}_{option}"] = value
