"""The record's side of the cross-checks against independent datasets (COW IGO year by year,
ATOP day by day): each membership span as the record reads it, with the evidence behind it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ..answers.asof import certainty_on
from ..answers.evidence import Quote, competing
from ..answers.spans import SeenSpan, spans_seen
from ..store.dates import PartialDate
from ..store.models import MEMBER_STATUSES, DisputeSubject, MembershipSpan, State


@dataclass
class SpanEvidence:
    """A curated span a comparison rests on: its key, dates, citations and disputes."""

    span: str
    organization: str
    status: str
    start: str
    end: str | None
    citations: list[Quote]
    disputes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "span": self.span,
            "organization": self.organization,
            "status": self.status,
            "start": self.start,
            "end": self.end,
            "citations": [quote.to_dict() for quote in self.citations],
            "disputes": self.disputes,
        }


@dataclass
class RecordSpan:
    """A curated span with every reading of its dates: where a day falls, by the as-of
    rule."""

    seen: SeenSpan
    starts: list[PartialDate]
    ends: list[PartialDate | None]

    @classmethod
    def of(cls, seen: SeenSpan) -> RecordSpan:
        def others(name: str, preferred: PartialDate | None) -> list[PartialDate]:
            readings = competing([r for r in seen.readings if r.field == name])
            return [value for value in readings if value != preferred]

        return cls(
            seen, [seen.start, *others("start", seen.start)], [seen.end, *others("end", seen.end)]
        )

    @property
    def key(self) -> str:
        return self.seen.key

    @property
    def row(self) -> Any:
        return self.seen.row

    @property
    def start(self) -> PartialDate:
        return self.seen.start

    @property
    def end(self) -> PartialDate | None:
        return self.seen.end

    @property
    def citations(self) -> list[Quote]:
        return self.seen.citations

    def certainty(self, on: date) -> str | None:
        """``certain``, ``possible``, ``disputed`` or None; a day only another reading puts
        inside (``contested``) counts as disputed."""
        answer = certainty_on(self.starts, self.ends, on)
        return "disputed" if answer == "contested" else answer


def _disputes_of(connection: Connection, keys: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    if not keys:
        return found
    for fact_key, dispute in connection.execute(
        select(DisputeSubject.fact_key, DisputeSubject.dispute_key)
        .where(DisputeSubject.fact_key.in_(keys))
        .order_by(DisputeSubject.fact_key, DisputeSubject.dispute_key)
    ):
        if dispute not in found[fact_key]:
            found[fact_key].append(dispute)
    return found


def _evidence(span: RecordSpan, disputes: dict[str, list[str]]) -> SpanEvidence:
    return SpanEvidence(
        span.key,
        span.row.organization_code,
        span.row.status,
        span.start.edtf,
        span.end.edtf if span.end else None,
        span.citations,
        disputes.get(span.key, []),
    )


def _record_spans(
    connection: Connection, organizations: tuple[str, ...]
) -> tuple[dict[str, list[RecordSpan]], dict[str, list[str]]]:
    """The curated member spans of ``organizations``, by state, and their disputes."""
    spans_table = MembershipSpan.__table__
    statement = (
        select(spans_table)
        .where(
            spans_table.c.organization_code.in_(organizations),
            spans_table.c.status.in_(MEMBER_STATUSES),
        )
        .order_by(spans_table.c.state_iso3, spans_table.c.start_lower)
    )
    spans = [RecordSpan.of(seen) for seen in spans_seen(connection, statement, {})]
    by_state: dict[str, list[RecordSpan]] = defaultdict(list)
    for span in spans:
        by_state[span.row.state_iso3].append(span)
    return by_state, _disputes_of(connection, [span.key for span in spans])


def _states_by_ccode(connection: Connection) -> dict[int, str]:
    return {
        ccode: iso3
        for ccode, iso3 in connection.execute(
            select(State.cow_ccode, State.iso3).where(State.cow_ccode.is_not(None))
        )
        if ccode is not None
    }  # as the query says; the type checker cannot see it
