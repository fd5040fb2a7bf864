"""The Organization's record: meetings and dated events, the chair, office terms, collective
forces, operations and the contributions of states to them."""

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
    from .documents import Document, Initiative
    from .membership import MembershipSpan, Organization, State


class Meeting(FactMixin, Base):
    __tablename__ = "meetings"
    __table__ = tables.meetings
    partial_dates = tables.PARTIAL_DATES["meetings"]

    key: Mapped[str]
    title: Mapped[str]
    body_code: Mapped[str]
    kind: Mapped[str]
    held_edtf: Mapped[str]
    held_lower: Mapped[date]
    held_upper: Mapped[date]
    held_precision: Mapped[str]
    held = date_of("held")
    place: Mapped[str | None]
    presided_by_iso3: Mapped[str | None]
    note: Mapped[str | None]

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
    __table__ = tables.events
    partial_dates = tables.PARTIAL_DATES["events"]

    key: Mapped[str]
    kind: Mapped[str]
    title: Mapped[str]
    happened_edtf: Mapped[str]
    happened_lower: Mapped[date]
    happened_upper: Mapped[date]
    happened_precision: Mapped[str]
    happened = date_of("happened")
    place: Mapped[str | None]
    state_iso3: Mapped[str | None]
    organization_code: Mapped[str | None]
    document_key: Mapped[str | None]
    meeting_key: Mapped[str | None]
    description: Mapped[str | None]
    inferred: Mapped[bool]
    reasoning: Mapped[str | None]

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


class ChairSpan(SpanMixin, FactMixin, Base):
    __tablename__ = "chair_spans"
    __table__ = tables.chair_spans
    partial_dates = tables.PARTIAL_DATES["chair_spans"]
    span_group = tables.SPAN_GROUPS["chair_spans"]

    key: Mapped[str]
    organization_code: Mapped[str]
    state_iso3: Mapped[str]
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
    start_meeting_key: Mapped[str | None]
    end_meeting_key: Mapped[str | None]
    reach_start: Mapped[date]
    reach_end: Mapped[date | None]
    inferred: Mapped[bool]
    reasoning: Mapped[str | None]
    note: Mapped[str | None]

    organization: Mapped[Organization] = relationship(back_populates="chair_spans", lazy="selectin")
    state: Mapped[State] = relationship(back_populates="chair_spans", lazy="selectin")
    start_meeting: Mapped[Meeting | None] = relationship(
        back_populates="chair_spans_started", foreign_keys=[__table__.c.start_meeting_key]
    )
    end_meeting: Mapped[Meeting | None] = relationship(
        back_populates="chair_spans_ended", foreign_keys=[__table__.c.end_meeting_key]
    )


class OfficeTerm(SpanMixin, FactMixin, Base):
    __tablename__ = "office_terms"
    __table__ = tables.office_terms
    partial_dates = tables.PARTIAL_DATES["office_terms"]
    span_group = tables.SPAN_GROUPS["office_terms"]

    key: Mapped[str]
    organization_code: Mapped[str]
    office: Mapped[str]
    person: Mapped[str]
    nationality_iso3: Mapped[str | None]
    acting: Mapped[bool]
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
    appointed_edtf: Mapped[str | None]
    appointed_lower: Mapped[date | None]
    appointed_upper: Mapped[date | None]
    appointed_precision: Mapped[str | None]
    appointed = optional_date_of("appointed")
    appointed_meeting_key: Mapped[str | None]
    reach_start: Mapped[date]
    reach_end: Mapped[date | None]
    inferred: Mapped[bool]
    reasoning: Mapped[str | None]
    note: Mapped[str | None]

    organization: Mapped[Organization] = relationship(
        back_populates="office_terms", lazy="selectin"
    )
    nationality: Mapped[State | None] = relationship(back_populates="office_terms", lazy="selectin")
    appointed_meeting: Mapped[Meeting | None] = relationship(back_populates="appointments")


class Force(FactMixin, Base):
    __tablename__ = "forces"
    __table__ = tables.forces
    partial_dates = tables.PARTIAL_DATES["forces"]

    key: Mapped[str]
    name: Mapped[str]
    kind: Mapped[str]
    organization_code: Mapped[str]
    established_edtf: Mapped[str | None]
    established_lower: Mapped[date | None]
    established_upper: Mapped[date | None]
    established_precision: Mapped[str | None]
    established = optional_date_of("established")
    document_key: Mapped[str | None]
    nominal_strength: Mapped[int | None]
    note: Mapped[str | None]

    organization: Mapped[Organization] = relationship(back_populates="forces", lazy="selectin")
    document: Mapped[Document | None] = relationship(back_populates="forces")
    operations: Mapped[list[Operation]] = relationship(back_populates="force")
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="force", lazy="selectin", order_by="Contribution.state_iso3"
    )


class Operation(FactMixin, Base):
    __tablename__ = "operations"
    __table__ = tables.operations
    partial_dates = tables.PARTIAL_DATES["operations"]

    key: Mapped[str]
    title: Mapped[str]
    kind: Mapped[str]
    organization_code: Mapped[str]
    force_key: Mapped[str | None]
    host_iso3: Mapped[str]
    requested_edtf: Mapped[str | None]
    requested_lower: Mapped[date | None]
    requested_upper: Mapped[date | None]
    requested_precision: Mapped[str | None]
    requested = optional_date_of("requested")
    decided_edtf: Mapped[str | None]
    decided_lower: Mapped[date | None]
    decided_upper: Mapped[date | None]
    decided_precision: Mapped[str | None]
    decided = optional_date_of("decided")
    decision_document_key: Mapped[str | None]
    start_edtf: Mapped[str | None]
    start_lower: Mapped[date | None]
    start_upper: Mapped[date | None]
    start_precision: Mapped[str | None]
    start = optional_date_of("start")
    end_edtf: Mapped[str | None]
    end_lower: Mapped[date | None]
    end_upper: Mapped[date | None]
    end_precision: Mapped[str | None]
    end = optional_date_of("end")
    strength: Mapped[int | None]
    commander: Mapped[str | None]
    note: Mapped[str | None]

    organization: Mapped[Organization] = relationship(back_populates="operations", lazy="selectin")
    force: Mapped[Force | None] = relationship(back_populates="operations")
    host: Mapped[State] = relationship(back_populates="hosted_operations", lazy="selectin")
    decision_document: Mapped[Document | None] = relationship(back_populates="operations")
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="operation", lazy="selectin", order_by="Contribution.state_iso3"
    )


class Contribution(FactMixin, Base):
    __tablename__ = "contributions"
    __table__ = tables.contributions

    key: Mapped[str]
    force_key: Mapped[str | None]
    operation_key: Mapped[str | None]
    state_iso3: Mapped[str]
    personnel: Mapped[int | None]
    note: Mapped[str | None]

    force: Mapped[Force | None] = relationship(back_populates="contributions")
    operation: Mapped[Operation | None] = relationship(back_populates="contributions")
    state: Mapped[State] = relationship(back_populates="contributions", lazy="selectin")
