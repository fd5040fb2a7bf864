"""The `csto-db` command line: parses arguments, calls the library, prints tables or JSON.

``main`` (``csto_db.cli:main``, the console script) is the command group of :mod:`.group`.
Each family of commands lives in the module named for the part of the library it calls, and
joins the group when this package is imported; every command is a thin wrapper over a
library function."""

from . import (  # noqa: F401  (they add their commands)
    answers,
    build,
    changes,
    datasets,
    dyads,
    outputs,
    query_door,
    release,
)
from .group import main

__all__ = ["main"]
