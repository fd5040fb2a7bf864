"""The web view's own pages, as a Datasette plugin: the home page with the record's questions
as forms, and each answer from the library function the command line calls (members on a
day, a state's timeline, documents with their parties, a fact's evidence, the chair, the
officials, the disputes), with every key a link to the page of its evidence.

The pages check what they are asked the way the command line does, and say on the page
what is wrong and which values exist instead of answering nothing.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, Engine, select, text

from ..errors import Error, QueryError
from ..store.models import Base
from .render import chair_verdict
from .web_search import SEARCH_TABLE, fts_query

#: A day as a reader may type it: YYYY-MM-DD, the month and day with or without a zero.
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
#: The example every empty form shows.
EXAMPLES = {
    "members": {"org": "CSTO", "day": "2005-01-01"},
    "timeline": {"state": "ARM"},
    "documents": {"document": "cst-prolongation-protocol"},
    "evidence": {"fact": "csto-arm-frozen"},
    "chair": {"org": "CSTO", "day": "2011-12-20"},
    "officials": {"day": "2017-05-02"},
    "search": {"q": "prolongation"},
}
#: Where the style sheet is served (``web.STYLE_URL``).
STYLE_PATH = "/-/csto-db.css"
#: How many keys a page names when a fact key is unknown.
SUGGESTED_KEYS = 30

_engines: dict[str, Engine] = {}


def parse_web_day(value: str) -> date:
    """A day typed into a form: ``YYYY-MM-DD``, where ``2012-7-1`` is read as 2012-07-01;
    anything else is a :class:`QueryError` saying how to write one."""
    match = _DAY.fullmatch(value.strip())
    if not match:
        raise QueryError(f"{value!r} is not a day: give one as YYYY-MM-DD, e.g. 2005-01-01")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise QueryError(f"{value!r} is not a day of the calendar") from None


def link(path: str, **params: Any) -> str:
    """A URL of the web view with its query string."""
    given = {name: value for name, value in params.items() if value not in (None, "", False)}
    return path + ("?" + urlencode(given, safe=":") if given else "")


def fact_url(key: str) -> str:
    return link("/evidence", fact=key)


def source_url(key: str) -> str:
    return link("/sources", source=key)


def dispute_url(key: str) -> str:
    return link("/disputes", dispute=key)


def _engine(file: str) -> Engine:
    from ..store.db import make_engine

    if file not in _engines:
        _engines[file] = make_engine(f"sqlite:///{file}", read_only=True)
    return _engines[file]


# --- The pages' answers: plain data from the library ----------------------------------------


def _organizations(conn: Connection) -> list[str]:
    return list(conn.execute(text("SELECT code FROM organizations ORDER BY code")).scalars())


def _states(conn: Connection) -> list[tuple[str, str]]:
    return [tuple(row) for row in conn.execute(text("SELECT iso3, name FROM states ORDER BY name"))]


#: The advice the library's contested line gives the command line; the page gives a link.
_CONTESTED_ADVICE = "; --contested lists it"


def _contested_line(note: str, url: str) -> dict[str, str]:
    """The library's line for a contested subject, its command-line advice replaced by a
    link that lists it."""
    if note.endswith(_CONTESTED_ADVICE):
        return {"text": note[: -len(_CONTESTED_ADVICE)], "list_url": url}
    return {"text": note, "list_url": ""}


def _other_readings(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [reading for reading in row.get("readings", []) if not reading["preferred"]]


def members_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Who belonged to an organization on a day, as ``csto-db members`` answers it."""
    from ..answers.asof import (
        MEMBERS_UNKNOWN,
        contested_note,
        horizon_of,
        lifetime_of,
        organization_code,
    )
    from ..answers.membership import members_on, missing_data_note

    page: dict[str, Any] = {"organizations": _organizations(conn), "rows": None, "lines": []}
    org_text, day_text = args.get("org", "").strip(), args.get("day", "").strip()
    with_contested = bool(args.get("contested"))
    page.update(org=org_text or "CSTO", day=day_text, contested=with_contested)
    if not day_text:
        return page
    org = organization_code(conn, org_text or "CSTO")
    on = parse_web_day(day_text)
    page.update(org=org, day=on.isoformat())
    if on.isoformat() != day_text:
        page["lines"].append(f"{day_text} read as {on.isoformat()}.")
    outside = lifetime_of(conn, org).explain(on)
    if outside:
        page["lines"].append(outside)
        return page
    answers = [m.to_dict() for m in members_on(conn, org, on, contested=True)]
    page["rows"] = [
        {**row, "other_readings": _other_readings(row)}
        for row in answers
        if with_contested or not row["contested"]
    ]
    horizon = horizon_of(conn, org)
    beyond = horizon.beyond(on, MEMBERS_UNKNOWN) if horizon else None
    missing = missing_data_note(conn, org, on)
    page["lines"] += [line for line in (beyond, missing) if line]
    page["contested_lines"] = [
        _contested_line(
            contested_note(f"{row['state']} {row['name']}", row["readings"], listed=with_contested),
            link("/members", org=org, day=on.isoformat(), contested=1),
        )
        for row in answers
        if row["contested"]
    ]
    return page


def _state_code(conn: Connection, given: str) -> str:
    """The ISO code of a state given by its code or its name (any case); the library
    judges a code the database does not hold."""
    for iso3, name in _states(conn):
        if given.strip().casefold() in (iso3.casefold(), name.casefold()):
            return iso3
    return given.strip()


def timeline_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """One state's history, as ``csto-db timeline`` answers it."""
    from ..answers.timeline import timeline

    given = args.get("state", "").strip()
    page: dict[str, Any] = {"states": _states(conn), "state": given, "rows": None}
    if not given:
        return page
    iso3 = _state_code(conn, given)
    page["state"] = iso3
    page["rows"] = [entry.to_dict() for entry in timeline(conn, iso3)]
    return page


def documents_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Legal documents with their parties, as ``csto-db documents`` answers it: all, one
    kind, or one document."""
    from ..answers.documents import documents

    kind = args.get("kind", "").strip().lower()
    key = args.get("document", "").strip()
    found = [d.to_dict() for d in documents(conn, kind=kind or None)]
    page: dict[str, Any] = {
        "kind": kind,
        "document": key,
        "kinds": sorted({d["kind"] for d in found}),
        "choices": [(d["key"], d["title"]) for d in found],
        "rows": found,
    }
    if key:
        page["rows"] = [d for d in found if d["key"] == key]
        if not page["rows"]:
            raise QueryError(
                f"no document with key {key!r}; the database has: "
                + ", ".join(d["key"] for d in found)
            )
    return page


def _stored_row(conn: Connection, key: str) -> tuple[str, list[tuple[str, Any]]]:
    """The table a fact is stored in and its row's columns, as stored."""
    table_name = conn.execute(
        text("SELECT table_name FROM facts WHERE key = :key"), {"key": key}
    ).scalar()
    table = Base.metadata.tables.get(str(table_name))
    if table is None or "key" not in table.c:
        return str(table_name or ""), []
    row = conn.execute(select(table).where(table.c.key == key)).mappings().first()
    return table.name, [(name, value) for name, value in (row or {}).items() if value is not None]


def _sources(conn: Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        text(
            "SELECT key, title, kind, publisher, address, language, published, note "
            "FROM sources ORDER BY key"
        )
    ).mappings()
    return {row["key"]: dict(row) for row in rows}


def unknown_fact(conn: Connection, given: str, error: QueryError) -> QueryError:
    """The library's refusal of a fact key, naming the keys that contain what was typed
    (or some of the keys there are)."""
    found = list(
        conn.execute(
            text("SELECT key FROM facts WHERE key LIKE :part ORDER BY key LIMIT :limit"),
            {"part": f"%{given.strip()}%", "limit": SUGGESTED_KEYS + 1},
        ).scalars()
    )
    if not found:
        return error
    more = ", ..." if len(found) > SUGGESTED_KEYS else ""
    return QueryError(
        f"no fact with key {given!r}; keys that contain it: "
        + ", ".join(found[:SUGGESTED_KEYS])
        + more
    )


def evidence_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Everything behind one fact, as ``csto-db evidence`` answers it, with the fact's row
    as stored, the disputes of its fields with their reasons, and each quote's source."""
    from ..answers.evidence import disputes, evidence

    key = args.get("fact", "").strip()
    page: dict[str, Any] = {"fact": key, "evidence": None}
    if not key:
        return page
    try:
        found = evidence(conn, key).to_dict()
    except QueryError as error:
        raise unknown_fact(conn, key, error) from None
    table, stored = _stored_row(conn, key)
    asked = {reading["dispute"] for reading in found["readings"]}
    page.update(
        evidence=found,
        table=table,
        stored=stored,
        sources=_sources(conn),
        disputes=[d.to_dict() for d in disputes(conn, include_refinements=True) if d.key in asked],
    )
    return page


def disputes_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Where the sources disagree, as ``csto-db disputes`` answers it (``all``: with the
    refinements too), or one dispute."""
    from ..answers.evidence import disputes

    key = args.get("dispute", "").strip()
    everything = bool(args.get("all")) or bool(key)
    found = [d.to_dict() for d in disputes(conn, include_refinements=everything)]
    if key:
        one = [d for d in found if d["key"] == key]
        if not one:
            raise QueryError(
                f"no dispute with key {key!r}; the database has: "
                + ", ".join(d["key"] for d in found)
            )
        found = one
    return {"dispute": key, "all": everything, "rows": found}


def chair_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Who held the chair on a day, as ``csto-db chair`` answers it."""
    from ..answers.asof import contested_note, horizon_of, organization_code
    from ..answers.record import chair_answer, chair_on

    day_text = args.get("day", "").strip()
    with_contested = bool(args.get("contested"))
    page: dict[str, Any] = {
        "organizations": _organizations(conn),
        "org": args.get("org", "").strip() or "CSTO",
        "day": day_text,
        "contested": with_contested,
        "answer": None,
    }
    if not day_text:
        return page
    org = organization_code(conn, page["org"])
    on = parse_web_day(day_text)
    page.update(org=org, day=on.isoformat())
    terms = chair_on(conn, on, org, contested=True)
    shown = [term for term in terms if with_contested or not term.contested]
    answer = chair_answer(shown, on, org, horizon_of(conn, org)).to_dict()
    page.update(
        answer=answer,
        verdict=chair_verdict(answer),
        lines=[f"{day_text} read as {on.isoformat()}."] if on.isoformat() != day_text else [],
        contested_lines=[
            _contested_line(
                contested_note(
                    f"{term.state} ({term.key})",
                    term.to_dict()["readings"],
                    listed=with_contested,
                ),
                link("/chair", org=org, day=on.isoformat(), contested=1),
            )
            for term in terms
            if term.contested
        ],
    )
    return page


def officials_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Who held each office on a day, as ``csto-db officials`` answers it."""
    from ..answers.asof import contested_note
    from ..answers.record import officials_on

    day_text = args.get("day", "").strip()
    with_contested = bool(args.get("contested"))
    page: dict[str, Any] = {"day": day_text, "contested": with_contested, "rows": None}
    if not day_text:
        return page
    on = parse_web_day(day_text)
    page["day"] = on.isoformat()
    answers = [o.to_dict() for o in officials_on(conn, on, contested=True)]
    page["rows"] = [
        {**row, "other_readings": _other_readings(row)}
        for row in answers
        if with_contested or not row["contested"]
    ]
    beyond = (row["past_horizon"] for row in page["rows"] if row["past_horizon"])
    page["lines"] = list(dict.fromkeys(beyond))
    if on.isoformat() != day_text:
        page["lines"].insert(0, f"{day_text} read as {on.isoformat()}.")
    page["contested_lines"] = [
        _contested_line(
            contested_note(
                f"{row['person']} ({row['key']})", row["readings"], listed=with_contested
            ),
            link("/officials", day=on.isoformat(), contested=1),
        )
        for row in answers
        if row["contested"]
    ]
    return page


def sources_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """The sources, or one source with the quotes the record cites from it."""
    sources = _sources(conn)
    key = args.get("source", "").strip()
    if not key:
        return {"source": "", "sources": list(sources.values())}
    if key not in sources:
        raise QueryError(f"no source with key {key!r}; the database has: {', '.join(sources)}")
    quotes = conn.execute(
        text(
            "SELECT c.key, c.quote, c.translation, c.char_start, c.char_end, "
            "(SELECT group_concat(fact_key, ' ') FROM fact_citations fc "
            " WHERE fc.citation_key = c.key) AS facts "
            "FROM citations c WHERE c.source_key = :key ORDER BY c.char_start, c.key"
        ),
        {"key": key},
    ).mappings()
    return {
        "source": key,
        "sources": [sources[key]],
        "quotes": [{**row, "facts": (row["facts"] or "").split()} for row in quotes],
    }


def home_page(conn: Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """What the home page needs: the record's horizon and the choices of its forms."""
    from ..answers.asof import horizon_of

    horizon = horizon_of(conn, "CSTO")
    counts = conn.execute(
        text(
            "SELECT (SELECT count(*) FROM facts), (SELECT count(*) FROM sources), "
            "(SELECT count(*) FROM citations)"
        )
    ).one()
    return {
        "horizon": horizon.edtf if horizon else None,
        "facts": counts[0],
        "source_count": counts[1],
        "quotes": counts[2],
        "organizations": _organizations(conn),
        "states": _states(conn),
        "documents": conn.execute(
            text(
                "SELECT key, title, signed_edtf FROM documents "
                "ORDER BY signed_lower IS NULL, signed_lower, key"
            )
        ).all(),
    }


#: Each page: its path, the function of its answer and its template.
PAGES: dict[str, tuple[Callable[[Connection, Mapping[str, str]], dict[str, Any]], str]] = {
    "/": (home_page, "csto_home.html"),
    "/members": (members_page, "csto_members.html"),
    "/timeline": (timeline_page, "csto_timeline.html"),
    "/documents": (documents_page, "csto_documents.html"),
    "/evidence": (evidence_page, "csto_evidence.html"),
    "/disputes": (disputes_page, "csto_disputes.html"),
    "/chair": (chair_page, "csto_chair.html"),
    "/officials": (officials_page, "csto_officials.html"),
    "/sources": (sources_page, "csto_sources.html"),
}


# --- The plugin ------------------------------------------------------------------------------


def _config(datasette: Any) -> dict[str, str] | None:
    config = datasette.plugin_config("csto-db")
    return config if isinstance(config, dict) and "file" in config else None


def _view(path: str) -> Callable[..., Any]:
    answer, template = PAGES[path]

    async def view(datasette: Any, request: Any) -> Any:
        from datasette.utils.asgi import Response  # type: ignore[import-untyped]

        config = _config(datasette)
        assert config is not None  # the routes exist only with it
        args = {name: request.args.get(name, "") for name in request.args}
        context: dict[str, Any] = {
            "database": config["database"],
            "examples": EXAMPLES,
            "fact_url": fact_url,
            "source_url": source_url,
            "dispute_url": dispute_url,
            "link": link,
            "error": None,
        }
        status = 200
        # The answers are quick reads of a small read-only file: asked in the event loop.
        with _engine(config["file"]).connect() as conn:
            try:
                context.update(answer(conn, args))
            except Error as error:
                status = 400
                context["error"] = str(error)
                context.update(answer(conn, {}))
                context.update({name: value for name, value in args.items() if name != "error"})
        html = await datasette.render_template(template, context, request=request)
        return Response.html(html, status=status)

    return view


async def _search(datasette: Any, request: Any) -> Any:
    """The home page's search: the reader's words as an FTS5 query, shown by Datasette's
    own full-text search of the search table."""
    from datasette.utils.asgi import Response

    config = _config(datasette)
    assert config is not None
    words = request.args.get("q", "")
    query = fts_query(words)
    if not query:
        return Response.redirect(link("/", q=words) + "#search")
    table = datasette.urls.table(config["database"], SEARCH_TABLE)
    return Response.redirect(table + "?" + urlencode({"_search": query}))


def unbreakable_columns() -> list[str]:
    """The columns whose values are dates or keys, which a line must never break."""
    names = {
        column.name
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name in ("key", "code", "start", "end")
        or column.name.endswith(("_key", "_code", "_iso3", "_edtf", "_lower", "_upper"))
        or column.name.startswith("reach_")
    }
    return sorted(names | {"iso3", "dispute", "source"})


async def _style(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    cells = ",\n".join(
        f"table.rows-and-columns td.col-{name}, table.rows-and-columns th.col-{name}"
        for name in unbreakable_columns()
    )
    css = f"{cells},\n.nowrap, .key, .day {{ white-space: nowrap; }}\n" + _STYLE
    return Response(css, content_type="text/css; charset=utf-8")


_STYLE = """
.csto-forms { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr));
  gap: 1rem; margin: 1rem 0; }
.csto-forms form { border: 1px solid #ccc; border-radius: 4px; padding: 0.6rem 0.8rem; }
.csto-forms h2 { font-size: 1.05rem; margin: 0 0 0.4rem 0; }
.csto-forms label, form.csto-ask label { display: inline-block; width: auto;
  margin: 0.2rem 0.8rem 0.4rem 0; font-weight: normal; }
.csto-forms select { max-width: 17rem; }
.csto-forms input[type=search], form.csto-ask input[type=search] { width: 14rem; padding: 4px; }
.csto-forms input, .csto-forms select, form.csto-ask input, form.csto-ask select {
  font-size: 1rem; }
.csto-example { color: #555; font-size: 0.9rem; }
.csto-error { background: #fdd; border-left: 4px solid #c00; padding: 0.5rem 0.8rem; }
.csto-line { background: #f4f4e8; border-left: 4px solid #aa8; padding: 0.4rem 0.8rem; }
.csto-answer td, .csto-answer th { vertical-align: top; padding: 0.2rem 0.6rem; }
.csto-answer { border-collapse: collapse; }
.csto-answer tr { border-bottom: 1px solid #ddd; }
blockquote.csto-quote { margin: 0.4rem 0 0.8rem 1rem; border-left: 3px solid #bbb;
  padding-left: 0.8rem; }
table.rows-and-columns td.col-text { min-width: 30rem; }
.csto-translation { color: #444; font-style: italic; }
.certainty-disputed, .certainty-contested { color: #a40; font-weight: bold; }
.certainty-possible { color: #660; }
"""

_registered: list[object] = []


def register() -> None:
    """Register the plugin with Datasette once per process; its routes answer only for a
    Datasette that :func:`csto_db.outputs.web.datasette_app` configured."""
    if _registered:
        return
    from datasette import hookimpl  # type: ignore[import-untyped]
    from datasette.plugins import pm  # type: ignore[import-untyped]

    def register_routes(datasette: Any) -> list[tuple[str, Any]]:
        if _config(datasette) is None:
            return []
        routes = [(rf"^{re.escape(path)}$", _view(path)) for path in PAGES]
        return [*routes, (r"^/search$", _search), (rf"^{re.escape(STYLE_PATH)}$", _style)]

    def render_cell(value: Any, column: str, table: str | None, datasette: Any) -> Any:
        return _cell(value, column, table, datasette)

    # Datasette names each plugin by its module's name: the hooks go in a module of their own.
    plugin = types.ModuleType("csto_db_web_pages")
    plugin.register_routes = hookimpl(register_routes)  # type: ignore[attr-defined]
    plugin.render_cell = hookimpl(render_cell)  # type: ignore[attr-defined]
    pm.register(plugin, name="csto-db")
    _registered.append(plugin)


def _cell(value: Any, column: str, table: str | None, datasette: Any) -> Any:
    """Keys in Datasette's tables as links to the pages of their evidence."""
    if _config(datasette) is None or not isinstance(value, str) or not value:
        return None
    from markupsafe import Markup, escape

    def anchor(url: str, label: str) -> str:
        return f'<a class="key" href="{escape(url)}">{escape(label)}</a>'

    if table == SEARCH_TABLE and column == "facts":
        return Markup(" ".join(anchor(fact_url(key), key) for key in value.split()))
    if table == SEARCH_TABLE and column == "dispute":
        return Markup(anchor(dispute_url(value), value))
    if column in ("source", "source_key") and table in (SEARCH_TABLE, "citations"):
        return Markup(anchor(source_url(value), value))
    if column == "fact_key" or (column == "key" and table in _FACT_TABLES):
        return Markup(anchor(fact_url(value), value))
    if column == "dispute_key" or (column == "key" and table == "disputes"):
        return Markup(anchor(dispute_url(value), value))
    return None


#: The tables whose rows are facts, by their ``key``.
_FACT_TABLES = frozenset(
    table.name
    for table in Base.metadata.sorted_tables
    if "key" in table.c and table.name not in ("sources", "citations", "disputes", "row_digests")
)
