"""csto-db: a cited database of the Collective Security Treaty Organization's history.

The library's public face. ``make_engine`` opens a database by the command line's URL rule;
``sqlalchemy.orm.Session(engine)`` navigates the models (``State``, ``MembershipSpan``, ...);
the question functions (``members_on``, ``timeline``, ...) answer as the command line does,
with typed answers whose ``to_dict()`` is the command line's JSON. Every error a user can
cause derives from :class:`Error`.

Names load on first use, so ``import csto_db`` (and ``csto-db --help``) stays cheap.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

#: The version of the package and of the record it builds (semantic versioning: the schema's
#: migrations and the answer rule are part of the interface). ``csto_db.release`` lists
#: every release with its date.
__version__ = "0.2.0"

#: Each public name and the module that defines it.
_HOMES: dict[str, str] = {
    "make_engine": "store.db",
    "database_url": "store.db",
    "PartialDate": "store.dates",
    "Error": "errors",
    "DatabaseError": "errors",
    "QueryError": "errors",
    "PartialDateError": "errors",
    "SeedError": "errors",
    "SchemaRevisionError": "store.schema",
    "members_on": "answers.membership",
    "documents": "answers.membership",
    "initiatives": "answers.membership",
    "disputes": "answers.membership",
    "evidence": "answers.membership",
    "timeline": "answers.timeline",
    "sessions": "answers.record",
    "chair_on": "answers.record",
    "chair_answer": "answers.record",
    "officials_on": "answers.record",
    "operations": "answers.record",
    "diff_records": "release.diff",
    "RecordDiff": "release.diff",
    "database_release": "release.versions",
    "DatabaseRelease": "release.versions",
    "Base": "store.base",
    "Source": "store.base",
    "Citation": "store.base",
    "Fact": "store.base",
    "FactCitation": "store.base",
    "State": "store.base",
    "Organization": "store.base",
    "Document": "store.base",
    "DocumentParty": "store.base",
    "Meeting": "store.base",
    "Event": "store.base",
    "MembershipSpan": "store.base",
    "Initiative": "store.base",
    "Objective": "store.base",
    "Threat": "store.base",
    "Position": "store.base",
    "Dispute": "store.base",
    "DisputeSubject": "store.base",
    "Reading": "store.base",
    "ChairSpan": "store.base",
    "OfficeTerm": "store.base",
    "Force": "store.base",
    "Operation": "store.base",
    "Contribution": "store.base",
    "BodyObserver": "store.base",
}

__all__ = sorted(_HOMES)

#: Question functions named like the modules that hold them (``csto_db.timeline``,
#: ``csto_db.evidence``). On the package the function is the public name; the module stays
#: importable by its full name (``from csto_db.timeline import TimelineEntry``).
_FUNCTIONS_OVER_MODULES = frozenset({"timeline", "evidence"})


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


class _Package(ModuleType):
    """The package module: importing ``csto_db.timeline`` or ``csto_db.evidence`` would bind
    the module over the question function of the same name; the function stays."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_OVER_MODULES and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

if TYPE_CHECKING:
    from .answers.membership import disputes as disputes
    from .answers.membership import documents as documents
    from .answers.membership import evidence as evidence
    from .answers.membership import initiatives as initiatives
    from .answers.membership import members_on as members_on
    from .answers.record import chair_answer as chair_answer
    from .answers.record import chair_on as chair_on
    from .answers.record import officials_on as officials_on
    from .answers.record import operations as operations
    from .answers.record import sessions as sessions
    from .answers.timeline import timeline as timeline
    from .errors import DatabaseError as DatabaseError
    from .errors import Error as Error
    from .errors import PartialDateError as PartialDateError
    from .errors import QueryError as QueryError
    from .errors import SeedError as SeedError
    from .release.diff import RecordDiff as RecordDiff
    from .release.diff import diff_records as diff_records
    from .release.versions import DatabaseRelease as DatabaseRelease
    from .release.versions import database_release as database_release
    from .store.base import Base as Base
    from .store.base import BodyObserver as BodyObserver
    from .store.base import ChairSpan as ChairSpan
    from .store.base import Citation as Citation
    from .store.base import Contribution as Contribution
    from .store.base import Dispute as Dispute
    from .store.base import DisputeSubject as DisputeSubject
    from .store.base import Document as Document
    from .store.base import DocumentParty as DocumentParty
    from .store.base import Event as Event
    from .store.base import Fact as Fact
    from .store.base import FactCitation as FactCitation
    from .store.base import Force as Force
    from .store.base import Initiative as Initiative
    from .store.base import Meeting as Meeting
    from .store.base import MembershipSpan as MembershipSpan
    from .store.base import Objective as Objective
    from .store.base import OfficeTerm as OfficeTerm
    from .store.base import Operation as Operation
    from .store.base import Organization as Organization
    from .store.base import Position as Position
    from .store.base import Reading as Reading
    from .store.base import Source as Source
    from .store.base import State as State
    from .store.base import Threat as Threat
    from .store.dates import PartialDate as PartialDate
    from .store.db import database_url as database_url
    from .store.db import make_engine as make_engine
    from .store.schema import SchemaRevisionError as SchemaRevisionError
