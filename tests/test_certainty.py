"""As-of answers at the edges of closed-open spans whose dates are days, months, years,
ranges or disputed between readings: the preferred reading decides, the others are shown."""

from datetime import date

import pytest

from csto_db.answers.asof import Lifetime, certainty_on, judge
from csto_db.store.dates import PartialDate


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
    assert certainty_on([d(start)], [d(end) if end else None], on) == expected


@pytest.mark.parametrize(
    "on,expected",
    [
        (date(1993, 9, 8), None),  # before both readings
        (date(1993, 9, 9), "contested"),  # only the other reading has started
        (date(1993, 12, 8), "contested"),
        (date(1993, 12, 9), "certain"),  # both readings agree from here on
    ],
)
def test_a_reading_the_record_does_not_prefer_only_contests(on, expected):
    """Georgia's accession: preferred 1993-12-09, the Kremlin note's 1993-09-09."""
    assert certainty_on([d("1993-12-09"), d("1993-09-09")], [None], on) == expected


@pytest.mark.parametrize(
    "on,expected",
    [
        (date(1993, 9, 9), None),  # the preferred reading has not started: nobody says in
        (date(1993, 10, 1), "disputed"),  # in by the preferred reading, out by the other
        (date(1993, 12, 9), "certain"),
    ],
)
def test_a_later_reading_disputes_a_listed_row(on, expected):
    assert certainty_on([d("1993-09-10"), d("1993-12-09")], [None], on) == expected


def test_an_imprecise_other_reading_disputes_a_certain_day():
    """COW's end of Uzbekistan's membership, somewhere in 2011, against 2012-12-19."""
    verdict = judge(
        [d("2006-08-16")], [d("2012-12-19"), d("[2011-01-02..2012-01-01]")], date(2011, 6, 1)
    )
    assert (verdict.certainty, verdict.contested) == ("disputed", False)
    assert verdict.explaining == {("end", d("[2011-01-02..2012-01-01]"))}


def test_a_reading_outside_the_lifetime_is_clipped_not_dropped():
    """COW's 2002 for Uzbekistan in the CSTO, whose membership begins on 2003-09-18."""
    csto = Lifetime("CSTO", "Collective Security Treaty Organization", date(2003, 9, 18), None)
    starts, ends = [d("2006-08-16"), d("2002")], [d("2012-12-19")]
    assert judge(starts, ends, date(2003, 9, 17), csto) is None
    contested = judge(starts, ends, date(2005, 1, 1), csto)
    assert (contested.certainty, contested.contested) == ("disputed", True)
    assert contested.explaining == {("start", d("2002"))}
    # without the lifetime, COW's year would put the state in the Organization in 2002
    assert judge(starts, ends, date(2002, 6, 1)).contested


def test_lifetime_explains_a_day_outside_it():
    csto = Lifetime(
        "CSTO", "Collective Security Treaty Organization", date(2003, 9, 18), None, "CST"
    )
    assert csto.explain(date(2003, 9, 18)) is None
    line = csto.explain(date(2002, 1, 1))
    assert "2003-09-18" in line and "--org CST" in line and "\n" not in line
