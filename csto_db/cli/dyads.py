"""The commands about pairs of states: ``shared`` (what two states share on a day or in a
year) and ``dyads`` (COW's dyadic layout, long or wide, streamed as CSV or JSON lines)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import IO, Any

import click

from ..outputs.render import paragraph
from ..outputs.render import sources_of as _sources
from .group import UserError, _parse_day, emit, json_option, main, reading, reports_errors


@main.command()
@click.argument("first", metavar="STATE")
@click.argument("second", metavar="STATE")
@click.option("--on", "on", metavar="YYYY-MM-DD", callback=_parse_day, help="The day to ask about.")
@click.option(
    "--year",
    type=int,
    metavar="YYYY",
    help="The year to ask about, as COW codes it: both full members at some point that year.",
)
@json_option
@click.pass_context
@reports_errors
def shared(
    ctx: click.Context,
    first: str,
    second: str,
    on: date | None,
    year: int | None,
    as_json: bool,
) -> None:
    """The organizations two states are both members of on a day, or in a year.

    STATE is an ISO alpha-3 code (any case) or a COW state code. With --on, each
    organization has the weaker of the two states' certainties; with --year, COW's rule:
    joint full membership that year (associates and observers do not count). Organizations
    a dataset codes as missing data (-9) for either state then are listed apart, as
    unknown.
    """
    from ..answers.dyads import shared_in_year, shared_on

    if (on is None) == (year is None):
        raise UserError("give --on YYYY-MM-DD or --year YYYY (one of them)")
    with reading(ctx) as connection:
        if on is not None:
            answer = shared_on(connection, first, second, on)
        else:
            assert year is not None
            answer = shared_in_year(connection, first, second, year)
    data = answer.to_dict()
    if as_json:
        emit(data, True)
        return
    one, other = answer.states
    if on is not None:
        emit(
            data["shared"],
            False,
            ["organization", "name", "certainty", one, other, "sources"],
            lambda row: {
                **row,
                one: _state_cell(row["memberships"][0]),
                other: _state_cell(row["memberships"][1]),
                "sources": _sources(
                    row["memberships"][0]["citations"] + row["memberships"][1]["citations"]
                ),
            },
        )
    else:
        emit(
            data["shared"],
            False,
            ["organization", "name", f"{one} spans", f"{other} spans"],
            lambda row: {
                **row,
                f"{one} spans": ", ".join(row["spans"][0]),
                f"{other} spans": ", ".join(row["spans"][1]),
            },
        )
    beyond = sorted({row["past_horizon"] for row in data["shared"] if row["past_horizon"]})
    for line in beyond:
        click.echo(paragraph(line))
    when = f"on {data['on']}" if on is not None else f"in {data['year']}"
    click.echo(f"{len(data['shared'])} organizations shared by {one} and {other} {when}")
    if data["unknown"]:
        named = ", ".join(
            f"{row['organization']} ({', '.join(row['missing'])})" for row in data["unknown"]
        )
        sources = ", ".join(sorted({s for row in data["unknown"] for s in row["sources"]}))
        click.echo(
            paragraph(
                f"unknown, no data (-9) in {sources} for {one} or {other} in "
                f"{(on.year if on else year)}: {len(data['unknown'])} organizations: {named}"
            )
        )


def _state_cell(membership: dict[str, Any]) -> str:
    until = f"–{membership['until']}" if membership["until"] else "–"
    return f"{membership['status']} {membership['certainty']} {membership['since']}{until}"


@main.command()
@click.option("--year", type=int, metavar="YYYY", help="One year.")
@click.option("--from", "first", type=int, metavar="YYYY", help="The first year of a range.")
@click.option("--to", "last", type=int, metavar="YYYY", help="The last year of a range.")
@click.option(
    "--wide",
    is_flag=True,
    help="COW's wide layout: one column per organization, coded 1, 0, -9 or -1.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@json_option
@click.pass_context
@reports_errors
def dyads(
    ctx: click.Context,
    year: int | None,
    first: int | None,
    last: int | None,
    wide: bool,
    out: Path | None,
    as_json: bool,
) -> None:
    """Every dyad-year, as COW's dyadic layout (IGO v3.0c), written as it is computed.

    One row per pair of states both in COW's state system that year (ccode1 < ccode2):
    `joint` counts the organizations both are full members of (COW's 1s), `missing` those
    with no data (-9) for either state, never counted as joint. CSV by default, --json
    for one JSON object per line; --wide for one column per organization instead of the
    counts.
    """
    from ..datasets.cow_dyads import LONG_COLUMNS, dyad_table

    if year is not None and (first is not None or last is not None):
        raise UserError("give --year YYYY or --from YYYY --to YYYY, not both")
    if year is not None:
        first = last = year
    if first is None or last is None:
        raise UserError("give --year YYYY, or --from YYYY and --to YYYY")
    with reading(ctx) as connection:
        table = dyad_table(connection, first, last)
    stream: IO[str]
    if out is not None:
        try:
            stream = out.open("w", encoding="utf-8", newline="")
        except OSError as error:
            raise UserError(f"cannot write {out}: {error.strerror or error}") from None
    else:
        stream = sys.stdout
    try:
        if wide:
            header = ["dyadid", "ccode1", "ccode2", "year", *table.columns]
            rows: Any = (
                [dyadid, ccode1, ccode2, row_year, *codes]
                for dyadid, ccode1, ccode2, row_year, codes in table.wide_rows()
            )
        else:
            header = list(LONG_COLUMNS)
            rows = table.long_rows()
        if as_json:
            for row in rows:
                stream.write(json.dumps(dict(zip(header, row, strict=True))) + "\n")
        else:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    finally:
        if out is not None:
            stream.close()
