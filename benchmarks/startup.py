"""Benchmark of start-up: ``import csto_db`` and ``csto-db --help`` against their floor.

Run from the repository root: ``python benchmarks/startup.py [--rounds N]``. Each round starts
fresh interpreters, in turn: one that imports only what the command line cannot do without
(``click`` and SQLAlchemy's core, the floor), one that runs ``import csto_db``, and one that
prints ``csto-db --help``. The figures are medians per start, in milliseconds, and each one's
ratio to the floor measured in the same rounds: the public face's lazy names keep ``import
csto_db`` below the floor and ``--help`` close to it (neither loads ``sqlalchemy.orm``, the
models or Alembic). :func:`measure` returns the figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PROGRAMS = {
    "floor: import click, sqlalchemy": "import click, sqlalchemy",
    "import csto_db": "import csto_db",
    "csto-db --help": "from csto_db.cli import main; main(['--help'])",
}


def _start(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def measure(rounds: int = 20) -> dict[str, float]:
    """Median seconds per start of each program, the programs interleaved round by round."""
    timings: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    for _ in range(rounds):
        for name, code in PROGRAMS.items():
            timings[name].append(_start(code))
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    medians = measure(rounds)
    floor = medians["floor: import click, sqlalchemy"]
    print(f"{rounds} rounds, median per start")
    for name, seconds in medians.items():
        print(f"{name:34} {seconds * 1000:7.1f} ms  {seconds / floor:5.2f}x the floor")


if __name__ == "__main__":
    main()
