"""YAML as the seed files are written: safe, libyaml where it is built, no implicit
timestamps, no key written twice, and every problem one line naming the file."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import SeedError
from .seed_cache import read_seed_bytes

# libyaml's loader where PyYAML was built with it, else the pure-Python one (same API).
if TYPE_CHECKING:
    _SafeLoaderBase = yaml.SafeLoader
else:
    _SafeLoaderBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SeedLoader(_SafeLoaderBase):
    """Safe YAML without implicit timestamps: ``1992-05-15`` stays text, parsed as a partial
    date by our own rules (PyYAML would turn ``2003-13-18`` into a traceback, not a message).
    Built on libyaml where PyYAML has it: parsing is most of a load's time.

    A key written twice in one mapping is refused: YAML forbids it, but PyYAML silently
    keeps the last value, so a second ``start:`` would replace the first unnoticed."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if isinstance(node, yaml.MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # ``<<: *base`` merges defaults; a key after it overrides one
                key = self.construct_object(key_node, deep=True)
                try:
                    line = first_line.get(key)
                except TypeError:
                    continue  # an unhashable key: the base constructor says so
                if line is not None:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key {key!r} (first on line {line})",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_seed_file(path: Path) -> list[Any]:
    """The records of one seed file: a YAML list of mappings, at least one.

    Raises :class:`SeedError` (one line naming the file, and the line where YAML gives one)
    for a missing, undecodable, empty or comment-only file, invalid YAML, a key written
    twice in a mapping, or a document that is not a list of records. An empty file is
    refused rather than read as "no records": loading it would delete every row it held.
    """
    return parse_seed_bytes(path, read_seed_bytes(path))


def parse_seed_bytes(path: Path, data: bytes) -> list[Any]:
    """The records of the seed file ``path`` whose bytes are ``data``, as
    :func:`load_seed_file` reads them."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    try:
        records = yaml.load(text, Loader=_SeedLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" line {mark.line + 1}:" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context = getattr(error, "context", None)
        if context and problem and str(problem).startswith("but "):
            problem = f"{context}, {problem}"  # "expected ..., but found ..."
        raise SeedError(
            f"{path}:{place} not valid YAML: {' '.join(str(problem).split())}"
        ) from None
    except Exception as error:
        # PyYAML's constructors raise plain Python errors for some malformed input (ValueError
        # for ``!!int x``, IndexError for an empty ``!!int``, RecursionError for absurd
        # nesting): whatever the cause, the text is not YAML we can read.
        raise SeedError(
            f"{path}: not valid YAML: {type(error).__name__}: {' '.join(str(error).split())[:200]}"
        ) from None
    return check_records(path, records)


def check_records(path: Path, records: Any) -> list[Any]:
    """``records``, if it is a list of mappings, at least one; else :class:`SeedError`."""
    if records is None or records == []:
        raise SeedError(
            f"{path}: no records (the file is empty or holds only comments); "
            "a seed file lists at least one record"
        )
    if not isinstance(records, list):
        raise SeedError(
            f"{path}: line 1: expected a list of records (lines starting with "
            f"'- '), got {_yaml_kind(records)}"
        )
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise SeedError(
                f"{path}: record #{index + 1}: a record must be a mapping of "
                f"fields, got {_yaml_kind(record)}"
            )
    return records


def _yaml_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a single value ({type(value).__name__})"
