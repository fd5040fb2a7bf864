"""Legal documents with their parties, and the initiatives member states brought, each with its
dates as the sources give them and its citations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select

from ..errors import QueryError
from ..store import tables
from .answer import FrozenAnswer, connection_of, edtf_of, nulls_last, require_source
from .evidence import FieldReading, Quote, SourceView, stored_date

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class PartyRecord(FrozenAnswer):
    """A state or an organization that signed, acceded to, adopted or did not sign a
    document, and when."""

    party: str
    kind: str
    role: str
    date: str | None
    inferred: bool
    citations: tuple[Quote, ...]


@dataclass(frozen=True)
class DocumentRecord(FrozenAnswer):
    """A legal document with its dates, place, parties, citations and disputed fields."""

    key: str
    title: str
    kind: str
    signed: str | None
    place: str | None
    in_force: str | None
    organization: str | None
    meeting: str | None
    note: str | None
    parties: tuple[PartyRecord, ...]
    citations: tuple[Quote, ...]
    readings: tuple[FieldReading, ...]


def documents(
    db: Session | Connection, *, source: str | None = None, kind: str | None = None
) -> list[DocumentRecord]:
    """Every legal document with its dates, place, parties and citations, by date signed."""
    conn = connection_of(db)
    require_source(conn, source)
    query = select(tables.documents).order_by(
        *nulls_last(tables.documents.c.signed_lower), tables.documents.c.key
    )
    if kind:
        kinds = list(
            conn.execute(
                select(tables.documents.c.kind).distinct().order_by(tables.documents.c.kind)
            ).scalars()
        )
        if kind not in kinds:
            raise QueryError(f"no document of kind {kind!r}; the database has: {', '.join(kinds)}")
        query = query.where(tables.documents.c.kind == kind)
    docs = conn.execute(query).all()
    parties = conn.execute(
        select(tables.document_parties).order_by(
            tables.document_parties.c.document_key,
            tables.document_parties.c.role,
            func.coalesce(
                tables.document_parties.c.state_iso3, tables.document_parties.c.organization_code
            ),
        )
    ).all()
    view = SourceView.load(conn, source, [d.key for d in docs] + [p.key for p in parties])
    by_document: dict[str, list[PartyRecord]] = defaultdict(list)
    for party in parties:
        if view.includes(party.key):
            acted = view.date(party.key, "acted", stored_date(party, "acted"))
            by_document[party.document_key].append(
                PartyRecord(
                    party=party.state_iso3 or party.organization_code,
                    kind="state" if party.state_iso3 else "organization",
                    role=party.role,
                    date=edtf_of(acted),
                    inferred=bool(party.inferred),
                    citations=tuple(view.quotes(party.key)),
                )
            )
    results = []
    for doc in docs:
        if not view.includes(doc.key):
            continue
        results.append(
            DocumentRecord(
                key=doc.key,
                title=doc.title,
                kind=doc.kind,
                signed=edtf_of(view.date(doc.key, "signed", stored_date(doc, "signed"))),
                place=view.text(doc.key, "place", doc.place),
                in_force=edtf_of(view.date(doc.key, "in_force", stored_date(doc, "in_force"))),
                organization=doc.organization_code,
                meeting=doc.meeting_key,
                note=doc.note,
                parties=tuple(by_document.get(doc.key, [])),
                citations=tuple(view.quotes(doc.key)),
                readings=tuple(
                    r for (key, _), rs in view.readings.items() if key == doc.key for r in rs
                ),
            )
        )
    return results


@dataclass(frozen=True)
class InitiativeOutcome(FrozenAnswer):
    """The document an initiative led to."""

    document: str
    title: str | None


@dataclass(frozen=True)
class InitiativeRecord(FrozenAnswer):
    """An initiative a member state brought to an organization, and what came of it."""

    key: str
    title: str
    proposer: str
    organization: str
    date: str | None
    area: str
    description: str
    outcome: InitiativeOutcome | None
    meeting: str | None
    citations: tuple[Quote, ...]


def initiatives(db: Session | Connection, *, source: str | None = None) -> list[InitiativeRecord]:
    """Initiatives member states brought to the Organization, with what came of them."""
    conn = connection_of(db)
    require_source(conn, source)
    rows = conn.execute(
        select(tables.initiatives, tables.documents.c.title.label("outcome_title"))
        .outerjoin(
            tables.documents, tables.documents.c.key == tables.initiatives.c.outcome_document_key
        )
        .order_by(*nulls_last(tables.initiatives.c.proposed_lower), tables.initiatives.c.key)
    ).all()
    view = SourceView.load(conn, source, [row.key for row in rows])
    return [
        InitiativeRecord(
            key=row.key,
            title=row.title,
            proposer=row.proposer_iso3,
            organization=row.organization_code,
            date=edtf_of(view.date(row.key, "proposed", stored_date(row, "proposed"))),
            area=row.area,
            description=row.description,
            outcome=(
                InitiativeOutcome(row.outcome_document_key, row.outcome_title)
                if row.outcome_document_key
                else None
            ),
            meeting=row.meeting_key,
            citations=tuple(view.quotes(row.key)),
        )
        for row in rows
        if view.includes(row.key)
    ]
