"""Building the newest schema on an empty database in one pass: the tables' ``create_all``,
then the objects the tables do not describe (triggers, functions, exclusion constraints,
views) as the migrations at head leave them, then the Alembic revision stamped. An existing
database is upgraded through the migrations instead (``schema.upgrade``).

Those objects' DDL is read back from a database the migrations built, and kept per engine in
``data/schema_extras.json`` by ``python -m csto_db.store.schema_check``, which rewrites it
with ``schema_objects.json``; a test holds the two routes to the same schema on every engine.
"""

from __future__ import annotations

import json
import re
from importlib import resources

from sqlalchemy import Column, Connection, MetaData, PrimaryKeyConstraint, String, Table, text

from .schema import SCHEMA_REVISION
from .tables import metadata

EXTRAS_FILE = "schema_extras.json"

#: Alembic's own bookkeeping table, as ``alembic stamp`` creates it.
_ALEMBIC_VERSION = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def _dialect(connection: Connection) -> str:
    name = connection.dialect.name
    return "mariadb" if name == "mysql" else name


def extras_ddl(connection: Connection) -> list[str]:
    """The statements that make, on an empty database of ``connection``'s engine, the schema
    objects a database at head has beyond its tables, read from that database (one the
    migrations built): in the order they can be run."""
    dialect = _dialect(connection)
    if dialect == "sqlite":
        return [
            sql
            for (sql,) in connection.execute(
                text(
                    "SELECT sql FROM sqlite_master WHERE type IN ('view', 'trigger') "
                    "ORDER BY type DESC, name"
                )
            )
        ]
    if dialect == "mariadb":
        statements = []
        names = connection.execute(
            text(
                "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
                "WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME"
            )
        ).scalars()
        for name in list(names):
            row = connection.execute(text(f"SHOW CREATE TRIGGER `{name}`")).mappings().one()
            # The definer is the account that ran the migration: the builder's, not the schema's.
            statements.append(
                re.sub(
                    r"^CREATE DEFINER=\S+ TRIGGER", "CREATE TRIGGER", row["SQL Original Statement"]
                )
            )
        return statements
    return _postgresql_ddl(connection)


def _postgresql_ddl(connection: Connection) -> list[str]:
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    unqualified = re.compile(rf"\b{re.escape(str(schema))}\.")
    statements = [
        f"CREATE EXTENSION IF NOT EXISTS {name}"
        for name in connection.execute(
            text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname")
        ).scalars()
    ]
    # Functions an extension brings belong to the extension, not the schema.
    statements += [
        unqualified.sub("", definition)
        for definition in connection.execute(
            text("""
                SELECT pg_get_functiondef(p.oid) FROM pg_proc p
                WHERE p.pronamespace = current_schema()::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_proc'::regclass
                                    AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY p.proname""")
        ).scalars()
    ]
    statements += [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for name, table, definition in connection.execute(
            text("""
                SELECT k.conname, c.relname, pg_get_constraintdef(k.oid)
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                WHERE k.contype = 'x' AND c.relnamespace = current_schema()::regnamespace
                ORDER BY k.conname""")
        )
    ]
    statements += [
        unqualified.sub("", definition)
        for definition in connection.execute(
            text("""
                SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
                ORDER BY t.tgname""")
        ).scalars()
    ]
    statements += [
        f"CREATE VIEW {name} AS {definition}"
        for name, definition in connection.execute(
            text("""
                SELECT viewname, definition FROM pg_views
                WHERE schemaname = current_schema() ORDER BY viewname""")
        )
    ]
    return statements


def recorded_extras(dialect: str) -> list[str]:
    """The statements ``data/schema_extras.json`` keeps for ``dialect``."""
    recorded: dict[str, list[str]] = json.loads(
        (resources.files("csto_db.store") / "data" / EXTRAS_FILE).read_text(encoding="utf-8")
    )
    return recorded[dialect]


def create_schema(connection: Connection) -> None:
    """Build the newest schema on the empty database of ``connection`` and stamp it at
    :data:`~csto_db.store.schema.SCHEMA_REVISION`, without committing (on MariaDB every
    DDL statement commits by itself; ``init`` marks such a build unfinished while it runs)."""
    # The database is empty: nothing to look up before each CREATE.
    metadata.create_all(connection, checkfirst=False)
    for statement in recorded_extras(_dialect(connection)):
        connection.exec_driver_sql(statement)
    _ALEMBIC_VERSION.create(connection, checkfirst=False)
    connection.execute(_ALEMBIC_VERSION.insert().values(version_num=SCHEMA_REVISION))


def is_empty(connection: Connection) -> bool:
    """Whether the database holds none of the schema's tables (nor Alembic's)."""
    from sqlalchemy import inspect

    present = set(inspect(connection).get_table_names())
    return not present & (set(metadata.tables) | {"alembic_version"})
