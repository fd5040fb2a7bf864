"""The record's changelog, generated: for each release, the facts, quotes, sources and disputes
it added, changed (field by field) and removed since the release before, with their sources.

Run ``python -m csto_db.release.record_changelog`` in a checkout to rewrite
``docs/record-changelog.md`` from the stored records of past releases and the current seeds;
a test fails when the file differs from what they say.
"""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

from .. import __version__
from .diff import STATUSES, Change, RecordDiff, diff_snapshots
from .snapshots import Snapshot
from .versions import RELEASES, Release

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = "docs/record-changelog.md"
COMMAND = "python -m csto_db.release.record_changelog"

#: The database each past release built, kept in the repository (relative to its root).
STORED_RECORDS = {"0.1.0": "tests/data/csto-0.1.0.db"}

HEADER = f"""# Changes to the record

What each release of the record added, changed and removed, by key, with the sources of
each. Generated from the seeds by `{COMMAND}`; do not edit it by hand.
[CHANGELOG.md](../CHANGELOG.md) lists the changes to the package, and `csto-db diff OLD NEW`
compares any two builds in the same way (see [Releases](releases.md)).

A *fact* is a row of a fact table (a membership span, a document, a party to it, a session,
an event, a reading of a dispute, ...), with the quotes that support it: a changed fact
lists each field with its old and new value (a date as its EDTF text; `citations`, the
quotes it rests on). *Citations* are the quotes, each a source's words; *sources* are the
works quoted; *disputes* are the questions the sources answer differently, with the facts
they are about. *Rows* counts every row of every table, the links between facts and quotes
included. The sources named for a change are those of the build that holds it, the newer
for a change."""


def _escaped(text: str) -> str:
    for mark in ("\\", "`", "*", "_", "[", "]", "<", ">", "|"):
        text = text.replace(mark, "\\" + mark)
    return text


def _value(value: Any) -> str:
    if value is None or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return ", ".join(f"`{item}`" for item in value)
    text = " ".join(str(value).split())
    if " " in text:
        return f"“{_escaped(text)}”"
    return f"`{text}`"


def _item(change: Change, kind: str) -> list[str]:
    where = "" if change.table == kind else f" ({change.table})"
    sources = f"; sources: {', '.join(change.sources)}" if change.sources else ""
    lines = [f"- `{change.key}`{where}{sources}"]
    for field in change.fields:
        lines.append(f"  - `{field.field}`: {_value(field.old)} → {_value(field.new)}")
    return lines


def release_section(release: Release, previous: Release, diff: RecordDiff) -> str:
    """One release: a table of counts, then every change, removed first."""
    lines = [
        f"## {release.version} ({release.released.isoformat()}), since {previous.version}",
        "",
        "| | added | changed | removed |",
        "|---|---:|---:|---:|",
    ]
    for kind, counts in diff.counts().items():
        lines.append(f"| {kind} | {counts['added']} | {counts['changed']} | {counts['removed']} |")
    for kind in diff.changes:
        for status in ("removed", "changed", "added"):
            changes = diff.of(kind, status)
            if not changes:
                continue
            lines += ["", f"### {kind.capitalize().replace('_', ' ')} {status}", ""]
            for change in changes:
                lines += _item(change, kind)
    return "\n".join(lines)


def render(current: Snapshot, stored: dict[str, Snapshot]) -> str:
    """The whole changelog, newest release first: each release against the one before,
    the newest (this package's) being the ``current`` build of the seeds."""
    sections = []
    for previous, release in reversed(list(pairwise(RELEASES))):
        new = current if release.version == __version__ else stored[release.version]
        sections.append(
            release_section(release, previous, diff_snapshots(stored[previous.version], new))
        )
    return "\n\n".join([HEADER, *sections]) + "\n"


def stored_snapshots(root: Path = ROOT) -> dict[str, Snapshot]:
    """The record of each past release, read from the database kept for it."""
    from .snapshots import snapshot_of_url

    return {
        version: snapshot_of_url(f"sqlite:///{root / path}", f"release {version}")
        for version, path in STORED_RECORDS.items()
    }


def counts_in(text: str, version: str) -> dict[str, dict[str, int]]:
    """The table of counts the changelog gives for ``version``, read back from its text."""
    heading = f"## {version} ("
    start = text.index(heading)
    counts: dict[str, dict[str, int]] = {}
    for line in text[start:].splitlines()[4:]:
        if not line.startswith("| "):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        counts[cells[0]] = dict(zip(STATUSES, (int(cell) for cell in cells[1:]), strict=True))
    return counts


def main(root: str | None = None) -> int:
    from .snapshots import snapshot_of_seeds

    base = Path(root) if root else ROOT
    text = render(snapshot_of_seeds(label="the current seeds"), stored_snapshots(base))
    (base / DOCUMENT).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
