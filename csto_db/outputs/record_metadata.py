"""What every export says beside the rows: the record's title, description, version, licences
and citation, where each organization's record ends, and the quotes and readings behind each
fact, indexed once from the dump."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .. import __version__
from ..release import versions as release

TITLE = release.TITLE
DESCRIPTION = (
    "A cited relational database of the Collective Security Treaty (1992) and the "
    "Collective Security Treaty Organization (2002–): member states over time, legal "
    "documents and their parties, sessions, chairs, officials, forces and operations. "
    "Every fact carries the verbatim sentence of its source; dates are as precise as the "
    "sources, as EDTF text beside their earliest and latest possible day; where sources "
    "disagree every reading is kept and one is preferred, with the reason."
)
#: The licence of the compilation (the project's). The quotes stay their sources' words.
LICENSE = {"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}
LICENSE_NOTE = (
    "The compilation is under the MIT License; each quote remains the work of "
    "the source it is cited from."
)


def record_version(tables: dict[str, list[dict[str, Any]]]) -> str:
    """The release of the record the database holds, as its build record names it (this
    package's when it names none)."""
    builds = tables.get("build_record") or [{}]
    return str(builds[0].get("record_version") or __version__)


def _described_sources(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    sources = []
    for row in tables["sources"]:
        source = {"title": row["title"]}
        if (row["address"] or "").startswith(("http://", "https://")):
            source["path"] = row["address"]
        sources.append(source)
    return sources


def record_metadata(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The Data Package's own description of the record, which the JSON and Popolo exports
    carry too: title, version, the day that version was released (``created``), licences,
    how to cite it and its sources."""
    version = record_version(tables)
    metadata: dict[str, Any] = {"title": TITLE, "version": version}
    made = release.release_of(version)
    if made is not None:
        metadata["created"] = f"{made.released.isoformat()}T00:00:00Z"
    metadata["licenses"] = [LICENSE]
    metadata["citation"] = {"record": release.citation(version), "sources": release.CITING_SOURCES}
    metadata["sources"] = _described_sources(tables)
    return metadata


# --- The horizon ---------------------------------------------------------------------------


def horizons(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each organization whose record has a horizon: its code, the last day its record
    covers, and why it ends there."""
    return [
        {
            "organization": row["code"],
            "horizon": row["horizon_upper"],
            "reasoning": row["horizon_reasoning"],
        }
        for row in tables["organizations"]
        if row.get("horizon_upper")
    ]


def horizon_text(tables: dict[str, list[dict[str, Any]]]) -> str:
    """What the exports say of the record's horizons, in a sentence or two: where the
    curated record ends, and where the organizations a dataset import wrote end."""
    imported = {row["key"] for row in tables["facts"] if row["dataset_key"]}
    found = horizons(tables)
    curated = [h for h in found if h["organization"] not in imported]
    sentences = []
    by_day: dict[tuple[str, str], list[str]] = defaultdict(list)
    for horizon in curated:
        by_day[(horizon["horizon"], horizon["reasoning"])].append(horizon["organization"])
    for (day, reasoning), codes in sorted(by_day.items()):
        sentences.append(
            f"The record of {' and '.join(codes)} ends on {day}, {reasoning}: past that day "
            "no membership, chair or office is certain, and who joined or left after it is "
            "not known."
        )
    others = [h for h in found if h["organization"] in imported]
    if others:
        latest = max(h["horizon"] for h in others)
        sentences.append(
            f"The {len(others)} organizations a dataset import wrote end with the last year "
            f"the dataset codes each (at the latest {latest}); past it nothing is certain."
        )
    return " ".join(sentences)


# --- The evidence behind each fact ---------------------------------------------------------


class _Evidence:
    """The citations and readings behind each fact, indexed once from the dump."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        citations = {row["key"]: row for row in tables["citations"]}
        self.quotes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for link in tables["fact_citations"]:
            citation = citations[link["citation_key"]]
            self.quotes[link["fact_key"]].append(_quote(citation))
        for quotes in self.quotes.values():
            quotes.sort(
                key=lambda q: (
                    q["source"],
                    q.get("char_start") is None,
                    q.get("char_start") or 0,
                    q["citation"],
                )
            )
        readings_by_dispute = defaultdict(list)
        for reading in tables["readings"]:
            readings_by_dispute[reading["dispute_key"]].append(reading)
        self.readings: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for subject in tables["dispute_subjects"]:
            for reading in readings_by_dispute[subject["dispute_key"]]:
                self.readings[subject["fact_key"]].append(
                    {
                        "field": subject["field"],
                        "dispute": subject["dispute_key"],
                        "reading": reading["key"],
                        "value": reading["value_date_edtf"] or reading["value_text"],
                        "preferred": bool(reading["preferred"]),
                        "citations": self.quotes.get(reading["key"], []),
                    }
                )

    def attach(self, row: dict[str, Any], key: str) -> dict[str, Any]:
        data = dict(row)
        data["citations"] = self.quotes.get(key, [])
        if self.readings.get(key):
            data["readings"] = self.readings[key]
        return data


def _quote(citation: dict[str, Any]) -> dict[str, Any]:
    quote = {
        "citation": citation["key"],
        "source": citation["source_key"],
        "quote": citation["quote"],
    }
    if citation["translation"]:
        quote["translation"] = citation["translation"]
    if citation["char_start"] is not None:
        quote["char_start"], quote["char_end"] = citation["char_start"], citation["char_end"]
    return quote
