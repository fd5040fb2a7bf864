"""The `csto-db` command line: parses arguments, calls the library, prints tables or JSON.

``main`` (``csto_db.cli:main``, the console script) is the command group of :mod:`.group`.
Each family of commands lives in the module named for the part of the library it calls;
the group imports a command's module when the command is asked for
(:data:`.group.COMMAND_MODULES`), and ``main.all_commands()`` imports them all. Every command
is a thin wrapper over a library function."""

from .group import main

__all__ = ["main"]
