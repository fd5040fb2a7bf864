"""What every benchmark shares: timing in child processes, medians, results and the machine."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The datasets: ``CSTO_SHARED_DATA``, else ``shared/data`` beside the checkout.
SHARED_DATA = Path(os.environ.get("CSTO_SHARED_DATA", ROOT.parent / "shared" / "data"))
COW_FILE = SHARED_DATA / "cow-igo-v3" / "igo_year_formatv3.csv"
#: Runs per figure; the median is reported.
RUNS = int(os.environ.get("CSTO_BENCH_RUNS", "5"))


@dataclass
class Result:
    """One figure beside its baseline, measured in the same run."""

    benchmark: str
    measure: str
    figure: float
    baseline: float
    unit: str
    target: str
    met: bool | None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("nan")


@dataclass
class ProcessRun:
    """A child process's wall time, peak resident memory and output."""

    seconds: float
    peak_mib: float
    stdout: str


def run_measured(argv: list[str], *, env: dict | None = None) -> ProcessRun:
    """Run ``argv`` to its end through :mod:`benchmarks.spawn`: its wall time, its own peak
    RSS and what it printed."""
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.spawn", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"{argv} failed ({child.returncode}): {child.stderr[-2000:]}")
    measured = json.loads(child.stderr.strip().splitlines()[-1])
    return ProcessRun(measured["seconds"], measured["peak_kib"] / 1024, child.stdout)


def compile_package() -> None:
    """Write the package's bytecode before anything is timed, as ``pip install`` does for a
    wheel. A checkout installed in editable mode otherwise compiles every module on each
    start of a command wherever bytecode is not written (``PYTHONDONTWRITEBYTECODE``), and
    the figures would measure the compiler instead of the command."""
    import compileall

    import csto_db

    compileall.compile_dir(Path(csto_db.__file__).parent, quiet=1)


def median(values: list[float]) -> float:
    return statistics.median(values)


def python() -> str:
    return sys.executable


def machine() -> dict[str, str]:
    """The machine the figures come from."""
    import sqlite3

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical cores",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load average at start (1, 5, 15 min)": load,
        "runs per figure": str(RUNS),
    }


_IMPORTED: dict[str, Path] = {}


def imported_database() -> Path:
    """A database built by ``init`` with the whole COW file imported, made once per run of
    the benchmarks (in a temporary folder removed at exit)."""
    if "path" not in _IMPORTED:
        import atexit
        import shutil
        import tempfile

        from csto_db.build.init import init_database
        from csto_db.datasets.cow_import import import_cow
        from csto_db.store.db import make_engine

        folder = Path(tempfile.mkdtemp(prefix="csto-bench-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "cow.db"
        init_database(f"sqlite:///{path}")
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            import_cow(connection, COW_FILE)
        engine.dispose()
        _IMPORTED["path"] = path
    return _IMPORTED["path"]
