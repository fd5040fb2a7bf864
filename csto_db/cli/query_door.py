"""The query door's commands: ``sql``, one statement that cannot write, and ``grant-reader``."""

from __future__ import annotations

from typing import Any

import click

from ..query_door.run import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, READER_STATEMENT_TIMEOUT
from ..store.db import display_url
from .group import _remember_secret, emit, json_option, main, reports_errors


class SqlCommand(click.Command):
    """``sql``, whose statement may start with a ``--`` comment: a word that starts with
    ``-`` and holds a space or a line break is the statement, never an option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            valued = {"--reader-url", "--timeout", "--max-rows"}
            for index, arg in enumerate(args):
                follows_option = index > 0 and args[index - 1] in valued
                if arg.startswith("-") and not follows_option and any(c.isspace() for c in arg):
                    # QUERY is the one argument: after "--" it is read as it stands.
                    args = [*args[:index], *args[index + 1 :], "--", arg]
                    break
        return super().parse_args(ctx, args)


@main.command(cls=SqlCommand)
@click.argument("query")
@click.option(
    "--reader-url",
    metavar="URL",
    help="On PostgreSQL or MariaDB: the URL of a role that can only read, made with "
    "`csto-db grant-reader` (default: $CSTO_DB_READER_URL).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=86_400),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this long (on the server too).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    metavar="N",
    help="Read at most this many rows; a line on stderr says when the answer was cut.",
)
@json_option
@click.pass_context
@reports_errors
def sql(
    ctx: click.Context,
    query: str,
    reader_url: str | None,
    timeout: float,
    max_rows: int,
    as_json: bool,
) -> None:
    """Run one SQL statement that only reads, and print its rows.

    The database, not this command, refuses anything else. A SQLite file is opened
    read-only and only reading is authorized. On PostgreSQL and MariaDB the statement is
    sent only as a role that the server's own catalog shows can neither write nor
    administer, and any other role (an administrator's URL given with --db, say) is
    refused in one line: make a reader with `csto-db grant-reader NAME` and pass its URL
    with --reader-url. The statement runs alone (the server refuses a second one) in a
    read-only transaction that is rolled back.

    The query stops after --timeout seconds (exit status 2), or at Ctrl-C (exit status
    130); on a server it is cancelled there too. At most --max-rows rows are read, and on
    SQLite the query may use 256 MiB of memory. A statement may start with a `--`
    comment (ended by a line break): pass it as it is, or after `--`.
    """
    from ..query_door.run import reader_url as resolve_reader_url
    from ..query_door.run import run_query

    reader = resolve_reader_url(reader_url)
    _remember_secret(ctx, url=reader)
    result = run_query(query, ctx.obj, reader=reader, timeout=timeout, max_rows=max_rows)
    rows = [
        dict(zip(result.columns, (_jsonable(v) for v in row), strict=True)) for row in result.rows
    ]
    emit(rows, as_json, result.columns, empty=None)
    if result.cut:
        click.echo(
            f"csto-db: note: the answer was cut after {max_rows} rows; --max-rows N reads more",
            err=True,
        )


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    from ..build.canonical_dump import canonical_value

    value = canonical_value(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@main.command("grant-reader")
@click.argument("name")
@click.option(
    "--password",
    metavar="TEXT",
    envvar="CSTO_DB_READER_PASSWORD",
    help="The reader's password (default: $CSTO_DB_READER_PASSWORD; none set when "
    "neither is given, for servers that authenticate otherwise).",
)
@click.option(
    "--timeout",
    type=click.IntRange(1, 86_400),
    default=READER_STATEMENT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="The reader's own statement timeout, whatever client it connects with.",
)
@json_option
@click.pass_context
@reports_errors
def grant_reader(
    ctx: click.Context, name: str, password: str | None, timeout: int, as_json: bool
) -> None:
    """Create a role NAME that can only read this database (PostgreSQL, MariaDB).

    Run it as a user who may create roles. The server's catalog is read back afterwards,
    and the role refused if it could still write. Its statements stop after --timeout
    seconds in any client. On MariaDB it is granted each table but the one `init` locks:
    run grant-reader again after an `init` that adds tables. It prints the URL to pass to
    `sql --reader-url` (or to put in $CSTO_DB_READER_URL), with the password hidden.
    """
    from ..query_door.reader_role import grant_reader as create_reader

    _remember_secret(ctx, password=password)
    url = create_reader(ctx.obj, name, password, statement_timeout=timeout)
    if as_json:
        emit({"reader": name, "database": url.database, "reader_url": display_url(url)}, True)
        return
    click.echo(f"reader {name} may read {url.database} and nothing else")
    click.echo(f"use: csto-db sql --reader-url '{display_url(url)}' \"QUERY\"")
