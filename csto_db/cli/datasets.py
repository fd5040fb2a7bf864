"""The dataset commands: ``import-cow``, and ``crosscheck`` against COW and ATOP."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..store.db import make_engine
from .group import emit, json_option, main, reading, reports_errors


class ProgressBar:
    """A one-line bar on standard error: done/total rows and the rate; nothing when the
    stream is not a terminal or when asked to be quiet."""

    def __init__(self, label: str, *, quiet: bool) -> None:
        import time

        self.label = label
        self.shown = not quiet and sys.stderr.isatty()
        self.clock = time.perf_counter
        self.started = self.clock()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.shown or not total:
            return
        width = 30
        filled = width * done // total
        rate = done / max(self.clock() - self.started, 1e-9)
        click.echo(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done:,}/{total:,} rows  {rate:,.0f} rows/s",
            err=True,
            nl=False,
        )
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            click.echo(err=True)


@main.command("import-cow")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@json_option
@click.pass_context
@reports_errors
def import_cow_command(ctx: click.Context, path: Path, quiet: bool, as_json: bool) -> None:
    """Import COW IGO v3 (igo_year_formatv3.csv) whole, as the source cow-igo-v3-file.

    Every organization, state and year-precision membership span; the curated record is
    left as it is. One transaction: a malformed file writes nothing. Safe to repeat.
    """
    from ..datasets.cow_import import import_cow

    bar = ProgressBar("import", quiet=quiet)
    engine = make_engine(ctx.obj, check_revision=True)
    try:
        with engine.begin() as connection:
            report = import_cow(connection, path, progress=bar)
    finally:
        bar.close()
        engine.dispose()
    if as_json:
        emit(report.to_dict(), True)
        return
    for line in report.lines():
        click.echo(line)


@main.group()
def crosscheck() -> None:
    """Compare the curated record with independent datasets (COW IGO, ATOP)."""


@crosscheck.command("cow")
@click.option(
    "--org",
    default="CSTO",
    show_default=True,
    metavar="CODE",
    help="CSTO, or CST (COW has no rows for the Treaty).",
)
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="COW's igo_year_formatv3.csv (default: the rows the source cow-igo-v3 holds).",
)
@click.option("--all", "show_all", is_flag=True, help="List agreements too.")
@click.option(
    "--cow-year",
    is_flag=True,
    help="Compare the rows `export --format cow-year` writes with COW's, cell by cell, "
    "each difference with its reason and the facts and sources behind it (Markdown).",
)
@json_option
@click.pass_context
@reports_errors
def crosscheck_cow_command(
    ctx: click.Context,
    org: str,
    path: Path | None,
    show_all: bool,
    cow_year: bool,
    as_json: bool,
) -> None:
    """The record against COW, year by year, state by state, by COW's rule (a member at any
    time in a year is a member that year)."""
    from ..answers.asof import organization_code
    from ..datasets.crosscheck_cow import crosscheck_cow

    if cow_year:
        from ..datasets.crosscheck_cow_year import cow_year_differences

        with reading(ctx) as connection:
            comparison = cow_year_differences(connection, org, path=path)
        if as_json:
            emit(comparison.to_dict(), True)
        else:
            click.echo(comparison.markdown(), nl=False)
        return
    with reading(ctx) as connection:
        result = crosscheck_cow(connection, organization_code(connection, org), path=path)
    data = result.to_dict()
    if not show_all:
        data["comparisons"] = [c for c in data["comparisons"] if c["agreement"] != "agree"]
    if as_json:
        emit(data, True)
        return
    if result.note:
        click.echo(result.note)
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items())
    click.echo(
        f"{result.organization} against {result.source} (ionum {result.ionum}), "
        f"state-years: {counts or 'none'}"
    )
    emit(
        data["comparisons"],
        False,
        ["year", "state", "cow", "record", "agreement", "spans", "disputes"],
        lambda c: {
            **c,
            "spans": [e["span"] for e in c["evidence"]],
            "disputes": sorted({d for e in c["evidence"] for d in e["disputes"]}),
        },
    )


@crosscheck.command("atop")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="ATOP 5.1's atop5_1m.csv (default: the package's copy of alliance 4220's rows).",
)
@json_option
@click.pass_context
@reports_errors
def crosscheck_atop_command(ctx: click.Context, path: Path | None, as_json: bool) -> None:
    """The record against ATOP 5.1 alliance 4220, day by day, phase by phase: the ranges of
    days on which they differ or the record is unsure."""
    from ..datasets.crosscheck_atop import crosscheck_atop

    with reading(ctx) as connection:
        result = crosscheck_atop(connection, path=path)
    data = result.to_dict()
    if as_json:
        emit(data, True)
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items())
    click.echo(f"ATOP alliance {result.alliance} ({result.source}), state-days: {counts}")
    emit(
        data["differences"],
        False,
        [
            "phase",
            "state",
            "first",
            "last",
            "days",
            "atop",
            "record",
            "agreement",
            "spans",
            "disputes",
        ],
        lambda r: {
            **r,
            "spans": [e["span"] for e in r["evidence"]],
            "disputes": sorted({d for e in r["evidence"] for d in e["disputes"]}),
        },
    )
