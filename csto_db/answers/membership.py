"""The questions users ask: who was a member when, documents, initiatives, disputes, the
evidence behind a fact; every answer with its certainty and citations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ..store.dates import as_day
from ..store.models import (
    MEMBER_STATUSES,
    Dispute,
    DisputeSubject,
    Document,
    DocumentParty,
    Initiative,
    MembershipSpan,
    MissingData,
    Organization,
    Reading,
    State,
)
from .answer import FrozenAnswer
from .evidence import (
    Answer,
    FieldReading,
    QueryError,
    Quote,
    SourceView,
    citations_for,
    connection_of,
    edtf_of,
    nulls_last,
    organization_code,
    readings_for,
    require_source,
    stored_date,
)
from .spans import (
    MEMBERS_UNKNOWN,
    ORGANIZATION_COLUMNS,
    horizon_fields,
    horizon_from,
    lifetime_from,
    reach_holds,
    spans_on,
    with_readings,
)

# --- Membership ----------------------------------------------------------------------------


@dataclass
class Membership(Answer):
    """A state in an organization on a day, with how sure the record is of it. A
    ``contested`` row is one the preferred reading leaves out and another reading puts in;
    it is only returned when asked for."""

    state: str
    name: str
    organization: str
    status: str
    certainty: str
    contested: bool
    since: str
    until: str | None
    span: str
    inferred: bool
    reasoning: str | None
    #: The last day the organization's record covers (ISO), or None when none is recorded.
    horizon: str | None
    #: Past the horizon, the line saying that the record ends there and that states which
    #: joined or left after it are not known; None on a day the record covers.
    past_horizon: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


#: The candidates for members_on: the organization's member spans whose reach holds the day.
#: The organization with its lifetime, and the candidates for members_on: its member spans
#: whose reach holds the day, inside the lifetime. One statement: a day outside the
#: lifetime gets the organization's row alone; an unknown code gets no row. Built on the
#: tables, not the ORM classes: the question is asked often, and a Core select skips the
#: ORM's compile step.
_ORGS, _SPANS, _STATES = Organization.__table__, MembershipSpan.__table__, State.__table__
_MISSING = MissingData.__table__
MEMBER_CANDIDATES = with_readings(
    select(
        *ORGANIZATION_COLUMNS,
        # the columns an answer shows, not the whole row: fewer values to convert
        *(
            _SPANS.c[name]
            for name in (
                "key",
                "state_iso3",
                "status",
                "start_edtf",
                "start_lower",
                "start_upper",
                "start_precision",
                "end_edtf",
                "end_lower",
                "end_upper",
                "end_precision",
                "inferred",
                "reasoning",
            )
        ),
        _STATES.c.name.label("state_name"),
    )
    .select_from(_ORGS)
    .outerjoin(
        _SPANS,
        and_(
            _SPANS.c.organization_code == _ORGS.c.code,
            # compared one by one, not IN: a constant statement needs no expansion per call
            or_(*(_SPANS.c.status == status for status in MEMBER_STATUSES)),
            reach_holds(_SPANS),
            or_(
                _ORGS.c.membership_start_lower.is_(None),
                _ORGS.c.membership_start_lower <= bindparam("on"),
            ),
            or_(
                _ORGS.c.membership_end_upper.is_(None),
                _ORGS.c.membership_end_upper > bindparam("on"),
            ),
        ),
    )
    .outerjoin(_STATES, _STATES.c.iso3 == _SPANS.c.state_iso3)
    .where(_ORGS.c.code == bindparam("org"))
    .order_by(_SPANS.c.state_iso3, _SPANS.c.start_lower),
    _SPANS,
)


def members_on(
    db: Session | Connection,
    org: str,
    on: date | str,
    *,
    source: str | None = None,
    contested: bool = False,
) -> list[Membership]:
    """The states in membership of ``org`` on ``on``, each with its status and certainty.

    The preferred reading of each span decides who is listed: ``certain`` when every reading
    puts the day inside the span, ``possible`` when only the imprecision of the preferred
    dates leaves it open, ``disputed`` when another reading puts the day outside (those
    readings are attached). A state only another reading puts inside is ``contested`` and
    returned only when ``contested`` is true. Nothing answers outside the organization's
    lifetime (see :func:`csto_db.asof.lifetime_of`), and past the horizon of its record
    nothing is certain (each row's ``past_horizon`` says so). Suspended states and
    observers are not members. ``org`` is a code in any case (``csto`` for ``CSTO``).
    ``source`` answers from that source's claims alone. Raises :class:`QueryError` for an
    unknown organization or source.
    """
    on = as_day(on)
    conn = connection_of(db)
    require_source(conn, source)
    rows = conn.execute(MEMBER_CANDIDATES, {"org": org, "on": on}).all()
    if not rows:
        # The outer join gives a known code a row: ask again by the code ``org`` names.
        code = organization_code(conn, org)
        rows = conn.execute(MEMBER_CANDIDATES, {"org": code, "on": on}).all()
    first = rows[0]
    lifetime = lifetime_from(first)
    horizon = horizon_fields(horizon_from(first), on, MEMBERS_UNKNOWN)
    return [
        Membership(
            state=span.row.state_iso3,
            name=span.row.state_name,
            organization=first.org_code,
            status=span.row.status,
            certainty=span.day_certainty,
            contested=span.contested,
            since=span.start.edtf,
            until=edtf_of(span.end),
            span=span.key,
            inferred=bool(span.row.inferred),
            reasoning=span.row.reasoning,
            **horizon,
            citations=span.citations,
            readings=span.readings,
        )
        for span in spans_on(conn, rows, on, source=source, lifetime=lifetime, contested=contested)
    ]


#: Up to this many states, the missing-data note names them all.
_STATES_NAMED = 12


def missing_data_note(db: Session | Connection, org: str, on: date | str) -> str | None:
    """One line naming the states whose membership of ``org`` a dataset codes as missing
    data (COW's ``-9``) in the year of ``on``, or None when there are none: whether they
    were members is not known. A listed state whose row rests on such cells is never
    ``certain``; its ``reasoning`` says how its dates rest on them."""
    on = as_day(on)
    conn = connection_of(db)
    code = organization_code(conn, org)
    found = conn.execute(
        select(_MISSING.c.state_iso3, _MISSING.c.source_key)
        .where(
            _MISSING.c.organization_code == code,
            _MISSING.c.first_year <= on.year,
            _MISSING.c.last_year >= on.year,
        )
        .order_by(_MISSING.c.state_iso3)
    ).all()
    if not found:
        return None
    states = [row.state_iso3 for row in found]
    sources = ", ".join(sorted({row.source_key for row in found}))
    named = ", ".join(states[:_STATES_NAMED])
    if len(states) > _STATES_NAMED:
        named += f" and {len(states) - _STATES_NAMED} more"
    return (
        f"no data (-9) in {sources} for {on.year} on {len(states)} "
        f"state{'s' if len(states) > 1 else ''} of {code} ({named}): whether they were "
        "members then is not known, and no row rests on those cells as certain"
    )


# --- Documents and initiatives -------------------------------------------------------------


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
    query = select(Document).order_by(*nulls_last(Document.signed_lower), Document.key)
    if kind:
        kinds = list(
            conn.execute(select(Document.kind).distinct().order_by(Document.kind)).scalars()
        )
        if kind not in kinds:
            raise QueryError(f"no document of kind {kind!r}; the database has: {', '.join(kinds)}")
        query = query.where(Document.kind == kind)
    docs = conn.execute(query).all()
    parties = conn.execute(
        select(DocumentParty).order_by(
            DocumentParty.document_key,
            DocumentParty.role,
            func.coalesce(DocumentParty.state_iso3, DocumentParty.organization_code),
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
        select(Initiative, Document.title.label("outcome_title"))
        .outerjoin(Document, Document.key == Initiative.outcome_document_key)
        .order_by(*nulls_last(Initiative.proposed_lower), Initiative.key)
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


# --- Disputes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisputedField(FrozenAnswer):
    """A field of a fact that a dispute is about."""

    fact: str
    field: str


@dataclass(frozen=True)
class DisputeReading(FrozenAnswer):
    """One source's answer to a dispute."""

    key: str
    value: str | None
    preferred: bool
    note: str | None
    sources: tuple[str, ...]
    citations: tuple[Quote, ...]


@dataclass(frozen=True)
class DisputeRecord(FrozenAnswer):
    """A question sources answer differently: its readings and the preferred one, with why."""

    key: str
    question: str
    rule: str
    reason: str
    disagreement: bool
    subjects: tuple[DisputedField, ...]
    preferred: str | None
    readings: tuple[DisputeReading, ...]


def disputes(db: Session | Connection, *, include_refinements: bool = False) -> list[DisputeRecord]:
    """Each question the sources answer differently: its readings, their sources, the
    preferred reading and why. Refinements (readings that differ only in precision) are
    left out unless asked for."""
    conn = connection_of(db)
    query = select(Dispute).order_by(Dispute.key)
    if not include_refinements:
        query = query.where(Dispute.disagreement.is_(True))
    rows = conn.execute(query).all()
    keys = [row.key for row in rows]
    subjects: dict[str, list[DisputedField]] = defaultdict(list)
    for subject in conn.execute(
        select(DisputeSubject)
        .where(DisputeSubject.dispute_key.in_(keys))
        .order_by(DisputeSubject.fact_key)
    ):
        subjects[subject.dispute_key].append(DisputedField(subject.fact_key, subject.field))
    readings = conn.execute(
        select(Reading).where(Reading.dispute_key.in_(keys)).order_by(Reading.key)
    ).all()
    quotes = citations_for(conn, [r.key for r in readings])
    by_dispute: dict[str, list[DisputeReading]] = defaultdict(list)
    for reading in readings:
        by_dispute[reading.dispute_key].append(
            DisputeReading(
                key=reading.key,
                value=reading.value_date_edtf or reading.value_text,
                preferred=bool(reading.preferred),
                note=reading.note,
                sources=tuple(sorted({q.source for q in quotes.get(reading.key, [])})),
                citations=tuple(quotes.get(reading.key, [])),
            )
        )
    return [
        DisputeRecord(
            key=row.key,
            question=row.question,
            rule=row.rule,
            reason=row.reason,
            disagreement=bool(row.disagreement),
            subjects=tuple(subjects[row.key]),
            preferred=next((r.value for r in by_dispute[row.key] if r.preferred), None),
            readings=tuple(by_dispute[row.key]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class FactEvidence(FrozenAnswer):
    """Everything behind one fact: its citations and the readings of its disputed fields."""

    fact: str
    citations: tuple[Quote, ...]
    readings: tuple[FieldReading, ...]


def evidence(db: Session | Connection, fact_key: str) -> FactEvidence:
    """Everything behind one fact: its citations and the readings of its disputed fields."""
    conn = connection_of(db)
    quotes = citations_for(conn, [fact_key]).get(fact_key)
    if quotes is None:
        raise QueryError(
            f"no fact with key {fact_key!r}: pass a key the other commands print "
            f'(the `key` or `span` column), or see `csto-db sql "SELECT key '
            f'FROM facts"`'
        )
    readings = readings_for(conn, [fact_key])
    return FactEvidence(
        fact=fact_key,
        citations=tuple(quotes),
        readings=tuple(r for rs in readings.values() for r in rs),
    )
