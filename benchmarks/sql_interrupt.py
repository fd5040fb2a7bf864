"""Benchmark 7: Ctrl-C during ``csto-db sql``'s endless query, on each engine: the time from
SIGINT to the process's exit (the query stopped, on the server too), against a bare Python
process's exit on SIGINT, measured in the same run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import RUNS, Result, median
from .servers import built_database

ENDLESS = {
    "sqlite": (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    ),
    "postgresql": "SELECT pg_sleep(600)",
    "mariadb": "SELECT SLEEP(600)",
}
#: Seconds the child is given to start and reach its statement before the signal.
SETTLE = 3.0


def _interrupt(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    child = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(SETTLE)
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    return time.perf_counter() - sent, child.returncode, stderr


def measure() -> list[Result]:
    results = []
    floor = [
        _interrupt([sys.executable, "-c", "import time; time.sleep(600)"], dict(os.environ))
        for _ in range(RUNS)
    ]
    baseline = median([seconds for seconds, _, _ in floor])
    for engine_name, statement in ENDLESS.items():
        with tempfile.TemporaryDirectory() as folder:
            try:
                with built_database(engine_name, Path(folder)) as (url, reader):
                    env = {**os.environ, "CSTO_DB_URL": url}
                    if reader:
                        env["CSTO_DB_READER_URL"] = reader
                    argv = [
                        sys.executable,
                        "-c",
                        "from csto_db.cli import main; main()",
                        "sql",
                        statement,
                    ]
                    runs = [_interrupt(argv, env) for _ in range(RUNS)]
            except RuntimeError as error:
                results.append(
                    Result(
                        f"7. Ctrl-C in sql, {engine_name}",
                        "skipped",
                        0,
                        0,
                        "",
                        "",
                        None,
                        str(error),
                    )
                )
                continue
        seconds = [s for s, _, _ in runs]
        clean = all(code == 130 and err.count("\n") == 1 for _, code, err in runs)
        results.append(
            Result(
                f"7. Ctrl-C in sql, {engine_name}",
                "SIGINT to exit",
                median(seconds),
                baseline,
                "s",
                "≤ 1 s",
                max(seconds) <= 1.0 and clean,
                f"runs: {', '.join(f'{s:.3f}' for s in seconds)}; exit 130 and one line: "
                f"{'yes' if clean else 'NO'}; baseline: python sleeping, SIGINT",
            )
        )
    return results
