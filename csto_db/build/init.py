"""Building a database: build the newest schema on an empty one, or migrate an existing one
to it, then load the seeds into it, as one step that a killed process or a second ``init``
cannot leave half done."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text

from ..collector import older_objects_frozen
from ..errors import DatabaseError
from ..store.db import database_url, make_engine
from ..store.fresh_schema import create_schema, is_empty
from ..store.schema import (
    SCHEMA_REVISION,
    alembic_config,
    current_revision,
    require_revision,
)
from ..store.tables import metadata
from .digests import record_build, rows_of_seeds, seeds_digest
from .init_lock import (
    DEFAULT_LOCK_WAIT,
    _file_lock,
    _lock_postgresql,
    _mariadb_lock,
    _sqlite_file,
    sqlite_lock_path,
)
from .seed_files import read_seed_set
from .seed_set import SeedSet, seeds_dir
from .sync import SyncReport, planned_deletions, sync

#: On MariaDB, where every DDL statement commits by itself, this table exists exactly while
#: a migration is under way. Finding it means an earlier ``init`` died half-way through
#: building the schema: the package's own tables are then dropped and built again (the
#: database is generated from the seeds, so nothing is lost).
MARIADB_UNFINISHED = "csto_init_unfinished"


@dataclass
class InitReport:
    """What ``init`` did: the revision before and after, and the seed changes."""

    revision_before: str | None
    revision_after: str | None
    seeds: SyncReport
    pruned: bool = False

    def lines(self) -> list[str]:
        if self.revision_before == self.revision_after:
            migrated = f"schema already at {self.revision_after}"
        else:
            migrated = f"schema migrated {self.revision_before or 'empty'} -> {self.revision_after}"
        seeded = "seeds unchanged" if not self.seeds.changed else "seeds loaded"
        lines = [migrated, f"{seeded}: {self.seeds.summary()}"]
        lines += [f"deleted {table} {key}" for table, key in self.seeds.prunable]
        return lines

    def to_dict(self) -> dict[str, Any]:
        tables = sorted(
            set(self.seeds.inserted) | set(self.seeds.updated) | set(self.seeds.deleted)
        )
        return {
            "revision_before": self.revision_before,
            "revision_after": self.revision_after,
            "tables": {
                table: {
                    "inserted": self.seeds.inserted.get(table, 0),
                    "updated": self.seeds.updated.get(table, 0),
                    "deleted": self.seeds.deleted.get(table, 0),
                }
                for table in tables
            },
            "rows": self.seeds.total_rows,
            "pruned": self.pruned,
            "would_prune": [] if self.pruned else prune_list(self.seeds.prunable),
            "deleted_rows": prune_list(self.seeds.prunable) if self.pruned else [],
        }


def prune_list(rows: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"table": table, "key": key} for table, key in rows]


def init_database(
    url: str | None = None,
    seeds_directory: Path | None = None,
    *,
    prune: bool = False,
    lock_wait: float = DEFAULT_LOCK_WAIT,
) -> InitReport:
    """Build the newest schema on an empty database at ``url`` (the tables, then the
    triggers and constraints the migrations add, stamped at head), or migrate an existing one
    to head through Alembic, then sync the seeds into it.

    The seed files are read and validated before anything is written. The whole run holds a
    lock on the database (a file beside a SQLite file, an advisory lock on PostgreSQL,
    ``GET_LOCK`` on MariaDB); another run waits up to ``lock_wait`` seconds, then
    :class:`InitLocked` is raised. Rows the database holds and the seeds lack are deleted
    only with ``prune``; otherwise :class:`~csto_db.build.sync.PruneRefused` lists them and
    nothing changes.

    Killed at any moment, the database is left as it was or complete, and the next run
    finishes the job: a SQLite file is built in a copy moved into place; PostgreSQL builds
    in one transaction; MariaDB, whose DDL commits by itself, loads in one transaction and
    rebuilds a schema it finds half migrated. Safe to repeat: a second run changes nothing.
    Raises ``SeedError`` for a bad seed file and ``DatabaseError`` when the database cannot
    be reached.

    The seed files' parsed YAML is kept between runs (:mod:`.seed_cache`), and the objects
    alive when the build starts are frozen for the cycle collector until it ends
    (:func:`~csto_db.collector.older_objects_frozen`).
    """
    with older_objects_frozen():
        return _init_database(url, seeds_directory, prune, lock_wait)


def _init_database(
    url: str | None, seeds_directory: Path | None, prune: bool, lock_wait: float
) -> InitReport:
    resolved = database_url(url)
    directory = seeds_directory or seeds_dir()
    seeds = read_seed_set(directory)
    seeds_sha256 = seeds_digest(directory)
    sqlite_file = _sqlite_file(resolved)
    if sqlite_file is not None:
        return _init_sqlite_file(sqlite_file, seeds, seeds_sha256, prune, lock_wait)
    engine = make_engine(resolved)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                return _init_postgresql(connection, seeds, seeds_sha256, prune, lock_wait)
            if connection.dialect.name in ("mysql", "mariadb"):
                return _init_mariadb(connection, seeds, seeds_sha256, prune, lock_wait)
            return _build(connection, seeds, seeds_sha256, prune, in_transaction=True)[0]
    finally:
        engine.dispose()


def _build(
    connection: Connection, seeds: SeedSet, seeds_sha256: str, prune: bool, *, in_transaction: bool
) -> tuple[InitReport, bool]:
    """Migrate, sync and record the build on ``connection``, and commit once at the end.

    With ``in_transaction`` the migrations run inside the connection's transaction and do
    not commit (PostgreSQL, and SQLite in memory); otherwise they commit as they go, and the
    data is loaded in a transaction of its own. Returns the report and whether anything was
    written.
    """
    # The schema gate: a database from a newer or foreign release is refused untouched.
    before = require_revision(connection, upgrading=True)
    # Refused before any schema change, so a refusal leaves even MariaDB as it was.
    prunable = planned_deletions(connection, seeds)
    if prunable and not prune:
        from .sync import PruneRefused

        raise PruneRefused(prunable)
    empty = before is None and is_empty(connection)
    if empty:
        # An empty database: the newest schema in one pass, no migration replayed.
        create_schema(connection)
    elif before != SCHEMA_REVISION:
        _upgrade(connection, caller_commits=in_transaction)
    after = current_revision(connection)
    assert after is not None  # at head now: migrated just above, or already there
    if empty:
        # Nothing to delete, and once synced the tables hold the seeds alone: their rows
        # are digested as they are, not read back.
        report = sync(connection, seeds, prune=prune, empty=True)
        recorded = record_build(connection, after, seeds_sha256, rows_of_seeds(seeds))
    else:
        report = sync(connection, seeds, prune=prune)
        recorded = record_build(connection, after, seeds_sha256)
    connection.commit()
    changed = before != after or report.changed or recorded
    return InitReport(before, after, report, pruned=prune), changed


def _upgrade(connection: Connection, *, caller_commits: bool) -> None:
    from alembic import command

    config = alembic_config(connection=connection)
    # migrations/env.py leaves the transaction open for the caller to commit with the data.
    config.attributes["caller_commits"] = caller_commits
    command.upgrade(config, "head")


# --- SQLite: build in a copy, move it into place ---------------------------------------------


def _init_sqlite_file(
    path: Path, seeds: SeedSet, seeds_sha256: str, prune: bool, lock_wait: float
) -> InitReport:
    """Build in a copy beside the database, then move it over the database in one rename.

    A kill before the rename leaves the database untouched (and a stray copy, removed by
    the next run); after it, complete. A reader keeps the file it opened: the old record
    or the new one, never a mix.
    """
    if not path.parent.is_dir():
        raise DatabaseError(
            f"cannot create {path}: the folder {path.parent} does not exist; "
            "create it first or choose another path"
        )
    with _file_lock(sqlite_lock_path(path), lock_wait, path):
        _remove_stale_copies(path)
        work = path.with_name(f".{path.name}.init-{uuid.uuid4().hex[:12]}")
        try:
            if path.exists():
                _copy_sqlite(path, work)
            engine = make_engine(f"sqlite:///{work}")
            try:
                with engine.connect() as connection:
                    # The copy is private until the rename, which follows an fsync of the
                    # whole file, and a copy left by a crash is removed unread. So no commit
                    # before the rename need reach the disk, nor a journal survive a crash:
                    # the journal is kept in memory (it still rolls back a failed step), and
                    # nothing waits on the disk. Neither setting is stored in the file.
                    connection.exec_driver_sql("PRAGMA journal_mode=MEMORY")
                    connection.exec_driver_sql("PRAGMA synchronous=OFF")
                    report, changed = _build(
                        connection, seeds, seeds_sha256, prune, in_transaction=False
                    )
            finally:
                engine.dispose()
            if changed:
                _fsync(work)
                os.replace(work, path)
                _fsync(path.parent)
            return report
        finally:
            for stray in (work, work.with_name(work.name + "-journal")):
                with contextlib.suppress(FileNotFoundError):
                    stray.unlink()


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (it honours locks and journals), in
    rollback-journal mode: a WAL file left beside the database belongs to the old file and
    must not be read into the new one."""
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as original,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            original.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise DatabaseError(f"cannot read {source} as a SQLite database ({error})") from None
    with contextlib.suppress(OSError):
        os.chmod(target, source.stat().st_mode & 0o7777)


def _remove_stale_copies(path: Path) -> None:
    """Copies left by a run that was killed; only called while holding the lock."""
    for stray in path.parent.glob(f".{path.name}.init-*"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()


def _fsync(path: Path) -> None:
    # The rename must not reach the disk before the copy's content does.
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        descriptor = os.open(path, flags)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(descriptor)


# --- PostgreSQL: one transaction ---------------------------------------------------------------


def _init_postgresql(
    connection: Connection, seeds: SeedSet, seeds_sha256: str, prune: bool, lock_wait: float
) -> InitReport:
    """Lock, migrate, load and record in one transaction: a kill rolls all of it back.

    The lock is the transaction's: the commit or the end of the session frees it. Readers
    see the old record until the commit, then the new one.
    """
    _lock_postgresql(connection, lock_wait)
    return _build(connection, seeds, seeds_sha256, prune, in_transaction=True)[0]


# --- MariaDB: a lock for the session, a schema that is finished or rebuilt -------------------


def _init_mariadb(
    connection: Connection,
    seeds: SeedSet,
    seeds_sha256: str,
    prune: bool,
    lock_wait: float,
) -> InitReport:
    with _mariadb_lock(connection.engine, lock_wait):
        try:
            return _build_mariadb(connection, seeds, seeds_sha256, prune)
        finally:
            connection.rollback()


def _build_mariadb(
    connection: Connection, seeds: SeedSet, seeds_sha256: str, prune: bool
) -> InitReport:
    if _mariadb_unfinished(connection):
        # Checked before any drop, so a refusal keeps even a half-migrated database.
        prunable = planned_deletions(connection, seeds)
        if prunable and not prune:
            from .sync import PruneRefused

            raise PruneRefused(prunable)
        _drop_own_tables(connection)
    # Gated before the mark: a database of a newer or foreign release must never be
    # marked unfinished, which would have the next run drop its tables.
    if require_revision(connection, upgrading=True) != SCHEMA_REVISION:
        connection.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {MARIADB_UNFINISHED} "
                "(since TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
        )
        connection.commit()
    report, _ = _build(connection, seeds, seeds_sha256, prune, in_transaction=False)
    connection.execute(text(f"DROP TABLE IF EXISTS {MARIADB_UNFINISHED}"))
    connection.commit()
    return report


def _mariadb_unfinished(connection: Connection) -> bool:
    return inspect(connection).has_table(MARIADB_UNFINISHED)


def _drop_own_tables(connection: Connection) -> None:
    """Drop the tables the package's schema defines and Alembic's, never any other."""
    own = [table.name for table in reversed(metadata.sorted_tables)] + ["alembic_version"]
    present = set(inspect(connection).get_table_names())
    connection.execute(text("SET SESSION foreign_key_checks = 0"))
    try:
        for name in own:
            if name in present:
                connection.execute(text(f"DROP TABLE IF EXISTS `{name}`"))
    finally:
        connection.execute(text("SET SESSION foreign_key_checks = 1"))
    connection.commit()
