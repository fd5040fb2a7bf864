"""The Organization's texts and aims: legal documents and their parties, the initiatives member
states brought, its objectives and threats, and the positions states state."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, relationship

from . import tables
from .base import (
    Base,
    optional_date_of,
)
from .provenance import FactMixin

if TYPE_CHECKING:
    from .membership import MembershipSpan, Organization, State
    from .record import Event, Force, Meeting, Operation


class Document(FactMixin, Base):
    __tablename__ = "documents"
    __table__ = tables.documents
    partial_dates = tables.PARTIAL_DATES["documents"]

    key: Mapped[str]
    title: Mapped[str]
    kind: Mapped[str]
    signed_edtf: Mapped[str | None]
    signed_lower: Mapped[date | None]
    signed_upper: Mapped[date | None]
    signed_precision: Mapped[str | None]
    signed = optional_date_of("signed")
    place: Mapped[str | None]
    in_force_edtf: Mapped[str | None]
    in_force_lower: Mapped[date | None]
    in_force_upper: Mapped[date | None]
    in_force_precision: Mapped[str | None]
    in_force = optional_date_of("in_force")
    organization_code: Mapped[str | None]
    meeting_key: Mapped[str | None]
    note: Mapped[str | None]

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
    __table__ = tables.document_parties
    partial_dates = tables.PARTIAL_DATES["document_parties"]

    key: Mapped[str]
    document_key: Mapped[str]
    state_iso3: Mapped[str | None]
    organization_code: Mapped[str | None]
    role: Mapped[str]
    acted_edtf: Mapped[str | None]
    acted_lower: Mapped[date | None]
    acted_upper: Mapped[date | None]
    acted_precision: Mapped[str | None]
    acted = optional_date_of("acted")
    inferred: Mapped[bool]
    reasoning: Mapped[str | None]

    document: Mapped[Document] = relationship(back_populates="parties")
    state: Mapped[State | None] = relationship(back_populates="document_parties", lazy="selectin")
    organization: Mapped[Organization | None] = relationship(
        back_populates="document_parties", lazy="selectin"
    )


class Initiative(FactMixin, Base):
    __tablename__ = "initiatives"
    __table__ = tables.initiatives
    partial_dates = tables.PARTIAL_DATES["initiatives"]

    key: Mapped[str]
    title: Mapped[str]
    proposer_iso3: Mapped[str]
    organization_code: Mapped[str]
    proposed_edtf: Mapped[str | None]
    proposed_lower: Mapped[date | None]
    proposed_upper: Mapped[date | None]
    proposed_precision: Mapped[str | None]
    proposed = optional_date_of("proposed")
    area: Mapped[str]
    description: Mapped[str]
    outcome_document_key: Mapped[str | None]
    meeting_key: Mapped[str | None]

    proposer: Mapped[State] = relationship(back_populates="initiatives", lazy="selectin")
    organization: Mapped[Organization] = relationship(back_populates="initiatives", lazy="selectin")
    outcome_document: Mapped[Document | None] = relationship(back_populates="initiatives")
    meeting: Mapped[Meeting | None] = relationship(back_populates="initiatives")


class Objective(FactMixin, Base):
    __tablename__ = "objectives"
    __table__ = tables.objectives

    key: Mapped[str]
    organization_code: Mapped[str]
    rank: Mapped[str]
    ordinal: Mapped[int]
    text: Mapped[str]

    organization: Mapped[Organization] = relationship(back_populates="objectives", lazy="selectin")


class Threat(FactMixin, Base):
    __tablename__ = "threats"
    __table__ = tables.threats

    key: Mapped[str]
    organization_code: Mapped[str]
    ordinal: Mapped[int]
    name: Mapped[str]

    organization: Mapped[Organization] = relationship(back_populates="threats", lazy="selectin")


class Position(FactMixin, Base):
    __tablename__ = "positions"
    __table__ = tables.positions
    partial_dates = tables.PARTIAL_DATES["positions"]

    key: Mapped[str]
    state_iso3: Mapped[str]
    organization_code: Mapped[str]
    topic: Mapped[str]
    text: Mapped[str]
    period_edtf: Mapped[str | None]
    period_lower: Mapped[date | None]
    period_upper: Mapped[date | None]
    period_precision: Mapped[str | None]
    period = optional_date_of("period")

    state: Mapped[State] = relationship(back_populates="positions", lazy="selectin")
    organization: Mapped[Organization] = relationship(back_populates="positions", lazy="selectin")
