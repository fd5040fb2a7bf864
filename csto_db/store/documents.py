"""The Organization's texts and aims: legal documents and their parties, the initiatives member
states brought, its objectives and threats, and the positions states state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    DOCUMENT_KINDS,
    FALSE_DEFAULT,
    OBJECTIVE_RANKS,
    PARTY_ROLES,
    Base,
    optional_date_of,
    partial_date,
    partial_date_checks,
    vocabulary,
)
from .provenance import FactMixin

if TYPE_CHECKING:
    from .membership import MembershipSpan, Organization, State
    from .record import Event, Force, Meeting, Operation


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
