"""Benchmark 2: ``members_on`` over many organizations and days at COW scale, against plain
sqlite3 answering the same rows, with their citations, through an index."""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import date

from .common import COW_FILE, RUNS, Result, imported_database, median

QUERIES = 300

#: The same rows members_on lists (a member status, the day possibly inside the span), with
#: each span's citations; ``ix_membership_spans_organization_code`` serves it.
PLAIN_SQL = """
SELECT s.state_iso3, st.name, s.status, s.start_edtf, s.end_edtf, s."key",
       c.source_key, c.quote
FROM membership_spans AS s
JOIN states AS st ON st.iso3 = s.state_iso3
JOIN fact_citations AS fc ON fc.fact_key = s."key"
JOIN citations AS c ON c."key" = fc.citation_key
WHERE s.organization_code = ? AND s.status IN ('party', 'member', 'frozen')
  AND s.start_lower <= ? AND (s.end_upper IS NULL OR ? < s.end_upper)
ORDER BY s.state_iso3
"""


def questions(database) -> list[tuple[str, date]]:
    """A fixed sample of (organization, day): COW's organizations, days in their years."""
    connection = sqlite3.connect(database)
    spans = connection.execute(
        "SELECT organization_code, MIN(start_lower), MAX(COALESCE(end_upper, '2014-12-31'))"
        " FROM membership_spans WHERE \"key\" LIKE 'cow:%' GROUP BY organization_code"
        " ORDER BY organization_code"
    ).fetchall()
    connection.close()
    chooser = random.Random(2014)
    asked = []
    for _ in range(QUERIES):
        code, first, last = chooser.choice(spans)
        first, last = date.fromisoformat(first), date.fromisoformat(last)
        asked.append((code, date.fromordinal(chooser.randint(first.toordinal(), last.toordinal()))))
    return asked


def measure() -> list[Result]:
    if not COW_FILE.exists():
        return [
            Result(
                "members_on at COW scale",
                "skipped",
                0,
                0,
                "",
                "",
                None,
                f"no COW file at {COW_FILE}",
            )
        ]
    from csto_db.answers.membership import members_on
    from csto_db.store.db import make_engine

    database = imported_database()
    asked = questions(database)
    engine = make_engine(f"sqlite:///{database}", read_only=True)
    plain = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    ours_times, plain_times = [], []
    with engine.connect() as connection:
        for code, day in asked:  # the two answer the same states
            states = {m.state for m in members_on(connection, code, day)}
            rows = plain.execute(PLAIN_SQL, (code, day.isoformat(), day.isoformat()))
            assert states == {row[0] for row in rows}, (code, day)
        for _ in range(RUNS):
            started = time.perf_counter()
            for code, day in asked:
                members_on(connection, code, day)
            ours_times.append((time.perf_counter() - started) / len(asked))
            started = time.perf_counter()
            for code, day in asked:
                plain.execute(PLAIN_SQL, (code, day.isoformat(), day.isoformat())).fetchall()
            plain_times.append((time.perf_counter() - started) / len(asked))
    plain.close()
    engine.dispose()
    ours, baseline = median(ours_times) * 1e6, median(plain_times) * 1e6
    return [
        Result(
            "2. members_on, all COW organizations loaded",
            "time per question",
            ours,
            baseline,
            "µs",
            "≤ 10×",
            ours <= 10 * baseline,
            f"{len(asked)} (organization, day) questions, in-process",
        )
    ]
