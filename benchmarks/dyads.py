"""Benchmarks of the questions about pairs of states: `dyads` against a pandas/numpy peer
(one year, and every year into one CSV), `shared` against one hand-written indexed SQL
statement, and `members_on` and `shared` on a synthetic dataset 100 times COW's size
against the real import, with the query plans that show the indexes used."""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from .common import COW_FILE, RUNS, Result, imported_database, median, python, run_measured

#: The synthetic database, N times COW (made by benchmarks.synthetic_cow when missing).
SYNTHETIC = os.environ.get("CSTO_BENCH_SYNTHETIC")
COPIES = int(os.environ.get("CSTO_BENCH_COPIES", "100"))
QUESTIONS = 100

#: The organizations both states are members of on the day, inside the organization's
#: lifetime, none that COW codes -9 for either state that year, with both spans' citations:
#: what `shared` lists, in one statement. The state index finds the first state's spans,
#: the as-of index (organization, reach_start) the second's, the primary key of
#: missing_data its runs.
PLAIN_SHARED = """
SELECT a.organization_code, o.name, a."key", a.status, a.start_edtf, a.end_edtf,
       b."key", b.status, b.start_edtf, b.end_edtf, c.source_key, c.quote
FROM membership_spans AS a
JOIN membership_spans AS b
  ON b.organization_code = a.organization_code AND b.state_iso3 = :second
JOIN organizations AS o ON o.code = a.organization_code
JOIN fact_citations AS fc ON fc.fact_key IN (a."key", b."key")
JOIN citations AS c ON c."key" = fc.citation_key
WHERE a.state_iso3 = :first
  AND a.status IN ('party', 'member', 'frozen') AND b.status IN ('party', 'member', 'frozen')
  AND a.start_lower <= :on AND (a.end_upper IS NULL OR :on < a.end_upper)
  AND b.start_lower <= :on AND (b.end_upper IS NULL OR :on < b.end_upper)
  AND b.reach_start <= :on
  AND (o.membership_start_lower IS NULL OR o.membership_start_lower <= :on)
  AND (o.membership_end_upper IS NULL OR o.membership_end_upper > :on)
  AND NOT EXISTS (
    SELECT 1 FROM missing_data AS m
    WHERE m.organization_code = a.organization_code
      AND (m.state_iso3 = :first OR m.state_iso3 = :second)
      AND m.first_year <= :year AND m.last_year >= :year)
ORDER BY a.organization_code
"""


def _skipped(name: str) -> list[Result]:
    return [Result(name, "skipped", 0, 0, "", "", None, f"no COW file at {COW_FILE}")]


def _alternating(ours, baseline) -> tuple[float, float]:
    """Medians of ``RUNS`` timings of each, taken in turn."""
    mine, theirs = [], []
    for _ in range(RUNS):
        mine.append(ours())
        theirs.append(baseline())
    return median(mine), median(theirs)


# --- dyads against the peer ----------------------------------------------------------------------


def _dyads_results(database: Path, folder: Path) -> list[Result]:
    import csv
    import shutil

    env = {**os.environ, "CSTO_DB_URL": f"sqlite:///{database}"}
    command = shutil.which("csto-db", path=str(Path(python()).parent)) or "csto-db"
    results = []
    for label, args, note in (
        ("5. dyads --year 2000 (process)", ["--year", "2000"], "one year, every dyad"),
        (
            "6. dyads --from 1816 --to 2014 (process)",
            ["--from", "1816", "--to", "2014"],
            "every dyad-year into one CSV",
        ),
    ):
        ours_out, peer_out = folder / "ours.csv", folder / "peer.csv"

        def ours(args=args, ours_out=ours_out) -> float:
            return run_measured([command, "dyads", *args, "--out", str(ours_out)], env=env).seconds

        def peer(args=args, peer_out=peer_out) -> float:
            return run_measured(
                [python(), "-m", "benchmarks.dyads_peer", *args, "--out", str(peer_out)],
                env=env,
            ).seconds

        figure, baseline = _alternating(ours, peer)
        # The two agree on every dyad-year and its -9s; the joint counts differ only where
        # the record is not COW's (the curated CST and CSTO, and organizations whose rows end
        # before COW says they ended).
        with ours_out.open() as mine, peer_out.open() as theirs:
            rows = differing = 0
            for a, b in zip(csv.DictReader(mine), csv.DictReader(theirs), strict=True):
                assert (a["dyadid"], a["year"], a["missing"]) == (
                    b["dyadid"],
                    b["year"],
                    b["missing"],
                )
                rows += 1
                differing += a["joint"] != b["joint"]
        results.append(
            Result(
                label,
                "wall time",
                figure,
                baseline,
                "s",
                "≤ 2×",
                figure <= 2 * baseline,
                f"{note}: {rows:,} rows; peer: pandas + numpy from the CSV "
                f"({differing:,} counts differ: the record's CST/CSTO and ended organizations)",
            )
        )
    return results


# --- shared against one SQL statement ------------------------------------------------------------


def _states_and_days(database: Path, count: int, seed: int) -> list[tuple[int, int, date]]:
    """Fixed (COW code, COW code, day) questions: two states of the system on 1 July of a
    year both were in it."""
    from csto_db.datasets.cow_dyads import state_system

    connection = sqlite3.connect(database)
    known = {ccode for (ccode,) in connection.execute("SELECT cow_ccode FROM states")}
    connection.close()
    system = [s for s in state_system() if s.ccode in known]
    chooser = random.Random(seed)
    asked: list[tuple[int, int, date]] = []
    while len(asked) < count:
        year = chooser.randint(1950, 2014)
        inside = [s.ccode for s in system if s.first_year <= year <= s.last_year]
        first, second = chooser.sample(inside, 2)
        asked.append((first, second, date(year, 7, 1)))
    return asked


def _iso3_by_ccode(connection: sqlite3.Connection) -> dict[int, str]:
    return dict(connection.execute("SELECT cow_ccode, iso3 FROM states"))


def _time_shared(engine, database: Path, asked) -> tuple[float, float, int]:
    """Per question: `shared_on` in-process, and the plain statement; they list the same
    organizations."""
    from csto_db.answers.dyads import shared_on

    plain = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    iso3 = _iso3_by_ccode(plain)
    questions = [(iso3[a], iso3[b], day) for a, b, day in asked]
    listed = 0
    with engine.connect() as connection:
        for first, second, day in questions:
            ours = {s.organization for s in shared_on(connection, first, second, day).shared}
            params = {"first": first, "second": second, "on": day.isoformat(), "year": day.year}
            theirs = {row[0] for row in plain.execute(PLAIN_SHARED, params)}
            assert ours == theirs, (first, second, day, ours ^ theirs)
            listed += len(ours)

        def library() -> float:
            started = time.perf_counter()
            for first, second, day in questions:
                shared_on(connection, first, second, day)
            return (time.perf_counter() - started) / len(questions)

        def statement() -> float:
            started = time.perf_counter()
            for first, second, day in questions:
                params = {
                    "first": first,
                    "second": second,
                    "on": day.isoformat(),
                    "year": day.year,
                }
                plain.execute(PLAIN_SHARED, params).fetchall()
            return (time.perf_counter() - started) / len(questions)

        ours_time, plain_time = _alternating(library, statement)
    plain.close()
    return ours_time, plain_time, listed


def _shared_result(database: Path) -> Result:
    from csto_db.store.db import make_engine

    asked = _states_and_days(database, QUESTIONS, 2000)
    engine = make_engine(f"sqlite:///{database}", read_only=True)
    try:
        ours, plain, listed = _time_shared(engine, database, asked)
    finally:
        engine.dispose()
    return Result(
        "7. shared A B --on D, COW imported (in-process)",
        "time per question",
        ours * 1e6,
        plain * 1e6,
        "µs",
        "≤ 10×",
        ours <= 10 * plain,
        f"{len(asked)} (pair, 1 July) questions, {listed:,} organizations listed; baseline: "
        "one indexed SQL statement with the citations (sqlite3)",
    )


# --- 100 times COW -------------------------------------------------------------------------------


def synthetic_database(real: Path) -> Path:
    """The synthetic database: ``CSTO_BENCH_SYNTHETIC`` when it names one that exists, else
    made beside the real import (several minutes)."""
    from .synthetic_cow import build

    if SYNTHETIC and Path(SYNTHETIC).exists():
        return Path(SYNTHETIC)
    path = Path(SYNTHETIC) if SYNTHETIC else real.parent / f"synthetic-{COPIES}.db"
    build(real, path, COPIES)
    return path


def query_plan(database: Path, statement, params: dict) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of a SQLAlchemy statement with ``params``."""
    from sqlalchemy.dialects import sqlite

    compiled = statement.compile(dialect=sqlite.dialect())
    values = compiled.construct_params(params)
    ordered = []
    for name in compiled.positiontup:
        value = values[name]
        ordered.append(value.isoformat() if isinstance(value, date) else value)
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {compiled}", ordered)]
    finally:
        connection.close()


def _scale_results(real: Path) -> list[Result]:
    from csto_db.answers.dyads import MISSING_IN_YEAR, SHARED_CANDIDATES, shared_on
    from csto_db.answers.membership import MEMBER_CANDIDATES, members_on
    from csto_db.store.db import make_engine

    from .cow_members_on import questions as member_questions

    synthetic = synthetic_database(real)
    with sqlite3.connect(synthetic) as connection:
        spans = connection.execute("SELECT count(*) FROM membership_spans").fetchone()[0]
        real_spans = (
            sqlite3.connect(real).execute("SELECT count(*) FROM membership_spans").fetchone()[0]
        )
        copies = (
            connection.execute(
                "SELECT count(*) FROM organizations WHERE code LIKE 'NATO~%'"
            ).fetchone()[0]
            + 1
        )
    chooser = random.Random(100)
    members_asked = member_questions(real)[:QUESTIONS]
    members_scaled = [
        (code if k == 0 else f"{code}~{k}", day)
        for (code, day), k in zip(
            members_asked, (chooser.randrange(copies) for _ in members_asked), strict=True
        )
    ]
    shared_asked = _states_and_days(real, QUESTIONS, 2000)
    shared_scaled = [
        (a + 10000 * k, b + 10000 * k, day)
        for (a, b, day), k in zip(
            shared_asked, (chooser.randrange(copies) for _ in shared_asked), strict=True
        )
    ]
    results = []
    engines = {
        name: make_engine(f"sqlite:///{path}", read_only=True)
        for name, path in (("real", real), ("synthetic", synthetic))
    }
    try:
        iso3 = {
            name: _iso3_by_ccode(sqlite3.connect(path))
            for name, path in (("real", real), ("synthetic", synthetic))
        }
        with engines["real"].connect() as on_real, engines["synthetic"].connect() as on_big:
            # Each question of the synthetic set answers as its real original does.
            for (code, day), (scaled, _day) in zip(members_asked, members_scaled, strict=True):
                assert len(members_on(on_real, code, day)) == len(members_on(on_big, scaled, day))

            def members(connection, asked):
                def run() -> float:
                    started = time.perf_counter()
                    for code, day in asked:
                        members_on(connection, code, day)
                    return (time.perf_counter() - started) / len(asked)

                return run

            def shared(connection, asked):
                # By COW code: a synthetic state's code may be all digits (``022``).
                questions = [(str(a), str(b), day) for a, b, day in asked]

                def run() -> float:
                    started = time.perf_counter()
                    for first, second, day in questions:
                        shared_on(connection, first, second, day)
                    return (time.perf_counter() - started) / len(questions)

                return run

            big, small = _alternating(
                members(on_big, members_scaled), members(on_real, members_asked)
            )
            results.append(
                Result(
                    f"8. members_on, {copies}× COW ({spans:,} spans) against COW ({real_spans:,})",
                    "time per question",
                    big * 1e6,
                    small * 1e6,
                    "µs",
                    "≤ 3×",
                    big <= 3 * small,
                    f"{len(members_asked)} questions, each of a random copy",
                )
            )
            big, small = _alternating(
                shared(on_big, shared_scaled),
                shared(on_real, shared_asked),
            )
            results.append(
                Result(
                    f"9. shared --on, {copies}× COW against COW",
                    "time per question",
                    big * 1e6,
                    small * 1e6,
                    "µs",
                    "≤ 3×",
                    big <= 3 * small,
                    f"{len(shared_asked)} questions, each of a random copy",
                )
            )
    finally:
        for engine in engines.values():
            engine.dispose()
    first, second, day = shared_scaled[0]
    plans = {
        "members_on": query_plan(
            synthetic, MEMBER_CANDIDATES, {"org": members_scaled[0][0], "on": members_scaled[0][1]}
        ),
        "shared_on": query_plan(
            synthetic,
            SHARED_CANDIDATES,
            {"first": iso3["synthetic"][first], "second": iso3["synthetic"][second], "on": day},
        ),
        "shared_on's missing data": query_plan(
            synthetic,
            MISSING_IN_YEAR,
            {
                "first": iso3["synthetic"][first],
                "second": iso3["synthetic"][second],
                "year": day.year,
            },
        ),
    }
    for name, plan in plans.items():
        results.append(
            Result(f"query plan of {name} at {copies}×", "", 0, 0, "", "", None, "; ".join(plan))
        )
    return results


def measure() -> list[Result]:
    if not COW_FILE.exists():
        return _skipped("dyads and shared")
    database = imported_database()
    with tempfile.TemporaryDirectory(prefix="csto-dyads-") as folder:
        results = _dyads_results(database, Path(folder))
    results.append(_shared_result(database))
    results += _scale_results(database)
    return results
