"""Who was a member of an organization on a day, with how sure the record is of it, and whose
membership a dataset leaves unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from ..store import tables
from ..store.dates import as_day
from ..store.tables import MEMBER_STATUSES
from .answer import Answer, connection_of, edtf_of, require_source
from .asof import (
    MEMBERS_UNKNOWN,
    ORGANIZATION_COLUMNS,
    horizon_fields,
    horizon_from,
    lifetime_from,
    organization_code,
)
from .evidence import FieldReading, Quote
from .spans import reach_holds, spans_on, with_readings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
_ORGS, _SPANS, _STATES = tables.organizations, tables.membership_spans, tables.states
_MISSING = tables.missing_data
_COW_YEARS = tables.cow_years
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
    lifetime (see :func:`csto_db.answers.asof.lifetime_of`), and past the horizon of its record
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
        return no_rows_note(conn, code, on.year)
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


def no_rows_note(db: Session | Connection, org: str, year: int) -> str | None:
    """One line when a dataset codes ``org`` by year and has no row for ``year`` although it
    has rows before and after (COW IGO v3 skips 36 years of the CCNR and 12 of the AGC):
    nobody is listed then, and that is not known to be so. None otherwise."""
    conn = connection_of(db)
    rows = _COW_YEARS
    span = conn.execute(
        select(func.min(rows.c.year), func.max(rows.c.year), func.min(rows.c.source_key)).where(
            rows.c.organization_code == org
        )
    ).one()
    first, last, source = span
    if first is None or not first < year < last:
        return None
    held = conn.execute(
        select(rows.c.year).where(rows.c.organization_code == org, rows.c.year == year)
    ).first()
    if held is not None:
        return None
    before = conn.execute(
        select(func.max(rows.c.year)).where(rows.c.organization_code == org, rows.c.year < year)
    ).scalar_one()
    after = conn.execute(
        select(func.min(rows.c.year)).where(rows.c.organization_code == org, rows.c.year > year)
    ).scalar_one()
    return (
        f"no row in {source} for {org} from {before + 1} to {after - 1}: whether any state "
        "was a member then is not known, and nobody is listed as a member"
    )
