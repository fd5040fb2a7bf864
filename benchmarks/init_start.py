"""Benchmark 3: ``csto-db init`` on a fresh file against importing sqlalchemy.orm."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .common import RUNS, Result, median, python, run_measured


def measure() -> list[Result]:
    command = shutil.which("csto-db", path=str(Path(python()).parent))
    ours, floor = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(RUNS):
            database = Path(folder) / f"init-{run}.db"
            ours.append(run_measured([command, "--db", f"sqlite:///{database}", "init"]).seconds)
            floor.append(run_measured([python(), "-c", "import sqlalchemy.orm"]).seconds)
    seconds, baseline = median(ours), median(floor)
    return [
        Result(
            "3. csto-db init, fresh file",
            "wall time (process)",
            seconds,
            baseline,
            "s",
            "≤ 2×",
            seconds <= 2 * baseline,
            "baseline: python -c 'import sqlalchemy.orm'",
        )
    ]
