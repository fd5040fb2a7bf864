"""Benchmark 4: the command line's ``members`` answer as a whole process, against pandas
reading the COW CSV and picking the CSTO's members of 2005."""

from __future__ import annotations

import shutil
from pathlib import Path

from .common import COW_FILE, RUNS, Result, imported_database, median, python, run_measured

PANDAS = """
import sys
import pandas
frame = pandas.read_csv(sys.argv[1])
row = frame[(frame["ioname"] == "CSTO") & (frame["year"] == 2005)]
states = frame.columns[3:frame.columns.get_loc("sdate")]
print(sorted(state for state in states if (row[state] == 1).any()))
"""


def measure() -> list[Result]:
    if not COW_FILE.exists():
        return [
            Result(
                "members as a process", "skipped", 0, 0, "", "", None, f"no COW file at {COW_FILE}"
            )
        ]
    try:
        import pandas  # noqa: F401
    except ImportError:
        return [
            Result(
                "members as a process",
                "skipped",
                0,
                0,
                "",
                "",
                None,
                "pandas is not installed (pip install '.[bench]')",
            )
        ]
    command = shutil.which("csto-db", path=str(Path(python()).parent))
    database = imported_database()
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(
            run_measured(
                [
                    command,
                    "--db",
                    f"sqlite:///{database}",
                    "members",
                    "--org",
                    "CSTO",
                    "--on",
                    "2005-06-01",
                    "--json",
                ]
            )
        )
        theirs.append(run_measured([python(), "-c", PANDAS, str(COW_FILE)]))
    seconds, baseline = median([r.seconds for r in ours]), median([r.seconds for r in theirs])
    peak, baseline_peak = (median([r.peak_mib for r in ours]), median([r.peak_mib for r in theirs]))
    return [
        Result(
            "4. members --org CSTO --on 2005-06-01 (process)",
            "wall time",
            seconds,
            baseline,
            "s",
            "faster",
            seconds < baseline,
            "database: init + the whole COW file; baseline: pandas.read_csv + filter",
        ),
        Result(
            "4. members --org CSTO --on 2005-06-01 (process)",
            "peak memory (RSS)",
            peak,
            baseline_peak,
            "MiB",
            "< 1/3",
            peak < baseline_peak / 3,
        ),
    ]
