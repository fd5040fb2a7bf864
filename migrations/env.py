"""Alembic environment: one URL rule, batch mode everywhere, SQLite foreign keys handled."""

from alembic import context
from sqlalchemy import Connection, Engine, text

from csto_db.models import Base
from csto_db.store.db import database_url, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return database_url(
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or None
    )


def run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # With foreign keys on, a batch rebuild of a parent table cascades into its children.
        # The pragma only takes effect outside a transaction, so end any implicit one first.
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if problems:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            raise RuntimeError(f"migration broke foreign keys: {problems[:5]}")
    elif config.attributes.get("caller_commits"):
        # `csto-db init` on PostgreSQL: the schema and the data commit together, or not at all.
        return
    connection.commit()
    if sqlite:
        # Only after the commit: inside a transaction the pragma is silently ignored, and the
        # connection would go back to its pool with foreign keys off.
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def run_online() -> None:
    supplied = config.attributes.get("connection")
    if isinstance(supplied, Connection):
        _migrate(supplied)
        return
    engine = supplied if isinstance(supplied, Engine) else make_engine(_url())
    with engine.connect() as connection:
        _migrate(connection)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
