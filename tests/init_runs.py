"""Running `init` in child processes for the tests that kill it or run several at once, and
a second set of seeds that differs from the package's in every way a sync can."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

#: A child that imports everything, says "go", then runs init: the parent times its kill
#: from "go", so the delays spread over the work, not over Python's start.
CHILD = """
import sys
from pathlib import Path
from csto_db.build import init_database
import csto_db.checks, alembic.command  # imported before "go", as a warm process would be
print("go", flush=True)
report = init_database(sys.argv[1], Path(sys.argv[2]) if sys.argv[2] != "-" else None,
                       prune=sys.argv[3] == "prune", lock_wait=float(sys.argv[4]))
print("done", flush=True)
"""


def start_init(url: str, seeds: Path | None, *, prune: bool = True,
               lock_wait: float = 120) -> subprocess.Popen:
    """Start ``init_database`` in a child process; returns once it has said "go"."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(seeds) if seeds else "-",
         "prune" if prune else "keep", str(lock_wait)],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = child.stdout.readline()
    if line.strip() != "go":
        child.wait()
        raise AssertionError(f"child did not start: {line!r} {child.stderr.read()}")
    return child


def cli(url: str, *args: str) -> subprocess.Popen:
    """``csto-db --db URL ARGS`` as a separate process, as a user runs it."""
    return subprocess.Popen([sys.executable, "-m", "csto_db.cli", "--db", url, *args],
                            cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _replace(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def changed_seeds(directory: Path, package_seeds: Path) -> Path:
    """A copy of the seeds with rows updated in several tables, a threat removed (so going
    back to the package's seeds adds it), and a boundary between two spans moved."""
    shutil.copytree(package_seeds, directory)
    data = directory / "data"
    _replace(data / "states.yaml", "name: Armenia", "name: Republic of Armenia")
    _replace(data / "threats.yaml", "name: Drug trafficking,", "name: Narcotics trafficking,")
    memberships = data / "memberships.yaml"
    content = memberships.read_text(encoding="utf-8")
    assert content.count("2024-02-22\n") == 2, "the test needs updating"
    memberships.write_text(content.replace("2024-02-22\n", "2024-03-01\n"), encoding="utf-8")
    threats = data / "threats.yaml"
    lines = threats.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if "key: threat-information-security," not in line]
    assert len(kept) == len(lines) - 1, "the test needs updating"
    threats.write_text("".join(kept), encoding="utf-8")
    return directory
