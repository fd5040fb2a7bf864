"""The commands that only read answer through SQLAlchemy Core: run in a process of their own,
none of them imports the ORM (``sqlalchemy.orm``), Alembic or the seed reader; nor does
``init`` on an empty database import the ORM or Alembic."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import reader_for

from csto_db.build.seed_cache import CACHE_VARIABLE

#: Each read command, as a person types it after ``csto-db``.
READ_COMMANDS = [
    ["members", "--org", "CSTO", "--on", "2005-01-01"],
    ["members", "--org", "CSTO", "--on", "2005-01-01", "--json"],
    ["timeline", "ARM"],
    ["documents"],
    ["initiatives"],
    ["sessions", "--year", "2022"],
    ["chair", "--on", "2011-12-20"],
    ["officials", "--on", "2017-05-02"],
    ["operations"],
    ["disputes"],
    ["evidence", "cst-geo-party"],
    ["sql", "SELECT state_iso3, status FROM membership_spans"],
]

#: Run the command line in this process, then print which of the heavy modules it loaded.
PROBE = """
import json, sys
from csto_db.cli import main
try:
    main(sys.argv[1:], prog_name="csto-db")
except SystemExit as stop:
    status = stop.code
else:
    status = 0
loaded = [name for name in ("sqlalchemy.orm", "alembic", "yaml") if name in sys.modules]
sys.stderr.write("\\nPROBE " + json.dumps({"status": status, "loaded": loaded}) + "\\n")
"""


def probe(db: str, args: list[str], env: dict[str, str] | None = None) -> dict:
    if args[0] == "sql":
        reader = reader_for(db)
        if reader is not None:
            args = ["sql", "--reader-url", reader, *args[1:]]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    line = [line for line in done.stderr.splitlines() if line.startswith("PROBE ")]
    assert line, done.stderr
    return json.loads(line[-1].removeprefix("PROBE "))


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_a_read_command_never_imports_the_orm(built_db_url, args):
    result = probe(built_db_url, args)
    assert result["status"] in (0, None), result
    assert result["loaded"] == [], f"csto-db {' '.join(args)} loaded {result['loaded']}"


def test_init_on_an_empty_database_needs_neither_the_orm_nor_alembic(tmp_path):
    # The probe sees what a command loads: init parses the seeds with PyYAML (no parse
    # cache here: tests/test_seed_cache.py shows a warm one spares even that), and builds
    # an empty database from the tables without the ORM or a migration.
    no_cache = {**os.environ, CACHE_VARIABLE: ""}
    result = probe(f"sqlite:///{tmp_path / 'fresh.db'}", ["init"], env=no_cache)
    assert result["status"] in (0, None), result
    assert result["loaded"] == ["yaml"]
