"""What every model is built from: the declarative base on the tables' ``MetaData``, a
partial date as one attribute over its four columns, and the span mixin."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, inspect, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import (
    Composite,
    DeclarativeBase,
    Mapped,
    composite,
)
from sqlalchemy.sql.elements import ColumnElement

from . import tables
from .dates import PartialDate


class Base(DeclarativeBase):
    metadata = tables.metadata

    def __repr__(self) -> str:
        identity = inspect(self).identity
        key = identity[0] if identity is not None and len(identity) == 1 else identity
        return f"<{type(self).__name__} {key!r}>"


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
