"""The questions over a period: `changes` (entries, exits, suspensions, freezes and returns)
and `count` (members per year or at each change), printing what
:mod:`csto_db.answers.changes` and :mod:`csto_db.answers.counts` return."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from ..outputs.render import paragraph
from ..outputs.render import sources_of as _sources
from .group import _parse_day, emit, json_option, main, reading, reports_errors

_ORG_HELP = "Organization code: CST, CSTO, or any other the database holds (any case)."


def _parse_month_day(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    month, _, day = value.partition("-")
    if not (month.isdigit() and day.isdigit() and len(month) == 2 and len(day) == 2):
        raise click.BadParameter(f"{value!r}: give a month and day, MM-DD (07-01, 12-31)")
    return int(month), int(day)


def _change_row(change: dict[str, Any]) -> dict[str, Any]:
    certainty = "contested" if change["contested"] else change["certainty"]
    return {
        **change,
        "certainty": certainty,
        "before": change["before"] or "-",
        "after": change["after"] or "-",
        "sources": _sources(change["citations"]),
    }


def _disputed_line(change: dict[str, Any]) -> str:
    said = "; ".join(
        f"{r['field']} {r['value']} by "
        f"{', '.join(sorted({c['source'] for c in r['citations']})) or 'no source'} "
        f"(dispute {r['dispute']})"
        for r in change.get("readings", [])
        if not r["preferred"]
    )
    state = f"{change['state']} {change['kind']} {change['day']}"
    if change["contested"]:
        return f"contested: {state}, another reading puts it in the period: {said}"
    return f"disputed: {state}: {said}"


@main.command()
@click.option("--org", required=True, metavar="CODE", help=_ORG_HELP)
@click.option(
    "--from",
    "start",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The period's first day.",
)
@click.option(
    "--to",
    "end",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The period's last day (included).",
)
@click.option(
    "--contested",
    "with_contested",
    is_flag=True,
    help="Also list changes only a reading the record does not prefer puts in the period "
    "(marked `contested`).",
)
@json_option
@click.pass_context
@reports_errors
def changes(
    ctx: click.Context, org: str, start: date, end: date, with_contested: bool, as_json: bool
) -> None:
    """Every entry, exit, suspension, freeze and return in a period, with certainty and sources.

    Each change has its day as precise as the sources (`earliest` and `latest` in JSON),
    the state's status before and after (`-`: outside), and how sure the record is of it;
    a disputed change names the readings that dispute it under the table. Past the
    record's horizon no change is known, and a line says so.
    """
    from ..answers.asof import horizon_of, organization_code
    from ..answers.changes import CHANGES_UNKNOWN, lifetime_note
    from ..answers.changes import changes as changes_in

    with reading(ctx) as connection:
        org = organization_code(connection, org)
        found = [c.to_dict() for c in changes_in(connection, org, start, end, contested=True)]
        horizon = horizon_of(connection, org)
        outside = lifetime_note(connection, org, start, end)
    shown = [c for c in found if with_contested or not c["contested"]]
    emit(
        shown,
        as_json,
        ["day", "state", "kind", "before", "after", "certainty", "spans", "sources"],
        _change_row,
    )
    if as_json:
        return
    beyond = horizon.beyond(end, CHANGES_UNKNOWN) if horizon else None
    lines = [outside, beyond, *(_disputed_line(c) for c in shown if c.get("readings"))]
    left_out = [c for c in found if c["contested"] and not with_contested]
    if left_out:
        named = ", ".join(f"{c['state']} {c['kind']} {c['day']}" for c in left_out)
        lines.append(
            f"contested, not listed: {named}: only a reading the record does not prefer "
            "puts it in the period; --contested lists it"
        )
    for line in lines:
        if line:
            click.echo(paragraph(line))


@main.command()
@click.option("--org", required=True, metavar="CODE", help=_ORG_HELP)
@click.option(
    "--by",
    type=click.Choice(["year", "day"]),
    default="year",
    show_default=True,
    help="year: as of a reference day of each year; day: at each change of the count.",
)
@click.option(
    "--from",
    "start",
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The first day (default: the organization's first member).",
)
@click.option(
    "--to",
    "end",
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The last day (default: the last day its record covers).",
)
@click.option(
    "--as-of",
    "month_day",
    metavar="MM-DD",
    callback=_parse_month_day,
    help="With --by year, the reference day of each year (default 07-01, 1 July).",
)
@json_option
@click.pass_context
@reports_errors
def count(
    ctx: click.Context,
    org: str,
    by: str,
    start: date | None,
    end: date | None,
    month_day: tuple[int, int] | None,
    as_json: bool,
) -> None:
    """How many members an organization had: per year, or at each change, by certainty.

    A year's count is taken on 1 July (`--as-of` names another day): `members` on that
    day, split into certain, possible and disputed; contested states (only a reading the
    record does not prefer puts them in) and states a dataset codes as missing (-9,
    unknown) are shown apart and not counted. `--by day` gives a count from each day
    the answer changes, to the day before the next.
    """
    from ..answers.counts import REFERENCE_DAY, counts_by_day, counts_by_year

    if month_day is not None and by != "year":
        raise click.BadParameter("--as-of goes with --by year", param_hint="--as-of")
    with reading(ctx) as connection:
        if by == "year":
            found = counts_by_year(
                connection, org, start, end, month_day=month_day or REFERENCE_DAY
            )
        else:
            found = counts_by_day(connection, org, start, end)
    rows = [c.to_dict() for c in found]
    first = ["year", "on"] if by == "year" else ["on", "until"]
    emit(
        rows,
        as_json,
        [*first, "members", "certain", "possible", "disputed", "contested", "unknown", "uncertain"],
        lambda c: {
            **c,
            "uncertain": " ".join(
                c["possible_states"] + c["disputed_states"] + c["contested_states"]
            ),
        },
    )
    if as_json:
        return
    notes = {c["outside_lifetime"] for c in rows if c["outside_lifetime"]}
    notes |= {c["past_horizon"] for c in rows if c["past_horizon"]}
    notes |= {c["no_rows"] for c in rows if c.get("no_rows")}
    for line in sorted(notes):
        click.echo(paragraph(line))
