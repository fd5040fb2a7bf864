"""Where each fact comes from: its sources and their quotes, the registry of facts, and the
disputes where sources disagree, with each source's reading."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import (
    Mapped,
    declared_attr,
    deferred,
    foreign,
    relationship,
    remote,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Subquery

from . import tables
from .base import (
    Base,
    optional_date_of,
)


def _fact_key(model: object) -> ColumnElement[str]:
    # Called when the mappers are configured, by which time every model is loaded.
    from .models import fact_key_column

    column: ColumnElement[str] = getattr(model, fact_key_column(model))
    return column


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


# --- Sources and citations ---------------------------------------------------------------


class Source(Base):
    __tablename__ = "sources"
    __table__ = tables.sources

    key: Mapped[str]
    title: Mapped[str]
    kind: Mapped[str]
    publisher: Mapped[str | None]
    address: Mapped[str | None]
    language: Mapped[str]
    published: Mapped[str | None]
    # Loaded when read, not with every source a citation brings along.
    full_text: Mapped[str | None] = deferred(tables.sources.c.full_text)
    full_text_sha256: Mapped[str | None]
    note: Mapped[str | None]

    citations: Mapped[list[Citation]] = relationship(
        back_populates="source", order_by="Citation.key"
    )


class Citation(Base):
    __tablename__ = "citations"
    __table__ = tables.citations

    key: Mapped[str]
    source_key: Mapped[str]
    quote: Mapped[str]
    translation: Mapped[str | None]
    char_start: Mapped[int | None]
    char_end: Mapped[int | None]
    # A cell range of a dataset file: the quote is then the text every cell in it holds.
    locator_file: Mapped[str | None]
    locator_record: Mapped[str | None]
    locator_column: Mapped[str | None]
    locator_first_year: Mapped[int | None]
    locator_last_year: Mapped[int | None]

    source: Mapped[Source] = relationship(back_populates="citations", lazy="selectin")
    fact_citations: Mapped[list[FactCitation]] = relationship(back_populates="citation")


class Fact(Base):
    __tablename__ = "facts"
    __table__ = tables.facts

    key: Mapped[str]
    table_name: Mapped[str]
    dataset_key: Mapped[str | None]

    fact_citations: Mapped[list[FactCitation]] = relationship(back_populates="fact")
    dispute_subjects: Mapped[list[DisputeSubject]] = relationship(back_populates="fact")


class FactCitation(Base):
    __tablename__ = "fact_citations"
    __table__ = tables.fact_citations

    fact_key: Mapped[str]
    citation_key: Mapped[str]

    fact: Mapped[Fact] = relationship(back_populates="fact_citations")
    citation: Mapped[Citation] = relationship(back_populates="fact_citations")


# --- Disagreements -------------------------------------------------------------------------


class Dispute(Base):
    __tablename__ = "disputes"
    __table__ = tables.disputes

    key: Mapped[str]
    question: Mapped[str]
    rule: Mapped[str]
    reason: Mapped[str]
    disagreement: Mapped[bool]

    subjects: Mapped[list[DisputeSubject]] = relationship(
        back_populates="dispute", order_by="(DisputeSubject.fact_key, DisputeSubject.field)"
    )
    readings: Mapped[list[Reading]] = relationship(
        back_populates="dispute", lazy="selectin", order_by="Reading.key"
    )


class DisputeSubject(Base):
    __tablename__ = "dispute_subjects"
    __table__ = tables.dispute_subjects

    dispute_key: Mapped[str]
    fact_key: Mapped[str]
    field: Mapped[str]

    dispute: Mapped[Dispute] = relationship(back_populates="subjects")
    fact: Mapped[Fact] = relationship(back_populates="dispute_subjects")


class Reading(FactMixin, Base):
    __tablename__ = "readings"
    __table__ = tables.readings
    partial_dates = tables.PARTIAL_DATES["readings"]

    key: Mapped[str]
    dispute_key: Mapped[str]
    value_text: Mapped[str | None]
    value_date_edtf: Mapped[str | None]
    value_date_lower: Mapped[date | None]
    value_date_upper: Mapped[date | None]
    value_date_precision: Mapped[str | None]
    value_date = optional_date_of("value_date")
    preferred: Mapped[bool | None]
    note: Mapped[str | None]

    dispute: Mapped[Dispute] = relationship(back_populates="readings", lazy="selectin")
