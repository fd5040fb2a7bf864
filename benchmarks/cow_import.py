"""Benchmark 1: the full COW import against plain sqlite3 executemany of the same rows."""

from __future__ import annotations

import csv
import json
import pickle
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from .common import COW_FILE, RUNS, Result, median, python, run_measured


def template(directory: Path) -> Path:
    """A database built by ``init``: every run imports into a fresh copy of it."""
    from csto_db.build.init import init_database

    path = directory / "template.db"
    init_database(f"sqlite:///{path}")
    return path


def prepared_rows(database: Path, rows_file: Path) -> int:
    """The rows the import writes, as plain tuples with SQLite's text dates, pickled for
    the baseline."""
    from csto_db.datasets.cow_file import read_cow_file
    from csto_db.datasets.cow_rows import curated_of, import_rows
    from csto_db.store.db import make_engine

    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows, _skipped = import_rows(read_cow_file(COW_FILE), curated_of(connection))
    engine.dispose()
    plain = {}
    for name, columns, table_rows in rows.tables():
        plain[name] = (list(columns), [tuple(map(_plain, row)) for row in table_rows])
    rows_file.write_bytes(pickle.dumps(plain))
    return rows.count()


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def child_ours(database: str, cow_file: str) -> None:
    from csto_db.datasets.cow_import import import_cow
    from csto_db.store.db import make_engine

    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        report = import_cow(connection, Path(cow_file))
    engine.dispose()
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": report.rows}))


def child_baseline(database: str, cow_file: str, rows_file: str) -> None:
    tables = pickle.loads(Path(rows_file).read_bytes())
    started = time.perf_counter()
    with open(cow_file, newline="", encoding="utf-8") as handle:
        parsed = list(csv.reader(handle))
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("BEGIN")
    written = 0
    # in the order the import writes them (parents first), as pickled
    for name, (columns, rows) in tables.items():
        if not rows:
            continue
        quoted = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', rows)
        written += len(rows)
    connection.execute("COMMIT")
    connection.close()
    print(
        json.dumps(
            {"seconds": time.perf_counter() - started, "rows": written, "parsed": len(parsed)}
        )
    )


def measure() -> list[Result]:
    if not COW_FILE.exists():
        return [Result("COW import", "skipped", 0, 0, "", "", None, f"no COW file at {COW_FILE}")]
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        base = template(directory)
        rows_file = directory / "rows.pickle"
        total = prepared_rows(base, rows_file)
        ours, plain = [], []
        for run in range(RUNS):
            for kind, results in (("ours", ours), ("baseline", plain)):
                target = directory / f"{kind}-{run}.db"
                shutil.copy(base, target)
                argv = [python(), "-m", "benchmarks.cow_import", kind, str(target), str(COW_FILE)]
                if kind == "baseline":
                    argv.append(str(rows_file))
                process = run_measured(argv)
                report = json.loads(process.stdout)
                assert report["rows"] == total, (kind, report, total)
                results.append((report["seconds"], process.peak_mib))
                target.unlink()
    seconds, baseline_seconds = median([s for s, _ in ours]), median([s for s, _ in plain])
    peak, baseline_peak = median([m for _, m in ours]), median([m for _, m in plain])
    met = seconds <= 1.5 * baseline_seconds
    return [
        Result(
            "1. full COW import (SQLite)",
            "wall time",
            seconds,
            baseline_seconds,
            "s",
            "≤ 1.5×",
            met,
            f"{total:,} rows in one transaction",
        ),
        Result(
            "1. full COW import (SQLite)",
            "rows per second",
            total / seconds,
            total / baseline_seconds,
            "rows/s",
            "",
            None,
        ),
        Result(
            "1. full COW import (SQLite)",
            "peak memory (process RSS)",
            peak,
            baseline_peak,
            "MiB",
            "",
            None,
        ),
    ]


if __name__ == "__main__":
    kind, *arguments = sys.argv[1:]
    {"ours": child_ours, "baseline": child_baseline}[kind](*arguments)
