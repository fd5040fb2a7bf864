"""The commands that write the record out: ``export``, ``serve`` (the web view) and ``chart``
(membership spans, and the member count over time)."""

from __future__ import annotations

from datetime import date

import click

from ..store.db import display_url
from .group import _parse_day, emit, json_option, main, reading, reports_errors


@main.command()
@click.option(
    "--format",
    "export_format",
    required=True,
    type=click.Choice(["csv", "json", "popolo", "datapackage", "cow-year"]),
    help="csv: one file per table; json: the record nested; popolo: organizations "
    "and memberships; datapackage: the CSV files with datapackage.json; cow-year: COW "
    "IGO v3's organization-year layout, one file.",
)
@click.option(
    "--out",
    metavar="DIR|FILE",
    type=click.Path(),
    help="The folder to write into (created if missing); for cow-year a file (standard "
    "output without it).",
)
@click.option(
    "--org",
    "orgs",
    multiple=True,
    metavar="ORG",
    help="cow-year: an organization to write (repeatable); by default every one the COW "
    "import wrote, and the CST and the CSTO.",
)
@click.option("--force", is_flag=True, help="Overwrite files of the export already in the folder.")
@json_option
@click.pass_context
@reports_errors
def export(
    ctx: click.Context,
    export_format: str,
    out: str | None,
    orgs: tuple[str, ...],
    force: bool,
    as_json: bool,
) -> None:
    """Write the whole record in an open format into a folder; prints each file's size.

    Files already in the folder that the export would replace are named and left alone,
    and nothing is written, unless --force is given. --format cow-year writes COW IGO v3's
    organization-year layout (docs/cow.md says how each cell is coded) to one file, or to
    standard output.
    """
    from pathlib import Path

    from ..outputs.export import ExportError, export_cow_year
    from ..outputs.export import export as export_record

    if export_format == "cow-year":
        if as_json and out is None:
            raise ExportError("--json reports the file written: pass --out FILE with it")
        with reading(ctx) as connection:
            text, rows = export_cow_year(
                connection, Path(out) if out else None, orgs=orgs, overwrite=force
            )
        if out is None:
            click.echo(text, nl=False)
        else:
            emit([{"rows": rows, "file": out}], as_json, ["rows", "file"])
        return
    if orgs:
        raise ExportError("--org is for --format cow-year; the other formats write the record")
    if out is None:
        raise ExportError(f"--format {export_format} writes into a folder: pass --out DIR")
    with reading(ctx) as connection:
        sizes = export_record(connection, export_format, Path(out), overwrite=force)
    files = [{"bytes": size, "file": str(Path(out) / name)} for name, size in sizes.items()]
    emit(files, as_json, ["bytes", "file"])


@main.command()
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="The port to listen on.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (0.0.0.0 for every interface).",
)
@click.pass_context
@reports_errors
def serve(ctx: click.Context, port: int, host: str) -> None:
    """Browse, search and query the SQLite database in Datasette, read-only (needs csto-db[web]).

    The home page asks the record's questions (members on a day, a state's timeline, a
    document and its parties, the evidence behind a fact, the disputes; the chair and the
    officials on a day) and answers each as the command of the same name does, every key a
    link to its evidence. Search covers the quotes, translations, document titles, events
    and dispute reasons. The tables and SQL are Datasette's own.
    """
    from ..outputs.web import serve as serve_web
    from ..outputs.web import sqlite_path

    sqlite_path(ctx.obj)
    with reading(ctx):
        pass  # refuses a database that is not built at the newest schema
    serve_web(
        ctx.obj,
        host=host,
        port=port,
        on_ready=lambda: click.echo(
            f"serving {display_url(ctx.obj)} read-only on http://{host}:{port}/ (Ctrl-C stops)"
        ),
    )


@main.group()
def chart() -> None:
    """Charts of the record, drawn with matplotlib (needs csto-db[chart])."""


@chart.command("members")
@click.option(
    "--org",
    default="both",
    show_default=True,
    type=click.Choice(["CST", "CSTO", "both"], case_sensitive=False),
    metavar="[CST|CSTO|both]",
    help="The Treaty's parties, the Organization's members, or both.",
)
@click.option(
    "--out",
    default="members.svg",
    show_default=True,
    metavar="FILE",
    help="Where to write the chart: a .svg or .png file.",
)
@json_option
@click.pass_context
@reports_errors
def chart_members(ctx: click.Context, org: str, out: str, as_json: bool) -> None:
    """Membership over time: one row per state, a bar per span coloured by status.

    A date known only within a range fades in or out over it; a date the sources dispute
    is marked; the Treaty's and the Charter's entry into force are drawn across.
    """
    from ..outputs.chart import save_chart

    org = "both" if org.lower() == "both" else org.upper()
    assert ctx.parent is not None  # a subcommand of ``chart``
    with reading(ctx.parent) as connection:
        data = save_chart(connection, out, org)
    summary = {
        "file": out,
        "states": len(data.rows),
        "spans": sum(len(row.spans) for row in data.rows),
    }
    if as_json:
        emit(summary, True)
    else:
        click.echo(f"{out}: {summary['states']} states, {summary['spans']} spans")


@chart.command("count")
@click.option(
    "--org",
    required=True,
    metavar="CODE",
    help="Organization code: CST, CSTO, or any other the database holds (any case).",
)
@click.option(
    "--by",
    type=click.Choice(["year", "day"]),
    default="year",
    show_default=True,
    help="year: as of 1 July of each year; day: a step at each change of the count.",
)
@click.option("--from", "start", metavar="YYYY-MM-DD", callback=_parse_day, help="The first day.")
@click.option("--to", "end", metavar="YYYY-MM-DD", callback=_parse_day, help="The last day.")
@click.option(
    "--out",
    default="count.svg",
    show_default=True,
    metavar="FILE",
    help="Where to write the chart: a .svg or .png file.",
)
@json_option
@click.pass_context
@reports_errors
def chart_count(
    ctx: click.Context,
    org: str,
    by: str,
    start: date | None,
    end: date | None,
    out: str,
    as_json: bool,
) -> None:
    """The member count over time, with its uncertainty band.

    The line counts the members `count` lists (certain, possible and disputed); the band
    under it reaches down to the certain count, and a fainter band above it adds the
    contested states, which are not counted.
    """
    from ..outputs.count_chart import save_count_chart

    assert ctx.parent is not None  # a subcommand of ``chart``
    with reading(ctx.parent) as connection:
        counts = save_count_chart(connection, org, out, by, start, end)
    summary = {
        "file": out,
        "organization": counts[0].organization,
        "points": len(counts),
        "first": counts[0].on,
        "last": counts[-1].on,
    }
    if as_json:
        emit(summary, True)
    else:
        click.echo(
            f"{out}: {summary['organization']}, {summary['points']} counts, "
            f"{summary['first']} to {summary['last']}"
        )
