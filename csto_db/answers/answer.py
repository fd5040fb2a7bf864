"""What every question shares: typed answers as plain data (the JSON the command line prints
is exactly ``to_dict()``), and the connection, source and order every question is asked with."""

from __future__ import annotations

from dataclasses import Field, dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Connection, select

from ..errors import QueryError
from ..store import tables
from ..store.dates import PartialDate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data: an answer or a quote by its ``to_dict()``, tuples and
    lists as lists, a day as ISO text, anything else as it is."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


class FrozenAnswer:
    """Base of the frozen answer dataclasses: ``to_dict`` gives every field in order, as
    :func:`plain` data."""

    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        return {item.name: plain(getattr(self, item.name)) for item in fields(self)}


def connection_of(db: Session | Connection) -> Connection:
    """Accept an ORM session or a Core connection; queries run on the connection. Tested
    without naming ``Session``, so that answering never imports the ORM."""
    return db if isinstance(db, Connection) else db.connection()


@dataclass
class Answer:
    """Base of the items the queries return: ``to_dict`` gives every field in order, the
    citations as dicts, and the readings only when there are any. A field whose metadata
    says ``internal`` stays out of it (a sort key, say)."""

    def to_dict(self) -> dict[str, Any]:
        data = {}
        for item in fields(self):
            if item.metadata.get("internal"):
                continue
            value = getattr(self, item.name)
            if item.name == "readings":
                if value:
                    data["readings"] = [reading.to_dict() for reading in value]
            elif item.name == "citations":
                data["citations"] = [quote.to_dict() for quote in value]
            else:
                data[item.name] = value
        return data


def require_source(db: Session | Connection, key: str | None) -> None:
    """Raise :class:`QueryError` unless ``key`` is None or a source in the database."""
    if key is None:
        return
    column = tables.sources.c.key  # the table's column: no mapper configuration
    found = connection_of(db).execute(select(column).where(column == key)).first()
    if found is None:
        raise QueryError(
            f'unknown source {key!r} (see `csto-db sql "SELECT s.key FROM sources s"`)'
        )


def nulls_last(column: ColumnElement[Any]) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """ORDER BY terms that put NULLs last on every engine (SQLite and MariaDB sort them
    first, PostgreSQL last), so answers come out in the same order everywhere."""
    return (column.is_(None), column)


def edtf_of(value: PartialDate | None) -> str | None:
    """A partial date as the source gives it, or None."""
    return value.edtf if value else None
