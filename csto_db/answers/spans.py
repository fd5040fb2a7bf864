"""Which spans hold a day, and how surely: the one as-of rule behind members, the chair,
officials and timelines.

The rule. A subject is *listed* when the preferred reading of its span's dates puts the day
inside, certainly or possibly. Its certainty is ``certain`` when every reading puts the day
inside, ``possible`` when only the imprecision of the preferred dates leaves it open, and
``disputed`` when another reading puts the day outside (or leaves open what the preferred
reading settles); a disputed row carries those readings. A subject that the preferred
reading puts outside but another reading puts inside is *contested*: it is left out unless
asked for, and then marked ``contested``. A reading that only says less than another (a
year against a day inside it) competes with nothing. For a membership, no reading can place
it outside its organization's lifetime: the loader refuses a preferred reading that does,
and the others are clipped to the lifetime here, never dropped from the record.

Every organization's record has a *horizon*, the last day its sources cover (for the
curated record, the day it was last checked against them; for an organization known only
from a dataset, the end of the last year the dataset codes it). Past the horizon no row is
``certain``: a span the record leaves open may have ended, and who joined or left after it
is not known, so a row the dates would call certain is ``possible``, and the answer says
where the record ends (:meth:`Horizon.beyond`).

The day reaches SQL: a span table's ``reach_start`` and ``reach_end`` hold the outermost
bounds over all readings of its dates (the loader writes them, ``csto-db check`` recomputes
them), so the candidate spans come from an index; evidence is loaded for the rows answered.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
)

from ..store.dates import PartialDate
from ..store.models import Citation, DisputeSubject, FactCitation, Organization, Reading
from .evidence import (
    QUOTE_COLUMNS,
    FieldReading,
    Quote,
    SourceView,
    competing,
    readings_for,
    stored_date,
    unknown_organization,
)

CERTAIN, POSSIBLE, DISPUTED = "certain", "possible", "disputed"

#: What is not known past an organization's horizon, in the answers about its members.
MEMBERS_UNKNOWN = "states that joined or left"

#: The date fields of a span: their readings decide where a day falls.
SPAN_FIELDS = ("start", "end")


# --- Reach: the outermost bounds the loader stores -----------------------------------------


def reach_of(
    start: PartialDate, end: PartialDate | None, readings: Iterable[tuple[str, PartialDate | None]]
) -> tuple[date, date | None]:
    """``(reach_start, reach_end)`` of a span: the earliest day any reading can start it and
    the latest day any reading can end it (None while the span is open). ``readings`` are
    ``(field, value)`` pairs of its disputed ``start`` and ``end`` fields."""
    earliest = start.lower
    latest = end.upper if end is not None else None
    for name, value in readings:
        if value is None:
            continue
        if name == "start":
            earliest = min(earliest, value.lower)
        elif name == "end" and latest is not None:
            latest = max(latest, value.upper)
    return earliest, latest


# --- Lifetimes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lifetime:
    """When an organization's membership counts: from ``start``, before ``end`` (None: no
    such bound recorded). ``end`` is the first day it surely no longer counts: the latest
    day its recorded end can be (a dataset's year of dissolution ends on its last day);
    ``ended`` is that end as the source gives it, for the text."""

    organization: str
    name: str
    start: date | None
    end: date | None
    predecessor: str | None = None
    ended: str | None = None

    def holds(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)

    def explain(self, on: date) -> str | None:
        """One line saying why nobody is a member on ``on``, or None inside the lifetime."""
        if self.holds(on):
            return None
        if self.start is not None and on < self.start:
            line = (
                f"no members on {on.isoformat()}: {self.organization} membership begins "
                f"on {self.start.isoformat()}"
            )
            if self.predecessor:
                line += f"; --org {self.predecessor} answers for the time before"
            return line
        assert self.end is not None  # outside the lifetime and not before its start
        ended = self.ended or self.end.isoformat()
        when = f"on {ended}" if PartialDate.parse(ended).precision == "day" else f"in {ended}"
        return f"no members on {on.isoformat()}: {self.organization} membership ended {when}"

    @overload
    def clip(self, value: PartialDate, *, is_end: bool) -> PartialDate: ...
    @overload
    def clip(self, value: None, *, is_end: bool) -> PartialDate | None: ...
    def clip(self, value: PartialDate | None, *, is_end: bool) -> PartialDate | None:
        """A reading's bounds held inside the lifetime (an open end closes with it)."""
        if value is None:
            if is_end and self.end is not None:
                return PartialDate(self.end, self.end, self.end.isoformat(), "day")
            return None
        lower, upper = value.lower, value.upper
        if self.start is not None:
            lower, upper = max(lower, self.start), max(upper, self.start)
        if self.end is not None:
            lower, upper = min(lower, self.end), min(upper, self.end)
        if (lower, upper) == (value.lower, value.upper):
            return value
        return dataclasses.replace(value, lower=lower, upper=upper)


# On the table's columns, as every statement of the as-of path (see _READINGS below).
_ORGANIZATION = Organization.__table__.c

#: The columns an as-of question reads from an organization's row: its lifetime and its
#: horizon. Labelled so that they can ride along with the candidate spans of a statement.
ORGANIZATION_COLUMNS = (
    _ORGANIZATION.code.label("org_code"),
    _ORGANIZATION.name.label("org_name"),
    _ORGANIZATION.predecessor_code.label("org_predecessor"),
    _ORGANIZATION.membership_start_lower.label("org_start"),
    _ORGANIZATION.membership_end_upper.label("org_end"),
    _ORGANIZATION.membership_end_edtf.label("org_ended"),
    _ORGANIZATION.horizon_upper.label("record_horizon"),
    _ORGANIZATION.horizon_edtf.label("record_horizon_edtf"),
    _ORGANIZATION.horizon_reasoning.label("record_horizon_reasoning"),
)

_ORGANIZATION_ROW = select(*ORGANIZATION_COLUMNS).where(_ORGANIZATION.code == bindparam("org"))
_ORGANIZATION_ROW_ANY_CASE = select(*ORGANIZATION_COLUMNS).where(
    func.lower(_ORGANIZATION.code) == func.lower(bindparam("org"))
)


def lifetime_from(row: Any) -> Lifetime:
    """The lifetime in a row that carries :data:`ORGANIZATION_COLUMNS`."""
    return Lifetime(
        row.org_code, row.org_name, row.org_start, row.org_end, row.org_predecessor, row.org_ended
    )


def horizon_from(row: Any) -> Horizon | None:
    """The horizon in a row that carries :data:`ORGANIZATION_COLUMNS` (None: none recorded)."""
    if row.record_horizon is None:
        return None
    return Horizon(
        row.org_code, row.record_horizon, row.record_horizon_edtf, row.record_horizon_reasoning
    )


def organization_row(conn: Connection, org: str) -> Any:
    """The :data:`ORGANIZATION_COLUMNS` of the organization ``org`` names, in any case (the
    code itself wins over another that differs only in case); raises :class:`QueryError`
    for an unknown code."""
    exact = conn.execute(_ORGANIZATION_ROW, {"org": org}).first()
    if exact is not None:
        return exact
    rows = conn.execute(_ORGANIZATION_ROW_ANY_CASE, {"org": org}).all()
    if len(rows) == 1:
        return rows[0]
    raise unknown_organization(conn, org)


def lifetime_of(conn: Connection, org: str) -> Lifetime:
    """The lifetime of ``org``'s membership (the code in any case); raises
    :class:`QueryError` for an unknown code."""
    return lifetime_from(organization_row(conn, org))


def horizon_of(conn: Connection, org: str) -> Horizon | None:
    """The horizon of ``org``'s record (the code in any case), or None when none is
    recorded; raises :class:`QueryError` for an unknown code."""
    return horizon_from(organization_row(conn, org))


# --- The horizon ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """The last day an organization's record covers (``day``, the upper bound of ``edtf``)
    and why it ends there. Past it no answer is certain."""

    organization: str
    day: date
    edtf: str
    reasoning: str

    def covers(self, on: date) -> bool:
        return on <= self.day

    def beyond(self, on: date, unknown: str = MEMBERS_UNKNOWN) -> str | None:
        """One line saying that the record ends before ``on`` and what is not known after
        it, or None when the record covers ``on``. ``unknown`` names what is not known."""
        if self.covers(on):
            return None
        return (
            f"the record of {self.organization} ends on {self.day.isoformat()}, "
            f"{self.reasoning}; {unknown} after it are not known, and no answer after it "
            "is certain"
        )


def horizon_fields(horizon: Horizon | None, on: date, unknown: str) -> dict[str, str | None]:
    """The ``horizon`` and ``past_horizon`` fields of an answer on ``on``: the last day the
    record covers, and past it the line of :meth:`Horizon.beyond`."""
    if horizon is None:
        return {"horizon": None, "past_horizon": None}
    return {"horizon": horizon.day.isoformat(), "past_horizon": horizon.beyond(on, unknown)}


def past_horizon(certainty: str, on: date, horizon: date | None) -> str:
    """The rule's certainty on ``on`` once the record's horizon is weighed: ``certain``
    becomes ``possible`` past it; every other answer stands."""
    if certainty == CERTAIN and horizon is not None and on > horizon:
        return POSSIBLE
    return certainty


# --- The rule ------------------------------------------------------------------------------


def _inside(start: PartialDate, end: PartialDate | None, on: date) -> str | None:
    if start.upper <= on and (end is None or on < end.lower):
        return CERTAIN
    if start.lower <= on and (end is None or on < end.upper):
        return POSSIBLE
    return None


@dataclass(frozen=True)
class Verdict:
    """Where a day falls in a span: ``certainty``, whether the subject is ``contested``
    (the preferred reading puts it outside, another inside), and ``explaining``: the other
    reading values that put the day outside a listed span, or inside a contested one."""

    certainty: str
    contested: bool
    explaining: frozenset[tuple[str, PartialDate | None]]


def judge(
    starts: Sequence[PartialDate],
    ends: Sequence[PartialDate | None],
    on: date,
    lifetime: Lifetime | None = None,
    horizon: date | None = None,
) -> Verdict | None:
    """Apply the rule. ``starts[0]`` and ``ends[0]`` are the preferred readings; the others
    compete with them; past ``horizon`` (the last day the record covers) nothing is
    certain. Returns None when no reading puts the day inside."""

    def clip_start(value: PartialDate) -> PartialDate:
        return lifetime.clip(value, is_end=False) if lifetime else value

    def clip_end(value: PartialDate | None) -> PartialDate | None:
        return lifetime.clip(value, is_end=True) if lifetime else value

    preferred = _inside(clip_start(starts[0]), clip_end(ends[0]), on)
    others = []  # (outcome, the non-preferred values in the combination)
    for i, start in enumerate(starts):
        for j, end in enumerate(ends):
            if i == j == 0:
                continue
            values = ({("start", start)} if i else set()) | ({("end", end)} if j else set())
            others.append((_inside(clip_start(start), clip_end(end), on), values))
    if preferred is None:
        telling = [values for outcome, values in others if outcome is not None]
    elif preferred == CERTAIN:
        telling = [values for outcome, values in others if outcome != CERTAIN]
    else:
        telling = [values for outcome, values in others if outcome is None]
    if not telling:
        if preferred is None:
            return None
        return Verdict(past_horizon(preferred, on, horizon), False, frozenset())
    # The readings that tell: those that do it alone, against the other preferred date;
    # only when none does, those that do it together.
    alone = [values for values in telling if len(values) == 1]
    explaining = frozenset().union(*(alone or telling))
    return Verdict(DISPUTED, preferred is None, explaining)


def certainty_on(
    starts: Sequence[PartialDate],
    ends: Sequence[PartialDate | None],
    on: date,
    horizon: date | None = None,
) -> str | None:
    """The rule's answer in one word: ``certain``, ``possible``, ``disputed``, ``contested``
    or None (first reading of each list preferred; nothing certain past ``horizon``)."""
    verdict = judge(starts, ends, on, horizon=horizon)
    if verdict is None:
        return None
    return "contested" if verdict.contested else verdict.certainty


# --- Loading spans with their evidence -----------------------------------------------------


_SUBJECTS, _READING_ROWS = DisputeSubject.__table__, Reading.__table__

#: The readings of a candidate's start and end, joined to its row (one row per reading).
READING_COLUMNS = (
    _SUBJECTS.c.field.label("reading_field"),
    _READING_ROWS.c.key.label("reading_key"),
    _READING_ROWS.c.dispute_key.label("reading_dispute"),
    _READING_ROWS.c.value_date_edtf.label("reading_edtf"),
    _READING_ROWS.c.value_date_lower.label("reading_lower"),
    _READING_ROWS.c.value_date_upper.label("reading_upper"),
    _READING_ROWS.c.value_date_precision.label("reading_precision"),
    _READING_ROWS.c.value_text.label("reading_text"),
    _READING_ROWS.c.preferred.label("reading_preferred"),
)


def reach_holds(table: FromClause) -> ColumnElement[bool]:
    """The condition that a span's reach holds the day (the ``on`` parameter)."""
    return and_(
        table.c.reach_start <= bindparam("on"),
        or_(table.c.reach_end.is_(None), table.c.reach_end > bindparam("on")),
    )


def with_readings(statement: Select[Any], table: FromClause) -> Select[Any]:
    """``statement`` (selecting rows of span ``table``) with each row's start and end
    readings joined on, so that one statement brings the candidates and their readings.
    The fields are compared one by one rather than with IN: a constant statement is
    compiled once and needs no expansion per call."""
    return (
        statement.add_columns(*READING_COLUMNS)
        .outerjoin(
            _SUBJECTS,
            and_(
                _SUBJECTS.c.fact_key == table.c.key,
                or_(*(_SUBJECTS.c.field == name for name in SPAN_FIELDS)),
            ),
        )
        .outerjoin(_READING_ROWS, _READING_ROWS.c.dispute_key == _SUBJECTS.c.dispute_key)
        .order_by(_READING_ROWS.c.key)
    )


def candidates(table: FromClause, *conditions: ColumnElement[bool]) -> Select[Any]:
    """A statement selecting the rows of span ``table`` whose reach holds the day (the
    ``on`` parameter), under further ``conditions``: the as-of indexes serve it. Each row
    carries its organization's :data:`ORGANIZATION_COLUMNS`, its horizon among them, which
    :func:`spans_on` weighs. Order it, then pass it to :func:`with_readings`, whose order
    of readings comes after."""
    return (
        select(table, *ORGANIZATION_COLUMNS)
        .join(Organization.__table__, _ORGANIZATION.code == table.c.organization_code)
        .where(*conditions, reach_holds(table))
    )


def _grouped(rows: Sequence[Any]) -> tuple[list[Any], dict[tuple[str, str], list[FieldReading]]]:
    """Rows of a :func:`with_readings` statement: each span row once, in order, and the
    readings of each ``(key, field)``. Rows without a span (an outer join's) are dropped."""
    spans: dict[str, object] = {}
    readings: dict[tuple[str, str], list[FieldReading]] = defaultdict(list)
    for row in rows:
        if row.key is None:
            continue
        spans.setdefault(row.key, row)
        if row.reading_key is not None:
            value = None
            if row.reading_edtf is not None:
                value = PartialDate(
                    row.reading_lower, row.reading_upper, row.reading_edtf, row.reading_precision
                )
            readings[(row.key, row.reading_field)].append(
                FieldReading(
                    dispute=row.reading_dispute,
                    field=row.reading_field,
                    key=row.reading_key,
                    date=value,
                    text=row.reading_text,
                    preferred=bool(row.reading_preferred),
                    citations=(),
                )
            )
    return list(spans.values()), readings


@dataclass
class SeenSpan:
    """A span row as one view of the record reads it: its dates, the readings of its date
    fields, and (for an as-of question) where the day falls."""

    row: Any
    start: PartialDate
    end: PartialDate | None
    readings: list[FieldReading]
    citations: list[Quote]
    certainty: str | None = None
    contested: bool = False
    #: The organization's horizon, when the row carries it (see :func:`candidates`).
    horizon: Horizon | None = None

    @property
    def key(self) -> str:
        key: str = self.row.key
        return key

    @property
    def day_certainty(self) -> str:
        """The certainty :func:`spans_on` found (every span it returns has one)."""
        if self.certainty is None:
            raise ValueError(f"{self.key}: no day was asked of this span")
        return self.certainty


# The statements of the as-of path are built on the tables, not the mapped classes: a mapped
# attribute in a statement makes SQLAlchemy configure every mapper and relationship before
# its first use, which costs a one-question command a third of its time.
_SUBJECT_COLUMN, _READING = _SUBJECTS.c, _READING_ROWS.c
_LINKS, _CITATION = FactCitation.__table__.c, Citation.__table__.c

_READINGS = (
    select(
        _SUBJECT_COLUMN.fact_key,
        _SUBJECT_COLUMN.field,
        _READING.key,
        _READING.dispute_key,
        _READING.value_date_edtf,
        _READING.value_date_lower,
        _READING.value_date_upper,
        _READING.value_date_precision,
        _READING.value_text,
        _READING.preferred,
    )
    .join(_READING_ROWS, _READING.dispute_key == _SUBJECT_COLUMN.dispute_key)
    .where(
        _SUBJECT_COLUMN.fact_key.in_(bindparam("keys", expanding=True)),
        _SUBJECT_COLUMN.field.in_(bindparam("fields", expanding=True)),
    )
    .order_by(_SUBJECT_COLUMN.fact_key, _SUBJECT_COLUMN.field, _READING.key)
)

_CITATIONS = (
    select(_LINKS.fact_key, *QUOTE_COLUMNS)
    .join(Citation.__table__, _CITATION.key == _LINKS.citation_key)
    .where(_LINKS.fact_key.in_(bindparam("keys", expanding=True)))
    .order_by(_LINKS.fact_key, _CITATION.source_key, _CITATION.char_start, _CITATION.key)
)


def _readings(
    conn: Connection, keys: list[str], fields: Sequence[str]
) -> dict[tuple[str, str], list[FieldReading]]:
    found: dict[tuple[str, str], list[FieldReading]] = defaultdict(list)
    if not keys:
        return found
    rows = conn.execute(_READINGS, {"keys": keys, "fields": list(fields)}).all()
    for fact_key, name, key, dispute, edtf, lower, upper, precision, text, preferred in rows:
        value = PartialDate.from_optional_columns(edtf, lower, upper, precision)
        found[(fact_key, name)].append(
            FieldReading(
                dispute=dispute,
                field=name,
                key=key,
                date=value,
                text=text,
                preferred=bool(preferred),
                citations=(),
            )
        )
    return found


def _citations(conn: Connection, keys: Iterable[str]) -> dict[str, list[Quote]]:
    found: dict[str, list[Quote]] = defaultdict(list)
    keys = sorted(set(keys))
    if not keys:
        return found
    rows: list[Any] = list(conn.execute(_CITATIONS, {"keys": keys}).all())
    for fact_key, *quote in rows:
        found[fact_key].append(Quote(*quote))
    return found


def _cite(
    readings: dict[tuple[str, str], list[FieldReading]], quotes: dict[str, list[Quote]]
) -> dict[tuple[str, str], list[FieldReading]]:
    return {
        name: [dataclasses.replace(r, citations=tuple(quotes.get(r.key, ()))) for r in rs]
        for name, rs in readings.items()
    }


def _field_values(
    view: SourceView, key: str, name: str, stored: PartialDate | None
) -> tuple[list[PartialDate | None], list[FieldReading]]:
    """The preferred value of a date field in the view, then the values competing with it;
    and the field's readings."""
    readings = view.field_readings(key, name)
    preferred = view.date(key, name, stored)
    values = [preferred] + [value for value in competing(readings) if value != preferred]
    return values, readings


def _explaining(readings: list[FieldReading], verdict: Verdict) -> list[FieldReading]:
    """The preferred readings of the span's fields, and the others the verdict rests on."""
    return [r for r in readings if r.preferred or (r.field, r.date) in verdict.explaining]


def spans_on(
    conn: Connection,
    rows: Sequence[Any],
    on: date,
    *,
    source: str | None = None,
    lifetime: Lifetime | None = None,
    contested: bool = False,
) -> list[SeenSpan]:
    """The span ``rows`` (a span table's candidates with their readings and their
    organization's :data:`ORGANIZATION_COLUMNS`, selected by a :func:`with_readings`
    statement whose ``reach`` condition holds ``on``) whose span holds ``on`` by the rule,
    each with its certainty, which is never ``certain`` past the organization's horizon;
    contested ones too when ``contested``. ``source`` answers from that source's claims
    alone. Loads the citations of the rows answered and of their readings in one
    statement."""
    rows, readings = _grouped(rows)
    keys = [row.key for row in rows]
    if source is not None:
        # Deciding what a source holds needs every candidate's quotes and the readings of
        # all its fields (a source may speak only to an appointment day).
        readings = readings_for(conn, keys)
        quotes = _citations(conn, keys)
    view = SourceView(source, quotes if source is not None else {}, readings)
    answered = []
    horizons: dict[str, Horizon | None] = {}
    for row in rows:
        if row.org_code not in horizons:
            horizons[row.org_code] = horizon_from(row)
        horizon = horizons[row.org_code]
        last_day = horizon.day if horizon else None
        if (
            source is None
            and (row.key, "start") not in readings
            and (row.key, "end") not in readings
        ):
            # One reading of each date (most spans): the rule is where the day falls in it.
            start, end = stored_date(row, "start"), stored_date(row, "end")
            assert start is not None, row.key  # a span's start is NOT NULL
            certainty = _inside(start, lifetime.clip(end, is_end=True) if lifetime else end, on)
            if certainty is not None:
                certainty = past_horizon(certainty, on, last_day)
                answered.append(SeenSpan(row, start, end, [], [], certainty, horizon=horizon))
            continue
        if source is not None and not view.includes(row.key):
            continue
        start_values, start_readings = _field_values(
            view, row.key, "start", stored_date(row, "start")
        )
        # A span's start is NOT NULL, and the readings of a start are dates.
        starts = [value for value in start_values if value is not None]
        assert len(starts) == len(start_values), row.key
        ends, end_readings = _field_values(view, row.key, "end", stored_date(row, "end"))
        verdict = judge(starts, ends, on, lifetime, last_day)
        if verdict is None or (verdict.contested and not contested):
            continue
        shown = (
            _explaining(start_readings + end_readings, verdict)
            if verdict.certainty == DISPUTED
            else []
        )
        answered.append(
            SeenSpan(
                row,
                starts[0],
                ends[0],
                shown,
                [],
                verdict.certainty,
                verdict.contested,
                horizon,
            )
        )
    if source is None:
        quotes = _citations(
            conn, [s.key for s in answered] + [r.key for s in answered for r in s.readings]
        )
    for span in answered:
        if source is None:
            span.readings = [
                dataclasses.replace(r, citations=tuple(quotes.get(r.key, ())))
                for r in span.readings
            ]
            span.citations = quotes.get(span.key, [])
        else:  # the readings came with their citations
            span.citations = view.quotes(span.key)
    return answered


def spans_seen(
    conn: Connection,
    statement: Select[Any],
    params: dict[str, Any],
    *,
    source: str | None = None,
    fields: Sequence[str] = SPAN_FIELDS,
) -> list[SeenSpan]:
    """Every row of ``statement`` that the view of ``source`` holds, with its dates as the
    view reads them and every reading of its date ``fields`` (a timeline's rows)."""
    rows = conn.execute(statement, params).all()
    keys = [row.key for row in rows]
    readings = _readings(conn, keys, fields)
    quotes = _citations(conn, keys + [r.key for rs in readings.values() for r in rs])
    view = SourceView(source, quotes, _cite(readings, quotes))
    seen = []
    for row in rows:
        if not view.includes(row.key):
            continue
        first = view.date(row.key, fields[0], stored_date(row, fields[0]))
        assert first is not None, row.key  # the first field (a start, a day) is NOT NULL
        last = (
            view.date(row.key, fields[1], stored_date(row, fields[1])) if len(fields) > 1 else None
        )
        seen.append(
            SeenSpan(
                row,
                first,
                last,
                [r for name in fields for r in view.field_readings(row.key, name)],
                view.quotes(row.key),
            )
        )
    return seen


def contested_note(
    subject: str, readings: Iterable[dict[str, Any]], *, listed: bool = False
) -> str:
    """The one line the text output gives a contested subject: the other readings (as the
    JSON gives them) that put it inside, their sources, and the dispute to look up; whether
    it is listed above (``--contested``) or left out."""
    said = "; ".join(
        f"{r['field']} {r['value']} by "
        f"{', '.join(sorted({c['source'] for c in r['citations']}))} (dispute {r['dispute']})"
        for r in readings
        if not r["preferred"]
    )
    if listed:
        return f"contested, listed above: {subject}: {said}"
    return f"contested, not listed: {subject}: {said}; --contested lists it"
