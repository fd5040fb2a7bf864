"""Documentation generated from the models: the schema diagram and data dictionary in the README.

Run ``python -m csto_db.docs`` to rewrite the generated parts of README.md; a test fails
when they differ from what the models say.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Enum, Table

from .models import Base

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
    rows = [f"**`{table.name}`**: {table.comment or ''}", "",
            "| column | type | null | meaning |", "|---|---|---|---|"]
    for column in table.columns:
        meaning = column.comment or ""
        if isinstance(column.type, Enum):
            meaning = (meaning + "; " if meaning else "") + ", ".join(
                f"`{v}`" for v in column.type.enums)
        if column.foreign_keys:
            target = next(iter(column.foreign_keys)).target_fullname
            meaning = (meaning + "; " if meaning else "") + f"→ `{target}`"
        rows.append(f"| `{column.name}` | {_type_name(column)} | "
                    f"{'yes' if column.nullable else 'no'} | {meaning} |")
    return "\n".join(rows)


GENERATED = {"diagram": mermaid_diagram, "data-dictionary": data_dictionary}


def render_readme(readme: str) -> str:
    """The README with every generated section replaced by what the models say today."""
    for name, make in GENERATED.items():
        begin, end = BEGIN.format(name=name), END.format(name=name)
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(readme):
            raise ValueError(f"README has no {begin} ... {end} section")
        replacement = f"{begin}\n{make()}\n{end}"
        readme = pattern.sub(_literally(replacement), readme)
    return readme


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement that ``re.sub`` inserts as it is (no backslash escapes)."""
    return lambda _match: text


def main(path: str = "README.md") -> int:
    readme = Path(path)
    updated = render_readme(readme.read_text(encoding="utf-8"))
    readme.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
