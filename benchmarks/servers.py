"""Throwaway databases on the engines a benchmark compares: a SQLite file, and a database of
its own (with a reader role, for the query door) on each server that answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Each server's URL, from the variable the test suite reads, else the local default.
SERVERS = {
    "postgresql": ("CSTO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("CSTO_TEST_MARIADB_URL", "mariadb+pymysql://root@127.0.0.1:3306/test"),
}


@contextmanager
def built_database(engine: str, folder: Path) -> Iterator[tuple[str, str | None]]:
    """A database built by ``init`` on ``engine`` and, on a server, a reader's URL; both
    dropped afterwards. Raises ``RuntimeError`` when the server does not answer."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from csto_db.build.init import init_database
    from csto_db.query_door.reader_role import grant_reader

    if engine == "sqlite":
        url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        init_database(url)
        yield url, None
        return
    variable, default = SERVERS[engine]
    server = make_url(os.environ.get(variable) or default)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    token = uuid.uuid4().hex[:10]
    name, reader_name = f"csto_bench_{token}", f"csto_bench_reader_{token}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as error:  # any failure to reach the server: the engine is skipped
        admin.dispose()
        raise RuntimeError(f"{engine} does not answer: {str(error).splitlines()[0]}") from None
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        init_database(url)
        reader = grant_reader(url, reader_name, "bench").render_as_string(hide_password=False)
        yield url, reader
    finally:
        with admin.connect() as connection:
            if engine == "postgresql":
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                connection.execute(text(f"DROP ROLE IF EXISTS {reader_name}"))
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
                connection.execute(text(f"DROP USER IF EXISTS '{reader_name}'@'%'"))
        admin.dispose()
