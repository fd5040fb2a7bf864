"""The record as Popolo: organizations, persons, posts and memberships, with dates of reduced
precision as a Popolo consumer reads them, and the sources' quotes of each."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..store.dates import OPEN_UPPER, PartialDate
from ..store.models import MEMBER_STATUSES
from .record_metadata import _Evidence, horizons, record_metadata


def reduced_iso(lower: date, upper: date) -> str | None:
    """The most precise ISO 8601 date (day, month or year) that holds every day from ``lower``
    to ``upper``, as Popolo writes dates of reduced precision; None when not within one year."""
    if lower == upper:
        return lower.isoformat()
    if (lower.year, lower.month) == (upper.year, upper.month):
        return f"{lower.year:04d}-{lower.month:02d}"
    if lower.year == upper.year:
        return f"{lower.year:04d}"
    return None


def exact_iso(lower: date, upper: date) -> str | None:
    """The ISO 8601 date (day, month or year) whose days are exactly ``lower`` to ``upper``,
    or None when no calendar day, month or year is."""
    reduced = reduced_iso(lower, upper)
    if reduced is None:
        return None
    first, last = iso_bounds(reduced)
    return reduced if (first, last) == (lower, upper) else None


def iso_bounds(text: str) -> tuple[date, date]:
    """The first and last day of an ISO 8601 date of reduced precision (``1999``,
    ``1999-04``, ``1999-04-20``): how a Popolo consumer reads ``start_date`` and
    ``end_date``."""
    value = PartialDate.parse(text)
    return value.lower, value.upper


def popolo_start(lower: date, upper: date) -> str:
    """Popolo's ``start_date`` of a span starting on a day from ``lower`` to ``upper``: the
    calendar day, month or year that is exactly that range, else its earliest day."""
    return exact_iso(lower, upper) or lower.isoformat()


def popolo_end(lower: date, upper: date) -> str | None:
    """Popolo's ``end_date`` (the last day in the status) of a span whose first day out is
    from ``lower`` to ``upper``: the calendar day, month or year that is exactly the range
    of last days, else its latest day; None for an end known only to be on or after a day
    (the span may still hold)."""
    if upper == OPEN_UPPER:
        return None
    last_lower, last_upper = lower - timedelta(days=1), upper - timedelta(days=1)
    return exact_iso(last_lower, last_upper) or last_upper.isoformat()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _popolo_sources(
    quotes: list[dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    links = []
    for quote in quotes:
        source = sources[quote["source"]]
        address = source["address"] or ""
        url = address if address.startswith(("http://", "https://")) else None
        link = {
            "url": url or f"urn:csto-db:source:{source['key']}",
            "note": f"{source['title']}: “{quote['quote']}”",
        }
        links.append(link)
    return links


def _popolo_dates(row: dict[str, Any], name: str, *, is_end: bool) -> str | None:
    lower, upper = _day(row[f"{name}_lower"]), _day(row[f"{name}_upper"])
    if lower is None or upper is None:
        return None
    return popolo_end(lower, upper) if is_end else popolo_start(lower, upper)


#: What a Popolo consumer is told about what the export holds and how to read it.
POPOLO_NOTES = (
    "memberships holds the spans in which a state counts as a member of an organization: "
    "party (of the Treaty), member, and frozen (a member whose participation is frozen). "
    "A consumer that counts the memberships of an organization holding a day, start_date <= "
    "day <= end_date, gets the states `csto-db members` lists, certain or possible.",
    "start_date is the earliest day a span can have begun and end_date the latest day it "
    "can have lasted (the last day in the status: the database stores the first day out), "
    "each written as the calendar day, month or year it is exactly, else as that day; a "
    "membership's label gives its dates as the sources do (EDTF). A membership without "
    "end_date may still hold.",
    "other_statuses holds the spans that are not membership: suspended (a member whose "
    "membership is suspended), observer and associate. They are not memberships, so that "
    "no count of members includes them.",
    "persons, posts and the memberships with a person_id are the officers: who held each "
    "office (a post of an organization), with the dates and sources of each term.",
)


def popolo(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Popolo organizations, persons, posts and memberships: the treaty system, the
    Organization and its organs as organizations (with founding and dissolution dates and
    where each record ends), each state a member organization, each span in which a state
    counts as a member a membership with its sources' quotes, and each officer a person
    holding a post. Spans in other statuses (suspended, observer, associate) are kept out
    of ``memberships``, in ``other_statuses``, so that counting memberships counts members;
    ``notes`` says how to read the dates."""
    evidence = _Evidence(tables)
    sources = {row["key"]: row for row in tables["sources"]}
    reasoning = {h["organization"]: h for h in horizons(tables)}
    organizations = []
    for row in tables["organizations"]:
        organization: dict[str, Any] = {
            "id": row["code"],
            "name": row["name"],
            "classification": row["kind"],
        }
        if row["parent_code"]:
            organization["parent_id"] = row["parent_code"]
        founding = _popolo_dates(row, "membership_start", is_end=False)
        if founding:
            organization["founding_date"] = founding
        dissolution = _popolo_dates(row, "membership_end", is_end=True)
        if dissolution:
            organization["dissolution_date"] = dissolution
        if row["code"] in reasoning:
            horizon = reasoning[row["code"]]
            organization["description"] = (
                f"Its record ends on {horizon['horizon']}, {horizon['reasoning']}: who "
                "joined or left after it is not known."
            )
        if row["cow_ionum"] is not None:
            organization["identifiers"] = [
                {"scheme": "cow-igo", "identifier": str(row["cow_ionum"])}
            ]
        organization["sources"] = _popolo_sources(evidence.quotes.get(row["code"], []), sources)
        organizations.append(organization)
    for row in tables["states"]:
        codes = (
            ("iso3166-1-alpha3", row["iso3"]),
            ("iso3166-1-alpha2", row["iso2"]),
            ("iso3166-1-numeric", row["numeric"]),
            ("cow-state", row["cow_ccode"]),
        )
        # A state ISO never coded has a user-assigned X.. key and no ISO codes to give.
        identifiers = [
            {"scheme": scheme, "identifier": str(code)}
            for scheme, code in codes
            if code is not None and not (scheme.startswith("iso") and row["iso2"] is None)
        ]
        organizations.append(
            {
                "id": row["iso3"],
                "name": row["name"],
                "classification": "state",
                "identifiers": identifiers,
            }
        )
    names = {row["iso3"]: row["name"] for row in tables["states"]}
    memberships: list[dict[str, Any]] = []
    other_statuses: list[dict[str, Any]] = []
    for row in tables["membership_spans"]:
        membership = {
            "id": row["key"],
            "label": (
                f"{names[row['state_iso3']]}: {row['status']} of "
                f"{row['organization_code']}, [{row['start_edtf']}, "
                f"{row['end_edtf'] or '..'})"
            ),
            "role": row["status"],
            "member": {"@type": "Organization", "id": row["state_iso3"]},
            "organization_id": row["organization_code"],
        }
        _add_dates(membership, row)
        membership["sources"] = _popolo_sources(evidence.quotes.get(row["key"], []), sources)
        (memberships if row["status"] in MEMBER_STATUSES else other_statuses).append(membership)
    persons, posts, terms = _officers(tables, evidence, sources)
    # Popolo defines no document-level fields: the record's own description rides beside
    # its lists, as in the Data Package.
    return {
        **record_metadata(tables),
        "notes": list(POPOLO_NOTES),
        "organizations": organizations,
        "persons": persons,
        "posts": posts,
        "memberships": memberships + terms,
        "other_statuses": other_statuses,
    }


def _add_dates(item: dict[str, Any], row: dict[str, Any]) -> None:
    start = _popolo_dates(row, "start", is_end=False)
    end = _popolo_dates(row, "end", is_end=True)
    if start:
        item["start_date"] = start
    if end:
        item["end_date"] = end


#: How the posts of the offices are named.
OFFICE_LABELS = {
    "secretary_general": "Secretary General",
    "council_secretary_general": "Secretary General of the Collective Security Council",
}


def person_id(name: str) -> str:
    """A person's Popolo id: ``person:`` and the name in lower case, words joined by ``-``."""
    return "person:" + "-".join(
        "".join(c for c in word if c.isalnum()) for word in name.lower().split()
    )


def _officers(
    tables: dict[str, list[dict[str, Any]]],
    evidence: _Evidence,
    sources: dict[str, dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The officers as Popolo persons, the offices as posts, and each term as a person's
    membership of the post's organization."""
    names = {row["iso3"]: row["name"] for row in tables["states"]}
    persons: dict[str, dict[str, Any]] = {}
    posts: dict[str, dict[str, Any]] = {}
    terms = []
    for row in tables["office_terms"]:
        person = persons.setdefault(
            person_id(row["person"]), {"id": person_id(row["person"]), "name": row["person"]}
        )
        if row["nationality_iso3"]:
            person["national_identity"] = names[row["nationality_iso3"]]
        post_id = f"{row['organization_code']}:{row['office']}"
        label = OFFICE_LABELS.get(row["office"], row["office"])
        posts.setdefault(
            post_id,
            {
                "id": post_id,
                "label": f"{label}, {row['organization_code']}",
                "role": label,
                "organization_id": row["organization_code"],
            },
        )
        role = f"Acting {label}" if row["acting"] else label
        term: dict[str, Any] = {
            "id": row["key"],
            "label": (
                f"{row['person']}: {role} of {row['organization_code']}, "
                f"[{row['start_edtf']}, {row['end_edtf'] or '..'})"
            ),
            "role": role,
            "person_id": person["id"],
            "organization_id": row["organization_code"],
            "post_id": post_id,
        }
        _add_dates(term, row)
        term["sources"] = _popolo_sources(evidence.quotes.get(row["key"], []), sources)
        terms.append(term)
    return sorted(persons.values(), key=lambda p: p["id"]), list(posts.values()), terms
