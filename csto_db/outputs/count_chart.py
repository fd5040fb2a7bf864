"""A chart of an organization's member count over time, with its uncertainty band: the
counts of :mod:`csto_db.answers.counts` drawn with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from sqlalchemy import Connection

from ..answers.counts import REFERENCE_DAY, MemberCount, counts_by_day, counts_by_year
from .chart import ChartError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The colours of the line (members counted), the band (not all certain) and the contested.
LINE, BAND, CONTESTED = "#3a9a5b", "#9fd3ae", "#e8c07d"


def count_series(
    connection: Connection,
    org: str,
    by: str = "year",
    start: date | None = None,
    end: date | None = None,
) -> list[MemberCount]:
    """The counts the chart draws: per year on the reference day, or at each change."""
    if by == "year":
        return counts_by_year(connection, org, start, end, month_day=REFERENCE_DAY)
    if by == "day":
        return counts_by_day(connection, org, start, end)
    raise ChartError(f"unknown series {by!r}; choose year or day")


def draw_counts(counts: list[MemberCount], by: str) -> Figure:
    """The matplotlib Figure of ``counts``: the members counted as a line (a step at each
    change with ``by="day"``), a band from the certain count up to it (the members that
    are possible or disputed), and above it, fainter, the contested states. Each series is
    an SVG group with an id: ``count:members``, ``count:uncertain``, ``count:contested``,
    and ``marker:horizon`` where the record ends inside the chart."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        from matplotlib.figure import Figure
    except ImportError:
        raise ChartError("the chart needs matplotlib: pip install 'csto-db[chart]'") from None
    if not counts:
        raise ChartError("no counts to draw in that period")
    date2num = cast("Callable[[date], float]", mdates.date2num)
    days = [date.fromisoformat(c.on) for c in counts]
    if by == "day":
        # Each count holds until the next; the last to the record's horizon (where the
        # default period ends) when it lies beyond.
        closing = counts[-1].until or counts[-1].horizon
        last = date.fromisoformat(closing) if closing else days[-1]
        days.append(max(last, days[-1]))
        counts = [*counts, counts[-1]]
    x = [date2num(day) for day in days]
    certain = [c.certain for c in counts]
    members = [c.members for c in counts]
    upper = [c.members + c.contested for c in counts]
    step: Literal["post"] | None = "post" if by == "day" else None
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.add_subplot()
    axes.fill_between(
        x,
        members,
        upper,
        step=step,
        color=CONTESTED,
        alpha=0.6,
        lw=0,
        gid="count:contested",
        label="contested (another reading puts them in; not counted)",
    )
    axes.fill_between(
        x,
        certain,
        members,
        step=step,
        color=BAND,
        lw=0,
        gid="count:uncertain",
        label="possible or disputed",
    )
    drawn = axes.step if by == "day" else axes.plot
    drawn(
        x,
        members,
        color=LINE,
        lw=1.8,
        gid="count:members",
        label="members counted",
        **({"where": "post"} if by == "day" else {"marker": "o", "markersize": 3}),
    )
    horizon = counts[0].horizon
    if horizon is not None and date.fromisoformat(horizon) <= days[-1]:
        axes.axvline(
            date2num(date.fromisoformat(horizon)),
            color="#444444",
            linestyle="--",
            lw=1,
            gid="marker:horizon",
            label=f"the record ends, {horizon}",
        )
    axes.set_ylim(0, max(upper) * 1.1 + 1)
    axes.xaxis_date()
    axes.grid(axis="both", color="#dddddd", lw=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_ylabel("members")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    organization = counts[0].organization
    when = (
        f"as of {date.fromisoformat(counts[0].on).strftime('%d %B').lstrip('0')} of each year"
        if by == "year"
        else "at each change"
    )
    axes.set_title(
        f"Members of {organization}, {days[0].year}–{days[-1].year}, {when}\n"
        "Band: members the record lists as possible or disputed; the line counts them.",
        fontsize=9,
        loc="left",
    )
    return figure


def save_count_chart(
    connection: Connection,
    org: str,
    out: str | Path,
    by: str = "year",
    start: date | None = None,
    end: date | None = None,
) -> list[MemberCount]:
    """Draw the member count of ``org`` and write it to ``out`` (.svg or .png); returns the
    counts drawn."""
    out = Path(out)
    if out.suffix.lower() not in (".svg", ".png"):
        raise ChartError(f"{out}: the chart is written as .svg or .png")
    counts = count_series(connection, org, by, start, end)
    figure = draw_counts(counts, by)
    import matplotlib

    # Fixed ids and no timestamp, so the same database draws the same SVG.
    with matplotlib.rc_context({"svg.hashsalt": "csto-db", "svg.fonttype": "none"}):
        metadata = {"Date": None} if out.suffix.lower() == ".svg" else {"Software": None}
        try:
            figure.savefig(out, metadata=metadata, dpi=110)
        except OSError as error:
            raise ChartError(f"cannot write {out}: {error.strerror or error}") from None
    return counts
