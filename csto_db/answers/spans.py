"""Loading the spans an as-of question weighs, with their evidence: the candidates whose
reach holds the day, their readings and citations in a few statements, each judged by the
rule of :mod:`csto_db.answers.asof`."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Select, and_, bindparam, or_, select

from ..store import tables
from ..store.dates import PartialDate
from .asof import (
    _ORGANIZATION,
    DISPUTED,
    ORGANIZATION_COLUMNS,
    SPAN_FIELDS,
    Horizon,
    Lifetime,
    Verdict,
    _inside,
    horizon_from,
    judge,
    past_horizon,
)
from .evidence import (
    QUOTE_COLUMNS,
    FieldReading,
    Quote,
    SourceView,
    competing,
    readings_for,
    stored_date,
)

_SUBJECTS, _READING_ROWS = tables.dispute_subjects, tables.readings

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
        .join(tables.organizations, _ORGANIZATION.code == table.c.organization_code)
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
_LINKS, _CITATION = tables.fact_citations.c, tables.citations.c

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
    .join(tables.citations, _CITATION.key == _LINKS.citation_key)
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
