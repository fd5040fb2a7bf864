"""Benchmark 5: the read commands ``timeline ARM`` and ``evidence cst-geo-party`` as whole
processes, against ``members`` on the same database, the three alternating in one run."""

from __future__ import annotations

import shutil
from pathlib import Path

from .common import COW_FILE, RUNS, Result, imported_database, median, python, run_measured

MEMBERS = ["members", "--org", "CSTO", "--on", "2005-06-01", "--json"]
OTHERS = {
    "timeline ARM": ["timeline", "ARM", "--json"],
    "evidence cst-geo-party": ["evidence", "cst-geo-party", "--json"],
}


def measure() -> list[Result]:
    command = shutil.which("csto-db", path=str(Path(python()).parent))
    if command is None:
        return [Result("5. read commands", "skipped", 0, 0, "", "", None, "no csto-db command")]
    # The database members is measured on elsewhere: the seeds and, where it is here, the
    # whole COW file.
    if COW_FILE.exists():
        database = imported_database()
    else:
        import tempfile

        from csto_db.build.init import init_database

        database = Path(tempfile.mkdtemp(prefix="csto-bench-")) / "csto.db"
        init_database(f"sqlite:///{database}")
    url = f"sqlite:///{database}"
    times: dict[str, list[float]] = {"members": [], **{name: [] for name in OTHERS}}
    for _ in range(RUNS):
        times["members"].append(run_measured([command, "--db", url, *MEMBERS]).seconds)
        for name, arguments in OTHERS.items():
            times[name].append(run_measured([command, "--db", url, *arguments]).seconds)
    baseline = median(times["members"])
    return [
        Result(
            f"5. {name} --json (process)",
            "wall time",
            median(times[name]),
            baseline,
            "s",
            "≤ 1.2×",
            median(times[name]) <= 1.2 * baseline,
            "baseline: members --org CSTO --on 2005-06-01 --json, alternating in the same run",
        )
        for name in OTHERS
    ]
