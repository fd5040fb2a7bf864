"""The release commands: ``diff`` between two builds and ``release-files``."""

from __future__ import annotations

import click

from .group import _remember_secret, emit, json_option, main, reports_errors


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
