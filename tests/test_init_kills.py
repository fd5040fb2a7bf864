"""`init` killed with SIGKILL at moments spread over its whole run: right after the kill the
database is as it was or complete (on MariaDB also: half migrated and marked so), the next
`init` finishes the job, `check` passes, and the rows equal a clean build's."""

from __future__ import annotations

import itertools
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import _fresh_url, dump_of, sqlite_file_dump
from init_runs import InitChild, changed_seeds, start_init
from sqlalchemy import inspect

from csto_db.build.checks import check_database
from csto_db.build.init import MARIADB_UNFINISHED, init_database
from csto_db.build.seed_set import seeds_dir
from csto_db.store.db import make_engine

pytestmark = pytest.mark.slow

#: Kills per engine: SQLite's are cheap, a server's cost a database each.
KILLS = {"sqlite": 100, "postgresql": 20, "mariadb": 20}

RELEASE_0_1_0 = Path(__file__).resolve().parent / "data" / "csto-0.1.0.db"


def _half_migrated_and_marked(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table(MARIADB_UNFINISHED)
    finally:
        engine.dispose()


def _work_time(url: str, seeds: Path) -> float:
    """Seconds from the child's "go" to its end, for a run that is not killed."""
    run = start_init(url, seeds)
    started = time.monotonic()
    _, stderr = run.communicate()
    assert run.returncode == 0, stderr
    return time.monotonic() - started


class Scenario:
    """A database in a known state before each kill, and the seeds the killed run loads."""

    def __init__(
        self, name: str, prepare, before: dict, seeds: Path, after: dict, dump=dump_of
    ) -> None:
        self.name, self.prepare, self.before, self.seeds, self.after = (
            name,
            prepare,
            before,
            seeds,
            after,
        )
        #: How to read the database's state: through the models, or as stored for a schema
        #: older than the models (the release's).
        self.dump = dump


def test_init_survives_sigkill_at_any_moment(server, tmp_path):
    engine_name = "sqlite" if server is None else server.backend
    engine_name = "mariadb" if engine_name == "mysql" else engine_name
    package_seeds, changed = seeds_dir(), changed_seeds(tmp_path / "changed", seeds_dir())
    made: list[str] = []
    numbers = itertools.count()

    def fresh_url() -> str:
        folder = tmp_path / f"db{next(numbers)}"
        folder.mkdir()
        made.append(_fresh_url(server, folder))
        return made[-1]

    def built(seeds: Path) -> tuple[str, dict]:
        url = fresh_url()
        init_database(url, seeds, prune=True)
        return url, dump_of(url)

    try:
        clean_url, clean = built(package_seeds)
        _, clean_changed = built(changed)
        assert clean != clean_changed
        seeded_url = built(package_seeds)[0]
        seeded_at = {"seeds": package_seeds}

        def prepare_fresh() -> str:
            return fresh_url()

        def prepare_seeded() -> str:
            return seeded_url

        scenarios = [
            Scenario("fresh database", prepare_fresh, {}, package_seeds, clean),
            Scenario("seeded, seeds changed", prepare_seeded, None, changed, clean_changed),
        ]
        if engine_name == "sqlite":

            def prepare_release() -> str:
                url = fresh_url()
                shutil.copyfile(RELEASE_0_1_0, Path(url.removeprefix("sqlite:///")))
                return url

            release_dump = sqlite_file_dump(f"sqlite:///{RELEASE_0_1_0}")
            scenarios.append(
                Scenario(
                    "release 0.1.0 upgraded",
                    prepare_release,
                    release_dump,
                    package_seeds,
                    sqlite_file_dump(clean_url),
                    dump=sqlite_file_dump,
                )
            )

        # Calibrate each scenario's work time on an unkilled run.
        work = {
            scenario.name: _work_time(scenario.prepare(), scenario.seeds)
            for scenario in scenarios
            if scenario.name != "seeded, seeds changed"
        }
        work["seeded, seeds changed"] = _work_time(seeded_url, changed)
        seeded_at["seeds"] = changed
        # seeded_url now holds the changed seeds; the seeded scenario alternates between both.

        kills, outcomes, finished_early = KILLS[engine_name], Counter(), 0
        attempt = 0
        child = InitChild()
        while sum(outcomes.values()) < kills:
            scenario = scenarios[attempt % len(scenarios)]
            # Spread over the work time: first moments, middle, the very end.
            slots = max(1, kills // len(scenarios))
            slot = (attempt // len(scenarios)) % slots
            delay = work[scenario.name] * (slot + 0.5) / slots
            attempt += 1
            url = scenario.prepare()
            seeds, expected_after, expected_before = scenario.seeds, scenario.after, scenario.before
            if scenario.name == "seeded, seeds changed":
                # Alternate: from the changed seeds back to the package's, and forth.
                going_back = seeded_at["seeds"] == changed
                seeds = package_seeds if going_back else changed
                expected_after = clean if going_back else clean_changed
                expected_before = clean_changed if going_back else clean
            run = child.run(url, seeds)
            time.sleep(delay)
            alive = run.poll() is None
            if alive:
                run.send_signal(signal.SIGKILL)
            run.communicate()
            child = InitChild()  # importing while this kill is checked
            if not alive:
                finished_early += 1
                assert run.returncode == 0
                # The machine got faster than when calibrated: aim the next kills earlier.
                work[scenario.name] *= 0.8
            # Marked first: a half-migrated MariaDB schema may lack columns the models read.
            if engine_name == "mariadb" and _half_migrated_and_marked(url):
                outcome = "half migrated, marked"
            elif (state := scenario.dump(url)) == expected_before:
                outcome = "as it was"
            elif state == expected_after:
                outcome = "complete"
            else:
                raise AssertionError(
                    f"{scenario.name}, killed after {delay:.2f}s: the database "
                    "is neither as it was nor complete"
                )
            # The next init finishes the job.
            init_database(url, seeds, prune=True)
            engine = make_engine(url)
            try:
                with engine.connect() as connection:
                    assert check_database(connection, seeds_directory=seeds) == [], (
                        scenario.name,
                        delay,
                    )
            finally:
                engine.dispose()
            assert scenario.dump(url) == expected_after, (scenario.name, delay)
            if scenario.name == "seeded, seeds changed":
                seeded_at["seeds"] = seeds
            if alive:
                outcomes[(scenario.name, outcome)] += 1
            if server is not None and url != seeded_url:
                server.drop(url)
                made.remove(url)
        child.process.kill()
        child.process.communicate()
        summary = ", ".join(
            f"{name} / {outcome}: {count}" for (name, outcome), count in sorted(outcomes.items())
        )
        print(
            f"\n{engine_name}: {sum(outcomes.values())} kills survived ({summary}); "
            f"{finished_early} runs finished before their kill"
        )
        assert sum(outcomes.values()) >= kills
        # Kills before the end of the work found the database as it was. (A "complete" needs
        # a kill between the commit, the run's last step, and the process's end: common on
        # SQLite and MariaDB, rare on PostgreSQL, so not required.)
        assert any(outcome == "as it was" for _, outcome in outcomes)
        # Most runs were killed while working (a busy machine makes some finish first).
        assert finished_early <= kills
    finally:
        if server is not None:
            for url in made:
                server.drop(url)
