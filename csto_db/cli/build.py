"""The commands that build and check a database: ``init`` and ``check``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..store.db import display_url, make_engine
from .group import json_option, main, reports_errors


@main.command()
@click.option(
    "--prune",
    is_flag=True,
    help="Delete rows the seed files no longer hold (listed by table and key).",
)
@click.option(
    "--wait",
    "wait",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another `init` of the database.",
)
@json_option
@click.pass_context
@reports_errors
def init(ctx: click.Context, prune: bool, wait: float, as_json: bool) -> None:
    """Migrate the database to the newest schema, then load the seeds. Safe to repeat.

    Rows the database holds but the seed files do not are listed by table and key and
    deleted only with --prune; without it nothing changes and the exit status is non-zero,
    so a seed file cut short costs no fact. One `init` at a time: another waits up to
    --wait seconds. Killed at any moment, the database is left as it was or complete, and
    the next `init` finishes the job.
    """
    from ..build.init import init_database, prune_list
    from ..build.sync import PruneRefused

    if not as_json:
        click.echo(f"database: {display_url(ctx.obj)}")
    try:
        report = init_database(ctx.obj, prune=prune, lock_wait=wait)
    except PruneRefused as refused:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "database": display_url(ctx.obj),
                        "pruned": False,
                        "would_prune": prune_list(refused.rows),
                    },
                    indent=2,
                )
            )
        else:
            for table, key in refused.rows:
                click.echo(f"would delete {table} {key}")
        raise
    if as_json:
        click.echo(json.dumps({"database": display_url(ctx.obj), **report.to_dict()}, indent=2))
        return
    for line in report.lines():
        click.echo(line)


@main.command()
@click.option(
    "--cow-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="COW's igo_year_formatv3.csv: check every cell locator against it.",
)
@json_option
@click.pass_context
@reports_errors
def check(ctx: click.Context, cow_file: Path | None, as_json: bool) -> None:
    """Verify a database: newest schema, quotes verbatim, every fact cited, spans coherent.

    Exits 1 and lists the problems when there are any.
    """
    from .. import __version__
    from ..build.checks import check_database
    from ..release.versions import database_release

    # An older or empty schema is a problem check reports; a newer or foreign one is
    # refused by the gate, since this package cannot judge it.
    engine = make_engine(ctx.obj, read_only=True, check_revision=True, upgrading=True)
    try:
        with engine.connect() as connection:
            problems = check_database(connection)
            if cow_file is not None and not problems:
                from ..datasets.cow_import import verify_locators

                problems = verify_locators(connection, cow_file)
            described = database_release(connection)
    finally:
        engine.dispose()
    if as_json:
        report = {"ok": not problems, "problems": problems}
        report |= {"package_version": __version__, "database": described.to_dict()}
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(f"csto-db {__version__}; database: {described.summary()}")
        if described.horizon_line():
            click.echo(described.horizon_line())
        for problem in problems:
            click.echo(problem)
        click.echo(f"{len(problems)} problem(s)" if problems else "ok: no problems found")
    if problems:
        sys.exit(1)
