"""As-of answers at the edges of closed-open spans whose dates are days, months, years,
ranges or disputed between readings."""

from datetime import date

import pytest

from csto_db.dates import PartialDate
from csto_db.evidence import span_certainty


def d(text):
    return PartialDate.parse(text)


@pytest.mark.parametrize(
    "start,end,on,expected",
    [
        # day precision: in from the first day, out from the end day (closed-open)
        ("2003-09-18", None, date(2003, 9, 17), None),
        ("2003-09-18", None, date(2003, 9, 18), "certain"),
        ("2003-09-18", "2012-12-19", date(2012, 12, 18), "certain"),
        ("2003-09-18", "2012-12-19", date(2012, 12, 19), None),
        # month-precision end: the first day out is somewhere in April 1999
        ("1992-05-15", "1999-04", date(1999, 3, 31), "certain"),
        ("1992-05-15", "1999-04", date(1999, 4, 1), "possible"),
        ("1992-05-15", "1999-04", date(1999, 4, 29), "possible"),
        ("1992-05-15", "1999-04", date(1999, 4, 30), None),
        # year-precision start: in for certain only from the last day of the year
        ("2011", None, date(2010, 12, 31), None),
        ("2011", None, date(2011, 1, 1), "possible"),
        ("2011", None, date(2011, 12, 30), "possible"),
        ("2011", None, date(2011, 12, 31), "certain"),
        # "subsequently": a start known only between two events
        ("[1992-05-15..1999-04]", None, date(1992, 5, 14), None),
        ("[1992-05-15..1999-04]", None, date(1995, 1, 1), "possible"),
        ("[1992-05-15..1999-04]", None, date(1999, 4, 30), "certain"),
        # an open end stays open
        ("1992-05-15", None, date(2026, 11, 26), "certain"),
    ],
)
def test_single_reading(start, end, on, expected):
    assert span_certainty([d(start)], [d(end) if end else None], on) == expected


@pytest.mark.parametrize(
    "on,expected",
    [
        (date(1993, 9, 8), None),  # before both readings
        (date(1993, 9, 9), "disputed"),  # one reading has started, the other not
        (date(1993, 12, 8), "disputed"),
        (date(1993, 12, 9), "certain"),  # both readings agree from here on
    ],
)
def test_disagreeing_readings_make_the_answer_disputed(on, expected):
    starts = [d("1993-12-09"), d("1993-09-09")]
    assert span_certainty(starts, [None], on) == expected
