"""Every model in one place: each subject's tables, loaded together so that their relationships
resolve, MariaDB's table options, and the fact tables by name. Import the models from here
(or from ``csto_db.models``): a subject module alone does not map."""

from __future__ import annotations

from .base import (
    Base,
    PartialDateComparator,
    SpanMixin,
    date_of,
    optional_date_of,
)
from .bookkeeping import BuildRecord, DatasetImport, RowDigest
from .documents import Document, DocumentParty, Initiative, Objective, Position, Threat
from .membership import (
    BodyObserver,
    CowYear,
    MembershipSpan,
    MissingData,
    NotInSystem,
    Organization,
    State,
)
from .provenance import (
    Citation,
    Dispute,
    DisputeSubject,
    Fact,
    FactCitation,
    FactMixin,
    Reading,
    Source,
)
from .record import ChairSpan, Contribution, Event, Force, Meeting, OfficeTerm, Operation
from .tables import (
    BUILD_TABLES,
    DISPUTE_RULES,
    DOCUMENT_KINDS,
    EVENT_KINDS,
    FACT_TABLES,
    FALSE_DEFAULT,
    FORCE_KINDS,
    IMPORT_TABLES,
    KEY,
    MARIADB_TABLE_OPTIONS,
    MEETING_KINDS,
    MEMBER_STATUSES,
    MEMBERSHIP_STATUSES,
    NAMING_CONVENTION,
    OBJECTIVE_RANKS,
    OFFICES,
    OPERATION_KINDS,
    ORGANIZATION_KINDS,
    PARTY_ROLES,
    SOURCE_KINDS,
    OptionalDateColumns,
    RequiredDateColumns,
    partial_date,
    partial_date_checks,
    reach_checks,
    reach_columns,
    vocabulary,
)

FACT_MODELS: dict[str, type[FactMixin]] = {
    model.__tablename__: model
    for model in (
        Organization,
        MembershipSpan,
        Document,
        DocumentParty,
        Meeting,
        Event,
        Initiative,
        Objective,
        Threat,
        Position,
        Reading,
        ChairSpan,
        OfficeTerm,
        Force,
        Operation,
        Contribution,
        BodyObserver,
    )
}


def fact_key_column(model: object) -> str:
    """The column of a fact table that holds its key in ``facts``."""
    return "code" if model is Organization else "key"


__all__ = [
    "BUILD_TABLES",
    "DISPUTE_RULES",
    "DOCUMENT_KINDS",
    "EVENT_KINDS",
    "FACT_MODELS",
    "FACT_TABLES",
    "FALSE_DEFAULT",
    "FORCE_KINDS",
    "IMPORT_TABLES",
    "KEY",
    "MARIADB_TABLE_OPTIONS",
    "MEETING_KINDS",
    "MEMBERSHIP_STATUSES",
    "MEMBER_STATUSES",
    "NAMING_CONVENTION",
    "OBJECTIVE_RANKS",
    "OFFICES",
    "OPERATION_KINDS",
    "ORGANIZATION_KINDS",
    "PARTY_ROLES",
    "SOURCE_KINDS",
    "Base",
    "BodyObserver",
    "BuildRecord",
    "ChairSpan",
    "Citation",
    "Contribution",
    "CowYear",
    "DatasetImport",
    "Dispute",
    "DisputeSubject",
    "Document",
    "DocumentParty",
    "Event",
    "Fact",
    "FactCitation",
    "FactMixin",
    "Force",
    "Initiative",
    "Meeting",
    "MembershipSpan",
    "MissingData",
    "NotInSystem",
    "Objective",
    "OfficeTerm",
    "Operation",
    "OptionalDateColumns",
    "Organization",
    "PartialDateComparator",
    "Position",
    "Reading",
    "RequiredDateColumns",
    "RowDigest",
    "Source",
    "SpanMixin",
    "State",
    "Threat",
    "date_of",
    "fact_key_column",
    "optional_date_of",
    "partial_date",
    "partial_date_checks",
    "reach_checks",
    "reach_columns",
    "vocabulary",
]
