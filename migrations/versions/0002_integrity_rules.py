"""integrity rules: no overlapping spans, no fact without a citation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00

The database itself refuses what the loader and ``csto-db check`` already avoid:

* two spans of the same subject that overlap, judged on the earliest possible days
  (``[start_lower, end_lower)``, an empty end is open, a span ending the day it starts is
  empty and overlaps nothing). PostgreSQL: an exclusion constraint over a ``daterange``
  (``btree_gist`` lets the key columns take part). SQLite and MariaDB: BEFORE INSERT and
  BEFORE UPDATE triggers.
* a fact row whose key has no row in ``fact_citations`` (write the citation first), a change
  of a fact's key to an uncited key, and deleting or moving a fact's last citation while its
  row still exists (delete the fact row first).

The table and column names are frozen here, not read from ``csto_db.models``: this
migration must build the same schema whatever the models say later. On SQLite a later
migration that rebuilds one of these tables in batch mode ("move and copy") drops its
triggers and must create them again.

Nothing here queries the database, so ``alembic upgrade head --sql`` prints it all.
"""

from collections.abc import Sequence

from alembic import context, op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Each table of spans and the columns that name its subject: two spans of one subject
#: must not overlap.
SPAN_TABLES: dict[str, tuple[str, ...]] = {
    "membership_spans": ("state_iso3", "organization_code"),
    "chair_spans": ("organization_code",),
    "office_terms": ("organization_code", "office"),
    "body_observers": ("body_code", "observer"),
}

#: Every fact table and the column holding its key in ``facts`` / ``fact_citations``.
FACT_TABLES: dict[str, str] = {
    "organizations": "code",
    "membership_spans": "key",
    "documents": "key",
    "document_parties": "key",
    "meetings": "key",
    "events": "key",
    "initiatives": "key",
    "objectives": "key",
    "threats": "key",
    "positions": "key",
    "readings": "key",
    "chair_spans": "key",
    "office_terms": "key",
    "forces": "key",
    "operations": "key",
    "contributions": "key",
    "body_observers": "key",
}

PG_CITED_FUNCTION = "csto_fact_has_citation"
PG_LAST_CITATION_FUNCTION = "csto_keep_last_citation"


def _dialect() -> str:
    name = op.get_context().dialect.name
    return "mariadb" if name == "mysql" else name


def _q(name: str) -> str:
    """An identifier quoted for the dialect where it must be (``key`` on MariaDB)."""
    return op.get_context().dialect.identifier_preparer.quote(name)


def _execute_compound(statement: str) -> None:
    """Run a statement whose body holds semicolons (a MariaDB trigger).

    Online the driver sends it whole. Offline, the script goes to the ``mysql`` client, which
    would cut it at the first semicolon, so it is wrapped in DELIMITER lines.
    """
    if context.is_offline_mode() and _dialect() == "mariadb":
        op.get_context().impl.static_output(f"DELIMITER //\n{statement}\n//\nDELIMITER ;\n")
    else:
        op.execute(statement)


# --- Conditions shared by the trigger engines ----------------------------------------------


def _overlap_condition(table: str, subject: tuple[str, ...], *, updating: bool) -> str:
    """True when NEW overlaps another row of ``table`` with the same subject."""
    same_subject = " AND ".join(f"other.{_q(c)} = NEW.{_q(c)}" for c in subject)
    not_itself = f" AND other.{_q('key')} <> OLD.{_q('key')}" if updating else ""
    return (
        f"EXISTS (SELECT 1 FROM {_q(table)} AS other WHERE {same_subject}{not_itself}"
        " AND (NEW.end_lower IS NULL OR NEW.start_lower < NEW.end_lower)"
        " AND (other.end_lower IS NULL OR other.start_lower < other.end_lower)"
        " AND (other.end_lower IS NULL OR NEW.start_lower < other.end_lower)"
        " AND (NEW.end_lower IS NULL OR other.start_lower < NEW.end_lower))"
    )


def _uncited_condition(key_expression: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM fact_citations AS cited"
        f" WHERE cited.fact_key = {key_expression})"
    )


def _last_citation_condition() -> str:
    """True when OLD is the last citation of a fact whose row still exists."""
    present = " OR ".join(
        f"EXISTS (SELECT 1 FROM {_q(table)} AS fact WHERE fact.{_q(column)} = OLD.fact_key)"
        for table, column in FACT_TABLES.items()
    )
    return (
        "NOT EXISTS (SELECT 1 FROM fact_citations AS other WHERE other.fact_key = OLD.fact_key"
        " AND other.citation_key <> OLD.citation_key)"
        f" AND ({present})"
    )


def _overlap_message(table: str, subject: tuple[str, ...]) -> str:
    return f"{table}: span overlaps another span of the same {', '.join(subject)}"


def _uncited_message(table: str) -> str:
    return f"{table}: fact has no citation in fact_citations (write the citation first)"


LAST_CITATION_MESSAGE = (
    "fact_citations: last citation of a fact whose row still exists (delete the fact first)"
)


# --- Trigger names -------------------------------------------------------------------------


def _triggers() -> list[tuple[str, str]]:
    """Every trigger the SQLite and MariaDB branches create, with its table."""
    names = []
    for table in SPAN_TABLES:
        names += [
            (f"trg_{table}_no_overlap_insert", table),
            (f"trg_{table}_no_overlap_update", table),
        ]
    for table in FACT_TABLES:
        names += [(f"trg_{table}_cited_insert", table), (f"trg_{table}_cited_update", table)]
    names += [
        ("trg_fact_citations_keep_last_delete", "fact_citations"),
        ("trg_fact_citations_keep_last_update", "fact_citations"),
    ]
    return names


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_trigger(name: str, timing: str, table: str, condition: str, message: str) -> None:
    op.execute(
        f"CREATE TRIGGER {name} {timing} ON {_q(table)} FOR EACH ROW WHEN {condition}\n"
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def _upgrade_sqlite() -> None:
    for table, subject in SPAN_TABLES.items():
        message = _overlap_message(table, subject)
        _sqlite_trigger(
            f"trg_{table}_no_overlap_insert",
            "BEFORE INSERT",
            table,
            _overlap_condition(table, subject, updating=False),
            message,
        )
        _sqlite_trigger(
            f"trg_{table}_no_overlap_update",
            "BEFORE UPDATE",
            table,
            _overlap_condition(table, subject, updating=True),
            message,
        )
    for table, column in FACT_TABLES.items():
        message = _uncited_message(table)
        _sqlite_trigger(
            f"trg_{table}_cited_insert",
            "BEFORE INSERT",
            table,
            _uncited_condition(f"NEW.{_q(column)}"),
            message,
        )
        _sqlite_trigger(
            f"trg_{table}_cited_update",
            f"BEFORE UPDATE OF {_q(column)}",
            table,
            f"NEW.{_q(column)} <> OLD.{_q(column)} AND " + _uncited_condition(f"NEW.{_q(column)}"),
            message,
        )
    _sqlite_trigger(
        "trg_fact_citations_keep_last_delete",
        "BEFORE DELETE",
        "fact_citations",
        _last_citation_condition(),
        LAST_CITATION_MESSAGE,
    )
    _sqlite_trigger(
        "trg_fact_citations_keep_last_update",
        "BEFORE UPDATE OF fact_key",
        "fact_citations",
        "NEW.fact_key <> OLD.fact_key AND " + _last_citation_condition(),
        LAST_CITATION_MESSAGE,
    )


# --- MariaDB -------------------------------------------------------------------------------


def _mariadb_trigger(name: str, timing: str, table: str, condition: str, message: str) -> None:
    _execute_compound(
        f"CREATE TRIGGER {name} {timing} ON {_q(table)} FOR EACH ROW\n"
        f"BEGIN\n"
        f"  IF {condition} THEN\n"
        f"    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}';\n"
        f"  END IF;\n"
        f"END"
    )


def _upgrade_mariadb() -> None:
    for table, subject in SPAN_TABLES.items():
        message = _overlap_message(table, subject)
        _mariadb_trigger(
            f"trg_{table}_no_overlap_insert",
            "BEFORE INSERT",
            table,
            _overlap_condition(table, subject, updating=False),
            message,
        )
        _mariadb_trigger(
            f"trg_{table}_no_overlap_update",
            "BEFORE UPDATE",
            table,
            _overlap_condition(table, subject, updating=True),
            message,
        )
    for table, column in FACT_TABLES.items():
        message = _uncited_message(table)
        _mariadb_trigger(
            f"trg_{table}_cited_insert",
            "BEFORE INSERT",
            table,
            _uncited_condition(f"NEW.{_q(column)}"),
            message,
        )
        # MariaDB has no UPDATE OF column: compare the key inside the trigger.
        _mariadb_trigger(
            f"trg_{table}_cited_update",
            "BEFORE UPDATE",
            table,
            f"NEW.{_q(column)} <> OLD.{_q(column)} AND " + _uncited_condition(f"NEW.{_q(column)}"),
            message,
        )
    _mariadb_trigger(
        "trg_fact_citations_keep_last_delete",
        "BEFORE DELETE",
        "fact_citations",
        _last_citation_condition(),
        LAST_CITATION_MESSAGE,
    )
    _mariadb_trigger(
        "trg_fact_citations_keep_last_update",
        "BEFORE UPDATE",
        "fact_citations",
        "NEW.fact_key <> OLD.fact_key AND " + _last_citation_condition(),
        LAST_CITATION_MESSAGE,
    )


# --- PostgreSQL ----------------------------------------------------------------------------


def _upgrade_postgresql() -> None:
    # btree_gist gives the key columns (plain equality) a GiST operator class, so one
    # exclusion constraint can combine them with the date range.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, subject in SPAN_TABLES.items():
        columns = ", ".join(f"{_q(c)} WITH =" for c in subject)
        op.execute(
            f"ALTER TABLE {_q(table)} ADD CONSTRAINT ex_{table}_no_overlap EXCLUDE USING gist"
            f" ({columns}, daterange(start_lower, end_lower, '[)') WITH &&)"
        )
    # One function for every fact table: the trigger passes the name of its key column.
    op.execute(
        f"CREATE FUNCTION {PG_CITED_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        "DECLARE\n"
        "  new_key text := to_jsonb(NEW) ->> TG_ARGV[0];\n"
        "BEGIN\n"
        "  IF TG_OP = 'UPDATE' AND new_key = (to_jsonb(OLD) ->> TG_ARGV[0]) THEN\n"
        "    RETURN NEW;\n"
        "  END IF;\n"
        "  IF NOT EXISTS (SELECT 1 FROM fact_citations AS cited"
        " WHERE cited.fact_key = new_key) THEN\n"
        # No % placeholder in the message: offline, a pyformat dialect would double it.
        "    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ': fact has no citation in"
        " fact_citations (write the citation first)',\n"
        "      ERRCODE = 'integrity_constraint_violation', DETAIL = 'fact ' || new_key;\n"
        "  END IF;\n"
        "  RETURN NEW;\n"
        "END\n"
        "$body$"
    )
    for table, column in FACT_TABLES.items():
        op.execute(
            f"CREATE TRIGGER trg_{table}_cited BEFORE INSERT OR UPDATE OF {_q(column)}"
            f" ON {_q(table)} FOR EACH ROW EXECUTE FUNCTION {PG_CITED_FUNCTION}('{column}')"
        )
    op.execute(
        f"CREATE FUNCTION {PG_LAST_CITATION_FUNCTION}() RETURNS trigger LANGUAGE plpgsql"
        " AS $body$\n"
        "BEGIN\n"
        "  IF TG_OP = 'UPDATE' AND NEW.fact_key = OLD.fact_key THEN\n"
        "    RETURN NEW;\n"
        "  END IF;\n"
        f"  IF {_last_citation_condition()} THEN\n"
        f"    RAISE EXCEPTION '{LAST_CITATION_MESSAGE}'\n"
        "      USING ERRCODE = 'integrity_constraint_violation', DETAIL = 'fact ' || OLD.fact_key;\n"
        "  END IF;\n"
        "  IF TG_OP = 'DELETE' THEN\n"
        "    RETURN OLD;\n"
        "  END IF;\n"
        "  RETURN NEW;\n"
        "END\n"
        "$body$"
    )
    op.execute(
        "CREATE TRIGGER trg_fact_citations_keep_last BEFORE DELETE OR UPDATE OF fact_key"
        f" ON fact_citations FOR EACH ROW EXECUTE FUNCTION {PG_LAST_CITATION_FUNCTION}()"
    )


def _downgrade_postgresql() -> None:
    op.execute("DROP TRIGGER IF EXISTS trg_fact_citations_keep_last ON fact_citations")
    op.execute(f"DROP FUNCTION IF EXISTS {PG_LAST_CITATION_FUNCTION}()")
    for table in FACT_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_cited ON {_q(table)}")
    op.execute(f"DROP FUNCTION IF EXISTS {PG_CITED_FUNCTION}()")
    for table in SPAN_TABLES:
        op.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS ex_{table}_no_overlap")
    # Drop the extension only when nothing else in the database uses it: it may have been
    # there before this migration, for someone else.
    op.execute(
        "DO $body$ BEGIN DROP EXTENSION IF EXISTS btree_gist;"
        " EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $body$"
    )


# --- Entry points --------------------------------------------------------------------------


def upgrade() -> None:
    dialect = _dialect()
    if dialect == "postgresql":
        _upgrade_postgresql()
    elif dialect == "mariadb":
        _upgrade_mariadb()
    elif dialect == "sqlite":
        _upgrade_sqlite()
    else:
        raise NotImplementedError(f"no integrity rules written for {dialect}")


def downgrade() -> None:
    dialect = _dialect()
    if dialect == "postgresql":
        _downgrade_postgresql()
        return
    for name, _table in reversed(_triggers()):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
