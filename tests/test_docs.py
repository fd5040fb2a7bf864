"""Documentation that could drift from the code is generated from it; these tests keep it so."""

import re
from pathlib import Path

from csto_db.cli import main
from csto_db.store.schema import SCHEMA_REVISION, head_revision

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_schema_page_names_every_table():
    from csto_db.models import Base

    schema = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for table in Base.metadata.tables:
        assert f"`{table}`" in schema, table


def test_readme_is_a_front_door_linking_every_page():
    """No generated section in the README; every page in docs/ is linked from it, and every
    relative link in the README and docs/ leads to a file that exists."""
    assert "BEGIN GENERATED" not in README
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert pages
    for page in pages:
        assert f"](docs/{page.name})" in README, f"README does not link docs/{page.name}"
    for document in [ROOT / "README.md", *pages]:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (document.parent / target).exists(), (document.name, target)


def test_readme_shows_every_command():
    for name in main.all_commands():
        assert re.search(rf"csto-db (--db \S+ )?{name}\b", README), f"README never shows {name}"


def test_schema_revision_constant_is_the_migrations_head():
    assert head_revision() == SCHEMA_REVISION, "update csto_db.store.schema.SCHEMA_REVISION"


def test_docs_generated_sections_match_the_code():
    from csto_db.cli.docs import DOCUMENTS, render

    for relative, names in DOCUMENTS.items():
        text = (ROOT / relative).read_text(encoding="utf-8")
        assert render(text, names, relative) == text, (
            f"{relative} drifted: run `python -m csto_db.cli.docs` to regenerate"
        )


def test_command_reference_has_every_command_and_option():
    reference = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for name, command in main.all_commands().items():
        assert f"### `csto-db {name}`" in reference, name
        for sub_name in getattr(command, "commands", {}):
            assert f"### `csto-db {name} {sub_name}`" in reference, (name, sub_name)
        for parameter in command.params:
            for option in getattr(parameter, "opts", []):
                if option.startswith("--"):
                    assert option in reference, (name, option)


def test_the_chart_in_the_docs_shows_every_span(connection):
    """docs/membership.svg (drawn by `csto-db chart members --out docs/membership.svg`) has a
    bar for every span the command draws today, and a row for every state."""
    from csto_db.outputs.chart import chart_data

    svg = (ROOT / "docs" / "membership.svg").read_text(encoding="utf-8")
    data = chart_data(connection, "both")
    bars = set(re.findall(r'<g id="([a-z0-9-]+)">', svg))
    assert {span.key for row in data.rows for span in row.spans} <= bars, (
        "run `csto-db chart members --out docs/membership.svg` to redraw it"
    )
    assert sorted(re.findall(r"\(([A-Z]{3})\)</text>", svg)) == sorted(
        row.state for row in data.rows
    )
    assert "csto-db chart members --out docs/membership.svg" in README
