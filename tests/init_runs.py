"""Running `init` in child processes for the tests that kill it or run several at once, and
a second set of seeds that differs from the package's in every way a sync can."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

#: A child that imports everything, says "ready", reads its arguments from a line of stdin,
#: says "go" and runs init. Started ahead of time, its imports overlap the parent's work;
#: the parent times its kill from "go", so the delays spread over the work, not over
#: Python's start.
CHILD = """
import sys
from pathlib import Path
from csto_db.build.init import init_database
import csto_db.build.checks, alembic.command  # imported before "go", as a warm process would be
print("ready", flush=True)
url, seeds, prune, wait = sys.stdin.readline().rstrip("\\n").split("\\t")
print("go", flush=True)
init_database(url, Path(seeds) if seeds != "-" else None, prune=prune == "prune",
              lock_wait=float(wait))
print("done", flush=True)
"""


class InitChild:
    """An ``init_database`` in a child process, started before it is told what to build."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=REPOSITORY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def _expect(self, word: str) -> None:
        line = self.process.stdout.readline()
        if line.strip() != word:
            self.process.kill()
            raise AssertionError(f"child said {line!r}, not {word!r}: {self.process.stderr.read()}")

    def run(
        self, url: str, seeds: Path | None, *, prune: bool = True, lock_wait: float = 120
    ) -> subprocess.Popen:
        """Start the build; returns once the child has said "go"."""
        self._expect("ready")
        fields = [url, str(seeds) if seeds else "-", "prune" if prune else "keep", str(lock_wait)]
        self.process.stdin.write("\t".join(fields) + "\n")
        self.process.stdin.flush()
        self._expect("go")
        return self.process


def start_init(
    url: str, seeds: Path | None, *, prune: bool = True, lock_wait: float = 120
) -> subprocess.Popen:
    """Start ``init_database`` in a child process; returns once it has said "go"."""
    return InitChild().run(url, seeds, prune=prune, lock_wait=lock_wait)


def cli(url: str, *args: str) -> subprocess.Popen:
    """``csto-db --db URL ARGS`` as a separate process, as a user runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "csto_db.cli", "--db", url, *args],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
