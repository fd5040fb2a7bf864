"""Migrating a database to the newest schema, from a checkout or from an installed wheel."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from ..errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: The newest migration. Commands that only read compare a database against this without
#: importing Alembic (a test keeps it equal to the head of ``migrations/``).
SCHEMA_REVISION = "0010"


class SchemaRevisionError(DatabaseError):
    """A database at a schema revision this package cannot read as it stands."""


def migrations_dir() -> Path:
    """The Alembic scripts: ``migrations/`` beside the package in a checkout, or the copy a
    wheel carries inside the package."""
    checkout = PACKAGE_DIR.parent / "migrations"
    if (checkout / "env.py").exists():
        return checkout
    return Path(str(resources.files("csto_db") / "_migrations"))


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` built in code; no ``alembic.ini`` needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        # ConfigParser treats % as interpolation; URLs carry %-escapes in passwords.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration the package ships."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at, or None when it has never been migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Run the migrations on ``connection`` up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(connection=connection), revision)


def downgrade(connection: Connection, revision: str = "base") -> None:
    """Run the migrations on ``connection`` down to ``revision``."""
    from alembic import command

    command.downgrade(alembic_config(connection=connection), revision)


def revision_order(revision: str) -> int | None:
    """The place of ``revision`` in the chain. Revision ids are numbers counting up from
    ``0001``, so any number is ordered against the head: a larger one was made by a newer
    release. Anything else is no revision of this package's (None)."""
    return int(revision) if revision.isdigit() else None


def require_revision(connection: Connection, *, upgrading: bool = False) -> str | None:
    """The gate every reader and ``init`` pass: the database's revision, or one line saying
    what to do. A database never built, or at an older revision, is refused for reading
    ("run `csto-db init`") and let through when ``upgrading``; one at a newer revision
    (made by a newer csto-db) or at a revision that is not this package's is refused always,
    and so is one at this revision that a newer release of the record built
    (:func:`require_record_version`). Raises :class:`SchemaRevisionError`."""
    revision = current_revision(connection)
    if revision == SCHEMA_REVISION:
        require_record_version(connection)
        return revision
    if revision is None:
        if upgrading:
            return None
        raise SchemaRevisionError("the database has no csto-db schema: run `csto-db init`")
    order, head = revision_order(revision), int(SCHEMA_REVISION)
    if order is None:
        raise SchemaRevisionError(
            f"the database is at schema revision {revision!r}, which is not a csto-db "
            f"revision (this package knows 0001 to {SCHEMA_REVISION}): check --db names a "
            f"csto-db database"
        )
    if order > head:
        raise SchemaRevisionError(
            f"this database was made by a newer csto-db (schema {revision}; this package "
            f"knows up to {SCHEMA_REVISION}): upgrade the package (pip install -U csto-db)"
        )
    if not upgrading:
        raise SchemaRevisionError(
            f"the database is at schema {revision}, older than {SCHEMA_REVISION}: "
            f"run `csto-db init` to upgrade"
        )
    return revision


def stored_record_version(connection: Connection) -> str | None:
    """The release of csto-db that built the database, as its build record names it; None
    when it names none (no build record, or one older than the record's versions)."""
    inspector = inspect(connection)
    if not inspector.has_table("build_record"):
        return None
    if "record_version" not in {info["name"] for info in inspector.get_columns("build_record")}:
        return None
    stored: str | None = connection.execute(
        text("SELECT record_version FROM build_record")
    ).scalar()
    return stored


def require_record_version(connection: Connection) -> str | None:
    """Refuse a database at this package's schema revision that a newer release of csto-db
    built: its seeds or its answer rule may be ones this package does not know, as a newer
    schema would be. Returns the version the build record names (None when it names none).
    Raises :class:`SchemaRevisionError`."""
    from .. import __version__

    # At this revision the column exists: one query, no inspection, on every reader's gate.
    stored: str | None = connection.execute(
        text("SELECT record_version FROM build_record")
    ).scalar()
    if stored is None or stored == __version__:
        return stored
    from packaging.version import InvalidVersion, Version

    try:
        newer = Version(stored) > Version(__version__)
    except InvalidVersion:
        raise SchemaRevisionError(
            f"the database says csto-db {stored!r} built it, which is not a csto-db version: "
            f"check --db names a csto-db database"
        ) from None
    if newer:
        raise SchemaRevisionError(
            f"this database was made by a newer csto-db (record {stored}; this package is "
            f"{__version__}): upgrade the package (pip install -U csto-db)"
        )
    return stored


#: On MariaDB, the table whose one row ``init`` locks for its whole run (see
#: ``build/init_lock.py``). Not part of the schema the migrations make, and ``grant-reader``
#: grants the reader nothing on it.
MARIADB_INIT_LOCK_TABLE = "csto_init_lock"

#: The table ``init`` writes last, in the transaction that loads the seeds (``BuildRecord``).
BUILD_RECORD_TABLE = "build_record"


class DatabaseUnfinished(DatabaseError):
    """A database at the newest schema that ``init`` has not finished building."""


def require_finished(connection: Connection) -> None:
    """The gate's second half, for readers: ``init`` finished building the database at this
    schema, which it records last (in the load's own transaction). A database half built (an
    ``init`` still running on MariaDB, whose schema changes commit one by one, or one that
    was cut short) is refused with one line saying so. Raises :class:`DatabaseUnfinished`."""
    if inspect(connection).has_table(BUILD_RECORD_TABLE):
        built = connection.execute(text(f"SELECT revision FROM {BUILD_RECORD_TABLE}")).scalar()
        if built == SCHEMA_REVISION:
            return
    raise DatabaseUnfinished(
        "the database is not finished: `csto-db init` is building it, or a build was cut "
        "short; wait for it to finish, or run `csto-db init`"
    )
