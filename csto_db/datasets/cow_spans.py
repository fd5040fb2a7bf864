"""COW's years as spans: the runs of one code in a state's column, and the membership spans,
with their readings, that the runs become."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

from ..store.dates import PartialDate
from .cow_file import MISSING, NOT_IN_SYSTEM, STATUS_OF_CODE

#: The few hundred distinct dates of a whole import, each parsed once (PartialDate is frozen).
_date = lru_cache(maxsize=None)(PartialDate.parse)


class Run(NamedTuple):
    """Consecutive years of one organization in which a state column holds one code.

    A named tuple: an import makes some hundred and fifty thousand, and a tuple is made in
    a fraction of a frozen dataclass's time."""

    code: str
    first: int
    last: int


def runs(years: list[int], cells: tuple[str, ...]) -> list[Run]:
    """The column's cells as runs of one code over consecutive years; a year missing from the
    file breaks a run (the organization has no row for it)."""
    found: list[Run] = []
    # groupby and list() walk the cells in C: this runs for every column of every IGO that
    # codes something. Only an organization with a year missing from the file needs its
    # runs cut at the gap.
    if not years or years[-1] - years[0] == len(years) - 1:
        first = years[0] if years else 0
        for code, group in groupby(cells):
            after = first + len(list(group))
            found.append(Run(code, first, after - 1))
            first = after
        return found
    index = 0
    for code, group in groupby(cells):
        length = len(list(group))
        first = index
        for gap in range(index + 1, index + length):
            if years[gap] != years[gap - 1] + 1:
                found.append(Run(code, years[first], years[gap - 1]))
                first = gap
        found.append(Run(code, years[first], years[index + length - 1]))
        index += length
    return found


@dataclass(frozen=True)
class SpanReading:
    """One span read from a column: its status, dates and the cell runs it rests on."""

    status: str
    start: PartialDate
    end: PartialDate | None
    cells: tuple[Run, ...]
    reasoning: str | None


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def spans_of(column_runs: list[Run], *, dissolved: int | None) -> list[SpanReading]:
    """Year-precision spans from a column's runs, by the codebook's rule that a code holds
    "at some point in the year".

    A run of a status over ``[first, last]`` starts in ``first`` and ends in ``last`` (the
    first day no longer in it falls in that year, give or take its last day). Missing data
    (``-9``) is unknown, not absence: a run of it before the status widens the start to
    the range from its first year (unless the same status comes before it, whose span's end
    already covers those years), one after it widens the end to its last year. When the
    organization's rows end with the status, or with missing data after it, the dataset
    says nothing later: the end is "that year or later" (``[2014..]``), never certain; for
    an organization COW says ended (``dissolved``, its year), it falls by that year. Every
    date that rests on missing data or on the end of the rows says so in the reasoning.
    """
    readings = []
    for index, run in enumerate(column_runs):
        status = STATUS_OF_CODE.get(run.code)
        if status is None:
            continue
        before = column_runs[index - 1] if index else None
        after = column_runs[index + 1] if index + 1 < len(column_runs) else None
        cells = [run]
        reasons = []
        start = _date(str(run.first))
        earlier = column_runs[index - 2] if index >= 2 else None
        # ``earlier`` exists only from the third run on, so ``before`` does too.
        bridged = (
            earlier is not None
            and before is not None
            and earlier.code == run.code
            and earlier.last == before.first - 1
        )
        if before and before.code == MISSING and before.last == run.first - 1 and not bridged:
            start = _date(f"[{before.first}..{run.first}]")
            cells.insert(0, before)
            reasons.append(
                f"no data (-9) in {_years(before.first, before.last)} before {status} from "
                f"{run.first}: the start falls in {before.first}–{run.first}"
            )
        end: PartialDate | None = _date(str(run.last))
        unknown_after = after and after.code == MISSING and after.first == run.last + 1
        if unknown_after:
            assert after is not None  # unknown_after is falsy without it
            cells.append(after)
            follows = column_runs[index + 2] if index + 2 < len(column_runs) else None
            missing = _years(after.first, after.last)
            if follows is None:
                end, falls = _last_end(run.last, after.last, dissolved)
                reasons.append(
                    f"{status} to {run.last}, then no data (-9) in {missing} to the end of "
                    f"its rows{_ended(dissolved)}: the end falls {falls}"
                )
            else:
                end = _date(f"[{run.last}..{after.last}]")
                reasons.append(
                    f"{status} to {run.last}, then no data (-9) in {missing}: the end falls "
                    f"in {run.last}–{after.last}"
                )
        elif after is None and (dissolved is None or dissolved > run.last):
            end, falls = _last_end(run.last, run.last, dissolved)
            reasons.append(
                f"{status} in {run.last}, the last year of its rows{_ended(dissolved)}: "
                f"the end falls {falls}"
            )
        reasoning = f"COW codes {'; '.join(reasons)}" if reasons else None
        readings.append(SpanReading(status, start, end, tuple(cells), reasoning))
    return readings


def _last_end(last: int, rows_end: int, dissolved: int | None) -> tuple[PartialDate, str]:
    """The end of a span whose status (coded to ``last``) runs to the end of the rows
    (``rows_end``, after missing data): "``last`` or later", or by the year the organization
    ended; and those words for the reasoning."""
    if dissolved is None:
        return _date(f"[{last}..]"), f"in {last} or later"
    latest = max(dissolved, rows_end)
    if latest == last:
        return _date(str(last)), f"in {last}"
    return _date(f"[{last}..{latest}]"), f"in {last}–{latest}"


def _ended(dissolved: int | None) -> str:
    if dissolved is None:
        return ", and COW does not say the organization ended"
    return f", and COW says the organization ended in {dissolved}"


def missing_runs(column_runs: list[Run]) -> list[Run]:
    """The runs of missing data (``-9``) in a column."""
    return [run for run in column_runs if run.code == MISSING]


def empty_runs(column_runs: list[Run]) -> list[Run]:
    """The runs of empty cells (state not system member) in a column."""
    return [run for run in column_runs if run.code == NOT_IN_SYSTEM]
