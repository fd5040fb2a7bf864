"""Benchmark of the as-of path: ``members_on`` against plain sqlite3 on the same file.

Run from the repository root: ``python benchmarks/members_on.py [--days N] [--rounds N]``.
It builds a fresh SQLite database in a temporary folder, then for each of N days spread
over 1992–2026 asks ``members_on(conn, "CSTO", day)`` in-process (one open connection), and
asks plain ``sqlite3`` for the same states with their citations (spans joined through
``fact_citations`` to ``citations``) on the same file. Each call is timed on its own; the
figures are medians per call, their ratio, and how many SQL statements one ``members_on``
call sends. :func:`measure` returns the figures for a runner that writes them elsewhere.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event

from csto_db.answers.membership import members_on
from csto_db.build.init import init_database
from csto_db.store.db import make_engine

#: The plain query: the rows of the member spans whose preferred dates can hold the day, each
#: with its citations. It is what a user of the file would write by hand.
PLAIN_QUERY = """
SELECT s.state_iso3, st.name, s.status, s.start_edtf, s.end_edtf, s.key,
       c.source_key, c.quote
FROM membership_spans AS s
JOIN states AS st ON st.iso3 = s.state_iso3
JOIN fact_citations AS fc ON fc.fact_key = s.key
JOIN citations AS c ON c.key = fc.citation_key
WHERE s.organization_code = ? AND s.status IN ('party', 'member', 'frozen')
  AND s.start_lower <= ? AND (s.end_upper IS NULL OR ? < s.end_upper)
ORDER BY s.state_iso3, c.source_key
"""


def days_between(first: date, last: date, count: int) -> list[date]:
    """``count`` days spread evenly from ``first`` to ``last``."""
    span = (last - first).days
    return [first + timedelta(days=span * i // max(count - 1, 1)) for i in range(count)]


def _median_call(function, days: list[date], rounds: int) -> float:
    """The median time of one call, in seconds, over every day and round."""
    timings = []
    for _ in range(rounds):
        for day in days:
            started = time.perf_counter()
            function(day)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(days: int = 400, rounds: int = 5, database: Path | None = None) -> dict:
    """Build (or reuse) a database and time both paths; returns the figures.

    ``library_median_us`` and ``plain_median_us``: median microseconds per call;
    ``ratio``: library over plain; ``statements_per_call``: SQL statements one
    ``members_on`` call sends (mean over the days); ``days``, ``rounds``: the workload.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = database or Path(folder) / "csto.db"
        if database is None:
            init_database(f"sqlite:///{path}")
        sample = days_between(date(1992, 1, 1), date(2026, 6, 30), days)

        engine = make_engine(f"sqlite:///{path}")
        statements = 0

        def count(*_args) -> None:
            nonlocal statements
            statements += 1

        event.listen(engine, "before_cursor_execute", count)
        plain = sqlite3.connect(path)
        try:
            with engine.connect() as connection:
                for day in sample:  # warm both paths: caches, compiled statements
                    members_on(connection, "CSTO", day)
                statements = 0
                for day in sample:
                    members_on(connection, "CSTO", day)
                statements_per_call = statements / len(sample)
                library = _median_call(
                    lambda day: members_on(connection, "CSTO", day), sample, rounds
                )

            def plain_call(day: date) -> list:
                text = day.isoformat()
                return plain.execute(PLAIN_QUERY, ("CSTO", text, text)).fetchall()

            for day in sample:
                plain_call(day)
            baseline = _median_call(plain_call, sample, rounds)
        finally:
            plain.close()
            engine.dispose()
    return {
        "library_median_us": round(library * 1e6, 1),
        "plain_median_us": round(baseline * 1e6, 1),
        "ratio": round(library / baseline, 2),
        "statements_per_call": round(statements_per_call, 2),
        "days": days,
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=400, help="days asked (default 400)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the days (default 5)")
    arguments = parser.parse_args()
    figures = measure(arguments.days, arguments.rounds)
    print(f"members_on (library):  {figures['library_median_us']:8.1f} µs median per call")
    print(f"plain sqlite3:         {figures['plain_median_us']:8.1f} µs median per call")
    print(f"ratio:                 {figures['ratio']:8.2f}x")
    print(f"statements per call:   {figures['statements_per_call']:8.2f}")
    print(f"workload: {figures['days']} days x {figures['rounds']} rounds")


if __name__ == "__main__":
    main()
