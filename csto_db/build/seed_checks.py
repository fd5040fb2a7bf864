"""The rules the seeds obey as a whole, checked once every file is read: references that
resolve, spans that neither end before they start nor overlap, one preferred reading per
dispute, memberships inside their organization's lifetime; and each span's reach."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from ..errors import SeedError
from ..store.dates import PartialDate
from ..store.tables import PARTIAL_DATES, SPAN_GROUPS, fact_key_column_of
from .seed_set import Key, Row, SeedSet, pk_text, table_of


def _check_references(seeds: SeedSet) -> None:
    """Every foreign key points at a row the seeds also describe."""
    for table_name, rows in seeds.rows.items():
        table = table_of(table_name)
        for constraint in table.foreign_key_constraints:
            target = constraint.referred_table.name
            columns = [element.parent.name for element in constraint.elements]
            for pk, row in rows.items():
                value = tuple(row[c] for c in columns)
                if any(v is None for v in value):
                    continue
                if value not in seeds.rows[target]:
                    raise SeedError(
                        f"{seeds.origin[(table_name, pk)]}: field "
                        f"{columns[0]!r}: no {target} row {pk_text(value)}"
                    )


def _check_spans(seeds: SeedSet) -> None:
    """No span ends before it starts, and spans of one group do not overlap, judged on the
    earliest possible days ``[start_lower, end_lower)`` as the database judges them."""
    for table, span_group in SPAN_GROUPS.items():
        groups: dict[Key, list[tuple[Key, Row]]] = defaultdict(list)
        for pk, row in seeds.rows.get(table, {}).items():
            where = seeds.origin[(table, pk)]
            if row["end_lower"] is not None and (
                row["end_lower"] < row["start_lower"] or row["end_upper"] < row["start_upper"]
            ):
                raise SeedError(
                    f"{where}: field 'end': {row['end_edtf']} is before the start "
                    f"{row['start_edtf']}"
                )
            groups[tuple(row[c] for c in span_group)].append((pk, row))
        for spans in groups.values():
            spans.sort(key=lambda item: item[1]["start_lower"])
            for (_, earlier), (pk, later) in pairwise(spans):
                if earlier["end_lower"] is None or later["start_lower"] < earlier["end_lower"]:
                    raise SeedError(
                        f"{seeds.origin[(table, pk)]}: field 'start': overlaps "
                        f"{table} {earlier[fact_key_column_of(table)]!r}"
                    )


def _check_disputes(seeds: SeedSet) -> None:
    """A dispute's preferred reading is the value its subjects hold; exactly one preferred."""
    readings_by_dispute: dict[str, list[Row]] = defaultdict(list)
    for reading in seeds.rows["readings"].values():
        readings_by_dispute[reading["dispute_key"]].append(reading)
    for (dispute_key,), dispute in seeds.rows["disputes"].items():
        where = seeds.origin[("disputes", (dispute_key,))]
        readings = readings_by_dispute[dispute_key]
        preferred = [r for r in readings if r["preferred"]]
        if len(preferred) != 1:
            raise SeedError(
                f"{where}: field 'readings': exactly one must be preferred, found {len(preferred)}"
            )
        dispute["disagreement"] = readings_disagree(readings)
        for subject in (
            s for s in seeds.rows["dispute_subjects"].values() if s["dispute_key"] == dispute_key
        ):
            fact_table = seeds.rows["facts"][(subject["fact_key"],)]["table_name"]
            fact_row = seeds.rows[fact_table][(subject["fact_key"],)]
            _check_subject(fact_row, subject["field"], preferred[0], where)


def _check_lifetimes(seeds: SeedSet) -> None:
    """No membership's stored (preferred) dates fall outside its organization's lifetime;
    a lifetime's bounds are days. Other readings may: answers clip them to the lifetime."""
    for (code,), org in seeds.rows["organizations"].items():
        for name in ("membership_start", "membership_end"):
            if org[f"{name}_edtf"] is not None and org[f"{name}_precision"] != "day":
                raise SeedError(
                    f"{seeds.origin[('organizations', (code,))]}: field {name!r}: "
                    f"{org[f'{name}_edtf']} is not a day"
                )
    for pk, span in seeds.rows["membership_spans"].items():
        org = seeds.rows["organizations"][(span["organization_code"],)]
        begins, ends = org["membership_start_lower"], org["membership_end_lower"]
        where = seeds.origin[("membership_spans", pk)]
        if begins is not None and span["start_lower"] < begins:
            raise SeedError(
                f"{where}: field 'start': {span['start_edtf']} is before "
                f"{span['organization_code']} membership begins ({begins})"
            )
        if ends is not None and (span["end_upper"] is None or span["end_upper"] > ends):
            raise SeedError(
                f"{where}: field 'end': {span['end_edtf'] or 'open'} is after "
                f"{span['organization_code']} membership ends ({ends})"
            )


def _set_reach(seeds: SeedSet) -> None:
    """Write each span's reach: the outermost bounds over every reading of its dates."""
    from ..answers.asof import reach_of

    dates: dict[tuple[str, str], list[PartialDate]] = defaultdict(list)
    readings_by_dispute: dict[str, list[Row]] = defaultdict(list)
    for reading in seeds.rows["readings"].values():
        readings_by_dispute[reading["dispute_key"]].append(reading)
    for subject in seeds.rows["dispute_subjects"].values():
        for reading in readings_by_dispute[subject["dispute_key"]]:
            if reading["value_date_edtf"] is not None:
                dates[(subject["fact_key"], subject["field"])].append(
                    PartialDate.parse(reading["value_date_edtf"])
                )
    for table in PARTIAL_DATES:
        if "reach_start" not in table_of(table).columns:
            continue
        for row in seeds.rows.get(table, {}).values():
            start = PartialDate.parse(row["start_edtf"])
            end = PartialDate.parse(row["end_edtf"]) if row["end_edtf"] else None
            readings = [
                (name, value)
                for name in ("start", "end")
                for value in dates[(row[fact_key_column_of(table)], name)]
            ]
            row["reach_start"], row["reach_end"] = reach_of(start, end, readings)


def readings_disagree(readings: list[Row]) -> bool:
    """True when two readings cannot both be right: different texts, or date bounds that
    do not overlap. Readings that only differ in precision are a refinement."""
    texts = {r["value_text"] for r in readings if r["value_text"] is not None}
    if len(texts) > 1:
        return True
    if texts and any(r["value_text"] is None for r in readings):
        return True  # a date against a text ("not signed"): they cannot both be right
    dated = [r for r in readings if r["value_date_edtf"] is not None]
    return any(
        a["value_date_lower"] > b["value_date_upper"]
        or b["value_date_lower"] > a["value_date_upper"]
        for i, a in enumerate(dated)
        for b in dated[i + 1 :]
    )


def _check_subject(fact_row: Row, field_name: str, reading: Row, where: str) -> None:
    if f"{field_name}_edtf" in fact_row:
        held = fact_row[f"{field_name}_edtf"]
        wanted = reading["value_date_edtf"]
    elif field_name in fact_row:
        held, wanted = fact_row[field_name], reading["value_text"]
        if isinstance(held, int) and not isinstance(held, bool):
            held = str(held)  # a number (a strength) is read from value_text
    else:
        raise SeedError(f"{where}: subject field {field_name!r} does not exist")
    if held != wanted:
        raise SeedError(
            f"{where}: the preferred reading says {wanted!r} but the fact holds "
            f"{held!r} in field {field_name!r}"
        )
