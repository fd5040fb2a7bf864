"""Who belonged to what: states, organizations and their organs, membership spans, observers
at an organ, the years a dataset codes as missing or outside the state system, and the
organization-year rows of COW IGO as the file gives them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    FALSE_DEFAULT,
    MEMBERSHIP_STATUSES,
    ORGANIZATION_KINDS,
    Base,
    SpanMixin,
    date_of,
    optional_date_of,
    partial_date,
    partial_date_checks,
    reach_checks,
    reach_columns,
    vocabulary,
)
from .provenance import FactMixin

if TYPE_CHECKING:
    from .documents import Document, DocumentParty, Initiative, Objective, Position, Threat
    from .record import ChairSpan, Contribution, Event, Force, Meeting, OfficeTerm, Operation


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


class MissingData(Base):
    __tablename__ = "missing_data"
    __table_args__ = (
        CheckConstraint("first_year <= last_year", name="years_ordered"),
        # shared: the runs of either of two states in a year (the key begins with the
        # organization).
        Index("ix_missing_data_by_state", "state_iso3", "first_year"),
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


class NotInSystem(Base):
    __tablename__ = "not_in_system"
    __table_args__ = (
        CheckConstraint("first_year <= last_year", name="years_ordered"),
        {
            "comment": "Runs of years a dataset leaves a state's cell empty for an "
            "organization (COW IGO: -1, state not a member of the state system): neither "
            "member nor not, outside the system."
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


class CowYear(Base):
    """One organization-year row of COW IGO's file: its year, and the cells beside the state
    columns as the file writes them (text, verbatim), so that the row can be written back."""

    __tablename__ = "cow_years"
    __table_args__ = {
        "comment": "COW IGO's organization-year rows (layout 3.0a): which years the file "
        "codes an organization, and each row's cells beside the state columns, verbatim."
    }

    organization_code: Mapped[str] = mapped_column(
        ForeignKey("organizations.code"), primary_key=True, comment="COW's ioname"
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True, comment="The row's year")
    source_key: Mapped[str] = mapped_column(
        ForeignKey("sources.key"), index=True, comment="The dataset file the row is from"
    )
    orgname: Mapped[str] = mapped_column(String(200), comment="COW's orgname")
    sdate: Mapped[str] = mapped_column(String(20), comment="COW's sdate: the start year")
    deaddate: Mapped[str] = mapped_column(String(20), comment="COW's deaddate: the end year")
    dead: Mapped[str] = mapped_column(String(20), comment="COW's dead flag")
    integrated: Mapped[str] = mapped_column(String(20), comment="COW's integrated flag")
    replaced: Mapped[str] = mapped_column(String(20), comment="COW's replaced flag")
    longorgname: Mapped[str] = mapped_column(String(400), comment="COW's longorgname")
    ionum: Mapped[str] = mapped_column(String(20), comment="COW's ionum, as the file writes it")
    igocode: Mapped[str] = mapped_column(String(20), comment="COW's igocode (v1.1 number)")
    version: Mapped[str] = mapped_column(String(40), comment="COW's version, as written")
    accuracyofpre1965membershipdates: Mapped[str] = mapped_column(
        String(200), comment="COW's accuracy of pre-1965 membership dates"
    )
    sourcesandnotes: Mapped[str] = mapped_column(Text, comment="COW's sources and notes")
    imputed: Mapped[str] = mapped_column(String(20), comment="COW's imputed flag")
    political: Mapped[str] = mapped_column(String(20), comment="COW's political flag")
    social: Mapped[str] = mapped_column(String(20), comment="COW's social flag")
    economic: Mapped[str] = mapped_column(String(20), comment="COW's economic flag")
