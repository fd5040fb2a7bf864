"""Parsed seed files kept under the digest of their bytes, so ``init`` parses YAML only for
a file that changed: parsing is most of the time a build spends on its seeds."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..errors import SeedError

#: Where parsed seed files are kept; an empty value keeps none.
CACHE_VARIABLE = "CSTO_DB_CACHE"

#: The first bytes of every entry: an entry of another layout is not read as this one.
_LAYOUT = b"csto-db parsed seed file, layout 1\n"


def read_seed_bytes(path: Path) -> bytes:
    """The bytes of the seed file ``path``; :class:`SeedError` (one line) if it cannot be
    read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SeedError(f"{path}: seed file missing") from None
    except OSError as error:
        raise SeedError(f"{path}: cannot read ({error.strerror or error})") from None


def cache_dir() -> Path | None:
    """``$CSTO_DB_CACHE`` if set (none if it is empty), else ``csto-db/seeds`` in the user's
    cache folder (``$XDG_CACHE_HOME``, default ``~/.cache``)."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return Path(chosen) / "seeds" if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "csto-db" / "seeds"


def load_records(path: Path, *, cached: bool = True) -> list[Any]:
    """The records of the seed file ``path``, as :func:`~.seed_yaml.load_seed_file` reads
    them: from the cache when the same bytes were parsed before by the same parser, else
    parsed, and kept for next time.

    An entry is found only by the SHA-256 of the file's bytes and of the parser (its source,
    PyYAML's version and build, Python's), so an edited file or an upgraded parser is
    parsed afresh. A damaged entry is parsed afresh and replaced; a cache that cannot be
    written is left alone. Without ``cached`` the file is parsed and nothing is kept:
    ``check`` reads the seed files so, and never trusts the cache."""
    data = read_seed_bytes(path)
    folder = cache_dir() if cached else None
    try:
        parser = _parser_digest() if folder is not None else None
    except OSError:
        parser = None  # the parser's source is not at hand (an install without it): no cache
    if folder is None or parser is None:
        return _parse(path, data)
    key = hashlib.sha256(parser + data).hexdigest()[:32]
    entry = folder / f"{_entry_stem(path)}.{key}.marshal"
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        stored = entry.read_bytes()
        if stored.startswith(_LAYOUT):
            records = marshal.loads(stored[len(_LAYOUT) :])
            if _well_formed(records):
                return records  # type: ignore[no-any-return]
    records = _parse(path, data)
    _keep(folder, entry, _entry_stem(path), records)
    return records


def _parse(path: Path, data: bytes) -> list[Any]:
    from .seed_yaml import parse_seed_bytes  # PyYAML loads only when a file is parsed

    return parse_seed_bytes(path, data)


def _well_formed(records: Any) -> bool:
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(record, dict) for record in records)
    )


def _entry_stem(path: Path) -> str:
    # One entry per seed file (named by its folder and name): storing a new parse of it
    # removes the old ones, so the cache does not grow with every edit.
    return f"{path.parent.name}-{path.name}"


def _keep(folder: Path, entry: Path, stem: str, records: list[Any]) -> None:
    """Store ``records`` at ``entry`` (written aside, then renamed into place, so a reader
    never sees half an entry) and remove the file's older entries. Records marshal cannot
    store (a value of an explicit YAML tag such as ``!!timestamp``) are not kept."""
    try:
        payload = _LAYOUT + marshal.dumps(records)
    except ValueError:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old.name.startswith(f"{stem}.") and old != entry:
                with contextlib.suppress(OSError):
                    old.unlink()
        aside = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        aside.write_bytes(payload)
        os.replace(aside, entry)


@cache
def _parser_digest() -> bytes:
    """What a parse depends on besides the file: our YAML rules, PyYAML (its version, and
    whether libyaml is built in) and Python."""
    digest = hashlib.sha256(_LAYOUT)
    digest.update(Path(__file__).with_name("seed_yaml.py").read_bytes())
    spec = find_spec("yaml")  # found, not imported
    for folder in (spec.submodule_search_locations or []) if spec else []:
        package = Path(folder)
        digest.update((package / "__init__.py").read_bytes())
        # libyaml's binding, if built: the C parser and the Python one can differ.
        binding = sorted(p.name for p in package.iterdir() if p.name.startswith("_yaml"))
        digest.update(" ".join(binding).encode())
    digest.update(sys.version.encode())
    return digest.digest()
