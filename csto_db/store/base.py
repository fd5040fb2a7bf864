"""The SQLAlchemy models: every table of the database, its columns, vocabularies and checks."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

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
    and_,
    inspect,
    or_,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import (
    Composite,
    DeclarativeBase,
    Mapped,
    MappedColumn,
    composite,
    declared_attr,
    foreign,
    mapped_column,
    relationship,
    remote,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Subquery

from .dates import PRECISIONS, PartialDate

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

    def __repr__(self) -> str:
        identity = inspect(self).identity
        key = identity[0] if identity is not None and len(identity) == 1 else identity
        return f"<{type(self).__name__} {key!r}>"


#: The four columns of a partial date that must be given, and of one that may be empty.
RequiredDateColumns = tuple[
    MappedColumn[str], MappedColumn[date], MappedColumn[date], MappedColumn[str]
]
OptionalDateColumns = tuple[
    MappedColumn[str | None],
    MappedColumn[date | None],
    MappedColumn[date | None],
    MappedColumn[str | None],
]


@overload
def partial_date(name: str, *, nullable: Literal[False], comment: str) -> RequiredDateColumns: ...
@overload
def partial_date(name: str, *, nullable: Literal[True], comment: str) -> OptionalDateColumns: ...
def partial_date(name: str, *, nullable: bool, comment: str) -> tuple[MappedColumn[Any], ...]:
    """The four columns of one partial date: EDTF text, lower and upper bound, precision."""
    return (
        mapped_column(f"{name}_edtf", String(40), nullable=nullable, comment=comment + " (EDTF)"),
        mapped_column(
            f"{name}_lower", Date, nullable=nullable, comment=f"Earliest day the {name} date can be"
        ),
        mapped_column(
            f"{name}_upper", Date, nullable=nullable, comment=f"Latest day the {name} date can be"
        ),
        mapped_column(
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


class PartialDateComparator(Composite.Comparator[PartialDate]):
    """A partial date in SQL: its columns by the names of :class:`PartialDate`'s fields, so
    that ``MembershipSpan.start.lower <= day`` reads as it does on a loaded row."""

    def _column(self, index: int) -> ColumnElement[Any]:
        column: ColumnElement[Any] = self.clauses.clauses[index]
        return column

    @property
    def edtf(self) -> ColumnElement[str]:
        return self._column(0)

    @property
    def lower(self) -> ColumnElement[date]:
        return self._column(1)

    @property
    def upper(self) -> ColumnElement[date]:
        return self._column(2)

    @property
    def precision(self) -> ColumnElement[str]:
        return self._column(3)

    # Over four columns the test is a conjunction, not the one binary expression SQLAlchemy's
    # column operators are typed to return.
    def is_(self, other: None) -> ColumnElement[bool]:  # type: ignore[override]
        """``Model.end.is_(None)``: the date is empty, its four columns NULL."""
        return and_(*(column.is_(other) for column in self.clauses.clauses))

    def is_not(self, other: None) -> ColumnElement[bool]:  # type: ignore[override]
        """``Model.end.is_not(None)``: the date is given, its four columns set."""
        return and_(*(column.is_not(other) for column in self.clauses.clauses))


def _date_columns(name: str) -> tuple[str, str, str, str]:
    return f"{name}_edtf", f"{name}_lower", f"{name}_upper", f"{name}_precision"


def date_of(name: str) -> Composite[PartialDate]:
    """The partial date ``name`` as one attribute over its four columns (which stay mapped
    on their own too: ``start`` beside ``start_edtf``, ``start_lower``, ...)."""
    return composite(
        PartialDate.from_columns, *_date_columns(name), comparator_factory=PartialDateComparator
    )


def optional_date_of(name: str) -> Composite[PartialDate | None]:
    """An optional partial date as one attribute: None when its four columns are empty."""
    return composite(
        PartialDate.from_optional_columns,
        *_date_columns(name),
        comparator_factory=PartialDateComparator,
    )


def _fact_key(model: object) -> ColumnElement[str]:
    column: ColumnElement[str] = getattr(model, fact_key_column(model))
    return column


def reach_columns() -> tuple[MappedColumn[date], MappedColumn[date | None]]:
    """The outermost bounds of a span over every reading of its start and end, so that the
    day a question asks about can select candidate spans in SQL. The loader writes them and
    ``csto-db check`` recomputes them."""
    return (
        mapped_column(
            "reach_start",
            Date,
            nullable=False,
            comment="Earliest day any reading of the start can be",
        ),
        mapped_column(
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


class FactMixin:
    """A row that states something a source says: its key is registered in ``facts``.

    ``citations`` are the quotes that support it; ``readings`` the sources' answers to the
    disputes about its fields. Both load for many rows in one query (``selectin``), so a
    loop over facts and their citations costs the same few statements however long it is.
    """

    if TYPE_CHECKING:
        # What each fact model sets or gets from Base, for code that walks FACT_MODELS.
        __tablename__: str
        __table__: ClassVar[FromClause]

    #: Names of the partial dates the table carries (each is four columns).
    partial_dates: ClassVar[tuple[str, ...]] = ()
    #: For span tables: the columns within which spans must not overlap.
    span_group: ClassVar[tuple[str, ...]] = ()

    @declared_attr
    def citations(cls) -> Mapped[list[Citation]]:
        return relationship(
            "Citation",
            secondary="fact_citations",
            primaryjoin=lambda: _fact_key(cls) == foreign(FactCitation.fact_key),
            secondaryjoin=lambda: Citation.key == foreign(FactCitation.citation_key),
            order_by=lambda: (Citation.source_key, Citation.key),
            viewonly=True,
            lazy="selectin",
        )

    @declared_attr
    def readings(cls) -> Mapped[list[Reading]]:
        return relationship(
            "Reading",
            secondary=_reading_subjects,
            primaryjoin=lambda: _fact_key(cls) == foreign(_reading_subjects().c.fact_key),
            secondaryjoin=lambda: (
                remote(Reading.dispute_key) == foreign(_reading_subjects().c.dispute_key)
            ),
            order_by=lambda: Reading.key,
            viewonly=True,
            lazy="selectin",
        )


@cache
def _reading_subjects() -> Subquery:
    # One dispute can be about several fields of one fact: through the distinct pairs, each
    # reading comes once. Built on first use, when the models below exist.
    pairs = select(DisputeSubject.dispute_key, DisputeSubject.fact_key).distinct()
    return pairs.subquery("reading_subjects")


class SpanMixin:
    """A fact that holds over a closed-open span ``[start, end)``; an empty end: still open."""

    if TYPE_CHECKING:
        key: Mapped[str]
        start: Mapped[PartialDate]
        end: Mapped[PartialDate | None]
        start_lower: Mapped[date]
        start_upper: Mapped[date]
        end_lower: Mapped[date | None]
        end_upper: Mapped[date | None]

    @hybrid_method
    def holds(self, day: date, certain: bool = False) -> bool:
        """Whether the span can hold ``day`` by its stored dates (an imprecise start or end
        leaves room); with ``certain``, whether it must. Works on a row and in a query:
        ``select(MembershipSpan).where(MembershipSpan.holds(day))``. The question functions
        also weigh the readings of disputed dates, which this does not."""
        first = self.start.upper if certain else self.start.lower
        if day < first:
            return False
        if self.end is None:
            return True
        return day < (self.end.lower if certain else self.end.upper)

    @holds.expression
    @classmethod
    def _holds_expression(cls, day: date, certain: bool = False) -> ColumnElement[bool]:
        first = cls.start_upper if certain else cls.start_lower
        last = cls.end_lower if certain else cls.end_upper
        return and_(first <= day, or_(last.is_(None), last > day))


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
    # Loaded when read, not with every source a citation brings along.
    full_text: Mapped[str | None] = mapped_column(
        Text, deferred=True, comment="The whole text, where held"
    )
    full_text_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)

    citations: Mapped[list[Citation]] = relationship(
        back_populates="source", order_by="Citation.key"
    )


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

    key: Mapped[str] = mapped_column(
        String(100), primary_key=True, comment="source key and a hash of the quote"
    )
    source_key: Mapped[str] = mapped_column(ForeignKey("sources.key"), index=True)
    quote: Mapped[str] = mapped_column(Text, comment="The source's words, exactly")
    translation: Mapped[str | None] = mapped_column(Text, comment="English gloss; not the source")
    char_start: Mapped[int | None] = mapped_column(
        Integer, comment="Offset of the quote in sources.full_text (code points, from 0)"
    )
    char_end: Mapped[int | None] = mapped_column(Integer, comment="Offset one past the quote")
    # A cell range of a dataset file: the quote is then the text every cell in it holds.
    locator_file: Mapped[str | None] = mapped_column(
        String(200), comment="Dataset file the quote's cells are in"
    )
    locator_record: Mapped[str | None] = mapped_column(
        String(100), comment="The record's name in that file (COW: the ioname)"
    )
    locator_column: Mapped[str | None] = mapped_column(String(100), comment="The cells' column")
    locator_first_year: Mapped[int | None] = mapped_column(
        Integer, comment="First year (row) of the cells"
    )
    locator_last_year: Mapped[int | None] = mapped_column(
        Integer, comment="Last year (row) of the cells"
    )

    source: Mapped[Source] = relationship(back_populates="citations", lazy="selectin")
    fact_citations: Mapped[list[FactCitation]] = relationship(back_populates="citation")


class Fact(Base):
    __tablename__ = "facts"
    __table_args__ = {"comment": "Registry of every fact row's key, across all fact tables."}

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    table_name: Mapped[str] = mapped_column(vocabulary(FACT_TABLES, "fact_table"))
    dataset_key: Mapped[str | None] = mapped_column(
        ForeignKey("sources.key"),
        index=True,
        comment="The dataset import that wrote the fact; empty for the seeds' facts",
    )

    fact_citations: Mapped[list[FactCitation]] = relationship(back_populates="fact")
    dispute_subjects: Mapped[list[DisputeSubject]] = relationship(back_populates="fact")


class FactCitation(Base):
    __tablename__ = "fact_citations"
    __table_args__ = {"comment": "Which citations support which fact."}

    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    citation_key: Mapped[str] = mapped_column(
        ForeignKey("citations.key"), primary_key=True, index=True
    )

    fact: Mapped[Fact] = relationship(back_populates="fact_citations")
    citation: Mapped[Citation] = relationship(back_populates="fact_citations")


# --- Entities ------------------------------------------------------------------------------


class State(Base):
    __tablename__ = "states"
    __table_args__ = {"comment": "States, keyed by ISO 3166-1 alpha-3, with COW codes."}

    iso3: Mapped[str] = mapped_column(
        String(3),
        primary_key=True,
        comment="ISO 3166-1 alpha-3; X.. (user-assigned) for a state ISO never coded",
    )
    iso2: Mapped[str | None] = mapped_column(
        String(2), unique=True, comment="ISO 3166-1 alpha-2; empty for X.. codes"
    )
    numeric: Mapped[str | None] = mapped_column(
        String(3), unique=True, comment="ISO 3166-1 numeric; empty for X.. codes"
    )
    name: Mapped[str] = mapped_column(String(100), comment="English short name")
    cow_ccode: Mapped[int | None] = mapped_column(
        Integer, unique=True, comment="Correlates of War state code"
    )
    dataset_key: Mapped[str | None] = mapped_column(
        ForeignKey("sources.key"),
        comment="The dataset import that added the state; empty for the seeds' states",
    )

    memberships: Mapped[list[MembershipSpan]] = relationship(
        back_populates="state", order_by="MembershipSpan.start_lower"
    )
    document_parties: Mapped[list[DocumentParty]] = relationship(back_populates="state")
    presided_meetings: Mapped[list[Meeting]] = relationship(back_populates="presided_by")
    events: Mapped[list[Event]] = relationship(back_populates="state")
    initiatives: Mapped[list[Initiative]] = relationship(back_populates="proposer")
    positions: Mapped[list[Position]] = relationship(back_populates="state")
    chair_spans: Mapped[list[ChairSpan]] = relationship(
        back_populates="state", order_by="ChairSpan.start_lower"
    )
    office_terms: Mapped[list[OfficeTerm]] = relationship(back_populates="nationality")
    hosted_operations: Mapped[list[Operation]] = relationship(back_populates="host")
    contributions: Mapped[list[Contribution]] = relationship(back_populates="state")
    observers: Mapped[list[BodyObserver]] = relationship(back_populates="state")


#: Tables only a dataset import fills (``csto-db import-cow``); the seeds leave them empty.
IMPORT_TABLES = ("dataset_imports", "missing_data")


class DatasetImport(Base):
    __tablename__ = "dataset_imports"
    __table_args__ = {"comment": "Each dataset file imported whole, as its own source."}

    source_key: Mapped[str] = mapped_column(ForeignKey("sources.key"), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200), comment="The file's name, no folder")
    file_sha256: Mapped[str] = mapped_column(String(64))
    organizations: Mapped[int] = mapped_column(Integer, comment="Organizations it wrote")
    spans: Mapped[int] = mapped_column(Integer, comment="Membership spans it wrote")


class MissingData(Base):
    __tablename__ = "missing_data"
    __table_args__ = (
        CheckConstraint("first_year <= last_year", name="years_ordered"),
        {
            "comment": "Runs of years a dataset codes as missing data (COW IGO: -9) for a "
            "state in an organization: neither member nor not, unknown."
        },
    )

    organization_code: Mapped[str] = mapped_column(
        ForeignKey("organizations.code"), primary_key=True
    )
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), primary_key=True)
    first_year: Mapped[int] = mapped_column(
        Integer, primary_key=True, comment="First year of the run"
    )
    last_year: Mapped[int] = mapped_column(Integer, comment="Last year of the run")
    source_key: Mapped[str] = mapped_column(
        ForeignKey("sources.key"),
        index=True,
        comment="The dataset whose cells these are: the row locates them (record, state "
        "column, years)",
    )


class Organization(FactMixin, Base):
    __tablename__ = "organizations"
    partial_dates = ("membership_start", "membership_end", "horizon")
    __table_args__ = (
        *partial_date_checks("membership_start", nullable=True),
        *partial_date_checks("membership_end", nullable=True),
        *partial_date_checks("horizon", nullable=True),
        CheckConstraint(
            "horizon_edtf IS NULL OR horizon_reasoning IS NOT NULL", name="horizon_has_reasoning"
        ),
        {"comment": "Organizations, treaty systems and their organs."},
    )

    code: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(vocabulary(ORGANIZATION_KINDS, "organization_kind"))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.code"), comment="The organization an organ belongs to"
    )
    predecessor_code: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.code"), comment="What this one was built on (CST for CSTO)"
    )
    cow_ionum: Mapped[int | None] = mapped_column(Integer, comment="COW IGO number")
    (
        membership_start_edtf,
        membership_start_lower,
        membership_start_upper,
        membership_start_precision,
    ) = partial_date(
        "membership_start",
        nullable=True,
        comment="First day its membership counts: no member before it",
    )
    membership_start = optional_date_of("membership_start")
    (membership_end_edtf, membership_end_lower, membership_end_upper, membership_end_precision) = (
        partial_date(
            "membership_end",
            nullable=True,
            comment="First day its membership no longer counts; empty while it lasts",
        )
    )
    membership_end = optional_date_of("membership_end")
    horizon_edtf, horizon_lower, horizon_upper, horizon_precision = partial_date(
        "horizon",
        nullable=True,
        comment="The last day its record covers (its upper bound): past it no answer is certain",
    )
    horizon = optional_date_of("horizon")
    horizon_reasoning: Mapped[str | None] = mapped_column(
        Text, comment="Why the record ends there: its newest source, or a dataset's last year"
    )
    note: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Organization | None] = relationship(
        back_populates="organs", foreign_keys=[parent_code], remote_side=[code], lazy="selectin"
    )
    organs: Mapped[list[Organization]] = relationship(
        back_populates="parent", foreign_keys=[parent_code]
    )
    predecessor: Mapped[Organization | None] = relationship(
        back_populates="successors",
        foreign_keys=[predecessor_code],
        remote_side=[code],
        lazy="selectin",
    )
    successors: Mapped[list[Organization]] = relationship(
        back_populates="predecessor", foreign_keys=[predecessor_code]
    )
    memberships: Mapped[list[MembershipSpan]] = relationship(
        back_populates="organization",
        order_by="(MembershipSpan.state_iso3, MembershipSpan.start_lower)",
    )
    documents: Mapped[list[Document]] = relationship(back_populates="organization")
    document_parties: Mapped[list[DocumentParty]] = relationship(back_populates="organization")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="body", order_by="Meeting.held_lower"
    )
    events: Mapped[list[Event]] = relationship(back_populates="organization")
    initiatives: Mapped[list[Initiative]] = relationship(back_populates="organization")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="organization", order_by="(Objective.rank, Objective.ordinal)"
    )
    threats: Mapped[list[Threat]] = relationship(
        back_populates="organization", order_by="Threat.ordinal"
    )
    positions: Mapped[list[Position]] = relationship(back_populates="organization")
    chair_spans: Mapped[list[ChairSpan]] = relationship(
        back_populates="organization", order_by="ChairSpan.start_lower"
    )
    office_terms: Mapped[list[OfficeTerm]] = relationship(
        back_populates="organization", order_by="(OfficeTerm.office, OfficeTerm.start_lower)"
    )
    forces: Mapped[list[Force]] = relationship(back_populates="organization")
    operations: Mapped[list[Operation]] = relationship(back_populates="organization")
    observers: Mapped[list[BodyObserver]] = relationship(back_populates="body")


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
        "signed", nullable=True, comment="Signed or adopted"
    )
    signed = optional_date_of("signed")
    place: Mapped[str | None] = mapped_column(String(100), comment="Where signed or adopted")
    in_force_edtf, in_force_lower, in_force_upper, in_force_precision = partial_date(
        "in_force", nullable=True, comment="Entered into force"
    )
    in_force = optional_date_of("in_force")
    organization_code: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.code"), comment="The organization the document belongs to"
    )
    meeting_key: Mapped[str | None] = mapped_column(
        ForeignKey("meetings.key"), comment="The meeting that adopted it"
    )
    note: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization | None] = relationship(
        back_populates="documents", lazy="selectin"
    )
    meeting: Mapped[Meeting | None] = relationship(back_populates="documents")
    parties: Mapped[list[DocumentParty]] = relationship(
        back_populates="document", lazy="selectin", order_by="DocumentParty.key"
    )
    events: Mapped[list[Event]] = relationship(back_populates="document")
    initiatives: Mapped[list[Initiative]] = relationship(back_populates="outcome_document")
    forces: Mapped[list[Force]] = relationship(back_populates="document")
    operations: Mapped[list[Operation]] = relationship(back_populates="decision_document")
    memberships_started: Mapped[list[MembershipSpan]] = relationship(
        back_populates="start_document", foreign_keys="MembershipSpan.start_document_key"
    )
    memberships_ended: Mapped[list[MembershipSpan]] = relationship(
        back_populates="end_document", foreign_keys="MembershipSpan.end_document_key"
    )


class DocumentParty(FactMixin, Base):
    __tablename__ = "document_parties"
    partial_dates = ("acted",)
    __table_args__ = (
        CheckConstraint("(state_iso3 IS NULL) <> (organization_code IS NULL)", name="one_party"),
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
        "acted", nullable=True, comment="When the party acted"
    )
    acted = optional_date_of("acted")
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text, comment="Why, where inferred")

    document: Mapped[Document] = relationship(back_populates="parties")
    state: Mapped[State | None] = relationship(back_populates="document_parties", lazy="selectin")
    organization: Mapped[Organization | None] = relationship(
        back_populates="document_parties", lazy="selectin"
    )


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
        "held", nullable=False, comment="When it was held"
    )
    held = date_of("held")
    place: Mapped[str | None] = mapped_column(String(100))
    presided_by_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"))
    note: Mapped[str | None] = mapped_column(Text)

    body: Mapped[Organization] = relationship(back_populates="meetings", lazy="selectin")
    presided_by: Mapped[State | None] = relationship(
        back_populates="presided_meetings", lazy="selectin"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="meeting", order_by="Document.key"
    )
    events: Mapped[list[Event]] = relationship(back_populates="meeting")
    initiatives: Mapped[list[Initiative]] = relationship(back_populates="meeting")
    chair_spans_started: Mapped[list[ChairSpan]] = relationship(
        back_populates="start_meeting", foreign_keys="ChairSpan.start_meeting_key"
    )
    chair_spans_ended: Mapped[list[ChairSpan]] = relationship(
        back_populates="end_meeting", foreign_keys="ChairSpan.end_meeting_key"
    )
    appointments: Mapped[list[OfficeTerm]] = relationship(back_populates="appointed_meeting")


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
        "happened", nullable=False, comment="When it happened"
    )
    happened = date_of("happened")
    place: Mapped[str | None] = mapped_column(String(100))
    state_iso3: Mapped[str | None] = mapped_column(ForeignKey("states.iso3"), index=True)
    organization_code: Mapped[str | None] = mapped_column(ForeignKey("organizations.code"))
    document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))
    description: Mapped[str | None] = mapped_column(Text)
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text)

    state: Mapped[State | None] = relationship(back_populates="events", lazy="selectin")
    organization: Mapped[Organization | None] = relationship(
        back_populates="events", lazy="selectin"
    )
    document: Mapped[Document | None] = relationship(back_populates="events")
    meeting: Mapped[Meeting | None] = relationship(back_populates="events")
    memberships_started: Mapped[list[MembershipSpan]] = relationship(
        back_populates="start_event", foreign_keys="MembershipSpan.start_event_key"
    )
    memberships_ended: Mapped[list[MembershipSpan]] = relationship(
        back_populates="end_event", foreign_keys="MembershipSpan.end_event_key"
    )


class MembershipSpan(SpanMixin, FactMixin, Base):
    __tablename__ = "membership_spans"
    partial_dates = ("start", "end")
    span_group = ("state_iso3", "organization_code")
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
        CheckConstraint(
            "end_upper IS NULL OR start_upper <= end_upper", name="ends_after_start_upper"
        ),
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
        "start", nullable=False, comment="First day in this status"
    )
    start = date_of("start")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day no longer in this status; empty while open"
    )
    end = optional_date_of("end")
    start_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    start_event_key: Mapped[str | None] = mapped_column(ForeignKey("events.key"))
    end_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    end_event_key: Mapped[str | None] = mapped_column(ForeignKey("events.key"))
    reach_start, reach_end = reach_columns()
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text, comment="Why, where inferred")
    note: Mapped[str | None] = mapped_column(Text)

    state: Mapped[State] = relationship(back_populates="memberships", lazy="selectin")
    organization: Mapped[Organization] = relationship(back_populates="memberships", lazy="selectin")
    start_document: Mapped[Document | None] = relationship(
        back_populates="memberships_started", foreign_keys=[start_document_key]
    )
    start_event: Mapped[Event | None] = relationship(
        back_populates="memberships_started", foreign_keys=[start_event_key]
    )
    end_document: Mapped[Document | None] = relationship(
        back_populates="memberships_ended", foreign_keys=[end_document_key]
    )
    end_event: Mapped[Event | None] = relationship(
        back_populates="memberships_ended", foreign_keys=[end_event_key]
    )


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
        "proposed", nullable=True, comment="When proposed or promoted"
    )
    proposed = optional_date_of("proposed")
    area: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    outcome_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))

    proposer: Mapped[State] = relationship(back_populates="initiatives", lazy="selectin")
    organization: Mapped[Organization] = relationship(back_populates="initiatives", lazy="selectin")
    outcome_document: Mapped[Document | None] = relationship(back_populates="initiatives")
    meeting: Mapped[Meeting | None] = relationship(back_populates="initiatives")


class Objective(FactMixin, Base):
    __tablename__ = "objectives"
    __table_args__ = {"comment": "The organization's stated objectives."}

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    rank: Mapped[str] = mapped_column(vocabulary(OBJECTIVE_RANKS, "objective_rank"))
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="objectives", lazy="selectin")


class Threat(FactMixin, Base):
    __tablename__ = "threats"
    __table_args__ = {"comment": "Security threats and challenges the organization names."}

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))

    organization: Mapped[Organization] = relationship(back_populates="threats", lazy="selectin")


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
        "period", nullable=True, comment="When it applies"
    )
    period = optional_date_of("period")

    state: Mapped[State] = relationship(back_populates="positions", lazy="selectin")
    organization: Mapped[Organization] = relationship(back_populates="positions", lazy="selectin")


# --- Disagreements -------------------------------------------------------------------------


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = {"comment": "A question sources answer differently; see readings."}

    key: Mapped[str] = mapped_column(KEY, primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    rule: Mapped[str] = mapped_column(
        vocabulary(DISPUTE_RULES, "dispute_rule"), comment="How the preferred reading was chosen"
    )
    reason: Mapped[str] = mapped_column(Text, comment="Why the preferred reading is preferred")
    disagreement: Mapped[bool] = mapped_column(
        Boolean,
        comment="1 when readings contradict each other; 0 when they only differ "
        "in precision (a refinement)",
    )

    subjects: Mapped[list[DisputeSubject]] = relationship(
        back_populates="dispute", order_by="(DisputeSubject.fact_key, DisputeSubject.field)"
    )
    readings: Mapped[list[Reading]] = relationship(
        back_populates="dispute", lazy="selectin", order_by="Reading.key"
    )


class DisputeSubject(Base):
    __tablename__ = "dispute_subjects"
    __table_args__ = {"comment": "The fact fields a dispute is about."}

    dispute_key: Mapped[str] = mapped_column(ForeignKey("disputes.key"), primary_key=True)
    fact_key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True, index=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)

    dispute: Mapped[Dispute] = relationship(back_populates="subjects")
    fact: Mapped[Fact] = relationship(back_populates="dispute_subjects")


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
    value_text: Mapped[str | None] = mapped_column(
        String(300), comment="A value that is not a date"
    )
    value_date_edtf, value_date_lower, value_date_upper, value_date_precision = partial_date(
        "value_date", nullable=True, comment="A date value"
    )
    value_date = optional_date_of("value_date")
    preferred: Mapped[bool | None] = mapped_column(
        Boolean, comment="1 for the preferred reading, NULL for the others"
    )
    note: Mapped[str | None] = mapped_column(Text)

    dispute: Mapped[Dispute] = relationship(back_populates="readings", lazy="selectin")


# --- The Organization's record: chair, officers, forces, operations ------------------------


class ChairSpan(SpanMixin, FactMixin, Base):
    __tablename__ = "chair_spans"
    partial_dates = ("start", "end")
    span_group = ("organization_code",)
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
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
        "start", nullable=False, comment="First day in the chair"
    )
    start = date_of("start")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day out of the chair; empty while open"
    )
    end = optional_date_of("end")
    start_meeting_key: Mapped[str | None] = mapped_column(
        ForeignKey("meetings.key"), comment="The session that handed the chair over"
    )
    end_meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))
    reach_start, reach_end = reach_columns()
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="chair_spans", lazy="selectin")
    state: Mapped[State] = relationship(back_populates="chair_spans", lazy="selectin")
    start_meeting: Mapped[Meeting | None] = relationship(
        back_populates="chair_spans_started", foreign_keys=[start_meeting_key]
    )
    end_meeting: Mapped[Meeting | None] = relationship(
        back_populates="chair_spans_ended", foreign_keys=[end_meeting_key]
    )


class OfficeTerm(SpanMixin, FactMixin, Base):
    __tablename__ = "office_terms"
    partial_dates = ("start", "end", "appointed")
    span_group = ("organization_code", "office")
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        *partial_date_checks("appointed", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
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
        ForeignKey("states.iso3"), comment="The state that nominated the holder"
    )
    acting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=False, comment="First day in office"
    )
    start = date_of("start")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day out of office; empty while in office"
    )
    end = optional_date_of("end")
    appointed_edtf, appointed_lower, appointed_upper, appointed_precision = partial_date(
        "appointed", nullable=True, comment="When the appointment was decided"
    )
    appointed = optional_date_of("appointed")
    appointed_meeting_key: Mapped[str | None] = mapped_column(ForeignKey("meetings.key"))
    reach_start, reach_end = reach_columns()
    inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=FALSE_DEFAULT)
    reasoning: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(
        back_populates="office_terms", lazy="selectin"
    )
    nationality: Mapped[State | None] = relationship(back_populates="office_terms", lazy="selectin")
    appointed_meeting: Mapped[Meeting | None] = relationship(back_populates="appointments")


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
    established_edtf, established_lower, established_upper, established_precision = partial_date(
        "established", nullable=True, comment="When created"
    )
    established = optional_date_of("established")
    document_key: Mapped[str | None] = mapped_column(
        ForeignKey("documents.key"), comment="The instrument that created it"
    )
    nominal_strength: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="forces", lazy="selectin")
    document: Mapped[Document | None] = relationship(back_populates="forces")
    operations: Mapped[list[Operation]] = relationship(back_populates="force")
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="force", lazy="selectin", order_by="Contribution.state_iso3"
    )


class Operation(FactMixin, Base):
    __tablename__ = "operations"
    partial_dates = ("requested", "decided", "start", "end")
    __table_args__ = (
        *partial_date_checks("requested", nullable=True),
        *partial_date_checks("decided", nullable=True),
        *partial_date_checks("start", nullable=True),
        *partial_date_checks("end", nullable=True),
        CheckConstraint(
            "start_lower IS NULL OR end_lower IS NULL OR start_lower <= end_lower",
            name="ends_after_start",
        ),
        {"comment": "Deployments and missions the organization sent."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(vocabulary(OPERATION_KINDS, "operation_kind"))
    organization_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"))
    force_key: Mapped[str | None] = mapped_column(ForeignKey("forces.key"))
    host_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    requested_edtf, requested_lower, requested_upper, requested_precision = partial_date(
        "requested", nullable=True, comment="When the host asked"
    )
    requested = optional_date_of("requested")
    decided_edtf, decided_lower, decided_upper, decided_precision = partial_date(
        "decided", nullable=True, comment="When the Council decided"
    )
    decided = optional_date_of("decided")
    decision_document_key: Mapped[str | None] = mapped_column(ForeignKey("documents.key"))
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=True, comment="Arrival: first day on the ground"
    )
    start = optional_date_of("start")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="Withdrawal completed"
    )
    end = optional_date_of("end")
    strength: Mapped[int | None] = mapped_column(Integer, comment="Personnel sent in all")
    commander: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="operations", lazy="selectin")
    force: Mapped[Force | None] = relationship(back_populates="operations")
    host: Mapped[State] = relationship(back_populates="hosted_operations", lazy="selectin")
    decision_document: Mapped[Document | None] = relationship(back_populates="operations")
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="operation", lazy="selectin", order_by="Contribution.state_iso3"
    )


class Contribution(FactMixin, Base):
    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint(
            "(force_key IS NULL) <> (operation_key IS NULL)", name="one_force_or_operation"
        ),
        {"comment": "Which states contributed to a force or an operation, and how many."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    force_key: Mapped[str | None] = mapped_column(ForeignKey("forces.key"), index=True)
    operation_key: Mapped[str | None] = mapped_column(ForeignKey("operations.key"), index=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    personnel: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    force: Mapped[Force | None] = relationship(back_populates="contributions")
    operation: Mapped[Operation | None] = relationship(back_populates="contributions")
    state: Mapped[State] = relationship(back_populates="contributions", lazy="selectin")


class BodyObserver(SpanMixin, FactMixin, Base):
    __tablename__ = "body_observers"
    partial_dates = ("start", "end")
    span_group = ("body_code", "observer")
    __table_args__ = (
        *partial_date_checks("start", nullable=False),
        *partial_date_checks("end", nullable=True),
        CheckConstraint("end_lower IS NULL OR start_lower <= end_lower", name="ends_after_start"),
        {"comment": "Observers at an organ, such as parliaments at the Parliamentary Assembly."},
    )

    key: Mapped[str] = mapped_column(ForeignKey("facts.key"), primary_key=True)
    body_code: Mapped[str] = mapped_column(ForeignKey("organizations.code"), index=True)
    observer: Mapped[str] = mapped_column(String(200), comment="The observer, by name")
    state_iso3: Mapped[str | None] = mapped_column(
        ForeignKey("states.iso3"), comment="The state whose parliament it is, if any"
    )
    start_edtf, start_lower, start_upper, start_precision = partial_date(
        "start", nullable=False, comment="First day as observer"
    )
    start = date_of("start")
    end_edtf, end_lower, end_upper, end_precision = partial_date(
        "end", nullable=True, comment="First day no longer observer; empty while open"
    )
    end = optional_date_of("end")
    note: Mapped[str | None] = mapped_column(Text)

    body: Mapped[Organization] = relationship(back_populates="observers", lazy="selectin")
    state: Mapped[State | None] = relationship(back_populates="observers", lazy="selectin")


# --- What init built the database from ------------------------------------------------------


class BuildRecord(Base):
    __tablename__ = "build_record"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        {"comment": "What `csto-db init` last built the database from; `check` compares."},
    )

    id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, comment="Always 1: one build record"
    )
    revision: Mapped[str] = mapped_column(String(32), comment="Schema revision of the build")
    seeds_sha256: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 over the seed files' names and bytes"
    )
    content_sha256: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 over every row digest, in table and key order"
    )
    row_count: Mapped[int] = mapped_column(Integer, comment="Rows the seeds put in the database")
    record_version: Mapped[str | None] = mapped_column(
        String(32),
        comment="The csto-db release that built the database; empty for a build older than "
        "the column",
    )


class RowDigest(Base):
    __tablename__ = "row_digests"
    __table_args__ = {"comment": "A digest of each row `init` wrote; `check` recomputes them."}

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(
        String(400), primary_key=True, comment="The row's primary key as text"
    )
    sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the row's values")


#: Tables ``init`` keeps about the build, not filled from the seeds.
BUILD_TABLES = ("build_record", "row_digests")


#: MariaDB table options: utf8mb4 whatever the server's default, and a binary collation so
#: keys compare and sort as on SQLite and PostgreSQL (the default ``utf8mb4_general_ci``
#: makes ``CST`` and ``cst`` one key). Both prefixes: a ``mysql://`` URL reads ``mysql_*``.
MARIADB_TABLE_OPTIONS = {"charset": "utf8mb4", "collate": "utf8mb4_bin"}
for _table in Base.metadata.tables.values():
    for _prefix in ("mariadb", "mysql"):
        for _option, _value in MARIADB_TABLE_OPTIONS.items():
            _table.dialect_kwargs[f"{_prefix}_{_option}"] = _value


FACT_MODELS: dict[str, type[FactMixin]] = {
    model.__tablename__: model
    for model in (
        Organization,
        MembershipSpan,
        Document,
        DocumentParty,
        Meeting,
        Event,
        Initiative,
        Objective,
        Threat,
        Position,
        Reading,
        ChairSpan,
        OfficeTerm,
        Force,
        Operation,
        Contribution,
        BodyObserver,
    )
}


def fact_key_column(model: object) -> str:
    """The column of a fact table that holds its key in ``facts``."""
    return "code" if model is Organization else "key"
