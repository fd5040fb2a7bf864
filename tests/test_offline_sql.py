"""`alembic upgrade head --sql` prints the whole schema for a DBA, with no server at hand."""

from __future__ import annotations

import io
import re

import pytest
from alembic import command

from csto_db.models import FACT_TABLES, Base
from csto_db.store.schema import alembic_config, head_revision

SPAN_TABLES = ("membership_spans", "chair_spans", "office_terms", "body_observers")


def offline_script(url: str) -> str:
    # Nothing listens on this host: offline mode must not connect.
    config = alembic_config(url)
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    return config.output_buffer.getvalue()


URLS = {
    "postgresql": "postgresql://dba@db.invalid/csto",
    "mariadb": "mariadb://dba@db.invalid/csto",
}


@pytest.fixture(scope="module")
def scripts() -> dict[str, str]:
    return {dialect: offline_script(url) for dialect, url in URLS.items()}


@pytest.mark.parametrize("dialect", URLS)
def test_every_table_is_created(scripts, dialect):
    sql = scripts[dialect]
    created = set(re.findall(r"CREATE TABLE (\w+)", sql))
    assert created == set(Base.metadata.tables) | {"alembic_version"}


@pytest.mark.parametrize("dialect", URLS)
def test_the_script_ends_at_head(scripts, dialect):
    sql = scripts[dialect]
    assert re.search(rf"UPDATE alembic_version SET version_num='{head_revision()}'", sql)


def test_postgresql_script_has_exclusion_constraints_and_citation_triggers(scripts):
    sql = scripts["postgresql"]
    assert "CREATE EXTENSION IF NOT EXISTS btree_gist" in sql
    for table in SPAN_TABLES:
        assert re.search(
            rf"ALTER TABLE {table} ADD CONSTRAINT ex_{table}_no_overlap "
            r"EXCLUDE USING gist",
            sql,
        )
    for table in FACT_TABLES:
        assert f"CREATE TRIGGER trg_{table}_cited BEFORE INSERT OR UPDATE" in sql
    assert "CREATE TRIGGER trg_fact_citations_keep_last BEFORE DELETE" in sql
    # A pyformat dialect doubles a literal %; PL/pgSQL would then refuse the function.
    assert "%%" not in sql


def test_mariadb_script_has_triggers_the_mysql_client_can_read(scripts):
    sql = scripts["mariadb"]
    for table in SPAN_TABLES:
        for event in ("insert", "update"):
            assert f"CREATE TRIGGER trg_{table}_no_overlap_{event} BEFORE" in sql
    for table in FACT_TABLES:
        assert f"CREATE TRIGGER trg_{table}_cited_insert BEFORE INSERT" in sql
    assert "CREATE TRIGGER trg_fact_citations_keep_last_delete BEFORE DELETE" in sql
    # Each trigger body holds semicolons: the client must see it whole.
    triggers = sql.count("CREATE TRIGGER")
    assert triggers == sql.count("DELIMITER //") == sql.count("DELIMITER ;")
    assert "utf8mb4_bin" in sql
