"""The `csto-db` command line: parses arguments, calls the library, prints tables or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import IO, Any, ParamSpec, TypeVar

import click
from sqlalchemy import Connection

from .dates import parse_day
from .db import database_url, display_url, make_engine
from .errors import DatabaseError, Error, PartialDateError

P = ParamSpec("P")
R = TypeVar("R")
Command = TypeVar("Command", bound=Callable[..., Any])


class UserError(click.ClickException):
    """Printed as one line, ``csto-db: error: ...``, with exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"csto-db: error: {self.format_message()}", err=True)


def _known_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import SQLAlchemyError

    return (Error, SQLAlchemyError)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's errors into one line and exit status 1, never a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except _known_errors() as error:
            raise UserError(_one_line(error)) from None

    return wrapper


def _one_line(error: Exception) -> str:
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(error, DBAPIError) and error.orig is not None:
        text = str(error.orig)
    elif isinstance(error, SQLAlchemyError):
        text = str(error).split("\n(Background on this error")[0]
    else:
        text = str(error)
    return " ".join(text.split()) or type(error).__name__


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except PartialDateError as error:
        raise click.BadParameter(str(error)) from None


def json_option(command: Command) -> Command:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON instead of a table.")(command)


def source_option(command: Command) -> Command:
    return click.option("--source", metavar="KEY",
                        help="Answer from this source's claims alone (a key of `sources`).")(
        command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL",
              help="Database URL (default: $CSTO_DB_URL, else sqlite:///csto.db).")
@click.version_option(package_name="csto-db")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """A cited database of the Collective Security Treaty Organization's history.

    Build it with `csto-db init`, then ask it: `csto-db members --org CSTO --on 2005-01-01`.
    """
    ctx.obj = database_url(db_url)


@contextmanager
def reading(ctx: click.Context) -> Iterator[Connection]:
    """A read-only connection to a database at the newest schema."""
    from .schema import SCHEMA_REVISION, current_revision

    engine = make_engine(ctx.obj, read_only=True)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            if revision != SCHEMA_REVISION:
                found = f"at {revision}" if revision else "not built"
                raise DatabaseError(
                    f"database {display_url(ctx.obj)} is {found}, expected {SCHEMA_REVISION}: "
                    f"run `csto-db init`")
            yield connection
    finally:
        engine.dispose()


def emit(data: Any, as_json: bool, columns: Sequence[str] | None = None,
         render: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
    """Print ``data`` as JSON, or as an aligned table of ``columns``."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = data if isinstance(data, list) else [data]
    shown = [render(row) if render else row for row in rows]
    click.echo(format_table(shown, columns or list(shown[0]) if shown else []))


def format_table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as a plain table: a header, a rule, one line per row."""
    rows = list(rows)
    if not rows:
        return "(none)"
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells))
              for i, column in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
              for line in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return " ".join(str(value).split())


def _sources(citations: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({c["source"] for c in citations}))


# --- Commands -------------------------------------------------------------------------------


@main.command()
@click.pass_context
@reports_errors
def init(ctx: click.Context) -> None:
    """Migrate the database to the newest schema, then load the seeds. Safe to repeat."""
    from .build import init_database

    click.echo(f"database: {display_url(ctx.obj)}")
    for line in init_database(ctx.obj).lines():
        click.echo(line)


@main.command()
@click.option("--org", required=True, metavar="CODE", help="Organization code: CST or CSTO.")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", callback=_parse_day,
              help="The day to ask about.")
@source_option
@json_option
@click.pass_context
@reports_errors
def members(ctx: click.Context, org: str, on: date, source: str | None, as_json: bool) -> None:
    """The states in membership of an organization on a day, with certainty and sources."""
    from .queries import members_on

    with reading(ctx) as connection:
        result = [m.to_dict() for m in members_on(connection, org.upper(), on, source=source)]
    emit(result, as_json, ["state", "name", "status", "certainty", "since", "until", "sources"],
         lambda m: {**m, "sources": _sources(m["citations"])})


@main.command()
@click.argument("iso3")
@source_option
@json_option
@click.pass_context
@reports_errors
def timeline(ctx: click.Context, iso3: str, source: str | None, as_json: bool) -> None:
    """A state's membership spans, terms in the chair and dated events, in date order."""
    from .timeline import timeline as state_timeline

    with reading(ctx) as connection:
        result = [e.to_dict() for e in state_timeline(connection, iso3, source=source)]
    emit(result, as_json, ["entry", "organization", "status", "start", "end", "title", "sources"],
         lambda e: {**e, "sources": _sources(e["citations"])})


@main.command()
@click.option("--kind", help="Only documents of this kind (treaty, protocol, charter, ...).")
@source_option
@json_option
@click.pass_context
@reports_errors
def documents(ctx: click.Context, kind: str | None, source: str | None, as_json: bool) -> None:
    """Legal documents: dates signed and in force, place, parties and sources."""
    from .queries import documents as list_documents

    with reading(ctx) as connection:
        result = [d.to_dict() for d in list_documents(connection, source=source, kind=kind)]
    emit(result, as_json, ["key", "kind", "signed", "place", "in_force", "parties", "title"],
         lambda d: {**d, "parties": len(d["parties"])})


@main.command()
@source_option
@json_option
@click.pass_context
@reports_errors
def initiatives(ctx: click.Context, source: str | None, as_json: bool) -> None:
    """Initiatives member states brought to the Organization, and what came of them."""
    from .queries import initiatives as list_initiatives

    with reading(ctx) as connection:
        result = [i.to_dict() for i in list_initiatives(connection, source=source)]
    emit(result, as_json, ["key", "proposer", "date", "area", "outcome", "title"],
         lambda i: {**i, "outcome": (i["outcome"] or {}).get("document")})


@main.command()
@click.option("--year", type=int, metavar="YYYY",
              help="Only the sessions that can have been held in this year.")
@source_option
@json_option
@click.pass_context
@reports_errors
def sessions(ctx: click.Context, year: int | None, source: str | None, as_json: bool) -> None:
    """Sessions of the Collective Security Council and informal summits, with what they adopted."""
    from .record import sessions as council_sessions

    with reading(ctx) as connection:
        result = [s.to_dict() for s in council_sessions(connection, year, source=source)]
    emit(result, as_json, ["date", "kind", "place", "presided_by", "adopted", "sources"],
         lambda s: {**s, "adopted": len(s["adopted"]), "sources": _sources(s["citations"])})


@main.command()
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", callback=_parse_day,
              help="The day to ask about.")
@click.option("--org", default="CSTO", show_default=True, metavar="CODE",
              help="Organization code.")
@source_option
@json_option
@click.pass_context
@reports_errors
def chair(ctx: click.Context, on: date, org: str, source: str | None, as_json: bool) -> None:
    """Which state held the rotating chair on a day, with certainty and sources.

    JSON: one object; `state` is null when no source names a chair that day, or when the
    day falls on an edge the sources leave open (the terms are then in `candidates`).
    """
    from .record import chair_answer, chair_on

    with reading(ctx) as connection:
        answer = chair_answer(chair_on(connection, on, org.upper(), source=source), on,
                              org.upper()).to_dict()
    if as_json:
        emit(answer, True)
        return
    emit(answer["candidates"], False, ["state", "certainty", "start", "end", "sources"],
         lambda c: {**c, "sources": _sources(c["citations"])})


@main.command()
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", callback=_parse_day,
              help="The day to ask about.")
@source_option
@json_option
@click.pass_context
@reports_errors
def officials(ctx: click.Context, on: date, source: str | None, as_json: bool) -> None:
    """Who held each office (the Secretary General, acting or not) on a day, with sources."""
    from .record import officials_on

    with reading(ctx) as connection:
        result = [o.to_dict() for o in officials_on(connection, on, source=source)]
    emit(result, as_json,
         ["office", "person", "nationality", "acting", "certainty", "start", "end", "sources"],
         lambda o: {**o, "sources": _sources(o["citations"])})


@main.command()
@source_option
@json_option
@click.pass_context
@reports_errors
def operations(ctx: click.Context, source: str | None, as_json: bool) -> None:
    """The Organization's deployments and missions: host, dates, contributors, strength."""
    from .record import operations as list_operations

    with reading(ctx) as connection:
        result = [o.to_dict() for o in list_operations(connection, source=source)]
    emit(result, as_json,
         ["key", "kind", "host", "decided", "start", "end", "contributors", "strength"])


@main.command()
@click.option("--all", "include_refinements", is_flag=True,
              help="Also list refinements: readings that differ only in precision.")
@json_option
@click.pass_context
@reports_errors
def disputes(ctx: click.Context, include_refinements: bool, as_json: bool) -> None:
    """Where sources disagree: every reading, its sources, and the preferred one with why."""
    from .queries import disputes as list_disputes

    with reading(ctx) as connection:
        result = [d.to_dict() for d in
                  list_disputes(connection, include_refinements=include_refinements)]
    if as_json:
        emit(result, True)
        return
    for dispute in result:
        click.echo(f"{dispute['key']}: {dispute['question']}")
        for reading_ in dispute["readings"]:
            mark = "*" if reading_["preferred"] else " "
            click.echo(f"  {mark} {reading_['value']}  ({', '.join(reading_['sources'])})")
        click.echo(f"    preferred ({dispute['rule']}): {' '.join(dispute['reason'].split())}")
    if not result:
        click.echo("(none)")


@main.command()
@click.argument("fact_key")
@json_option
@click.pass_context
@reports_errors
def evidence(ctx: click.Context, fact_key: str, as_json: bool) -> None:
    """The citations behind one fact (any key shown by the other commands)."""
    from .queries import evidence as fact_evidence

    with reading(ctx) as connection:
        result = fact_evidence(connection, fact_key).to_dict()
    if as_json:
        emit(result, True)
        return
    for quote in result["citations"]:
        click.echo(f"[{quote['source']}] {quote['quote']}")
        if quote.get("translation"):
            click.echo(f"    ({quote['translation']})")
    for reading_ in result["readings"]:
        mark = "preferred" if reading_["preferred"] else "other reading"
        click.echo(f"{reading_['field']} = {reading_['value']} ({mark}, {reading_['dispute']})")


@main.command()
@click.argument("query")
@json_option
@click.pass_context
@reports_errors
def sql(ctx: click.Context, query: str, as_json: bool) -> None:
    """Run one read-only SQL query and print its rows."""
    from sqlalchemy import text

    with reading(ctx) as connection:
        result = connection.execute(text(query))
        if not result.returns_rows:
            raise UserError("the query returned no rows; only SELECT-like queries are allowed")
        columns = list(result.keys())
        rows = [dict(zip(columns, (_jsonable(v) for v in row), strict=True)) for row in result]
        connection.rollback()
    emit(rows, as_json, columns)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@main.command()
@json_option
@click.pass_context
@reports_errors
def check(ctx: click.Context, as_json: bool) -> None:
    """Verify a database: newest schema, quotes verbatim, every fact cited, spans coherent.

    Exits 1 and lists the problems when there are any.
    """
    from .checks import check_database

    engine = make_engine(ctx.obj, read_only=True)
    try:
        with engine.connect() as connection:
            problems = check_database(connection)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps({"ok": not problems, "problems": problems}, indent=2))
    else:
        for problem in problems:
            click.echo(problem)
        click.echo(f"{len(problems)} problem(s)" if problems else "ok: no problems found")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
