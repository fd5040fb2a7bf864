"""The `csto-db` command line: parses arguments, calls the library, prints tables or JSON."""

from .answers import ProgressBar, main

__all__ = ["ProgressBar", "main"]
