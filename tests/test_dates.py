"""Partial dates: parsing EDTF text into bounds and precision, and refusing what is not a date."""

from datetime import date

import pytest

from csto_db.store.dates import PartialDate, PartialDateError, parse_day


@pytest.mark.parametrize(
    "text,lower,upper,precision",
    [
        ("1992-05-15", date(1992, 5, 15), date(1992, 5, 15), "day"),
        ("1999-04", date(1999, 4, 1), date(1999, 4, 30), "month"),
        ("2012-02", date(2012, 2, 1), date(2012, 2, 29), "month"),  # a leap year
        ("2011", date(2011, 1, 1), date(2011, 12, 31), "year"),
        # "Subsequently": one day between two events, written as an EDTF "one of" range
        ("[1992-05-15..1999-04]", date(1992, 5, 15), date(1999, 4, 30), "range"),
        ("2011/2012", date(2011, 1, 1), date(2012, 12, 31), "range"),
        # "2013 or later": a dataset that says nothing after its last year
        ("[2013..]", date(2013, 1, 1), date(9999, 12, 31), "range"),
    ],
)
def test_parse_gives_bounds_and_precision(text, lower, upper, precision):
    parsed = PartialDate.parse(text)
    assert (parsed.lower, parsed.upper, parsed.precision, parsed.edtf) == (
        lower,
        upper,
        precision,
        text,
    )


@pytest.mark.parametrize(
    "text",
    ["1999-13", "1999-02-30", "May 1999", "", "1999-4", "[1999..1998]", "2012/2011"],
)
def test_parse_refuses_what_is_not_a_date(text):
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)


def test_consistent_when_bounds_overlap():
    month = PartialDate.parse("1999-04")
    assert month.consistent_with(PartialDate.parse("1999-04-21"))
    assert not month.consistent_with(PartialDate.parse("1998"))


@pytest.mark.parametrize("text", ["2005", "2005-01", "[2005-01-01..2005-01-02]"])
def test_parse_day_wants_a_whole_day(text):
    with pytest.raises(PartialDateError):
        parse_day(text)
    assert parse_day("2005-01-01") == date(2005, 1, 1)


def test_only_a_set_is_open_above():
    assert PartialDate.parse("[2013..]").open_above
    assert not PartialDate.parse("2013").open_above
    for text in ("2013/", "[..]", "[..2013]"):
        with pytest.raises(PartialDateError):
            PartialDate.parse(text)
