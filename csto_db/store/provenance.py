"""Where each fact comes from: its sources and their quotes, the registry of facts, and the
disputes where sources disagree, with each source's reading."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship, remote
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Subquery

from .base import (
    DISPUTE_RULES,
    FACT_TABLES,
    KEY,
    SOURCE_KINDS,
    Base,
    optional_date_of,
    partial_date,
    partial_date_checks,
    vocabulary,
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
