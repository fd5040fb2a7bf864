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
    "make_engine": "db",
    "database_url": "db",
    "PartialDate": "dates",
    "Error": "errors",
    "DatabaseError": "errors",
    "QueryError": "errors",
    "PartialDateError": "errors",
    "SeedError": "errors",
    "SchemaRevisionError": "schema",
    "members_on": "queries",
    "documents": "queries",
    "initiatives": "queries",
    "disputes": "queries",
    "evidence": "queries",
    "timeline": "timeline",
    "sessions": "record",
    "chair_on": "record",
    "chair_answer": "record",
    "officials_on": "record",
    "operations": "record",
    "diff_records": "diff",
    "RecordDiff": "diff",
    "database_release": "release",
    "DatabaseRelease": "release",
    "Base": "models",
    "Source": "models",
    "Citation": "models",
    "Fact": "models",
    "FactCitation": "models",
    "State": "models",
    "Organization": "models",
    "Document": "models",
    "DocumentParty": "models",
    "Meeting": "models",
    "Event": "models",
    "MembershipSpan": "models",
    "Initiative": "models",
    "Objective": "models",
    "Threat": "models",
    "Position": "models",
    "Dispute": "models",
    "DisputeSubject": "models",
    "Reading": "models",
    "ChairSpan": "models",
    "OfficeTerm": "models",
    "Force": "models",
    "Operation": "models",
    "Contribution": "models",
    "BodyObserver": "models",
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
    from .dates import PartialDate as PartialDate
    from .db import database_url as database_url
    from .db import make_engine as make_engine
    from .diff import RecordDiff as RecordDiff
    from .diff import diff_records as diff_records
    from .errors import DatabaseError as DatabaseError
    from .errors import Error as Error
    from .errors import PartialDateError as PartialDateError
    from .errors import QueryError as QueryError
    from .errors import SeedError as SeedError
    from .models import Base as Base
    from .models import BodyObserver as BodyObserver
    from .models import ChairSpan as ChairSpan
    from .models import Citation as Citation
    from .models import Contribution as Contribution
    from .models import Dispute as Dispute
    from .models import DisputeSubject as DisputeSubject
    from .models import Document as Document
    from .models import DocumentParty as DocumentParty
    from .models import Event as Event
    from .models import Fact as Fact
    from .models import FactCitation as FactCitation
    from .models import Force as Force
    from .models import Initiative as Initiative
    from .models import Meeting as Meeting
    from .models import MembershipSpan as MembershipSpan
    from .models import Objective as Objective
    from .models import OfficeTerm as OfficeTerm
    from .models import Operation as Operation
    from .models import Organization as Organization
    from .models import Position as Position
    from .models import Reading as Reading
    from .models import Source as Source
    from .models import State as State
    from .models import Threat as Threat
    from .queries import disputes as disputes
    from .queries import documents as documents
    from .queries import evidence as evidence
    from .queries import initiatives as initiatives
    from .queries import members_on as members_on
    from .record import chair_answer as chair_answer
    from .record import chair_on as chair_on
    from .record import officials_on as officials_on
    from .record import operations as operations
    from .record import sessions as sessions
    from .release import DatabaseRelease as DatabaseRelease
    from .release import database_release as database_release
    from .schema import SchemaRevisionError as SchemaRevisionError
    from .timeline import timeline as timeline
