"""Typed answers as plain data: the JSON the command line prints is exactly ``to_dict()``."""

from __future__ import annotations

from dataclasses import Field, fields
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar


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
