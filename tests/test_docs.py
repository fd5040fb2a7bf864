"""Documentation that could drift from the code is generated from it; these tests keep it so."""

import re
from pathlib import Path

from csto_db.cli import main
from csto_db.docs import render_readme
from csto_db.schema import SCHEMA_REVISION, head_revision

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_schema_sections_match_the_models():
    assert render_readme(README) == README, "run `python -m csto_db.docs` to regenerate"


def test_readme_names_every_table():
    from csto_db.models import Base

    for table in Base.metadata.tables:
        assert f"`{table}`" in README, table


def test_readme_shows_every_command():
    for name in main.commands:
        assert re.search(rf"csto-db (--db \S+ )?{name}\b", README), f"README never shows {name}"


def test_schema_revision_constant_is_the_migrations_head():
    assert head_revision() == SCHEMA_REVISION, "update csto_db.schema.SCHEMA_REVISION"
