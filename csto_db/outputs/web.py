"""The web view: Datasette over the SQLite database, read-only, with metadata and canned queries.

The canned queries' SQL lives here and only here (``CANNED_QUERIES``). They run on SQLite,
the one engine Datasette serves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from ..errors import Error
from ..store.models import MEMBER_STATUSES, Base
from .record_metadata import DESCRIPTION, LICENSE, LICENSE_NOTE, TITLE

#: Statuses counted by the members query, as SQL (the rule of ``members_on``).
_MEMBER_STATUSES_SQL = ", ".join(f"'{status}'" for status in MEMBER_STATUSES)

_SOURCES_OF = """(SELECT group_concat(source_key, ', ') FROM (
        SELECT DISTINCT c.source_key FROM fact_citations fc
        JOIN citations c ON c.key = fc.citation_key
        WHERE fc.fact_key = {key} ORDER BY c.source_key))"""

#: Canned queries, by URL name. Each ``:name`` becomes a form field. Dates are compared as
#: ISO text, which is how SQLite stores them.
CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "members_on": {
        "title": "Members of an organization on a day",
        "description": (
            "The states in membership (party, member or frozen) of an organization (CST or "
            "CSTO) on a day (YYYY-MM-DD) within the organization's lifetime, by the "
            "preferred reading: the dates stored on each span. certain: the latest "
            "possible start is on or before the day, the day is before the earliest "
            "possible end, and the organization's record covers the day (it is not after "
            "its horizon, the last day its sources cover); possible: only the imprecision "
            "of a date, or the end of the record, leaves it open. record_ends is that "
            "horizon. fields_with_other_readings names the span's dates that other "
            "sources read differently (see the disputes query; `csto-db members` weighs "
            "them, and calls a day another reading puts outside the span disputed)."
        ),
        "sql": f"""
SELECT m.state_iso3 AS state, s.name AS name, m.status AS status,
  CASE WHEN m.start_upper <= :day AND (m.end_lower IS NULL OR :day < m.end_lower)
            AND (o.horizon_upper IS NULL OR :day <= o.horizon_upper)
       THEN 'certain' ELSE 'possible' END AS certainty,
  m.start_edtf AS since, m.end_edtf AS until, o.horizon_upper AS record_ends,
  (SELECT group_concat(field, ', ') FROM (
      SELECT DISTINCT ds.field FROM dispute_subjects ds WHERE ds.fact_key = m.key
      ORDER BY ds.field)) AS fields_with_other_readings,
  {_SOURCES_OF.format(key="m.key")} AS sources,
  m.key AS span
FROM membership_spans m
JOIN states s ON s.iso3 = m.state_iso3
JOIN organizations o ON o.code = m.organization_code
WHERE upper(o.code) = upper(:org)
  AND m.status IN ({_MEMBER_STATUSES_SQL})
  AND (o.membership_start_lower IS NULL OR o.membership_start_lower <= :day)
  AND (o.membership_end_upper IS NULL OR :day < o.membership_end_upper)
  AND m.start_lower <= :day AND (m.end_upper IS NULL OR :day < m.end_upper)
ORDER BY m.state_iso3""".strip(),
    },
    "state_timeline": {
        "title": "A state's timeline",
        "description": (
            "One state (ISO 3166-1 alpha-3 code, e.g. ARM) over time: its "
            "membership spans, terms in the chair, the documents it signed or "
            "acceded to, and dated events, in date order."
        ),
        "sql": """
SELECT start, "end", entry, organization, what, fact FROM (
  SELECT m.start_lower AS day, m.start_edtf AS start, m.end_edtf AS "end",
         'membership' AS entry, m.organization_code AS organization, m.status AS what,
         m.key AS fact
  FROM membership_spans m WHERE m.state_iso3 = upper(:iso3)
  UNION ALL
  SELECT c.start_lower, c.start_edtf, c.end_edtf, 'chair', c.organization_code, 'chair',
         c.key
  FROM chair_spans c WHERE c.state_iso3 = upper(:iso3)
  UNION ALL
  SELECT p.acted_lower, p.acted_edtf, NULL, 'document', d.organization_code,
         p.role || ': ' || d.title, p.key
  FROM document_parties p JOIN documents d ON d.key = p.document_key
  WHERE p.state_iso3 = upper(:iso3)
  UNION ALL
  SELECT e.happened_lower, e.happened_edtf, NULL, 'event', e.organization_code,
         e.kind || ': ' || e.title, e.key
  FROM events e WHERE e.state_iso3 = upper(:iso3)
)
ORDER BY day IS NULL, day, entry, fact""".strip(),
    },
    "documents_with_parties": {
        "title": "Documents with their parties",
        "description": (
            "Legal documents with dates signed and in force and every party's "
            "role and date. Leave kind empty for all, or give one: treaty, "
            "protocol, charter, agreement, ..."
        ),
        "sql": """
SELECT d.key, d.kind, d.title, d.signed_edtf AS signed, d.place, d.in_force_edtf AS in_force,
  (SELECT group_concat(party, '; ') FROM (
      SELECT coalesce(p.state_iso3, p.organization_code) || ' ' || p.role
             || coalesce(' ' || p.acted_edtf, '') AS party
      FROM document_parties p WHERE p.document_key = d.key ORDER BY party)) AS parties
FROM documents d
WHERE :kind = '' OR d.kind = lower(:kind)
ORDER BY d.signed_lower IS NULL, d.signed_lower, d.key""".strip(),
    },
    "disputes_with_readings": {
        "title": "Disputes with their readings",
        "description": (
            "Every question the sources answer differently, each reading with "
            "its sources, the preferred one marked, and why it is preferred. "
            "disagreement 0: the readings only differ in precision."
        ),
        "sql": f"""
SELECT d.key AS dispute, d.question,
  coalesce(r.value_date_edtf, r.value_text) AS reading,
  CASE WHEN r.preferred THEN 'preferred' ELSE '' END AS preferred,
  {_SOURCES_OF.format(key="r.key")} AS sources,
  d.rule, d.reason, d.disagreement
FROM disputes d JOIN readings r ON r.dispute_key = d.key
ORDER BY d.key, r.preferred IS NULL, r.key""".strip(),
    },
    "evidence": {
        "title": "The sources and quotes behind a fact",
        "description": (
            "Every quote cited for one fact (any key: a span such as "
            "csto-arm-member, a document such as cst, a reading, ...), with its "
            "source."
        ),
        "sql": """
SELECT fc.fact_key AS fact, f.table_name AS "table", c.source_key AS source,
  s.title AS source_title, s.kind AS source_kind, c.quote, c.translation, s.address
FROM fact_citations fc
JOIN facts f ON f.key = fc.fact_key
JOIN citations c ON c.key = fc.citation_key
JOIN sources s ON s.key = c.source_key
WHERE fc.fact_key = :fact
ORDER BY c.source_key, c.char_start, c.key""".strip(),
    },
}


class WebError(Error):
    """The web view cannot start as asked."""


def sqlite_path(url: str) -> Path:
    """The file of a SQLite database URL; a server URL or a missing file is a WebError."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise WebError(
            "the web view serves a SQLite file, not a server: build one from the same seeds "
            "with `csto-db --db sqlite:///csto.db init`, then `csto-db --db sqlite:///csto.db "
            "serve` (or `csto-db export` the server's record)"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise WebError("the web view needs a SQLite file, not an in-memory database")
    path = Path(parsed.database)
    if not path.is_file():
        raise WebError(f"no database at {path}: run `csto-db init` first (or pass --db)")
    return path


def _sources_html(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT key, title, publisher, address FROM sources ORDER BY key"
        ).fetchall()
    finally:
        connection.close()
    from html import escape

    items = []
    for key, title, publisher, address in rows:
        label = escape(title) + (f" ({escape(publisher)})" if publisher else "")
        if address and address.startswith(("http://", "https://")):
            label = f'<a href="{escape(address)}">{label}</a>'
        items.append(f"<li><code>{escape(key)}</code>: {label}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def metadata(path: Path) -> dict[str, Any]:
    """Datasette metadata for the database at ``path``: title, description, licence, the
    sources, a description of every table and column, and the canned queries."""
    tables = {}
    for table in Base.metadata.sorted_tables:
        tables[table.name] = {
            "description": table.comment or "",
            "columns": {column.name: column.comment for column in table.columns if column.comment},
        }
    description_html = (
        f"<p>{DESCRIPTION}</p><p>{LICENSE_NOTE} Dates: EDTF text beside the earliest "
        "(<code>*_lower</code>) and latest (<code>*_upper</code>) possible day; spans are "
        "closed-open, <code>[start, end)</code>.</p><p>Sources:</p>" + _sources_html(path)
    )
    return {
        "title": TITLE,
        "description_html": description_html,
        "license": LICENSE["title"],
        "license_url": LICENSE["path"],
        "source": "the sources table: each fact's sources, quoted verbatim",
        "source_url": f"/{path.stem}/sources",
        "databases": {path.stem: {"tables": tables, "queries": CANNED_QUERIES}},
    }


def datasette_app(path: Path) -> Any:
    """A Datasette instance serving ``path`` immutable (read-only, never written)."""
    try:
        # Datasette ships neither type hints nor a py.typed marker.
        from datasette.app import Datasette  # type: ignore[import-untyped]
    except ImportError:
        raise WebError("the web view needs Datasette: pip install 'csto-db[web]'") from None
    return Datasette(
        immutables=[str(path)], metadata=metadata(path), settings={"sql_time_limit_ms": 2000}
    )


def serve(
    url: str,
    host: str = "127.0.0.1",
    port: int = 8001,
    on_ready: Callable[[], object] | None = None,
) -> None:
    """Serve the SQLite database of ``url`` on ``host:port`` until interrupted; ``on_ready``
    is called once everything the server needs is found, just before it listens."""
    path = sqlite_path(url)
    app = datasette_app(path).app()
    import uvicorn

    if on_ready is not None:
        on_ready()

    uvicorn.run(app, host=host, port=port, log_level="warning")
