"""The questions' commands: members, timeline, documents, initiatives, sessions, chair,
officials, operations, disputes and evidence, each printing what one function of
:mod:`csto_db.answers` returns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from ..outputs.render import chair_verdict, paragraph, parties_cell
from ..outputs.render import sources_of as _sources
from .group import (
    Command,
    _parse_day,
    emit,
    json_option,
    main,
    reading,
    reports_errors,
    source_option,
)


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
