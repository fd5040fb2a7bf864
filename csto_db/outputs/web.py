"""The web view: Datasette over a read-only copy of the SQLite database, opening on the
record's questions, each answered by the library function the command line calls.

Its pages (``web_pages``) are plugin routes rendered with Datasette's templates; the
tables and SQL stay Datasette's own, with bookkeeping tables hidden, and full-text search
over an index built in the copy (``web_search``).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from ..errors import Error
from ..store.models import Base
from .record_metadata import DESCRIPTION, LICENSE, LICENSE_NOTE, TITLE
from .web_search import SEARCH_FTS, SEARCH_TABLE, copy_with_search

#: Tables a reader does not need: what built the database, and the join tables whose rows
#: the pages show beside what they join. Hidden from the database's page, reachable by URL.
HIDDEN_TABLES = (
    "alembic_version",
    "build_record",
    "dataset_imports",
    "dispute_subjects",
    "fact_citations",
    "facts",
    "row_digests",
)

#: Where the web view's style sheet is served.
STYLE_URL = "/-/csto-db.css"
#: Where its templates are.
TEMPLATES = Path(__file__).with_name("web_templates")
#: Characters of a cell shown in a table view; the row's own page shows it whole.
TRUNCATE_CELLS = 160


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


def metadata(path: Path) -> dict[str, Any]:
    """Datasette metadata for the database at ``path``: title, description, licence, a
    description of every table and column, the hidden tables and the search table."""
    tables: dict[str, dict[str, Any]] = {}
    for table in Base.metadata.sorted_tables:
        tables[table.name] = {
            "description": table.comment or "",
            "columns": {column.name: column.comment for column in table.columns if column.comment},
        }
    for name in HIDDEN_TABLES:
        tables.setdefault(name, {})["hidden"] = True
    tables[SEARCH_TABLE] = {
        "description": (
            "Every quote, translation, document title, event and dispute reason, searchable "
            "(the search box of the home page, or ?_search= here). facts: the facts a text "
            "is cited for; dispute: the dispute it explains; source: where it is quoted from."
        ),
        "fts_table": SEARCH_FTS,
        "fts_pk": "id",
        "searchmode": "raw",
    }
    description_html = (
        f"<p>{DESCRIPTION}</p><p>{LICENSE_NOTE} Dates: EDTF text beside the earliest "
        "(<code>*_lower</code>) and latest (<code>*_upper</code>) possible day; spans are "
        "closed-open, <code>[start, end)</code>. The questions are answered on "
        '<a href="/">the home page</a>; the sources are listed on '
        '<a href="/sources">their own page</a>.</p>'
    )
    return {
        "title": TITLE,
        "description_html": description_html,
        "license": LICENSE["title"],
        "license_url": LICENSE["path"],
        "source": "the sources: each fact's, quoted verbatim",
        "source_url": "/sources",
        "extra_css_urls": [STYLE_URL],
        "databases": {path.stem: {"tables": tables}},
        "plugins": {"csto-db": {"database": path.stem}},
    }


def datasette_app(path: Path) -> Any:
    """A Datasette instance serving a copy of ``path`` (the original is only read) with the
    search index added, immutable, and the pages of the record's questions."""
    try:
        # Datasette ships neither type hints nor a py.typed marker.
        from datasette.app import Datasette  # type: ignore[import-untyped]
    except ImportError:
        raise WebError("the web view needs Datasette: pip install 'csto-db[web]'") from None
    from . import web_pages

    folder = Path(tempfile.mkdtemp(prefix="csto-db-web-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    served = copy_with_search(path, folder)
    web_pages.register()
    settings = {"sql_time_limit_ms": 2000, "truncate_cells_html": TRUNCATE_CELLS}
    config = metadata(path)
    config["plugins"]["csto-db"]["file"] = str(served)
    return Datasette(
        immutables=[str(served)],
        metadata=config,
        settings=settings,
        template_dir=str(TEMPLATES),
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
