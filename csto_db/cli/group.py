"""The `csto-db` command group and what every command shares: the database option, one-line
errors with exit status 2, the common options, and tables or JSON on the way out."""

from __future__ import annotations

import errno
import importlib
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import wraps
from typing import IO, Any, ParamSpec, TypeVar

import click
from sqlalchemy import Connection

from ..collector import older_objects_frozen
from ..errors import Error, Interrupted, PartialDateError
from ..outputs.render import format_table
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
    traceback; no password of a URL given on the command line reaches the line. The
    command runs with the objects made before it frozen (:func:`older_objects_frozen`)."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with older_objects_frozen():
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


#: Each command's module in this package, which adds the command to the group when it is
#: imported. A command loads its module alone, so ``init`` does not pay for the imports of
#: ``serve`` or ``sql``.
COMMAND_MODULES = {
    **dict.fromkeys(
        (
            "members",
            "timeline",
            "documents",
            "initiatives",
            "sessions",
            "chair",
            "officials",
            "operations",
            "disputes",
            "evidence",
        ),
        "answers",
    ),
    "init": "build",
    "check": "build",
    "changes": "changes",
    "count": "changes",
    "import-cow": "datasets",
    "crosscheck": "datasets",
    "shared": "dyads",
    "dyads": "dyads",
    "export": "outputs",
    "serve": "outputs",
    "chart": "outputs",
    "sql": "query_door",
    "grant-reader": "query_door",
    "diff": "release",
    "release-files": "release",
}


class CommandGroup(click.Group):
    """A group whose command list shows each command's whole first sentence, wrapped to
    the terminal, instead of cutting it off with "...", and whose every error is one line:
    click's own usage errors too (``csto-db: error: ...``, exit status 2), and Ctrl-C
    (``csto-db: interrupted``, exit status 130). Its commands are imported when they are
    asked for (:data:`COMMAND_MODULES`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            importlib.import_module(f"{__package__}.{module}")
        return self.commands.get(cmd_name)

    def all_commands(self) -> dict[str, click.Command]:
        """Every command by name, each module imported."""
        for module in sorted(set(COMMAND_MODULES.values())):
            importlib.import_module(f"{__package__}.{module}")
        return dict(self.commands)

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
