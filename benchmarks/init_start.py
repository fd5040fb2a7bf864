"""Benchmark 3: ``csto-db init`` on a fresh file against importing sqlalchemy.orm, with the
seed files' parse cache filled (as from the second ``init`` on) and with none (the first)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from csto_db.build.seed_cache import CACHE_VARIABLE

from .common import RUNS, Result, median, python, run_measured


def measure() -> list[Result]:
    command = shutil.which("csto-db", path=str(Path(python()).parent))
    warm, cold, floor = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        cached = {**os.environ, CACHE_VARIABLE: str(Path(folder) / "cache")}
        uncached = {**os.environ, CACHE_VARIABLE: ""}

        def init(name: str, env: dict[str, str]) -> float:
            database = Path(folder) / f"{name}.db"
            return run_measured([command, "--db", f"sqlite:///{database}", "init"], env=env).seconds

        init("fills-the-cache", cached)  # not timed
        for run in range(RUNS):
            warm.append(init(f"warm-{run}", cached))
            cold.append(init(f"cold-{run}", uncached))
            floor.append(run_measured([python(), "-c", "import sqlalchemy.orm"]).seconds)
    baseline = median(floor)
    return [
        Result(
            "3. csto-db init, fresh file",
            "wall time (process)",
            median(warm),
            baseline,
            "s",
            "≤ 2×",
            median(warm) <= 2 * baseline,
            "seed files parsed before (the parse cache); baseline: python -c "
            "'import sqlalchemy.orm'",
        ),
        Result(
            "3. csto-db init, fresh file, every seed file parsed",
            "wall time (process)",
            median(cold),
            baseline,
            "s",
            "—",
            None,
            f"{CACHE_VARIABLE}='' (a first init); baseline: python -c 'import sqlalchemy.orm'",
        ),
    ]
