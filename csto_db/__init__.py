"""csto-db: a cited database of the Collective Security Treaty Organization's history.

The library's public face. ``make_engine`` opens a database by the command line's URL rule;
``sqlalchemy.orm.Session(engine)`` navigates the models (``State``, ``MembershipSpan``, ...);
the question functions (``members_on``, ``timeline``, ...) answer as the command line does,
with typed answers whose ``to_dict()`` is the command line's JSON. Every error a user can
cause derives from :class:`Error`.

Names load on first use, so ``import csto_db`` (and ``csto-db --help``) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: The version of the package and of the record it builds (semantic versioning: the schema's
#: migrations and the answer rule are part of the interface). ``csto_db.release.versions``
#: lists every release with its date.
__version__ = "0.2.0"

#: Each public name and the module it comes from (the models from ``store.models``, which
#: loads every subject's models together: one alone cannot be mapped).
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
    "documents": "answers.documents",
    "initiatives": "answers.documents",
    "disputes": "answers.evidence",
    "evidence": "answers.evidence",
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
    "Base": "store.models",
    "Source": "store.models",
    "Citation": "store.models",
    "Fact": "store.models",
    "FactCitation": "store.models",
    "State": "store.models",
    "Organization": "store.models",
    "Document": "store.models",
    "DocumentParty": "store.models",
    "Meeting": "store.models",
    "Event": "store.models",
    "MembershipSpan": "store.models",
    "Initiative": "store.models",
    "Objective": "store.models",
    "Threat": "store.models",
    "Position": "store.models",
    "Dispute": "store.models",
    "DisputeSubject": "store.models",
    "Reading": "store.models",
    "ChairSpan": "store.models",
    "OfficeTerm": "store.models",
    "Force": "store.models",
    "Operation": "store.models",
    "Contribution": "store.models",
    "BodyObserver": "store.models",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


if TYPE_CHECKING:
    from .answers.documents import documents as documents
    from .answers.documents import initiatives as initiatives
    from .answers.evidence import disputes as disputes
    from .answers.evidence import evidence as evidence
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
    from .store.dates import PartialDate as PartialDate
    from .store.db import database_url as database_url
    from .store.db import make_engine as make_engine
    from .store.models import Base as Base
    from .store.models import BodyObserver as BodyObserver
    from .store.models import ChairSpan as ChairSpan
    from .store.models import Citation as Citation
    from .store.models import Contribution as Contribution
    from .store.models import Dispute as Dispute
    from .store.models import DisputeSubject as DisputeSubject
    from .store.models import Document as Document
    from .store.models import DocumentParty as DocumentParty
    from .store.models import Event as Event
    from .store.models import Fact as Fact
    from .store.models import FactCitation as FactCitation
    from .store.models import Force as Force
    from .store.models import Initiative as Initiative
    from .store.models import Meeting as Meeting
    from .store.models import MembershipSpan as MembershipSpan
    from .store.models import Objective as Objective
    from .store.models import OfficeTerm as OfficeTerm
    from .store.models import Operation as Operation
    from .store.models import Organization as Organization
    from .store.models import Position as Position
    from .store.models import Reading as Reading
    from .store.models import Source as Source
    from .store.models import State as State
    from .store.models import Threat as Threat
    from .store.schema import SchemaRevisionError as SchemaRevisionError
