"""Comparing a database's schema with the one the migrations at head create, one line per
difference: tables, columns, indexes and keys through Alembic's comparison with the models
(which the test suite holds equal to the migrations on every engine), and the objects the
models do not describe (triggers, functions, CHECK and exclusion constraints, views,
sequences) against the record of a fresh build kept in ``data/schema_objects.json``.

``python -m csto_db.store.schema_check [URL ...]`` rewrites that record, and the DDL of those
objects that ``init`` runs on an empty database (``data/schema_extras.json``), from a fresh
build through the migrations on each engine given (SQLite, in a temporary file, when none
is): on a server it creates a throwaway database beside the one the URL names, migrates it
and drops it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text

from .schema import MARIADB_INIT_LOCK_TABLE

#: Tables the package makes outside the migrations, which the comparison leaves out: the
#: table ``init`` locks on MariaDB. (``csto_init_unfinished``, which marks a MariaDB build
#: under way, is reported.)
OUTSIDE_THE_SCHEMA = frozenset({MARIADB_INIT_LOCK_TABLE, "alembic_version"})

OBJECTS_FILE = "schema_objects.json"


def _dialect(connection: Connection) -> str:
    name = connection.dialect.name
    return "mariadb" if name == "mysql" else name


def _digest(*parts: object) -> str:
    text_ = "\x1f".join(" ".join(str(part).split()) for part in parts)
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()[:16]


def schema_objects(connection: Connection) -> dict[str, str]:
    """The schema objects the models do not describe, each named ``"KIND NAME on TABLE"``
    with a digest of its definition where the engine keeps that as written (trigger and
    function bodies), else ``""`` (CHECK and exclusion constraints, views and sequences are
    compared by name, since each server version prints their definitions its own way)."""
    dialect = _dialect(connection)
    inspector = inspect(connection)
    objects: dict[str, str] = {}
    for table in inspector.get_table_names():
        if table in OUTSIDE_THE_SCHEMA:
            continue
        for check in inspector.get_check_constraints(table):
            if check.get("name"):
                objects[f"check {check['name']} on {table}"] = ""
    for view in inspector.get_view_names():
        objects[f"view {view}"] = ""
    if dialect == "sqlite":
        for name, table, sql in connection.execute(
            text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        ):
            objects[f"trigger {name} on {table}"] = _digest(sql)
    elif dialect == "mariadb":
        for name, table, timing, event, body in connection.execute(
            text(
                "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, "
                "ACTION_STATEMENT FROM information_schema.TRIGGERS "
                "WHERE TRIGGER_SCHEMA = DATABASE()"
            )
        ):
            objects[f"trigger {name} on {table}"] = _digest(timing, event, body)
    else:
        objects.update(_postgresql_objects(connection))
        for sequence in inspector.get_sequence_names():
            objects[f"sequence {sequence}"] = ""
    return objects


def _postgresql_objects(connection: Connection) -> dict[str, str]:
    objects = {}
    # Columns by name, not number: an upgraded table may number them otherwise.
    for name, table, kind, function, arguments, columns in connection.execute(
        text("""
            SELECT t.tgname, c.relname, t.tgtype, p.proname, encode(t.tgargs, 'escape'),
                   (SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a
                    WHERE a.attrelid = t.tgrelid AND a.attnum = ANY(t.tgattr))
            FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid
            JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace""")
    ):
        objects[f"trigger {name} on {table}"] = _digest(kind, function, arguments, columns)
    # Functions an extension brings (btree_gist's) belong to the extension, not the schema.
    for name, arguments, body in connection.execute(
        text("""
            SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc
            FROM pg_proc p
            WHERE p.pronamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')""")
    ):
        objects[f"function {name}({arguments})"] = _digest(body)
    for name, table in connection.execute(
        text("""
            SELECT k.conname, c.relname FROM pg_constraint k JOIN pg_class c
            ON c.oid = k.conrelid
            WHERE k.contype = 'x' AND c.relnamespace = current_schema()::regnamespace""")
    ):
        objects[f"exclusion constraint {name} on {table}"] = ""
    return objects


def expected_objects(dialect: str) -> dict[str, str]:
    """The record of what the migrations at head create on ``dialect``, beyond the models."""
    recorded: dict[str, dict[str, str]] = json.loads(
        (resources.files("csto_db.store") / "data" / OBJECTS_FILE).read_text(encoding="utf-8")
    )
    return recorded.get(dialect, {})


def _included(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name in OUTSIDE_THE_SCHEMA)


def schema_differences(connection: Connection) -> tuple[list[str], bool]:
    """Every way the database's schema differs from the one the migrations at head create,
    one line each, and whether every table and column the models name is there (the row
    checks need them)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from .models import Base

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _included}
    )
    problems: list[str] = []
    complete = True
    missing_tables = set()
    differences: list[Any] = []
    for difference in compare_metadata(context, Base.metadata):
        # A change to one column comes as a list of its parts; the rest as one tuple.
        differences += difference if isinstance(difference, list) else [difference]
    for difference in differences:
        if difference[0] == "add_table":
            missing_tables.add(difference[1].name)
    for difference in differences:
        line = _describe(difference, missing_tables)
        if line is not None:
            problems.append(f"schema: {line}")
        if difference[0] in ("add_table", "add_column"):
            complete = False
    if inspect(connection).has_table("csto_init_unfinished"):
        problems.append(
            "schema: table csto_init_unfinished is there: an `init` is migrating the "
            "database, or one was cut short (the next `init` finishes the job)"
        )
    expected = expected_objects(_dialect(connection))
    actual = schema_objects(connection)
    for key in sorted(expected.keys() | actual.keys()):
        if key.endswith(tuple(f" on {table}" for table in missing_tables)):
            continue  # named with its table
        if key not in actual:
            problems.append(f"schema: {key} is missing")
        elif key not in expected:
            problems.append(f"schema: {key} is not one the migrations create")
        elif actual[key] != expected[key]:
            problems.append(f"schema: {key} differs from the one the migrations create")
    return problems, complete


def _describe(difference: tuple[Any, ...], missing_tables: set[str]) -> str | None:
    """One line for one of Alembic's differences ("add" is what the database lacks)."""
    kind = difference[0]
    if kind == "add_table":
        return f"table {difference[1].name} is missing"
    if kind == "remove_table":
        return f"table {difference[1].name} is not one the migrations create"
    if kind in ("add_column", "remove_column"):
        _, _, table, column = difference
        if kind == "add_column":
            return f"column {table}.{column.name} is missing"
        return f"column {table}.{column.name} is not one the migrations create"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        item = difference[1]
        table = item.table.name
        if table in missing_tables:
            return None  # named with its table
        what = "index" if kind.endswith("index") else "unique constraint"
        if kind.startswith("add"):
            return f"{what} {item.name} on {table} is missing"
        return f"{what} {item.name} on {table} is not one the migrations create"
    if kind in ("add_fk", "remove_fk"):
        key = difference[1]
        table = key.parent.name
        if table in missing_tables:
            return None
        columns = ", ".join(column.name for column in key.columns)
        state = "is missing" if kind == "add_fk" else "is not one the migrations create"
        return f"foreign key on {table} ({columns}) {state}"
    if kind == "modify_type":
        _, _, table, column, _, existing, wanted = difference
        return f"column {table}.{column} has type {existing}, the migrations give {wanted}"
    if kind == "modify_nullable":
        _, _, table, column, _, existing, wanted = difference
        now = "allows" if existing else "refuses"
        return f"column {table}.{column} {now} NULL, unlike the schema the migrations create"
    if kind == "modify_comment" or kind.endswith("table_comment"):
        return f"a comment differs from the schema's: {' '.join(map(str, difference[1:4]))}"
    return f"differs from the schema the migrations create: {difference!r}"


def write_objects(urls: list[str]) -> None:
    """Record the objects a fresh build has on each engine of ``urls`` (SQLite when empty)."""
    import tempfile
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from .db import make_engine
    from .fresh_schema import EXTRAS_FILE, extras_ddl
    from .schema import upgrade

    path = Path(__file__).resolve().parent / "data" / OBJECTS_FILE
    recorded = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    extras_path = path.with_name(EXTRAS_FILE)
    extras = json.loads(extras_path.read_text(encoding="utf-8")) if extras_path.exists() else {}
    with tempfile.TemporaryDirectory() as folder:
        for url in urls or [f"sqlite:///{folder}/fresh.db"]:
            parsed = make_url(url)
            admin = None
            if parsed.get_backend_name() != "sqlite":
                name = f"csto_schema_{uuid.uuid4().hex[:10]}"
                admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text(f"CREATE DATABASE {name}"))
                parsed = parsed.set(database=name)
            engine = make_engine(parsed)
            try:
                with engine.connect() as connection:
                    upgrade(connection)
                    recorded[_dialect(connection)] = dict(
                        sorted(schema_objects(connection).items())
                    )
                    extras[_dialect(connection)] = extras_ddl(connection)
            finally:
                engine.dispose()
                if admin is not None:
                    with admin.connect() as connection:
                        force = " WITH (FORCE)" if admin.dialect.name == "postgresql" else ""
                        connection.execute(text(f"DROP DATABASE {parsed.database}{force}"))
                    admin.dispose()
    path.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    extras_path.write_text(json.dumps(extras, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_objects(sys.argv[1:])
