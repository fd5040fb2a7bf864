"""The `csto-db` command line: parses arguments, calls the library, prints tables or JSON."""

from __future__ import annotations

import errno
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import wraps
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

import click
from sqlalchemy import Connection

from ..errors import Error, Interrupted, PartialDateError
from ..outputs.render import chair_verdict, format_table, paragraph, parties_cell
from ..outputs.render import sources_of as _sources
from ..query_door.run import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, READER_STATEMENT_TIMEOUT
from ..store.dates import parse_day
from ..store.db import database_url, describe_error, display_url, make_engine

#: Exit status for an error the user caused (as click's own usage errors).
USER_ERROR_STATUS = 2
#: Exit status when Ctrl-C stopped the command (128 + SIGINT, as shells report it).
INTERRUPTED_STATUS = 130

P = ParamSpec("P")
R = TypeVar("R")
Command = TypeVar("Command", bound=Callable[..., Any])


class UserError(click.ClickException):
    """Printed as one line, ``csto-db: error: ...``, with exit status 2."""

    exit_code = USER_ERROR_STATUS

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"csto-db: error: {self.format_message()}", err=True)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can cause into one line and exit status 2, never a
    traceback; no password of a URL given on the command line reaches the line."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return command(*args, **kwargs)
        except Error as error:
            raise UserError(_hide_secrets(_one_line(str(error)))) from None
        except SQLAlchemyError as error:
            url = click.get_current_context().obj
            raise UserError(_hide_secrets(_one_line(describe_error(error, url)))) from None

    return wrapper


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "unknown error"


def _usage_line(error: click.UsageError) -> str:
    """Click's usage error as one line that says where the usage is shown."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):  # a group given no command
        message = "Missing command"
    else:
        message = _one_line(error.format_message()).rstrip(".")
        # Click quotes the arguments it could not place: a URL among them keeps no password.
        message = re.sub(r"(://[^\s:/@]*:)[^\s@]*(@)", r"\1***\2", message)
    path = error.ctx.command_path if error.ctx is not None else "csto-db"
    return f"{message} (`{path} --help` shows the usage)"


def _hide_secrets(text: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    context = click.get_current_context(silent=True)
    secrets = context.meta.get("csto_db.secrets", []) if context else []
    for secret in secrets:
        if secret.startswith("url:"):
            url = secret[4:]
            try:
                password = make_url(url).password
            except (ArgumentError, ValueError):  # unparseable: the URL is hidden whole
                password = None
            if url in text:
                text = text.replace(url, display_url(url))
        else:
            password = secret[9:]
        if password:
            text = text.replace(str(password), "***")
    return text


def _remember_secret(
    ctx: click.Context, url: str | None = None, password: str | None = None
) -> None:
    """Note a URL or password given on the command line, to keep it out of messages."""
    secrets = ctx.find_root().meta.setdefault("csto_db.secrets", [])
    if url:
        secrets.append(f"url:{url}")
    if password:
        secrets.append(f"password:{password}")


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except PartialDateError as error:
        raise click.BadParameter(str(error)) from None


def json_option(command: Command) -> Command:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        command
    )


def source_option(command: Command) -> Command:
    return click.option(
        "--source",
        metavar="KEY",
        help="Answer from this source's claims alone (a key of `sources`).",
    )(command)


class CommandGroup(click.Group):
    """A group whose command list shows each command's whole first sentence, wrapped to
    the terminal, instead of cutting it off with "...", and whose every error is one line:
    click's own usage errors too (``csto-db: error: ...``, exit status 2), and Ctrl-C
    (``csto-db: interrupted``, exit status 130)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            click.echo(f"csto-db: error: {_usage_line(error)}", err=True)
            sys.exit(USER_ERROR_STATUS)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
            click.echo("csto-db: interrupted", err=True)
            sys.exit(INTERRUPTED_STATUS)
        except KeyboardInterrupt:  # between click's handlers
            click.echo("csto-db: interrupted", err=True)
            sys.exit(INTERRUPTED_STATUS)
        except Interrupted as interrupted:
            click.echo(f"csto-db: interrupted: {_one_line(str(interrupted))}", err=True)
            sys.exit(INTERRUPTED_STATUS)
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            sys.exit(1)  # the reader of our output went away (`| head`)
        # Commands end by returning or by sys.exit; click returns an exit code for --help.
        sys.exit(result if isinstance(result, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the package's version, then what the database says of the release
    that built it and of its horizon (a database that cannot be read says why, in one
    line; the version is printed all the same)."""
    if not value or ctx.resilient_parsing:
        return
    from sqlalchemy.exc import SQLAlchemyError

    from .. import __version__
    from ..release.versions import read_database_release

    click.echo(f"csto-db {__version__}")
    url = database_url(ctx.params.get("db_url"))
    _remember_secret(ctx, url=url)
    try:
        described = read_database_release(url)
    except Error as error:
        click.echo(_hide_secrets(f"database {display_url(url)}: {_one_line(str(error))}"))
    except SQLAlchemyError as error:
        click.echo(_hide_secrets(f"database {display_url(url)}: {describe_error(error, url)}"))
    else:
        click.echo(f"database {display_url(url)}: {described.summary()}")
        horizon = described.horizon_line()
        if horizon:
            click.echo(horizon)
    ctx.exit()


@click.group("csto-db", cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    # Eager, so that --version, which reads it, finds it wherever it stands.
    is_eager=True,
    help="Database URL (default: $CSTO_DB_URL, else sqlite:///csto.db).",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    callback=_show_version,
    help="Show the package's version and the database's record version and horizon, and exit.",
)
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """A cited database of the Collective Security Treaty Organization's history.

    Build it with `csto-db init`, then ask it: `csto-db members --org CSTO --on 2005-01-01`.
    """
    ctx.obj = database_url(db_url)
    _remember_secret(ctx, url=ctx.obj)


@contextmanager
def reading(ctx: click.Context) -> Iterator[Connection]:
    """A read-only connection to a database at the newest schema (the schema gate refuses
    any other with one line saying what to do)."""
    engine = make_engine(ctx.obj, read_only=True, check_revision=True)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def emit(
    data: Any,
    as_json: bool,
    columns: Sequence[str] | None = None,
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    empty: str | None = "(none)",
) -> None:
    """Print ``data`` as JSON, or as a table of ``columns`` fitted to the terminal."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = data if isinstance(data, list) else [data]
    shown = [render(row) if render else row for row in rows]
    click.echo(format_table(shown, columns or (list(shown[0]) if shown else []), empty=empty))


# --- Commands -------------------------------------------------------------------------------


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


def contested_option(command: Command) -> Command:
    return click.option(
        "--contested",
        "with_contested",
        is_flag=True,
        help="Also list subjects only a reading the record does not prefer "
        "puts in on that day (marked `contested`).",
    )(command)


def _split_contested(
    rows: list[dict[str, Any]], with_contested: bool, subject: Callable[[dict[str, Any]], str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows to show, and one note line for each contested row: the reading that puts
    it in, whether the row is shown (``--contested``) or left out."""
    from ..answers.asof import contested_note

    notes = [
        contested_note(subject(row), row.get("readings", []), listed=with_contested)
        for row in rows
        if row["contested"]
    ]
    return [row for row in rows if with_contested or not row["contested"]], notes


def _certainty(row: dict[str, Any]) -> str:
    return "contested" if row.get("contested") else row["certainty"]


@main.command()
@click.option(
    "--org",
    required=True,
    metavar="CODE",
    help="Organization code: CST, CSTO, or any other the database holds (any case).",
)
@click.option(
    "--on",
    "on",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The day to ask about.",
)
@source_option
@contested_option
@json_option
@click.pass_context
@reports_errors
def members(
    ctx: click.Context, org: str, on: date, source: str | None, with_contested: bool, as_json: bool
) -> None:
    """The states in membership of an organization on a day, with certainty and sources.

    Past the last day the organization's record covers (its horizon) no row is certain,
    and a line under the table (`past_horizon` in each JSON row) says where it ends.
    """
    from ..answers.asof import MEMBERS_UNKNOWN, horizon_of, lifetime_of, organization_code
    from ..answers.membership import members_on, missing_data_note

    with reading(ctx) as connection:
        org = organization_code(connection, org)
        rows = [m.to_dict() for m in members_on(connection, org, on, source=source, contested=True)]
        outside = lifetime_of(connection, org).explain(on)
        horizon = horizon_of(connection, org)
        beyond = horizon.beyond(on, MEMBERS_UNKNOWN) if horizon and not outside else None
        missing = missing_data_note(connection, org, on) if not outside else None
    result, notes = _split_contested(rows, with_contested, lambda m: f"{m['state']} {m['name']}")
    emit(
        result,
        as_json,
        ["state", "name", "status", "certainty", "since", "until", "span", "sources"],
        lambda m: {**m, "certainty": _certainty(m), "sources": _sources(m["citations"])},
    )
    if not as_json:
        for line in [outside, beyond, missing, *notes]:
            if line:
                click.echo(paragraph(line))


@main.command()
@click.argument("iso3")
@source_option
@json_option
@click.pass_context
@reports_errors
def timeline(ctx: click.Context, iso3: str, source: str | None, as_json: bool) -> None:
    """A state's membership spans, terms in the chair and dated events, in date order."""
    from ..answers.timeline import timeline as state_timeline

    with reading(ctx) as connection:
        result = [e.to_dict() for e in state_timeline(connection, iso3, source=source)]
    emit(
        result,
        as_json,
        ["entry", "key", "organization", "status", "start", "end", "title", "sources"],
        lambda e: {**e, "sources": _sources(e["citations"])},
    )


@main.command()
@click.option("--kind", help="Only documents of this kind (treaty, protocol, charter, ...).")
@source_option
@json_option
@click.pass_context
@reports_errors
def documents(ctx: click.Context, kind: str | None, source: str | None, as_json: bool) -> None:
    """Legal documents: dates signed and in force, place, parties and sources."""
    from ..answers.documents import documents as list_documents

    with reading(ctx) as connection:
        result = [d.to_dict() for d in list_documents(connection, source=source, kind=kind)]
    emit(
        result,
        as_json,
        ["key", "kind", "signed", "place", "in_force", "parties", "title"],
        lambda d: {**d, "parties": parties_cell(d["parties"])},
    )


@main.command()
@source_option
@json_option
@click.pass_context
@reports_errors
def initiatives(ctx: click.Context, source: str | None, as_json: bool) -> None:
    """Initiatives member states brought to the Organization, and what came of them."""
    from ..answers.documents import initiatives as list_initiatives

    with reading(ctx) as connection:
        result = [i.to_dict() for i in list_initiatives(connection, source=source)]
    emit(
        result,
        as_json,
        ["key", "proposer", "date", "area", "outcome", "title"],
        lambda i: {**i, "outcome": (i["outcome"] or {}).get("document")},
    )


@main.command()
@click.option(
    "--year",
    type=click.IntRange(1, 9999),
    metavar="YYYY",
    help="Only the sessions that can have been held in this year.",
)
@source_option
@json_option
@click.pass_context
@reports_errors
def sessions(ctx: click.Context, year: int | None, source: str | None, as_json: bool) -> None:
    """Sessions of the Collective Security Council and informal summits, with what they adopted."""
    from ..answers.record import sessions as council_sessions

    with reading(ctx) as connection:
        result = [s.to_dict() for s in council_sessions(connection, year, source=source)]
    emit(
        result,
        as_json,
        ["date", "kind", "place", "presided_by", "adopted", "sources"],
        lambda s: {**s, "adopted": len(s["adopted"]), "sources": _sources(s["citations"])},
    )


@main.command()
@click.option(
    "--on",
    "on",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The day to ask about.",
)
@click.option("--org", default="CSTO", show_default=True, metavar="CODE", help="Organization code.")
@source_option
@contested_option
@json_option
@click.pass_context
@reports_errors
def chair(
    ctx: click.Context, on: date, org: str, source: str | None, with_contested: bool, as_json: bool
) -> None:
    """Which state held the rotating chair on a day, with certainty and sources.

    JSON: one object; `state` is null when no source names a chair that day, or when the
    day falls on an edge the sources leave open (the terms are then in `candidates`).
    """
    from ..answers.asof import horizon_of, organization_code
    from ..answers.record import chair_answer, chair_on

    with reading(ctx) as connection:
        org = organization_code(connection, org)
        terms = chair_on(connection, on, org, source=source, contested=True)
        horizon = horizon_of(connection, org)
    shown = [term for term in terms if with_contested or not term.contested]
    answer = chair_answer(shown, on, org, horizon).to_dict()
    if as_json:
        emit(answer, True)
        return
    click.echo(paragraph(chair_verdict(answer), hanging=""))
    if answer["past_horizon"]:
        click.echo(paragraph(answer["past_horizon"]))
    _, notes = _split_contested(
        [term.to_dict() for term in terms], with_contested, lambda c: f"{c['state']} ({c['key']})"
    )
    if answer["candidates"]:
        emit(
            answer["candidates"],
            False,
            ["state", "certainty", "start", "end", "key", "sources"],
            lambda c: {**c, "certainty": _certainty(c), "sources": _sources(c["citations"])},
        )
    for line in notes:
        click.echo(paragraph(line))


@main.command()
@click.option(
    "--on",
    "on",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_parse_day,
    help="The day to ask about.",
)
@source_option
@contested_option
@json_option
@click.pass_context
@reports_errors
def officials(
    ctx: click.Context, on: date, source: str | None, with_contested: bool, as_json: bool
) -> None:
    """Who held each office (the Secretary General, acting or not) on a day, with sources."""
    from ..answers.record import officials_on

    with reading(ctx) as connection:
        rows = [o.to_dict() for o in officials_on(connection, on, source=source, contested=True)]
    result, notes = _split_contested(rows, with_contested, lambda o: f"{o['person']} ({o['key']})")
    emit(
        result,
        as_json,
        ["office", "person", "nationality", "acting", "certainty", "start", "end", "sources"],
        lambda o: {**o, "certainty": _certainty(o), "sources": _sources(o["citations"])},
    )
    if not as_json:
        beyond = dict.fromkeys(row["past_horizon"] for row in result if row["past_horizon"])
        for line in [*beyond, *notes]:
            click.echo(paragraph(line))


@main.command()
@source_option
@json_option
@click.pass_context
@reports_errors
def operations(ctx: click.Context, source: str | None, as_json: bool) -> None:
    """The Organization's deployments and missions: host, dates, contributors, strength."""
    from ..answers.record import operations as list_operations

    with reading(ctx) as connection:
        result = [o.to_dict() for o in list_operations(connection, source=source)]
    emit(
        result,
        as_json,
        ["key", "kind", "host", "decided", "start", "end", "contributors", "strength"],
    )


@main.command()
@click.option(
    "--all",
    "include_refinements",
    is_flag=True,
    help="Also list refinements: readings that differ only in precision.",
)
@json_option
@click.pass_context
@reports_errors
def disputes(ctx: click.Context, include_refinements: bool, as_json: bool) -> None:
    """Where sources disagree: every reading, its sources, and the preferred one with why."""
    from ..answers.evidence import disputes as list_disputes

    with reading(ctx) as connection:
        result = [
            d.to_dict() for d in list_disputes(connection, include_refinements=include_refinements)
        ]
    if as_json:
        emit(result, True)
        return
    for dispute in result:
        click.echo(paragraph(f"{dispute['key']}: {dispute['question']}"))
        for reading_ in dispute["readings"]:
            mark = "*" if reading_["preferred"] else " "
            click.echo(
                paragraph(
                    f"{reading_['value']}  ({', '.join(reading_['sources'])})",
                    indent=f"  {mark} ",
                    hanging="      ",
                )
            )
        click.echo(
            paragraph(
                f"preferred ({dispute['rule']}): {dispute['reason']}",
                indent="    ",
                hanging="      ",
            )
        )
    if not result:
        click.echo("(none)")


@main.command()
@click.argument("fact_key")
@json_option
@click.pass_context
@reports_errors
def evidence(ctx: click.Context, fact_key: str, as_json: bool) -> None:
    """The citations behind one fact (any key shown by the other commands)."""
    from ..answers.evidence import evidence as fact_evidence

    with reading(ctx) as connection:
        result = fact_evidence(connection, fact_key).to_dict()
    if as_json:
        emit(result, True)
        return
    for quote in result["citations"]:
        click.echo(paragraph(f"[{quote['source']}] {quote['quote']}"))
        if quote.get("translation"):
            click.echo(paragraph(f"({quote['translation']})", indent="    ", hanging="     "))
    for reading_ in result["readings"]:
        mark = "preferred" if reading_["preferred"] else "other reading"
        click.echo(
            paragraph(f"{reading_['field']} = {reading_['value']} ({mark}, {reading_['dispute']})")
        )


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


# --- Exports, the web view and the chart ----------------------------------------------------


@main.command()
@click.option(
    "--format",
    "export_format",
    required=True,
    type=click.Choice(["csv", "json", "popolo", "datapackage"]),
    help="csv: one file per table; json: the record nested; popolo: organizations "
    "and memberships; datapackage: the CSV files with datapackage.json.",
)
@click.option(
    "--out",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="The folder to write into (created if missing).",
)
@click.option("--force", is_flag=True, help="Overwrite files of the export already in the folder.")
@json_option
@click.pass_context
@reports_errors
def export(ctx: click.Context, export_format: str, out: str, force: bool, as_json: bool) -> None:
    """Write the whole record in an open format into a folder; prints each file's size.

    Files already in the folder that the export would replace are named and left alone,
    and nothing is written, unless --force is given.
    """
    from pathlib import Path

    from ..outputs.export import export as export_record

    with reading(ctx) as connection:
        sizes = export_record(connection, export_format, Path(out), overwrite=force)
    files = [{"bytes": size, "file": str(Path(out) / name)} for name, size in sizes.items()]
    emit(files, as_json, ["bytes", "file"])


@main.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="[NEW]", required=False)
@click.option(
    "--counts",
    "counts_only",
    is_flag=True,
    help="Print only how many things of each kind were added, changed and removed.",
)
@json_option
@click.pass_context
@reports_errors
def diff(ctx: click.Context, old: str, new: str | None, counts_only: bool, as_json: bool) -> None:
    """Compare two builds of the record by key: what NEW adds, changes and removes against
    OLD (facts, quotes, sources, states, disputes), field by field, with their sources.

    OLD and NEW are each a database URL, a SQLite file or a folder of seeds; without NEW,
    OLD is compared with the current seeds. A database of any release and on any engine can
    be compared with any other. The rows are listed too, by table and key, as `init` names
    them.
    """
    from ..release.diff import diff_records

    for side in (old, new):
        if side is not None and "://" in side:
            _remember_secret(ctx, url=side)
    result = diff_records(old, new)
    if as_json:
        data = result.to_dict()
        if counts_only:
            data = {name: data[name] for name in ("old", "new", "counts")}
        emit(data, True)
        return
    for line in result.summary_lines() if counts_only else result.lines():
        click.echo(line)


@main.command("release-files")
@click.option(
    "--out",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="A new or empty folder to write the files into.",
)
@json_option
@reports_errors
def release_files(out: str, as_json: bool) -> None:
    """Write this release's data files: the SQLite database and the Data Package (its CSV
    files and datapackage.json, as a folder and as a zip), with SHA256SUMS. Built from the
    package's seeds, so no other database is read."""
    from pathlib import Path

    from ..outputs.release_files import write_release_files

    sizes = write_release_files(Path(out))
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
    """Browse and query the SQLite database in Datasette, read-only (needs csto-db[web]).

    Canned queries: members on a day, a state's timeline, documents with their parties,
    disputes with their readings, the quotes behind a fact.
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


if __name__ == "__main__":
    main()


# --- Datasets: import and cross-checks ------------------------------------------------------


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
@json_option
@click.pass_context
@reports_errors
def crosscheck_cow_command(
    ctx: click.Context, org: str, path: Path | None, show_all: bool, as_json: bool
) -> None:
    """The record against COW, year by year, state by state, by COW's rule (a member at any
    time in a year is a member that year)."""
    from ..answers.asof import organization_code
    from ..datasets.crosscheck_cow import crosscheck_cow

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
