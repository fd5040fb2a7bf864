"""The errors a user can cause: one base class, each message one line meant for them."""

from __future__ import annotations


class Error(Exception):
    """Base of every error a user of csto-db can cause (a bad date, an unknown key, a broken
    seed file, a database that cannot be used). The message is one line that says what is
    wrong and what to do; the command line prints it and exits with status 2."""


class DatabaseError(Error):
    """A database cannot be reached or used."""


class QueryError(Error, ValueError):
    """A question that cannot be asked as put (unknown organization, state, source or fact)."""


class PartialDateError(Error, ValueError):
    """Text that is not a supported EDTF date."""


class SeedError(Error):
    """A seed file is wrong: the message names the file, the record and the field."""


class Interrupted(Exception):
    """The user stopped a running query (Ctrl-C); it no longer runs anywhere. Not an
    :class:`Error`: nothing was wrong with what was asked. The command line prints one
    line and exits with status 130."""
