"""The package's floors, read from every module's imports (docs/architecture.md draws them):
a module imports from its own folder and from the floors below it, no two folders import
each other, and the slow or optional libraries load only where they are used."""

import ast
from pathlib import Path

import pytest

from csto_db.cli.docs import FLOORS

PACKAGE = Path(__file__).resolve().parent.parent / "csto_db"

#: The library's face: it loads the names users import, and stands outside the floors.
FACE = {"csto_db", "csto_db.models"}

FLOOR_OF = {part: number for number, floor in enumerate(FLOORS) for part in floor}

#: Libraries that load slowly or are optional extras: imported inside the functions that
#: use them, so that a command that does not need them never pays for them.
LOADED_WHERE_USED = ("alembic", "matplotlib", "datasette", "psycopg", "pymysql")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def part_of(module: str) -> str | None:
    """The floor's part a module belongs to (``errors`` or a folder), or None for the face."""
    if module in FACE:
        return None
    return module.split(".")[1]


def imports_of(module: str, source: str) -> list[tuple[int, str, list[str]]]:
    """Every import of the package in ``source`` (the module ``module``), wherever it stands
    (at the top, in a function, under TYPE_CHECKING): its line, the module it imports from,
    and the names it takes."""
    package = module.split(".") if MODULES.get(module, Path()).name == "__init__.py" else []
    package = package or module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            if target == "csto_db":
                # ``from csto_db import answers``: a module of the package, by name
                modules = [f"csto_db.{name}" for name in names if f"csto_db.{name}" in MODULES]
                found += [(node.lineno, name, []) for name in modules]
                names = [name for name in names if f"csto_db.{name}" not in MODULES]
                if not names:
                    continue
            found.append((node.lineno, target, names))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
    return [item for item in found if item[1] == "csto_db" or item[1].startswith("csto_db.")]


def violations(module: str, source: str) -> list[str]:
    """Each import of ``source`` that breaks the floors, as ``module:line: why``."""
    own = part_of(module)
    if own is None:
        return []  # the face may load anything, on first use
    problems = []
    for line, target, names in imports_of(module, source):
        where = f"{module}:{line}"
        if target == "csto_db":
            if set(names) - {"__version__"}:
                problems.append(f"{where}: imports {names} from the package's face")
            continue
        other = part_of(target)
        if other is None:
            problems.append(f"{where}: imports {target}, the library's face")
        elif other not in FLOOR_OF:
            problems.append(f"{where}: imports {target}, on no floor")
        elif other != own and FLOOR_OF[other] >= FLOOR_OF[own]:
            problems.append(
                f"{where}: {own} (floor {FLOOR_OF[own]}) imports {target} "
                f"({other}, floor {FLOOR_OF[other]})"
            )
    return problems


def folder_imports() -> dict[str, set[str]]:
    """Which parts of the package import which others."""
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        own = part_of(module)
        if own is None:
            continue
        for _line, target, _names in imports_of(module, path.read_text(encoding="utf-8")):
            other = part_of(target) if target != "csto_db" else None
            if other is not None and other != own:
                edges.setdefault(own, set()).add(other)
    return edges


def cycle_in(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph ``edges`` as the list of its nodes, or None when it has none."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for successor in sorted(edges.get(node, ())):
            found = visit(successor, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for node in sorted(edges):
        found = visit(node, [])
        if found:
            return found
    return None


def test_every_folder_and_module_of_the_package_stands_on_a_floor():
    parts = {part_of(module) for module in MODULES} - {None}
    assert parts == set(FLOOR_OF), "place each folder of csto_db on a floor (csto_db.cli.docs)"
    assert all(len(FLOORS[number]) == len(set(FLOORS[number])) for number in range(len(FLOORS)))
    assert (PACKAGE / "errors.py").is_file() and FLOOR_OF["errors"] == 0


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_floor_above_its_own(module):
    assert violations(module, MODULES[module].read_text(encoding="utf-8")) == []


def test_the_floors_rule_out_what_they_should():
    """The check itself can fail: imports that break the floors are named."""
    assert violations("csto_db.store.membership", "from ..answers.asof import judge\n") == [
        "csto_db.store.membership:1: store (floor 1) imports csto_db.answers.asof "
        "(answers, floor 2)"
    ]
    # a sibling on the same floor, in a function
    sibling = "def f():\n    from ..datasets.cow_file import parse_cow\n"
    assert len(violations("csto_db.build.checks", sibling)) == 1
    assert len(violations("csto_db.outputs.web", "import csto_db.cli.group\n")) == 1
    assert len(violations("csto_db.answers.asof", "from csto_db import models\n")) == 1
    assert len(violations("csto_db.answers.asof", "from .. import members_on\n")) == 1
    # allowed: the floors below, the own folder, the package's version
    allowed = "from .. import __version__\nfrom ..store.models import Base\nfrom .spans import x\n"
    assert violations("csto_db.answers.asof", allowed) == []
    assert violations("csto_db.cli.docs", "from . import main\n") == []


def test_nothing_imports_the_command_line_but_its_own_folder():
    importers = {
        module
        for module, path in MODULES.items()
        for _line, target, _names in imports_of(module, path.read_text(encoding="utf-8"))
        if target.startswith("csto_db.cli")
    }
    assert {module.split(".")[1] for module in importers} == {"cli"}
    assert {"csto_db.cli.docs", "csto_db.cli.__main__"} <= importers


def test_no_two_folders_import_each_other_even_through_others():
    edges = folder_imports()
    assert cycle_in(edges) is None
    assert edges["cli"] >= {"answers", "build", "outputs"}  # the graph is read, not empty
    assert cycle_in({"store": {"answers"}, "answers": {"build"}, "build": {"store"}}) == [
        "answers",
        "build",
        "store",
        "answers",
    ]


def test_slow_and_optional_libraries_load_only_where_they_are_used():
    """Alembic, matplotlib, Datasette and the server drivers: never imported when a module
    of the package loads (an import under TYPE_CHECKING is not run)."""
    loaded = []
    for module, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            loaded += [
                f"{module}: {name}" for name in names if name.split(".")[0] in LOADED_WHERE_USED
            ]
    assert loaded == []
