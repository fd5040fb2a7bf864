"""Who belonged to what: states, organizations and their organs, membership spans, observers
at an organ, the years a dataset codes as missing or outside the state system, and the
organization-year rows of COW IGO as the file gives them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, relationship

from . import tables
from .base import (
    Base,
    SpanMixin,
    date_of,
    optional_date_of,
)
from .provenance import FactMixin

if TYPE_CHECKING:
    from .documents import Document, DocumentParty, Initiative, Objective, Position, Threat
    from .record import ChairSpan, Contribution, Event, Force, Meeting, OfficeTerm, Operation


class State(Base):
    __tablename__ = "states"
    __table__ = tables.states

    iso3: Mapped[str]
    iso2: Mapped[str | None]
    numeric: Mapped[str | None]
    name: Mapped[str]
    cow_ccode: Mapped[int | None]
    dataset_key: Mapped[str | None]

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
    __table__ = tables.organizations
    partial_dates = tables.PARTIAL_DATES["organizations"]

    code: Mapped[str]
    name: Mapped[str]
    kind: Mapped[str]
    parent_code: Mapped[str | None]
    predecessor_code: Mapped[str | None]
    cow_ionum: Mapped[int | None]
    membership_start_edtf: Mapped[str | None]
    membership_start_lower: Mapped[date | None]
    membership_start_upper: Mapped[date | None]
    membership_start_precision: Mapped[str | None]
    membership_start = optional_date_of("membership_start")
    membership_end_edtf: Mapped[str | None]
    membership_end_lower: Mapped[date | None]
    membership_end_upper: Mapped[date | None]
    membership_end_precision: Mapped[str | None]
    membership_end = optional_date_of("membership_end")
    horizon_edtf: Mapped[str | None]
    horizon_lower: Mapped[date | None]
    horizon_upper: Mapped[date | None]
    horizon_precision: Mapped[str | None]
    horizon = optional_date_of("horizon")
    horizon_reasoning: Mapped[str | None]
    note: Mapped[str | None]

    parent: Mapped[Organization | None] = relationship(
        back_populates="organs",
        foreign_keys=[__table__.c.parent_code],
        remote_side=[__table__.c.code],
        lazy="selectin",
    )
    organs: Mapped[list[Organization]] = relationship(
        back_populates="parent", foreign_keys=[__table__.c.parent_code]
    )
    predecessor: Mapped[Organization | None] = relationship(
        back_populates="successors",
        foreign_keys=[__table__.c.predecessor_code],
        remote_side=[__table__.c.code],
        lazy="selectin",
    )
    successors: Mapped[list[Organization]] = relationship(
        back_populates="predecessor", foreign_keys=[__table__.c.predecessor_code]
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
    __table__ = tables.membership_spans
    partial_dates = tables.PARTIAL_DATES["membership_spans"]
    span_group = tables.SPAN_GROUPS["membership_spans"]

    key: Mapped[str]
    state_iso3: Mapped[str]
    organization_code: Mapped[str]
    status: Mapped[str]
    start_edtf: Mapped[str]
    start_lower: Mapped[date]
    start_upper: Mapped[date]
    start_precision: Mapped[str]
    start = date_of("start")
    end_edtf: Mapped[str | None]
    end_lower: Mapped[date | None]
    end_upper: Mapped[date | None]
    end_precision: Mapped[str | None]
    end = optional_date_of("end")
    start_document_key: Mapped[str | None]
    start_event_key: Mapped[str | None]
    end_document_key: Mapped[str | None]
    end_event_key: Mapped[str | None]
    reach_start: Mapped[date]
    reach_end: Mapped[date | None]
    inferred: Mapped[bool]
    reasoning: Mapped[str | None]
    note: Mapped[str | None]

    state: Mapped[State] = relationship(back_populates="memberships", lazy="selectin")
    organization: Mapped[Organization] = relationship(back_populates="memberships", lazy="selectin")
    start_document: Mapped[Document | None] = relationship(
        back_populates="memberships_started", foreign_keys=[__table__.c.start_document_key]
    )
    start_event: Mapped[Event | None] = relationship(
        back_populates="memberships_started", foreign_keys=[__table__.c.start_event_key]
    )
    end_document: Mapped[Document | None] = relationship(
        back_populates="memberships_ended", foreign_keys=[__table__.c.end_document_key]
    )
    end_event: Mapped[Event | None] = relationship(
        back_populates="memberships_ended", foreign_keys=[__table__.c.end_event_key]
    )


class BodyObserver(SpanMixin, FactMixin, Base):
    __tablename__ = "body_observers"
    __table__ = tables.body_observers
    partial_dates = tables.PARTIAL_DATES["body_observers"]
    span_group = tables.SPAN_GROUPS["body_observers"]

    key: Mapped[str]
    body_code: Mapped[str]
    observer: Mapped[str]
    state_iso3: Mapped[str | None]
    start_edtf: Mapped[str]
    start_lower: Mapped[date]
    start_upper: Mapped[date]
    start_precision: Mapped[str]
    start = date_of("start")
    end_edtf: Mapped[str | None]
    end_lower: Mapped[date | None]
    end_upper: Mapped[date | None]
    end_precision: Mapped[str | None]
    end = optional_date_of("end")
    note: Mapped[str | None]

    body: Mapped[Organization] = relationship(back_populates="observers", lazy="selectin")
    state: Mapped[State | None] = relationship(back_populates="observers", lazy="selectin")


class MissingData(Base):
    __tablename__ = "missing_data"
    __table__ = tables.missing_data

    organization_code: Mapped[str]
    state_iso3: Mapped[str]
    first_year: Mapped[int]
    last_year: Mapped[int]
    source_key: Mapped[str]


class NotInSystem(Base):
    __tablename__ = "not_in_system"
    __table__ = tables.not_in_system

    organization_code: Mapped[str]
    state_iso3: Mapped[str]
    first_year: Mapped[int]
    last_year: Mapped[int]
    source_key: Mapped[str]


class CowYear(Base):
    """One organization-year row of COW IGO's file: its year, and the cells beside the state
    columns as the file writes them (text, verbatim), so that the row can be written back."""

    __tablename__ = "cow_years"
    __table__ = tables.cow_years

    organization_code: Mapped[str]
    year: Mapped[int]
    source_key: Mapped[str]
    orgname: Mapped[str]
    sdate: Mapped[str]
    deaddate: Mapped[str]
    dead: Mapped[str]
    integrated: Mapped[str]
    replaced: Mapped[str]
    longorgname: Mapped[str]
    ionum: Mapped[str]
    igocode: Mapped[str]
    version: Mapped[str]
    accuracyofpre1965membershipdates: Mapped[str]
    sourcesandnotes: Mapped[str]
    imputed: Mapped[str]
    political: Mapped[str]
    social: Mapped[str]
    economic: Mapped[str]
