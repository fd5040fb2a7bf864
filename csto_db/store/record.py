"""The Organization's record: meetings and dated events, the chair, office terms, collective
forces, operations and the contributions of states to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    EVENT_KINDS,
    FALSE_DEFAULT,
    FORCE_KINDS,
    MEETING_KINDS,
    OFFICES,
    OPERATION_KINDS,
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
    from .documents import Document, Initiative
    from .membership import MembershipSpan, Organization, State


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
