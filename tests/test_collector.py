"""A build and every command keep the cycle collector off the objects made before them, and
leave the collector as they found it: a library user's own frozen objects stay frozen."""

import gc

import pytest
from conftest import run_cli

from csto_db.build import init as init_module
from csto_db.build.init import init_database
from csto_db.build.seed_files import read_seed_set


@pytest.fixture
def freeze_count_while_reading(monkeypatch):
    seen: list[int] = []

    def reading(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return read_seed_set(*args, **kwargs)

    monkeypatch.setattr(init_module, "read_seed_set", reading)
    return seen


def test_older_objects_are_frozen_during_a_build_and_unfrozen_after(
    tmp_path, freeze_count_while_reading
):
    if gc.get_freeze_count():
        gc.unfreeze()  # the test starts from a collector nobody froze
    init_database(f"sqlite:///{tmp_path / 'a.db'}")
    assert freeze_count_while_reading[0] > 10_000  # every object alive when it started
    assert gc.get_freeze_count() == 0


def test_a_callers_frozen_objects_are_left_as_they_were(tmp_path, monkeypatch):
    # Frozen objects leave the count as they are freed, so the calls are what is checked.
    calls: list[str] = []
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 5)  # a caller froze five objects
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    init_database(f"sqlite:///{tmp_path / 'b.db'}")
    assert calls == []


def test_a_failed_build_unfreezes_too(tmp_path, monkeypatch):
    if gc.get_freeze_count():
        gc.unfreeze()

    def broken(*args, **kwargs):
        raise RuntimeError("the seeds could not be read")

    monkeypatch.setattr(init_module, "read_seed_set", broken)
    with pytest.raises(RuntimeError, match="could not be read"):
        init_database(f"sqlite:///{tmp_path / 'c.db'}")
    assert gc.get_freeze_count() == 0


def test_a_command_runs_with_older_objects_frozen(tmp_path, monkeypatch):
    if gc.get_freeze_count():
        gc.unfreeze()
    seen: list[int] = []
    real = init_module.init_database

    def init_database_seen(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setattr(init_module, "init_database", init_database_seen)
    run_cli("init", db=f"sqlite:///{tmp_path / 'd.db'}")
    assert seen and seen[0] > 10_000
    assert gc.get_freeze_count() == 0
