"""Documentation generated from the code: the schema diagram and data dictionary from the
models, the command reference from the command line's ``--help``, and the package's floors
and modules from its folders and docstrings.

Run ``python -m csto_db.cli.docs`` to rewrite the generated parts of the files in ``docs/``; a
test fails when they differ from what the code says.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import click
from sqlalchemy import Column, Enum, Table

from ..store.models import Base

BEGIN = "<!-- BEGIN GENERATED: {name} -->"
END = "<!-- END GENERATED: {name} -->"


def _type_name(column: Column[Any]) -> str:
    if isinstance(column.type, Enum):
        return "vocab"
    name = type(column.type).__name__.lower()
    return {"string": "varchar", "integer": "int"}.get(name, name)


def mermaid_diagram() -> str:
    """An entity-relationship diagram of every table, in Mermaid syntax."""
    lines = ["```mermaid", "erDiagram"]
    for table in Base.metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            target = fk.column.table.name
            lines.append(f"    {target} ||--o{{ {table.name} : {fk.parent.name}")
    for table in Base.metadata.sorted_tables:
        lines.append(f"    {table.name} {{")
        for column in table.columns:
            keys = []
            if column.primary_key:
                keys.append("PK")
            if column.foreign_keys:
                keys.append("FK")
            marker = f" {','.join(keys)}" if keys else ""
            lines.append(f"        {_type_name(column)} {column.name}{marker}")
        lines.append("    }")
    lines.append("```")
    return "\n".join(lines)


def data_dictionary() -> str:
    """Every table and column with its comment and, for vocabularies, the allowed values."""
    parts = []
    for table in sorted(Base.metadata.sorted_tables, key=lambda t: t.name):
        parts.append(_table_section(table))
    return "\n\n".join(parts)


def _table_section(table: Table) -> str:
    rows = [
        f"**`{table.name}`**: {table.comment or ''}",
        "",
        "| column | type | null | meaning |",
        "|---|---|---|---|",
    ]
    for column in table.columns:
        meaning = column.comment or ""
        if isinstance(column.type, Enum):
            meaning = (meaning + "; " if meaning else "") + ", ".join(
                f"`{v}`" for v in column.type.enums
            )
        if column.foreign_keys:
            target = next(iter(column.foreign_keys)).target_fullname
            meaning = (meaning + "; " if meaning else "") + f"→ `{target}`"
        rows.append(
            f"| `{column.name}` | {_type_name(column)} | "
            f"{'yes' if column.nullable else 'no'} | {meaning} |"
        )
    return "\n".join(rows)


#: The width the command reference is wrapped at, whatever the terminal generating it.
HELP_WIDTH = 96


def _command_help(
    command: click.Command, name: str, parent: click.Context | None = None
) -> list[tuple[str, str]]:
    """``(full name, help text)`` of a command and, for a group, of each subcommand."""
    # make_context applies the command's context settings (``-h`` as well as ``--help``);
    # resilient parsing lets it build a context without the required options.
    context = command.make_context(
        name,
        [],
        parent=parent,
        resilient_parsing=True,
        terminal_width=HELP_WIDTH,
        max_content_width=HELP_WIDTH,
    )
    helps = [(context.command_path, command.get_help(context))]
    if hasattr(command, "list_commands"):
        group = cast(click.Group, command)  # a group (or, on click 8.1, a MultiCommand)
        for sub_name in group.list_commands(context):
            sub_command = group.get_command(context, sub_name)
            assert sub_command is not None  # every name it lists is one of its commands
            helps += _command_help(sub_command, sub_name, context)
    return helps


def command_reference() -> str:
    """Every command's ``--help``, in the order ``csto-db --help`` lists them."""
    from . import main as cli_main

    parts = []
    for path, text in _command_help(cli_main, "csto-db"):
        parts.append(f"### `{path}`\n\n```text\n{text}\n```")
    return "\n\n".join(parts)


#: The package's floors, lowest first: ``errors.py``, then a folder or two per floor. A module
#: imports from its own folder and from the floors below it, never from another folder of
#: its own floor nor from above; ``csto_db/__init__.py`` and ``csto_db/models.py``, the
#: library's face, stand outside the floors, and no module imports them but for the
#: package's ``__version__``. ``tests/test_layers.py`` holds the code to this.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("errors", "collector"),
    ("store",),
    ("answers", "query_door"),
    ("build", "datasets"),
    ("release",),
    ("outputs",),
    ("cli",),
)

PACKAGE = Path(__file__).resolve().parents[1]


def summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line, its reStructuredText code
    (``code``, :mod:`name`) as Markdown's."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(docstring.split("\n\n")[0].split())
    return re.sub(r":\w+:`([^`]+)`", r"`\1`", text).replace("``", "`")


def _shown(part: str) -> str:
    return f"`{part}.py`" if (PACKAGE / f"{part}.py").is_file() else f"`{part}/`"


def architecture_floors() -> str:
    """A table of the floors, top first: each folder, what it may import, what it holds."""
    rows = ["| floor | folder | may import | what it holds |", "|---|---|---|---|"]
    for number in reversed(range(len(FLOORS))):
        below = [part for floor in FLOORS[:number] for part in floor]
        for part in FLOORS[number]:
            path = PACKAGE / f"{part}.py"
            if not path.is_file():
                path = PACKAGE / part / "__init__.py"
            may = ", ".join(_shown(other) for other in below) if below else "nothing"
            rows.append(f"| {number} | {_shown(part)} | {may} | {summary(path)} |")
    return "\n".join(rows)


def architecture_modules() -> str:
    """Each folder, floor by floor from the bottom, with each of its modules and the first
    paragraph of its docstring; then the library's face."""
    parts = []
    for floor in FLOORS:
        for part in floor:
            if (PACKAGE / f"{part}.py").is_file():
                continue  # errors.py: in the floors' table
            rows = [f"### `csto_db/{part}/`", "", "| module | what it holds |", "|---|---|"]
            for path in sorted((PACKAGE / part).glob("*.py")):
                if path.name != "__init__.py":
                    rows.append(f"| `{path.name}` | {summary(path)} |")
            parts.append("\n".join(rows))
    face = ["### The library's face", "", "| module | what it holds |", "|---|---|"]
    for name in ("__init__.py", "models.py"):
        face.append(f"| `csto_db/{name}` | {summary(PACKAGE / name)} |")
    parts.append("\n".join(face))
    return "\n\n".join(parts)


GENERATED = {
    "diagram": mermaid_diagram,
    "data-dictionary": data_dictionary,
    "commands": command_reference,
    "floors": architecture_floors,
    "modules": architecture_modules,
}

ROOT = Path(__file__).resolve().parents[2]
#: The generated sections each documentation file holds, relative to the repository root.
DOCUMENTS = {
    "docs/schema.md": ("diagram", "data-dictionary"),
    "docs/commands.md": ("commands",),
    "docs/architecture.md": ("floors", "modules"),
}


def render(text: str, names: Iterable[str] = tuple(GENERATED), where: str = "the document") -> str:
    """``text`` with each named generated section replaced by what the code says today."""
    for name in names:
        begin, end = BEGIN.format(name=name), END.format(name=name)
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"{where} has no {begin} ... {end} section")
        replacement = f"{begin}\n{GENERATED[name]()}\n{end}"

        def replace(_match: re.Match[str], new: str = replacement) -> str:
            return new  # as it is: a template would read its backslashes

        text = pattern.sub(replace, text)
    return text


def main(root: str | None = None) -> int:
    base = Path(root) if root else ROOT
    for relative, names in DOCUMENTS.items():
        path = base / relative
        path.write_text(render(path.read_text(encoding="utf-8"), names, relative), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
