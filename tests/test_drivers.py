"""A server URL without its driver installed: one line naming the pip extra to install."""

from __future__ import annotations

import builtins
import sys

import pytest

from csto_db.store.db import DatabaseError, make_engine

CASES = {
    "postgresql+psycopg://u@db.invalid/csto": ("psycopg", "pip install 'csto-db[postgres]'"),
    "postgresql://u@db.invalid/csto": ("psycopg", "pip install 'csto-db[postgres]'"),
    "mariadb+pymysql://u@db.invalid/csto": ("pymysql", "pip install 'csto-db[mariadb]'"),
    "mariadb://u@db.invalid/csto": ("pymysql", "pip install 'csto-db[mariadb]'"),
    "mysql://u@db.invalid/csto": ("pymysql", "pip install 'csto-db[mariadb]'"),
}


def refuse_import(monkeypatch, module: str) -> None:
    """Make ``import module`` fail as it does where the package is not installed."""
    for name in [n for n in sys.modules if n == module or n.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    real_import = builtins.__import__

    def importing(name, *args, **kwargs):
        if name == module or name.startswith(module + "."):
            raise ModuleNotFoundError(f"No module named {module!r}", name=module)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)


@pytest.mark.parametrize("url", CASES)
def test_missing_driver_names_the_extra(monkeypatch, url):
    module, hint = CASES[url]
    refuse_import(monkeypatch, module)
    with pytest.raises(DatabaseError) as refused:
        make_engine(url)
    message = str(refused.value)
    assert hint in message
    assert module in message
    assert "\n" not in message


@pytest.mark.parametrize("url", CASES)
def test_installed_driver_is_the_one_the_extra_brings(url):
    # No connection is made: the engine only has to be built with that driver.
    module, _ = CASES[url]
    pytest.importorskip(module)
    engine = make_engine(url)
    assert engine.dialect.driver == module
    engine.dispose()
