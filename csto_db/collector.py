"""The cycle collector kept off the objects that existed before a step: a command, a build."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Freeze every object alive now for the length of the block, then unfreeze them.

    A step that makes tens of thousands of objects (rows read, seed records, digests) sets
    off full collections, and each would walk every object the imports made before it:
    SQLAlchemy's alone are hundreds of thousands, so a command could spend a fifth of its
    time there. Frozen, they are skipped; objects made inside the block are collected as
    usual. If the caller froze objects of its own, its freezing is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
