"""Partial dates as the sources give them: EDTF text with real lower and upper bounds."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ..errors import PartialDateError

#: Precision vocabulary, stored beside every partial date.
PRECISIONS = ("day", "month", "year", "range")

_SINGLE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

#: The upper bound of a date open above (``[2013..]``: 2013 or some later day). The latest
#: day every engine's DATE holds, as SQL:2011 ends a period still open.
OPEN_UPPER = date(9999, 12, 31)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a day, a month, a year, or only between two bounds.

    ``edtf`` is the text as written in the data files (an EDTF subset: ``1992-05-15``,
    ``1999-04``, ``2011``, the "one of a range" forms ``[1992-05-15..1999-04]`` or
    ``2011/2012``, and ``[2013..]``, "2013 or later"). ``lower`` and ``upper`` are the
    earliest and latest days the date can be; a date open above has :data:`OPEN_UPPER`.
    """

    lower: date
    upper: date
    edtf: str
    precision: str

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse EDTF text; raises :class:`PartialDateError` with the reason."""
        if not isinstance(text, str):
            raise PartialDateError(f"expected EDTF text, got {type(text).__name__} {text!r}")
        text = text.strip()
        if text.startswith("[") and text.endswith("]") and ".." in text:
            first, _, last = text[1:-1].partition("..")
            return cls._range(text, first, last)
        if "/" in text:
            first, _, last = text.partition("/")
            return cls._range(text, first, last)
        lower, upper, precision = _single(text)
        return cls(lower, upper, text, precision)

    @classmethod
    def _range(cls, text: str, first: str, last: str) -> PartialDate:
        lower, _, _ = _single(first)
        if not last.strip() and text.startswith("["):
            return cls(lower, OPEN_UPPER, text, "range")  # ``[2013..]``: 2013 or later
        _, upper, _ = _single(last)
        if lower > upper:
            raise PartialDateError(f"{text!r}: the range ends before it starts")
        return cls(lower, upper, text, "range")

    @property
    def is_day(self) -> bool:
        return self.lower == self.upper

    @property
    def open_above(self) -> bool:
        """True for a date known only to be on or after ``lower`` (``[2013..]``)."""
        return self.upper == OPEN_UPPER

    def consistent_with(self, other: PartialDate) -> bool:
        """True when both can be the same day (their bounds overlap)."""
        return self.lower <= other.upper and other.lower <= self.upper

    def __str__(self) -> str:
        return self.edtf

    # The mapping of a date over its four columns (``composite()`` in the models). The columns
    # come in table order, EDTF text first, which is not the order of the fields above.

    def __composite_values__(self) -> tuple[str, date, date, str]:
        return self.edtf, self.lower, self.upper, self.precision

    @classmethod
    def from_columns(cls, edtf: str, lower: date, upper: date, precision: str) -> PartialDate:
        """A date from its four columns, as they come from a row."""
        return cls(lower, upper, edtf, precision)

    @classmethod
    def from_optional_columns(
        cls, edtf: str | None, lower: date | None, upper: date | None, precision: str | None
    ) -> PartialDate | None:
        """A date from the four columns of an optional date: None when they are empty."""
        if edtf is None or lower is None or upper is None or precision is None:
            return None
        return cls(lower, upper, edtf, precision)


def _single(text: str) -> tuple[date, date, str]:
    match = _SINGLE.match(text.strip())
    if not match:
        raise PartialDateError(f"{text!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a range)")
    year, month, day = match.groups()
    try:
        y = int(year)
        if month is None:
            return date(y, 1, 1), date(y, 12, 31), "year"
        m = int(month)
        if day is None:
            return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), "month"
        d = date(y, m, int(day))
        return d, d, "day"
    except ValueError as error:
        raise PartialDateError(f"{text!r} is not a real date: {error}") from None


def as_day(value: date | str) -> date:
    """A day given as a ``date`` or as ISO text (``YYYY-MM-DD``), for the library's callers."""
    if isinstance(value, date):
        return value
    return parse_day(value)


def parse_day(text: str) -> date:
    """Parse a full ISO day (``YYYY-MM-DD``) as given on the command line."""
    parsed = PartialDate.parse(text)
    if not parsed.is_day or parsed.precision != "day":
        raise PartialDateError(f"{text!r}: give a full day, YYYY-MM-DD")
    return parsed.lower
