"""What every model is built from: the declarative base and its naming convention, the
vocabularies, the four columns of a partial date, a span's reach, and the span mixin."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal, overload

from sqlalchemy import CheckConstraint, Date, Enum, MetaData, String, and_, inspect, or_
from sqlalchemy import text as sql_text
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import (
    Composite,
    DeclarativeBase,
    Mapped,
    MappedColumn,
    composite,
    mapped_column,
)
from sqlalchemy.sql.elements import ColumnElement

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
