"""A picture of the web view's front page: the SQLite database served as `csto-db serve`
serves it, on a free local port, photographed by headless Chromium at 1400×1000.

``python -m csto_db.outputs.web_screenshot [OUT.png] [DATABASE_URL]`` writes
``docs/web-front-page.png`` of ``sqlite:///csto.db`` (or ``$CSTO_DB_URL``) by default; the
browser is ``$CSTO_CHROMIUM``, else ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..errors import Error
from ..store.db import database_url
from .web import WebError, datasette_app, sqlite_path

#: The size of the window photographed: the size the web view is laid out for.
WINDOW = (1400, 1000)
#: Where the README's picture is kept.
DEFAULT_OUT = Path("docs/web-front-page.png")
#: How long the server and the browser may take, in seconds.
TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def screenshot(url: str, out: Path, chromium: str | None = None) -> Path:
    """Serve the database of ``url`` and save a PNG of its front page to ``out``."""
    import uvicorn

    browser = chromium or os.environ.get("CSTO_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(browser) and os.access(browser, os.X_OK)):
        raise WebError(f"no browser at {browser}: apt-get install chromium (or set CSTO_CHROMIUM)")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            datasette_app(sqlite_path(url)).app(), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise WebError(f"the web view did not start on port {port}")
            time.sleep(0.1)
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="csto-db-chromium-") as profile:
            subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--hide-scrollbars",
                    f"--user-data-dir={profile}",
                    f"--window-size={WINDOW[0]},{WINDOW[1]}",
                    f"--screenshot={out.resolve()}",
                    f"http://127.0.0.1:{port}/",
                ],
                check=True,
                capture_output=True,
                timeout=TIMEOUT,
            )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        raise WebError(f"the browser could not photograph the front page: {error}") from None
    finally:
        server.should_exit = True
        thread.join(timeout=TIMEOUT)
    if not out.is_file():
        raise WebError(f"the browser wrote no picture to {out}")
    return out


def main(out: str = str(DEFAULT_OUT), url: str | None = None) -> int:
    try:
        saved = screenshot(database_url(url), Path(out))
    except Error as error:
        print(f"web_screenshot: error: {error}", file=sys.stderr)
        return 2
    print(f"{saved}: the front page at {WINDOW[0]}×{WINDOW[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
