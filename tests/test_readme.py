"""The Python examples of the README and the library's page run, in order, against a built
database, as a reader would run them; and the first steps run in a fresh interpreter."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The pages whose Python examples run, in this order: the README, then the library's page.
PAGES = (ROOT / "README.md", ROOT / "docs" / "library.md")
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_blocks() -> list[tuple[str, str]]:
    """Each ```python block of the pages with where it starts (page and line)."""
    blocks = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        blocks += [
            (f"{page.relative_to(ROOT)}, line {text.count(chr(10), 0, m.start()) + 1}", m.group(1))
            for m in PYTHON_BLOCK.finditer(text)
        ]
    return blocks


def test_the_readme_has_the_library_examples():
    blocks = python_blocks()
    assert len(blocks) >= 4
    code = "\n".join(block for _, block in blocks)
    for needed in (
        "make_engine()",
        ".memberships",
        ".citations",
        "select(",
        ".join(",
        "read_sql",
        "members_on(",
        "documents(",
        "evidence(",
    ):
        assert needed in code, needed


def run_blocks(blocks: list[tuple[str, str]]) -> dict[str, object]:
    """Run the blocks in order in one namespace, as a reader pastes them one after another;
    each must print something. Returns the namespace."""
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for line, block in blocks:
        output = io.StringIO()
        code = compile(block, f"the block at {line}", "exec")
        with contextlib.redirect_stdout(output):
            exec(code, namespace)
        assert output.getvalue().strip(), f"the block at {line} printed nothing"
    return namespace


def test_every_python_block_of_the_readme_runs(built_db_url, monkeypatch, tmp_path):
    # The examples open the database by the URL rule, as the reader's would after `init`.
    monkeypatch.setenv("CSTO_DB_URL", built_db_url)
    monkeypatch.chdir(tmp_path)
    namespace = run_blocks(python_blocks())
    engine = namespace.get("engine")
    if engine is not None:
        engine.dispose()  # type: ignore[attr-defined]


def test_a_broken_block_fails_the_run():
    with pytest.raises(NameError):
        run_blocks([("line 1", "print('fine')\n"), ("line 5", "print(no_such_name)\n")])
    with pytest.raises(AssertionError, match="line 9 printed nothing"):
        run_blocks([("line 9", "x = 1\n")])


DONE_WHEN = """
import csto_db
from sqlalchemy.orm import Session
with Session(csto_db.make_engine()) as s:
    blr = s.get(csto_db.State, "BLR")
    for span in blr.memberships:
        print(span.organization.code, span.start, span.end, [c.source.key for c in span.citations])
    print(csto_db.members_on(s, "CSTO", "2005-01-01")[0].to_dict())
"""


def test_the_first_steps_run_in_a_fresh_interpreter(built_db_url, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", DONE_WHEN],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CSTO_DB_URL": built_db_url},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:2]] == ["CST", "CSTO"]
    assert "'state': 'ARM'" in lines[2]
