"""The SQLAlchemy models: every table of the database, its columns, vocabularies and checks."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def partial_date(name: str, *, nullable: bool, comment: str) -> tuple:
    """The four columns of one partial date: EDTF text, lower and upper bound, precision."""
    return (
        mapped_column(f"{name}_edtf", String(40), nullable=nullable, comment=comment + " (EDTF)"),
        mapped_column(f"{name}_lower", Date, nullable=nullable,
                      comment=f"Earliest day the {name} date can be"),
        mapped_column(f"{name}_upper", Date, nullable=nullable,
                      comment=f"Latest day the {name} date can be"),
        mapped_column(f"{name}_precision", vocabulary(PRECISIONS, f"{name}_precision"),
                      nullable=nullable, comment="day, month, year or range"),
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


def reach_columns() -> tuple:
    """The outermost bounds of a span over every reading of its start and end, so that the
    day a question asks about can select candidate spans in SQL. The loader writes them and
    ``csto-db check`` recomputes them."""
    return (
        mapped_column("reach_start", Date, nullable=False,
                      comment="Earliest day any reading of the start can be"),
        mapped_column("reach_end", Date, nullable=True,
                      comment="Latest day any reading of the end can be; empty while any "
                      "reading leaves the span open"),
    )


def reach_checks() -> list[CheckConstraint]:
    """The reach holds the stored (preferred) dates."""
    return [
        CheckConstraint("reach_start <= start_lower", name="reach_start_outermost"),
        CheckConstraint("reach_end IS NULL OR (end_upper IS NOT NULL AND end_upper <= reach_end)",
                        name="reach_end_outermost"),
    ]


class FactMixin:
    """A row that states something a source says: its key is registered in ``facts``."""

    #: Names of the partial dates the table carries (each is four columns).
    partial_dates: ClassVar[tuple[str, ...]] = ()
    #: For span tables: the columns within which spans must not overlap.
    span_group: ClassVar[tuple[str, ...]] = ()


# --- Sources and citations ---------------------------------------------------------------


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = {"comment": "Each source a fact comes from."}

    key: Mapped[str] = mapped_column(String(64), primary_key=True, comment="Short key")
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(vocabulary(SOURCE_KINDS, "source_kind"))
    publisher: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500), comment="URL or file reference")
    language: Mapped[str] = mapped_column(String(8), comment="BCP 47 code of the quotes")
    published: Mapped[str | None] = mapped_column(String(40), comment="Publication date (EDTF)")
    full_text: Mapped[str | None] = mapped_column(Text, comment="The whole text, where held")
    full_text_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class Citation(Base):
    __tablename__ = "citations"
    __table_args__ = (
        CheckConstraint(
            "(char_start IS NULL AND char_end IS NULL) OR "
            "(char_start IS NOT NULL AND char_end IS NOT NULL AND 0 <= char_start "
            "AND char_start < char_end)",
            name="offsets_ordered",
        ),
        {"comment": "A verbatim quote from one source."},
    )

    key: Mapped[str] = mapped_column(String(100), primary_key=True,
                                     comment="source key and a hash of the quote")
    source_key: Mapped[str] = mapped_column(ForeignKey("sources.key"), index=True)
    quote: Mapped[str] = mapped_column(Text, comment="The source's words, exactly")
    translation: Mapped[str | None] = mapped_column(Text, comment="English gloss; not the source")
    char_start: Mapped[int | None] = mapped_column(
        Integer, comment="Offset of the quote in sources.full_text (code points, from 0)")
    char_end: Mapped[int | None] = mapped_column(Integer, comment="Offset one past the quote")
    # A cell range of a dataset file: the quote is then the text every cell in it holds.
    locator_file: Mapped[str | None] = mapped_column(
        String(200), comment="Dataset file the quote's cells are in")
    locator_record: Mapped[str | None] = mapped_column(
        String(100), comment="The record's name in that file (COW: the ioname)")
    locator_column: Mapped[str | None] = mapped_column(String(100), comment="The cells' column")
    locator_first_year: Mapped[int | None] = mapped_column(
        Integer, comment="First year (row) of the cells")
    locator_last_year: Mapped[int | None] = mapped_column(
        Integer, comment="Last year (row) of the cells")


class Fact(Base):
    __tablename__ = "facts"
    __table_args__ = {"comment": "Registry of every fact row's key, across all fact tables."}

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    table_name: Mapped[str] = mapped_column(vocabulary(FACT_TABLES, "fact_table"))
    dataset_key: Mapped[str | None] = mapped_column(
        ForeignKey("sources.key"), index=True,
        comment="The dataset import that wrote the fact; empty for the seeds' facts")


class FactCitation(Base):
    __tablename__ = "fact_citations"
    __table_args__ = {"comment": "Which citations support which fact."}

    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    citation_key: Mapped[str] = mapped_column(ForeignKey("citations.key"), primary_key=True,
                                              index=True)


# --- Entities ------------------------------------------------------------------------------


class State(Base):
    __tablename__ = "states"
    __table_args__ = {"comment": "States, keyed by ISO 3166-1 alpha-3, with COW codes."}

    iso3: Mapped[str] = mapped_column(
        String(3), primary_key=True,
        comment="ISO 3166-1 alpha-3; X.. (user-assigned) for a state ISO never coded")
    iso2: Mapped[str | None] = mapped_column(String(2), unique=True,
                                             comment="ISO 3166-1 alpha-2; empty for X.. codes")
    numeric: Mapped[str | None] = mapped_column(
        String(3), unique=True, comment="ISO 3166-1 numeric; empty for X.. codes")
    name: Mapped[str] = mapped_column(String(100), comment="English short name")
    cow_ccode: Mapped[int | None] = mapped_column(Integer, unique=True,
                                                  comment="Correlates of War state code")
    dataset_key: Mapped[str | None] = mapped_column(
        ForeignKey("sources.key"),
        comment="The dataset import that added the state; empty for the seeds' states")


class DatasetImport(Base):
    __tablename__ = "dataset_imports"
    __table_args__ = {"comment": "Each dataset file imported whole, as its own source."}

    source_key: Mapped[str] = mapped_column(ForeignKey("sources.key"), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200), comment="The file's name, no folder")
    file_sha256: Mapped[str] = mapped_column(String(64))
    organizations: Mapped[int] = mapped_column(Integer, comment="Organizations it wrote")
    spans: Mapped[int] = mapped_column(Integer, comment="Membership spans it wrote")


class Organization(FactMixin, Base):
    __tablename__ = "organizations"
    partial_dates = ("membership_start", "membership_end")
    __table_args__ = (
        *partial_date_checks("membership_start", nullable=True),
        *partial_date_checks("membership_end", nullable=True),
        {"comment": "Organizations, treaty systems and their organs."},
    )

    code: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(vocabulary(ORGANIZATION_KINDS, "organization_kind"))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.code"), comment="The organization an organ belongs to")
    predecessor_code: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.code"), comment="What this one was built on (CST for CSTO)")
    cow_ionum: Mapped[int | None] = mapped_column(Integer, comment="COW IGO number")
    (membership_start_edtf, membership_start_lower, membership_start_upper,
     membership_start_precision) = partial_date(
        "membership_start", nullable=True,
        comment="First day its membership counts: no member before it")
    (membership_end_edtf, membership_end_lower, membership_end_upper,
     membership_end_precision) = partial_date(
        "membership_end", nullable=True,
        comment="First day its membership no longer counts; empty while it lasts")
    note: Mapped[str | None] = mapped_column(Text)


# --- Facts ---------------------------------------------------------------------------------


class Document(FactMixin, Base):
    __tablename__ = "documents"
    partial_dates = ("signed", "in_force")
    __table_args__ = (
        *partial_date_checks("signed", nullable=True),
        *partial_date_checks("in_force", nullable=True),
        {"comment": "Legal documents: treaties, protocols, charter, agreements, resolutions."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(vocabulary(DOCUMENT_KINDS, "document_kind"))
    signed_edtf, signed_lower, signed_upper, signed_precision = partial_date(
        "signed", nullable=True, comment="Signed or adopted")
    place: Mapped[str | None] = mapped_column(String(100), comment="Where signed or adopted")
    in_force_edtf, in_force_lower, in_force_upper, in_force_precision = partial_date(
        "in_force", nullable=True, comment="Entered into force")
    organization_code: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.code"), comment="The organization the document belongs to")
    meeting_key: Mapped[str | None] = mapped_column(
        ForeignKey("meetings.key"), comment="The meeting that adopted it")
    note: Mapped[str | None] = mapped_column(Text)


class DocumentParty(FactMixin, Base):
    __tablename__ = "document_parties"
    partial_dates = ("acted",)
    __table_args__ = (
        CheckConstraint(
            "(state_iso3 IS NULL) <> (organization_code IS NULL)", name="one_party"),
        *partial_date_checks("acted", nullable=True),
        CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
        {"comment": "Who signed, acceded to, adopted or did not sign each document, and when."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    document_key: Mapped[str] = mapped_column(ForeignKey("documents.key"), index=True)
    state_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"), index=True)
    organization_code: Mapped[str | None] = mapped_column(ForeignKey("organizations.code"))
    role: Mapped[str] = mapped_column(vocabulary(PARTY_ROLES, "party_role"))
    acted_edtf, acted_lower, acted_upper, acted_precision = partial_date(
        "acted", nullable=True, comment="When the party acted")
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text, comment="Why, where inferred")


class Meeting(FactMixin, Base):
    __tablename__ = "meetings"
    partial_dates = ("held",)
    __table_args__ = (
        *partial_date_checks("held", nullable=False),
        {"comment": "Sessions and meetings of the organizations' organs."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"), index=True)
    kind: Mapped[str] = mapped_column(vocabulary(MEETING_KINDS, "meeting_kind"))
    held_edtf, held_lower, held_upper, held_precision = partial_date(
        "held", nullable=False, comment="When it was held")
    place: Mapped[str | None] = mapped_column(String(100))
    presided_by_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"))
    note: Mapped[str | None] = mapped_column(Text)


class Event(FactMixin, Base):
    __tablename__ = "events"
    partial_dates = ("happened",)
    __table_args__ = (
        *partial_date_checks("happened", nullable=False),
        CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
        {"comment": "Dated events: accessions, decisions, registrations, statements."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    kind: Mapped[str] = mapped_column(vocabulary(EVENT_KINDS, "event_kind"))
    title: Mapped[str] = mapped_column(String(300))
    happened_edtf, happened_lower, happened_upper, happened_precision = partial_date(
        "happened", nullable=False, comment="When it happened")
    place: Mapped[str | None] = mapped_column(String(100))
    state_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"), index=True)
    organization_code: Mapped[str | None] = mapped_column(ForeignKey("organizations.code"))
    document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))
    description: Mapped[str | None] = mapped_column(Text)
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text)


class MembershipSpan(FactMixin, Base):
    __tablename__ = "membership_spans"
    partial_dates = ("start", "end")
    span_group = ("state_iso3", "organization_code")
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower",
                        name="ends_after_start"),
        CheckConstraint("end_upper IS NULL OR start_upper <= end_upper",
                        name="ends_after_start_upper"),
        CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
        *reach_checks(),
        # members_on: the organization's spans whose reach holds the day.
        Index("ix_membership_spans_as_of", "organization_code", "reach_start"),
        {"comment": "A state's status in an organization over a closed-open span [start, end)."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    status: Mapped[str] = mapped_column(vocabulary(MEMBERSHIP_STATUSES, "membership_status"))
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=False, comment="First day in this status")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day no longer in this status; empty while open")
    start_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    start_event_key: Mapped[str | None] = mapped_column(ForeignKey("events.key"))
    end_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    end_event_key: Mapped[str | None] = mapped_column(ForeignKey("events.key"))
    reach_start, reach_end = reach_columns()
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text, comment="Why, where inferred")
    note: Mapped[str | None] = mapped_column(Text)


class Initiative(FactMixin, Base):
    __tablename__ = "initiatives"
    partial_dates = ("proposed",)
    __table_args__ = (
        *partial_date_checks("proposed", nullable=True),
        {"comment": "Initiatives member states brought to the organization."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    proposer_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    proposed_edtf, proposed_lower, proposed_upper, proposed_precision = partial_date(
        "proposed", nullable=True, comment="When proposed or promoted")
    area: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    outcome_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))


class Objective(FactMixin, Base):
    __tablename__ = "objectives"
    __table_args__ = {"comment": "The organization's stated objectives."}

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    rank: Mapped[str] = mapped_column(vocabulary(OBJECTIVE_RANKS, "objective_rank"))
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Threat(FactMixin, Base):
    __tablename__ = "threats"
    __table_args__ = {"comment": "Security threats and challenges the organization names."}

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class Position(FactMixin, Base):
    __tablename__ = "positions"
    partial_dates = ("period",)
    __table_args__ = (
        *partial_date_checks("period", nullable=True),
        {"comment": "Positions, priorities and characterizations a state states."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"))
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    topic: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    period_edtf, period_lower, period_upper, period_precision = partial_date(
        "period", nullable=True, comment="When it applies")


# --- Disagreements -------------------------------------------------------------------------


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = {"comment": "A question sources answer differently; see readings."}

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    rule: Mapped[str] = mapped_column(vocabulary(DISPUTE_RULES, "dispute_rule"),
                                      comment="How the preferred reading was chosen")
    reason: Mapped[str] = mapped_column(Text, comment="Why the preferred reading is preferred")
    disagreement: Mapped[bool] = mapped_column(
        Boolean, comment="1 when readings contradict each other; 0 when they only differ "
        "in precision (a refinement)")


class DisputeSubject(Base):
    __tablename__ = "dispute_subjects"
    __table_args__ = {"comment": "The fact fields a dispute is about."}

    dispute_key: Mapped[str] = mapped_column(ForeignKey("disputes.key"), primary_key=True)
    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True, index=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)


class Reading(FactMixin, Base):
    __tablename__ = "readings"
    partial_dates = ("value_date",)
    __table_args__ = (
        *partial_date_checks("value_date", nullable=True),
        UniqueConstraint("dispute_key", "preferred", name="uq_readings_one_preferred"),
        CheckConstraint("preferred", name="preferred_true_or_null"),
        {"comment": "One source's answer to a dispute; preferred is 1 for exactly one."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    # No index of its own: the unique constraint's index leads with dispute_key.
    dispute_key: Mapped[str] = mapped_column(ForeignKey("disputes.key"))
    value_text: Mapped[str | None] = mapped_column(String(300),
                                                   comment="A value that is not a date")
    value_date_edtf, value_date_lower, value_date_upper, value_date_precision = partial_date(
        "value_date", nullable=True, comment="A date value")
    preferred: Mapped[bool | None] = mapped_column(
        Boolean, comment="1 for the preferred reading, NULL for the others")
    note: Mapped[str | None] = mapped_column(Text)


# --- The Organization's record: chair, officers, forces, operations ------------------------


class ChairSpan(FactMixin, Base):
    __tablename__ = "chair_spans"
    partial_dates = ("start", "end")
    span_group = ("organization_code",)
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower",
                        name="ends_after_start"),
        CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
        *reach_checks(),
        # chair_on: the organization's terms whose reach holds the day.
        Index("ix_chair_spans_as_of", "organization_code", "reach_start"),
        {"comment": "Which state chaired an organization, over a closed-open span."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=False, comment="First day in the chair")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day out of the chair; empty while open")
    start_meeting_key: Mapped[str | None] = mapped_column(
        ForeignKey("meetings.key"), comment="The session that handed the chair over")
    end_meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))
    reach_start, reach_end = reach_columns()
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class OfficeTerm(FactMixin, Base):
    __tablename__ = "office_terms"
    partial_dates = ("start", "end", "appointed")
    span_group = ("organization_code", "office")
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        *partial_date_checks("appointed", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower",
                        name="ends_after_start"),
        CheckConstraint("NOT inferred OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
        *reach_checks(),
        # officials_on: every office's terms whose reach holds the day.
        Index("ix_office_terms_as_of", "reach_start"),
        {"comment": "Who held an office of the organization, over a closed-open span."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"), index=True)
    office: Mapped[str] = mapped_column(vocabulary(OFFICES, "office"))
    person: Mapped[str] = mapped_column(String(200))
    nationality_iso3: Mapped[str | None] = mapped_column(
        ForeignKey("states.iso3"), comment="The state that nominated the holder")
    acting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=False, comment="First day in office")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day out of office; empty while in office")
    appointed_edtf, appointed_lower, appointed_upper, appointed_precision = partial_date(
        "appointed", nullable=True, comment="When the appointment was decided")
    appointed_meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))
    reach_start, reach_end = reach_columns()
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Force(FactMixin, Base):
    __tablename__ = "forces"
    partial_dates = ("established",)
    __table_args__ = (
        *partial_date_checks("established", nullable=True),
        {"comment": "Collective forces the organization created."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(vocabulary(FORCE_KINDS, "force_kind"))
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    established_edtf, established_lower, established_upper, established_precision = (
        partial_date("established", nullable=True, comment="When created"))
    document_key: Mapped[str | None] = mapped_column(
        ForeignKey("documents.key"), comment="The instrument that created it")
    nominal_strength: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class Operation(FactMixin, Base):
    __tablename__ = "operations"
    partial_dates = ("requested", "decided", "start", "end")
    __table_args__ = (
        *partial_date_checks("requested", nullable=True),
        *partial_date_checks("decided", nullable=True),
        *partial_date_checks("start", nullable=True),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("start_lower IS NULL OR end_lower IS NULL OR start_lower <= end_lower",
                        name="ends_after_start"),
        {"comment": "Deployments and missions the organization sent."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(vocabulary(OPERATION_KINDS, "operation_kind"))
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    force_key: Mapped[str | None] = mapped_column(ForeignKey("forces.key"))
    host_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    requested_edtf, requested_lower, requested_upper, requested_precision = partial_date(
        "requested", nullable=True, comment="When the host asked")
    decided_edtf, decided_lower, decided_upper, decided_precision = partial_date(
        "decided", nullable=True, comment="When the Council decided")
    decision_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=True, comment="Arrival: first day on the ground")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="Withdrawal completed")
    strength: Mapped[int | None] = mapped_column(Integer, comment="Personnel sent in all")
    commander: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class Contribution(FactMixin, Base):
    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint("(force_key IS NULL) <> (operation_key IS NULL)",
                        name="one_force_or_operation"),
        {"comment": "Which states contributed to a force or an operation, and how many."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    force_key: Mapped[str | None] = mapped_column(ForeignKey("forces.key"), index=True)
    operation_key: Mapped[str | None] = mapped_column(ForeignKey("operations.key"), index=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    personnel: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class BodyObserver(FactMixin, Base):
    __tablename__ = "body_observers"
    partial_dates = ("start", "end")
    span_group = ("body_code", "observer")
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower",
                        name="ends_after_start"),
        {"comment": "Observers at an organ, such as parliaments at the Parliamentary Assembly."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    body_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"), index=True)
    observer: Mapped[str] = mapped_column(String(200), comment="The observer, by name")
    state_iso3: Mapped[str | None] = mapped_column(
        ForeignKey("states.iso3"), comment="The state whose parliament it is, if any")
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=False, comment="First day as observer")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day no longer observer; empty while open")
    note: Mapped[str | None] = mapped_column(Text)


#: MariaDB table options: utf8mb4 whatever the server's default, and a binary collation so
#: keys compare and sort as on SQLite and PostgreSQL (the default ``utf8mb4_general_ci``
#: makes ``CST`` and ``cst`` one key). Both prefixes: a ``mysql://`` URL reads ``mysql_*``.
MARIADB_TABLE_OPTIONS = {"charset": "utf8mb4", "collate": "utf8mb4_bin"}
for _table in Base.metadata.tables.values():
    for _prefix in ("mariadb", "mysql"):
        for _option, _value in MARIADB_TABLE_OPTIONS.items():
            _table.dialect_kwargs[f"{_prefix}_{_option}"] = _value


FACT_MODELS: dict[str, type[Base]] = {
    model.__tablename__: model
    for model in (
        Organization, MembershipSpan, Document, DocumentParty, Meeting, Event,
        Initiative, Objective, Threat, Position, Reading, ChairSpan, OfficeTerm, Force,
        Operation, Contribution, BodyObserver,
    )
}


def fact_key_column(model: type[Base]) -> str:
    """The column of a fact table that holds its key in ``facts``."""
    return "code" if model is Organization else "key"
