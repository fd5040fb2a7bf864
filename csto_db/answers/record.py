"""The Organization's record: Council sessions, the chair, officers and operations on a day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, select

from ..store import tables
from ..store.dates import PartialDate, as_day
from .answer import Answer, FrozenAnswer, connection_of, edtf_of, nulls_last, require_source
from .asof import Horizon, horizon_fields, organization_row
from .evidence import FieldReading, Quote, SourceView, readings_for, stored_date
from .spans import SeenSpan, candidates, spans_on, with_readings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: The organ whose meetings are the Council's sessions.
COUNCIL = "CSC"


def _readings(view: SourceView, key: str, *fields: str) -> list[FieldReading]:
    return [reading for name in fields for reading in view.field_readings(key, name)]


# --- Sessions ------------------------------------------------------------------------------


@dataclass
class CouncilSession(Answer):
    """One meeting of the Collective Security Council, with what it adopted."""

    key: str
    title: str
    date: str
    place: str | None
    kind: str | None
    presided_by: str | None
    adopted: list[dict[str, str]]
    note: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


def sessions(
    db: Session | Connection, year: int | None = None, *, source: str | None = None
) -> list[CouncilSession]:
    """The Council's sessions and informal summits in date order, each with the documents it
    adopted. ``year`` keeps those that can have been held in that year (a session known only
    to a month or a range counts in every year it may fall in). ``source`` answers from that
    source's claims alone: its sessions, its reading of their dates, the documents it cites.
    """
    conn = connection_of(db)
    require_source(conn, source)
    rows = conn.execute(
        select(tables.meetings)
        .where(tables.meetings.c.body_code == COUNCIL)
        .order_by(tables.meetings.c.held_lower, tables.meetings.c.key)
    ).all()
    keys = [row.key for row in rows]
    docs = conn.execute(
        select(tables.documents.c.key, tables.documents.c.title, tables.documents.c.meeting_key)
        .where(tables.documents.c.meeting_key.in_(keys))
        .order_by(*nulls_last(tables.documents.c.signed_lower), tables.documents.c.key)
    ).all()
    view = SourceView.load(conn, source, keys + [doc.key for doc in docs])
    adopted: dict[str, list[dict[str, str]]] = defaultdict(list)
    for doc in docs:
        if view.includes(doc.key):
            adopted[doc.meeting_key].append({"key": doc.key, "title": doc.title})
    results = []
    for row in rows:
        if not view.includes(row.key):
            continue
        held = view.date(row.key, "held", stored_date(row, "held"))
        assert held is not None, row.key  # meetings.held is NOT NULL
        if year is not None and not held.lower.year <= year <= held.upper.year:
            continue
        results.append(
            CouncilSession(
                key=row.key,
                title=row.title,
                date=held.edtf,
                place=view.text(row.key, "place", row.place),
                kind=view.text(row.key, "kind", row.kind),
                presided_by=row.presided_by_iso3,
                adopted=adopted.get(row.key, []),
                note=row.note,
                citations=view.quotes(row.key),
                readings=_readings(view, row.key, "held", "kind", "place"),
            )
        )
    return sorted(results, key=lambda s: (PartialDate.parse(s.date).lower, s.key))


# --- The chair -----------------------------------------------------------------------------


@dataclass
class ChairTerm(Answer):
    """A state in the chair of an organization on a day, with how sure the record is."""

    key: str
    state: str
    organization: str
    start: str
    end: str | None
    certainty: str
    contested: bool
    inferred: bool
    reasoning: str | None
    #: The last day the organization's record covers, and past it the line saying so.
    horizon: str | None
    past_horizon: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


#: What is not known past an organization's horizon, in an answer about its chair.
CHAIR_UNKNOWN = "changes of the chair"
#: What is not known past an organization's horizon, in an answer about its officers.
OFFICERS_UNKNOWN = "changes of its officers"


def _horizon(span: SeenSpan, on: date, unknown: str) -> dict[str, str | None]:
    return horizon_fields(span.horizon, on, unknown)


#: The candidates for chair_on: the organization's terms whose reach holds the day.
_CHAIR_CANDIDATES = with_readings(
    candidates(
        tables.chair_spans,
        tables.chair_spans.c.organization_code == bindparam("org"),
    ).order_by(tables.chair_spans.c.start_lower, tables.chair_spans.c.key),
    tables.chair_spans,
)


def chair_on(
    db: Session | Connection,
    on: date | str,
    org: str = "CSTO",
    *,
    source: str | None = None,
    contested: bool = False,
) -> list[ChairTerm]:
    """Who chaired ``org`` on ``on``, by the preferred reading of each term: usually one
    state, ``certain``; at an edge known only to a month, a year or a range, the outgoing
    and incoming states are both ``possible``; where another reading puts the day outside a
    term, ``disputed`` (the readings are attached). A term only another reading puts the
    day in is ``contested``, returned only when ``contested`` is true. An empty list means
    no source states a chair that day. Past the horizon of the organization's record no
    term is ``certain`` (each term's ``past_horizon`` says so). ``org`` is a code in any
    case. Raises :class:`csto_db.errors.QueryError` for an unknown organization or source.
    """
    on = as_day(on)
    conn = connection_of(db)
    org = organization_row(conn, org).org_code
    require_source(conn, source)
    return [
        ChairTerm(
            key=span.key,
            state=span.row.state_iso3,
            organization=org,
            start=span.start.edtf,
            end=edtf_of(span.end),
            certainty=span.day_certainty,
            contested=span.contested,
            inferred=bool(span.row.inferred),
            reasoning=span.row.reasoning,
            **_horizon(span, on, CHAIR_UNKNOWN),
            citations=span.citations,
            readings=span.readings,
        )
        for span in spans_on(
            conn,
            conn.execute(_CHAIR_CANDIDATES, {"org": org, "on": on}).all(),
            on,
            source=source,
            contested=contested,
        )
    ]


@dataclass(frozen=True)
class ChairAnswer(FrozenAnswer):
    """The chair of an organization on a day, as one answer (see :func:`chair_answer`)."""

    organization: str
    on: date
    state: str | None
    key: str | None
    start: str | None
    end: str | None
    certainty: str | None
    #: The last day the organization's record covers, and past it the line saying so.
    horizon: str | None
    past_horizon: str | None
    citations: tuple[Quote, ...]
    candidates: tuple[ChairTerm, ...]


def chair_answer(
    terms: list[ChairTerm], on: date, org: str = "CSTO", horizon: Horizon | None = None
) -> ChairAnswer:
    """The chair on a day as one object: the state, its term and certainty when one term
    holds the day; ``state`` null when none does or when the record cannot tell between
    several (an edge known only to a month, or disputed), whose terms are the
    ``candidates``. The record never picks one of them. Contested terms (only a reading
    the record does not prefer puts the day in them) are candidates marked ``contested``
    and never the answer. Past the horizon of the organization's record the answer says
    where the record ends: ``horizon`` (see :func:`csto_db.answers.asof.horizon_of`) is needed only
    when no term is given, the terms carrying it otherwise."""
    if horizon is not None or not terms:
        said = horizon_fields(horizon, on, CHAIR_UNKNOWN)
    else:
        said = {"horizon": terms[0].horizon, "past_horizon": terms[0].past_horizon}
    held = [term for term in terms if not term.contested]
    if len(held) == 1:
        only = held[0]
        return ChairAnswer(
            org,
            on,
            only.state,
            only.key,
            only.start,
            only.end,
            only.certainty,
            said["horizon"],
            said["past_horizon"],
            tuple(only.citations),
            tuple(terms),
        )
    certainty = None
    if held:
        certainties = {term.certainty for term in held}
        certainty = "disputed" if "disputed" in certainties else "possible"
    return ChairAnswer(
        org,
        on,
        None,
        None,
        None,
        None,
        certainty,
        said["horizon"],
        said["past_horizon"],
        (),
        tuple(terms),
    )


# --- Officers ------------------------------------------------------------------------------


@dataclass
class Official(Answer):
    """The holder of an office on a day, with how sure the record is."""

    key: str
    office: str
    organization: str
    person: str
    nationality: str | None
    acting: bool
    start: str
    end: str | None
    appointed: str | None
    certainty: str
    contested: bool
    inferred: bool
    reasoning: str | None
    #: The last day the organization's record covers, and past it the line saying so.
    horizon: str | None
    past_horizon: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


#: The candidates for officials_on: every office's terms whose reach holds the day.
_OFFICE_CANDIDATES = with_readings(
    candidates(tables.office_terms).order_by(
        tables.office_terms.c.office,
        tables.office_terms.c.start_lower,
        tables.office_terms.c.key,
    ),
    tables.office_terms,
)


def officials_on(
    db: Session | Connection, on: date | str, *, source: str | None = None, contested: bool = False
) -> list[Official]:
    """Who held each office (the Secretary General, acting or not; the Council's Secretary
    General before the Organization) on ``on``, by the same rule as :func:`chair_on`, the
    horizon of each office's organization included."""
    on = as_day(on)
    conn = connection_of(db)
    require_source(conn, source)
    rows = conn.execute(_OFFICE_CANDIDATES, {"on": on}).all()
    spans = spans_on(conn, rows, on, source=source, contested=contested)
    # The appointment day is not a span edge: the stored (preferred) value, or in a source's
    # view the source's own reading, as for every other field of a view.
    view = SourceView(
        source, {}, readings_for(conn, [span.key for span in spans]) if source is not None else {}
    )
    results = []
    for span in spans:
        row = span.row
        appointed = view.date(row.key, "appointed", stored_date(row, "appointed"))
        results.append(
            Official(
                key=row.key,
                office=row.office,
                organization=row.organization_code,
                person=row.person,
                nationality=row.nationality_iso3,
                acting=bool(row.acting),
                start=span.start.edtf,
                end=edtf_of(span.end),
                appointed=edtf_of(appointed),
                certainty=span.day_certainty,
                contested=span.contested,
                inferred=bool(row.inferred),
                reasoning=row.reasoning,
                **_horizon(span, on, OFFICERS_UNKNOWN),
                citations=span.citations,
                readings=span.readings,
            )
        )
    return results


# --- Operations ----------------------------------------------------------------------------


@dataclass
class OperationRecord(Answer):
    """A deployment or mission: host, dates, contributors and strength."""

    key: str
    title: str
    kind: str
    host: str
    force: str | None
    requested: str | None
    decided: str | None
    start: str | None
    end: str | None
    contributors: list[str]
    personnel: dict[str, int]
    strength: int | str | None
    commander: str | None
    note: str | None
    citations: list[Quote]
    readings: list[FieldReading] = field(default_factory=list)


def _strength(value: str | int | None) -> int | str | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def operations(db: Session | Connection, *, source: str | None = None) -> list[OperationRecord]:
    """The Organization's deployments and missions, by start, with their contributors
    (alpha-3, in key order) and the readings of their disputed fields."""
    conn = connection_of(db)
    require_source(conn, source)
    rows = conn.execute(
        select(tables.operations).order_by(
            *nulls_last(tables.operations.c.start_lower), tables.operations.c.key
        )
    ).all()
    keys = [row.key for row in rows]
    contributions = conn.execute(
        select(tables.contributions)
        .where(tables.contributions.c.operation_key.in_(keys))
        .order_by(tables.contributions.c.state_iso3)
    ).all()
    view = SourceView.load(conn, source, keys + [c.key for c in contributions])
    by_operation: dict[str, list[Any]] = defaultdict(list)
    for contribution in contributions:
        if view.includes(contribution.key):
            by_operation[contribution.operation_key].append(contribution)
    results = []
    for row in rows:
        if not view.includes(row.key):
            continue
        dates = {
            name: edtf_of(view.date(row.key, name, stored_date(row, name)))
            for name in ("requested", "decided", "start", "end")
        }
        sent = by_operation.get(row.key, [])
        results.append(
            OperationRecord(
                key=row.key,
                title=row.title,
                kind=row.kind,
                host=row.host_iso3,
                force=row.force_key,
                **dates,
                contributors=[c.state_iso3 for c in sent],
                personnel={c.state_iso3: c.personnel for c in sent if c.personnel is not None},
                strength=_strength(view.text(row.key, "strength", row.strength)),
                commander=row.commander,
                note=row.note,
                citations=view.quotes(row.key),
                readings=_readings(
                    view, row.key, "requested", "decided", "start", "end", "strength"
                ),
            )
        )
    return results
