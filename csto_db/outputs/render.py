"""Text for a person: tables and paragraphs fitted to the terminal, wrapped and never cut."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

#: The width used when output goes to a file or pipe and $COLUMNS is not set.
DEFAULT_WIDTH = 100
#: Narrower than this, wrapping stops helping: tables keep this width and lines run long.
MINIMUM_WIDTH = 40
#: A column of prose is squeezed no narrower than its header and its longest word up to
#: one of these many characters (tried in turn); a column of single words (keys, codes,
#: dates) is never squeezed, so a key can be copied whole. A table that cannot fit even so
#: is printed as records.
LONGEST_UNBROKEN_WORDS = (30, 16)
#: The space between columns: two, or one where two would not let the table fit.
GAPS = ("  ", " ")


def terminal_width() -> int:
    """The width to fit: ``$COLUMNS``, else the terminal's, else :data:`DEFAULT_WIDTH`."""
    return max(MINIMUM_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def cell_text(value: Any) -> str:
    """A value as one table cell: empty for None, yes/no for booleans, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(cell_text(v) for v in value)
    return " ".join(str(value).split())


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words; a word
    longer than a line (an address, a key) is split across lines, never dropped."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _fit(natural: list[int], floors: list[int], room: int) -> list[int] | None:
    """Column widths summing to at most ``room``, the widest columns giving way first and
    none below its floor; None when the floors alone take more than ``room``."""
    if sum(floors) > room:
        return None
    widths = list(natural)
    while sum(widths) > room:
        widest = max((i for i, w in enumerate(widths) if w > floors[i]), key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _floor(header: str, texts: list[str], natural: int, longest_unbroken: int) -> int:
    if all(" " not in text for text in texts):
        return natural
    longest = max((len(word) for text in texts for word in text.split()), default=0)
    return min(natural, max(len(header), min(longest_unbroken, longest)))


def format_table(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    width: int | None = None,
    empty: str | None = "(none)",
) -> str:
    """Rows as a table of ``columns`` fitted to ``width`` (the terminal's by default):
    a header, a rule, then each row, its long cells wrapped onto more lines. With no rows,
    ``empty`` alone, or under the header when ``empty`` is None."""
    rows = list(rows)
    if not rows and empty is not None:
        return empty
    width = width or terminal_width()
    cells = [[cell_text(row.get(column)) for column in columns] for row in rows]
    natural = [
        max([len(column), *(len(line[i]) for line in cells)]) for i, column in enumerate(columns)
    ]
    widths = None
    for longest, gap in ((longest, gap) for longest in LONGEST_UNBROKEN_WORDS for gap in GAPS):
        floors = [
            _floor(column, [line[i] for line in cells], natural[i], longest)
            for i, column in enumerate(columns)
        ]
        widths = _fit(natural, floors, width - len(gap) * (len(columns) - 1))
        if widths is not None:
            break
    if widths is None:
        return format_records(cells, columns, width)
    lines = [_join(list(columns), widths, gap), gap.join("-" * w for w in widths)]
    for line in cells:
        wrapped = [wrap(text, w) for text, w in zip(line, widths, strict=True)]
        for parts in zip_longest(*wrapped, fillvalue=""):
            lines.append(_join(list(parts), widths, gap))
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines)


def format_records(cells: list[list[str]], columns: Sequence[str], width: int) -> str:
    """Rows too wide for a table, as records: one ``column  value`` line each (values
    wrapped under themselves), a blank line between rows."""
    label = max(len(column) for column in columns) + len(GAPS[0])
    blocks = []
    for line in cells:
        block = []
        for column, text in zip(columns, line, strict=True):
            if text:
                block.append(
                    paragraph(text, indent=column.ljust(label), hanging=" " * label, width=width)
                )
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def _join(parts: list[str], widths: list[int], gap: str) -> str:
    return gap.join(part.ljust(w) for part, w in zip(parts, widths, strict=True)).rstrip()


def paragraph(
    text: str, indent: str = "", hanging: str | None = None, width: int | None = None
) -> str:
    """``text`` wrapped to ``width``: the first line after ``indent``, the rest after
    ``hanging`` (``indent`` plus two spaces by default)."""
    width = width or terminal_width()
    hanging = indent + "  " if hanging is None else hanging
    return (
        textwrap.fill(
            " ".join(text.split()),
            width,
            initial_indent=indent,
            subsequent_indent=hanging,
            break_on_hyphens=False,
        )
        or indent.rstrip()
    )


def sources_of(citations: list[dict[str, Any]]) -> str:
    """The keys of the sources behind a fact, in order, once each."""
    return ", ".join(sorted({c["source"] for c in citations}))


def chair_verdict(answer: dict[str, Any]) -> str:
    """One line answering "who chaired ``organization`` on ``on``" from a
    :func:`csto_db.answers.record.chair_answer` object."""
    org, on = answer["organization"], answer["on"]
    if answer["state"]:
        return (
            f"On {on} {answer['state']} held the chair of {org} "
            f"({answer['certainty']}; fact {answer['key']})."
        )
    candidates = answer["candidates"]
    if not candidates:
        return f"No source in the record names a chair of {org} on {on}."
    states = " or ".join(c["state"] for c in candidates)
    why = (
        "the sources disagree"
        if answer["certainty"] == "disputed"
        else ("the dates are known only roughly")
    )
    return f"On {on} the chair of {org} was {states}: {why} about the handover (see below)."


def parties_cell(parties: list[dict[str, Any]]) -> str:
    """A document's parties as a count, or "not recorded" when the record lists none
    (which does not mean that nobody signed)."""
    return str(len(parties)) if parties else "not recorded"
