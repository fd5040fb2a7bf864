"""Benchmark 6: ``check`` on a freshly built database, on each engine: the whole check
against the check without the two comparisons it gained (the schema against the migrations',
the rows against what the seed files build), measured in the same run."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .common import RUNS, Result, median
from .servers import built_database


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def measure() -> list[Result]:
    from csto_db.build import checks
    from csto_db.store.db import make_engine

    results = []
    for engine_name in ("sqlite", "postgresql", "mariadb"):
        with tempfile.TemporaryDirectory() as folder:
            try:
                with built_database(engine_name, Path(folder)) as (url, _reader):
                    engine = make_engine(url)
                    whole, without, schema, seeds = [], [], [], []
                    with engine.connect() as connection:
                        assert checks.check_database(connection) == [], "not a sound database"
                        for _ in range(RUNS):
                            whole.append(_timed(checks.check_database, connection))
                            schema.append(_timed(checks.schema_differences, connection))
                            seeds.append(_timed(checks.seed_rows, checks.seeds_dir()))
                            # The check as it was: the two comparisons stubbed out.
                            saved = checks.schema_differences, checks._rows_match_seeds
                            checks.schema_differences = lambda _c: ([], True)
                            checks._rows_match_seeds = lambda *_a: []
                            try:
                                without.append(_timed(checks.check_database, connection))
                            finally:
                                checks.schema_differences, checks._rows_match_seeds = saved
                    engine.dispose()
            except RuntimeError as error:
                results.append(
                    Result(f"6. check, {engine_name}", "skipped", 0, 0, "", "", None, str(error))
                )
                continue
        after, before = median(whole), median(without)
        results.append(
            Result(
                f"6. check, fresh database, {engine_name}",
                "time (in process)",
                after,
                before,
                "s",
                "",
                None,
                f"baseline: without the schema and seed comparisons; of the whole, schema "
                f"{median(schema):.3f} s, seed build in memory {median(seeds):.3f} s",
            )
        )
    return results
