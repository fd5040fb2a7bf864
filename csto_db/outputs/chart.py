"""A chart of membership over time: one row per state, one bar per span, drawn with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Row, select

from ..errors import Error
from ..store.models import Dispute, DisputeSubject, Document, MembershipSpan, Organization, State

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The statuses drawn; observers are not members and get no bar.
CHART_STATUSES = ("party", "member", "frozen", "suspended")
#: A state gets a row when it was ever in one of these statuses.
ROW_STATUSES = ("party", "member")
COLOURS = {"party": "#4878b0", "member": "#3a9a5b", "frozen": "#9ab7d3", "suspended": "#d9822b"}
ORGANIZATIONS = {"CST": ("CST",), "CSTO": ("CSTO",), "both": ("CST", "CSTO")}
#: The axis starts with the Treaty's signature year and ends on the horizon of the record
#: (the last day its sources cover), where open spans end too; without a horizon, here.
AXIS_START, AXIS_END = date(1992, 1, 1), date(2026, 12, 31)
FADE_STEPS = 16


class ChartError(Error):
    """A chart that cannot be drawn as asked."""


@dataclass
class ChartSpan:
    """One bar: a span's status and the bounds of its start and end (``None``: open)."""

    key: str
    organization: str
    status: str
    start_lower: date
    start_upper: date
    end_lower: date | None
    end_upper: date | None
    disputed: tuple[str, ...] = ()


@dataclass
class ChartRow:
    state: str
    name: str
    spans: list[ChartSpan] = field(default_factory=list)


@dataclass
class ChartData:
    organizations: tuple[str, ...]
    rows: list[ChartRow]
    #: Lines across the chart: (label, earliest day, latest day).
    markers: list[tuple[str, date, date]]
    #: The last day the record of the charted organizations covers (the latest of their
    #: horizons), or None when none is recorded: the axis ends there.
    horizon: date | None = None

    @property
    def axis_end(self) -> date:
        return self.horizon or AXIS_END


def _entry_into_force(
    connection: Connection, kind: str, organization: str
) -> Row[date | None, date | None] | None:
    return connection.execute(
        select(Document.in_force_lower, Document.in_force_upper)
        .where(
            Document.kind == kind,
            Document.organization_code == organization,
            Document.in_force_lower.is_not(None),
        )
        .order_by(Document.in_force_lower, Document.key)
    ).first()


def chart_data(connection: Connection, org: str = "both") -> ChartData:
    """What the chart shows: every state ever a party or member of the chosen organizations,
    in order of first entry, with its spans; a bound is disputed when sources contradict
    each other about it (a reading that is only less precise is no dispute)."""
    if org not in ORGANIZATIONS:
        raise ChartError(f"unknown organization {org!r}; choose CST, CSTO or both")
    organizations = ORGANIZATIONS[org]
    spans = connection.execute(
        select(MembershipSpan, State.name.label("state_name"))
        .join(State, State.iso3 == MembershipSpan.state_iso3)
        .where(
            MembershipSpan.organization_code.in_(organizations),
            MembershipSpan.status.in_(CHART_STATUSES),
        )
    ).all()
    in_rows = {span.state_iso3 for span in spans if span.status in ROW_STATUSES}
    disputed: dict[str, set[str]] = {}
    for fact_key, field_name in connection.execute(
        select(DisputeSubject.fact_key, DisputeSubject.field)
        .join(Dispute, Dispute.key == DisputeSubject.dispute_key)
        .where(Dispute.disagreement.is_(True), DisputeSubject.field.in_(("start", "end")))
    ):
        disputed.setdefault(fact_key, set()).add(field_name)
    rows: dict[str, ChartRow] = {}
    for span in sorted(spans, key=lambda s: (s.start_lower, s.organization_code, s.key)):
        if span.state_iso3 not in in_rows:
            continue
        row = rows.setdefault(span.state_iso3, ChartRow(span.state_iso3, span.state_name))
        row.spans.append(
            ChartSpan(
                span.key,
                span.organization_code,
                span.status,
                span.start_lower,
                span.start_upper,
                span.end_lower,
                span.end_upper,
                tuple(sorted(disputed.get(span.key, ()))),
            )
        )
    ordered = sorted(rows.values(), key=lambda r: (r.spans[0].start_lower, r.state))
    markers = []
    for label, kind, organization in (
        ("Treaty in force", "treaty", "CST"),
        ("Charter in force", "charter", "CSTO"),
    ):
        found = _entry_into_force(connection, kind, organization)
        if found is not None:
            # Filtered on a lower bound; a partial date's columns are set or empty together.
            assert found.in_force_lower is not None and found.in_force_upper is not None
            markers.append((label, found.in_force_lower, found.in_force_upper))
    horizons = [
        day
        for day in connection.execute(
            select(Organization.horizon_upper).where(
                Organization.code.in_(organizations), Organization.horizon_upper.is_not(None)
            )
        ).scalars()
        if day is not None
    ]
    return ChartData(organizations, ordered, markers, max(horizons) if horizons else None)


def draw(data: ChartData) -> Figure:
    """The matplotlib Figure of ``data``. Each span's bar has the span's key as its id (the
    ``id`` of its SVG group); a range of possible days fades in (start) or out (end) over
    the range; a disputed bound carries a mark. The axis ends on the record's horizon,
    drawn as a line: open spans end there, and nothing after it is shown."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError:
        raise ChartError("the chart needs matplotlib: pip install 'csto-db[chart]'") from None

    lanes = len(data.organizations)
    height = 0.7 / lanes
    figure = Figure(figsize=(11, 1.2 + 0.45 * max(len(data.rows), 1)), layout="constrained")
    axes = figure.add_subplot()
    # matplotlib.dates is not annotated; date2num gives a float for one date.
    date2num = cast("Callable[[date], float]", mdates.date2num)
    axis_end = date2num(data.axis_end)

    def x(day: date) -> float:
        return date2num(day)

    for index, row in enumerate(data.rows):
        for span in row.spans:
            lane = data.organizations.index(span.organization)
            bottom = index - 0.35 + lane * height
            solid_start = x(span.start_upper)
            solid_end = min(x(span.end_lower), axis_end) if span.end_lower else axis_end
            colour = COLOURS[span.status]
            axes.broken_barh(
                [(solid_start, max(solid_end - solid_start, 0))],
                (bottom, height * 0.92),
                facecolors=colour,
                gid=span.key,
            )
            if span.start_lower < span.start_upper:
                _fade(
                    axes,
                    x(span.start_lower),
                    solid_start,
                    bottom,
                    height * 0.92,
                    colour,
                    rising=True,
                    gid=f"{span.key}:start-range",
                )
            if span.end_lower and span.end_upper and span.end_lower < span.end_upper:
                _fade(
                    axes,
                    solid_end,
                    min(x(span.end_upper), axis_end),
                    bottom,
                    height * 0.92,
                    colour,
                    rising=False,
                    gid=f"{span.key}:end-range",
                )
            for bound in span.disputed:
                at = solid_start if bound == "start" else solid_end
                axes.plot(
                    [at],
                    [bottom + height * 0.46],
                    marker="D",
                    markersize=6,
                    color="#c0392b",
                    markeredgecolor="white",
                    linestyle="none",
                    gid=f"{span.key}:{bound}-disputed",
                    zorder=3,
                )
    for label, lower, upper in data.markers:
        axes.axvspan(
            x(lower), x(upper) + 1, color="#444444", alpha=0.8, lw=1, gid=f"marker:{label}"
        )
        axes.annotate(
            f"{label}\n{lower.isoformat()}",
            xy=(x(lower), 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=8,
            va="bottom",
        )
    if data.horizon is not None:
        axes.axvline(axis_end, color="#444444", linestyle="--", lw=1, gid="marker:horizon")
        axes.annotate(
            f"Record ends\n{data.horizon.isoformat()}",
            xy=(axis_end, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-3, 2),
            textcoords="offset points",
            fontsize=8,
            va="bottom",
            ha="right",
        )
    axes.set_yticks(range(len(data.rows)), [f"{row.name} ({row.state})" for row in data.rows])
    axes.set_ylim(len(data.rows) - 0.5, -0.5)
    axes.set_xlim(x(AXIS_START), axis_end)
    # matplotlib.dates' locators and formatters are not annotated.
    axes.xaxis.set_major_locator(mdates.YearLocator(2))  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))  # type: ignore[no-untyped-call]
    axes.grid(axis="x", color="#dddddd", lw=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    shown = {span.status for row in data.rows for span in row.spans}
    handles: list[Artist] = [
        Patch(color=COLOURS[status], label=status) for status in CHART_STATUSES if status in shown
    ]
    handles.append(
        Line2D(
            [], [], marker="D", color="#c0392b", linestyle="none", label="date disputed by sources"
        )
    )
    title = " and ".join(data.organizations)
    lane_note = " (upper half: CST, lower half: CSTO)" if lanes == 2 else ""
    axes.legend(
        handles=handles,
        loc="lower left",
        fontsize=8,
        frameon=False,
        ncol=len(handles),
        bbox_to_anchor=(0, -0.02 - 0.9 / len(data.rows or [1])),
    )
    edge = (
        f"The record ends on {data.horizon.isoformat()}: open spans run to that edge, and "
        "who joined or left after it is not known."
        if data.horizon is not None
        else "Open spans run to the edge."
    )
    axes.set_title(
        f"Membership in the {title}, {AXIS_START.year}–{data.axis_end.year}{lane_note}\n"
        f"Faded: a date known only within a range. {edge}",
        fontsize=9,
        loc="left",
        pad=24,
    )
    return figure


def _fade(
    axes: Axes,
    start: float,
    end: float,
    bottom: float,
    height: float,
    colour: str,
    *,
    rising: bool,
    gid: str,
) -> None:
    """A bar whose opacity ramps up (or down) over [start, end]: the days a date may be."""
    step = (end - start) / FADE_STEPS
    segments = [(start + i * step, step) for i in range(FADE_STEPS)]
    alphas = [(i + 0.5) / FADE_STEPS for i in range(FADE_STEPS)]
    if not rising:
        alphas.reverse()
    from matplotlib.colors import to_rgba

    axes.broken_barh(
        segments, (bottom, height), facecolors=[to_rgba(colour, alpha) for alpha in alphas], gid=gid
    )


def save_chart(connection: Connection, out: str | Path, org: str = "both") -> ChartData:
    """Draw the membership chart of ``org`` and write it to ``out`` (.svg or .png)."""
    out = Path(out)
    if out.suffix.lower() not in (".svg", ".png"):
        raise ChartError(f"{out}: the chart is written as .svg or .png")
    data = chart_data(connection, org)
    figure = draw(data)
    import matplotlib

    # Fixed ids and no timestamp, so the same database draws the same SVG.
    with matplotlib.rc_context({"svg.hashsalt": "csto-db", "svg.fonttype": "none"}):
        metadata = {"Date": None} if out.suffix.lower() == ".svg" else {"Software": None}
        try:
            figure.savefig(out, metadata=metadata, dpi=110)
        except OSError as error:
            raise ChartError(f"cannot write {out}: {error.strerror or error}") from None
    return data
