"""Every stored day, month or year stands in one of its fact's quotes (or the quotes of the
session, event or document that dates the fact), or enters the record openly: a fact whose
day, month or year none of them gives must be inferred, with a reasoning that names the
date; a reading, or a row whose table has no ``inferred`` flag, with a note that does.

A source's dateline, address or recorded publication date is not a quote: a date read from
it is an inference (the report's "Wednesday" is the day of its dateline), and the fact says
so."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from csto_db.build.seed_files import read_seed_set
from csto_db.models import FACT_MODELS
from csto_db.store.dates import PartialDate

MONTHS = {
    1: ["january", "jan", "января", "январь", "январе", "januar", "janvier", "янв"],
    2: ["february", "feb", "февраля", "февраль", "феврале", "februar", "février", "фев"],
    3: ["march", "mar", "марта", "март", "марте", "märz", "mars", "мар"],
    4: ["april", "apr", "апреля", "апрель", "апреле", "avril", "апр"],
    5: ["may", "мая", "май", "мае", "mai"],
    6: ["june", "jun", "июня", "июнь", "июне", "juni", "juin", "июн"],
    7: ["july", "jul", "июля", "июль", "июле", "juli", "juillet", "июл"],
    8: ["august", "aug", "августа", "август", "августе", "août", "авг"],
    9: ["september", "sept", "sep", "сентября", "сентябрь", "сентябре", "septembre", "сен"],
    10: ["october", "oct", "октября", "октябрь", "октябре", "oktober", "octobre", "окт"],
    11: ["november", "nov", "ноября", "ноябрь", "ноябре", "novembre", "ноя"],
    12: ["december", "dec", "декабря", "декабрь", "декабре", "dezember", "décembre", "дек"],
}


#: Kazakh month names, whose case endings follow the stem ("28 қарашадағы", "желтоқсанда").
KAZAKH_MONTHS = {
    1: "қаңтар",
    2: "ақпан",
    3: "наурыз",
    4: "сәуір",
    5: "мамыр",
    6: "маусым",
    7: "шілде",
    8: "тамыз",
    9: "қыркүйек",
    10: "қазан",
    11: "қараша",
    12: "желтоқсан",
}


def _names(month: int) -> str:
    names = "|".join(re.escape(name) for name in MONTHS[month])
    return rf"(?:(?:{names})\b\.?|{KAZAKH_MONTHS[month]}\w*)"


def dated_spellings(day: date) -> list[re.Pattern]:
    """The ways to write a day that carry its year: ISO, "05.09.2023", "9/5/23", and a
    dateline's "20230905" or "2023/09/05"."""
    d, m, y = day.day, day.month, day.year
    return [
        re.compile(pattern)
        for pattern in (
            re.escape(day.isoformat()),
            f"{y}{m:02d}{d:02d}",
            f"{y}/{m:02d}/{d:02d}",
            rf"(?<!\d)0?{d}\.0?{m}\.{y}",
            rf"(?<!\d){m}/{d}/(?:{y}|{y % 100:02d})(?!\d)",
        )
    ]


def day_spellings(day: date) -> list[re.Pattern]:
    """The usual ways to write a day: those that carry the year (above), "5 September",
    "September 5", "5-6 September", "September 4-5", "5 сентября", "5 қыркүйекте" and
    "9月5日"."""
    d, m = day.day, day.month
    month = _names(m)
    return dated_spellings(day) + [
        re.compile(pattern, re.IGNORECASE)
        for pattern in (
            rf"(?<!\d){d}(?:st|nd|rd|th)?\.?(?:\s*[-–]\s*\d{{1,2}})?\s+{month}",
            rf"(?<!\d)\d{{1,2}}\s*[-–]\s*{d}\s+{month}",
            rf"{month}\s+{d}(?!\d)",
            rf"{month}\s+\d{{1,2}}\s*(?:[-–]|and)\s*{d}(?!\d)",
            rf"(?<!\d){m}月{d}日",
        )
    ]


def month_spellings(day: date) -> list[re.Pattern]:
    """The usual ways to write a month: ISO "2023-09", its name in any case ("сентябрь",
    "сентября", "in September")."""
    return [
        re.compile(re.escape(f"{day.year}-{day.month:02d}")),
        re.compile(rf"(?<![\w-]){_names(day.month)}", re.IGNORECASE),
    ]


def year_spelling(day: date) -> re.Pattern:
    """A year as a number of its own ("2023", "2014-2015"), not part of a longer one."""
    return re.compile(rf"(?<!\d){day.year}(?!\d)")


def named_in(value: PartialDate, texts: list[str]) -> bool:
    """True when every day, month and year the partial date names stands in one of ``texts``
    (a range is named by its two ends). The parts may stand in different texts: "in April
    2012" and "April 6" together name 2012-04-06."""
    ends = [value.edtf]
    if value.precision == "range":
        ends = re.split(r"\.\.|/", value.edtf.strip("[]"))
    for end in ends:
        part = PartialDate.parse(end)
        dated = dated_spellings(part.lower) if part.is_day else []
        if any(pattern.search(text) for pattern in dated for text in texts):
            continue  # "2023-09-05", "05.09.2023": the day with its year
        spellings = [year_spelling(part.lower)]
        if part.precision != "year":
            spellings = day_spellings(part.lower) if part.is_day else month_spellings(part.lower)
            if not any(year_spelling(part.lower).search(text) for text in texts):
                return False
        if not any(pattern.search(text) for pattern in spellings for text in texts):
            return False
    return True


#: The columns by which a fact names the session, event or document that dates it.
LINKS = (
    "meeting_key",
    "start_meeting_key",
    "end_meeting_key",
    "appointed_meeting_key",
    "start_event_key",
    "end_event_key",
    "start_document_key",
    "end_document_key",
    "document_key",
)


@pytest.fixture(scope="module")
def seeds():
    return read_seed_set()


def unquoted_dates(seeds) -> list[tuple[str, str, str, dict]]:
    """Each (table, fact key, field, row) whose stored day, month or year no quote of it
    gives (nor the open explanation of the session or event that dates it). The source's
    dateline, address, title and publication date are not quotes."""
    quotes: dict[str, list[str]] = {}
    for (fact_key, citation_key), _link in seeds.rows["fact_citations"].items():
        citation = seeds.rows["citations"][(citation_key,)]
        quotes.setdefault(fact_key, []).append(citation["quote"])
    explanations = {
        row.get("key"): explanation(table, row)
        for table in FACT_MODELS
        for row in seeds.rows.get(table, {}).values()
    }
    found = []
    for table, model in FACT_MODELS.items():
        key_column = "code" if table == "organizations" else "key"
        for row in seeds.rows.get(table, {}).values():
            # A fact dated by the session, event or document it names (a term in the chair
            # that begins at a session) cites that fact's quotes too.
            linked = [row[column] for column in LINKS if row.get(column)]
            texts = [quote for key in [row[key_column], *linked] for quote in quotes.get(key, [])]
            texts += [explanations[key] for key in linked if key in explanations]
            for name in model.partial_dates:
                edtf = row[f"{name}_edtf"]
                if edtf is None:
                    continue
                value = PartialDate.parse(edtf)
                if not named_in(value, texts):
                    found.append((table, row[key_column], name, row))
    return found


def test_the_spellings_read_the_usual_forms():
    day = date(2023, 9, 5)
    for text in (
        "2023-09-05",
        "5 September 2023",
        "September 5, 2023",
        "5 сентября 2023",
        "2023 жылғы 5 қыркүйектегі",
        "2023年9月5日",
        "05.09.2023",
        "on 4-5 September 2023",
        "Sept. 5, 2023",
    ):
        assert named_in(PartialDate.parse("2023-09-05"), [text]), text
    for text in ("in September 2023", "сентябрь 2023", "2023-09"):
        assert named_in(PartialDate.parse("2023-09"), [text]), text
    for text in ("in September", "this year", "15 September 2023", "2023-09-15"):
        assert not named_in(PartialDate.parse("2023-09-05"), [text]), text
    assert not named_in(PartialDate.parse("2023-09"), ["this year"])
    assert day.isoformat() == "2023-09-05"


def test_the_check_lists_a_day_taken_from_a_month(seeds):
    """The same fact with its day put back, as the record had it, would be listed."""
    row = dict(seeds.rows["events"][("arm-csto-representative-recalled-2023",)])
    quotes = [
        seeds.rows["citations"][(c,)]["quote"]
        for (f, c) in seeds.rows["fact_citations"]
        if f == row["key"]
    ]
    # The quote gives the month; the year is the report's, as the fact's reasoning says.
    assert named_in(PartialDate.parse("2023-09"), [*quotes, "2023"])
    assert not named_in(PartialDate.parse("2023-09-05"), [*quotes, "2023"])


def explanation(table: str, row: dict) -> str:
    """Where a fact says openly how it got a date: the reasoning of an inferred fact; the
    note of a reading, or of a row whose table has no ``inferred`` flag (a session, a
    document, an operation)."""
    if "inferred" in row:
        return (row.get("reasoning") or "") if row["inferred"] else ""
    return row.get("note") or row.get("description") or ""


def test_a_year_is_checked_too():
    assert named_in(PartialDate.parse("2022-01-13"), ["started on January 13", "in 2022"])
    assert not named_in(PartialDate.parse("2022-01-13"), ["started on January 13"])
    assert not named_in(PartialDate.parse("2023"), ["this year"])
    assert not named_in(PartialDate.parse("2023"), ["in 20230"])
    assert named_in(PartialDate.parse("2015"), ["the 2014-2015 intersessional period"])
    assert named_in(PartialDate.parse("[2022-01-05..2022-01-06]"), ["5-6 January 2022"])


def test_a_date_only_the_address_gives_is_listed(seeds):
    """A report whose address carries the day, quoted for words that give none, does not
    date the fact: the fact must say it took the day from the address."""
    row = dict(seeds.rows["events"][("arm-csto-deputy-sg-quota-2023",)])
    row.update(inferred=False, reasoning=None)
    citation_keys = [c for (f, c) in seeds.rows["fact_citations"] if f == row["key"]]
    (source_key,) = {seeds.rows["citations"][(c,)]["source_key"] for c in citation_keys}
    assert "2023/03/10" in seeds.rows["sources"][(source_key,)]["address"]
    patched = copy.copy(seeds)
    patched.rows = {**seeds.rows, "events": {**seeds.rows["events"], (row["key"],): row}}
    assert ("events", row["key"], "happened") in {
        (table, key, name) for table, key, name, _row in unquoted_dates(patched)
    }
    assert explanation("events", row) == ""


def test_every_unquoted_date_enters_the_record_openly(seeds):
    unexplained = []
    for table, key, name, row in unquoted_dates(seeds):
        value = PartialDate.parse(row[f"{name}_edtf"])
        if not named_in(value, [explanation(table, row)]):
            unexplained.append(f"{table} {key}: {name} {value.edtf}")
    assert unexplained == [], "\n".join(unexplained)
