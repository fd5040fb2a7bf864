"""Tables no seed fills: what each dataset import wrote, and what ``init`` last built the
database from, with a digest of every row."""

from __future__ import annotations

from sqlalchemy.orm import Mapped

from . import tables
from .base import Base


class DatasetImport(Base):
    __tablename__ = "dataset_imports"
    __table__ = tables.dataset_imports

    source_key: Mapped[str]
    file_name: Mapped[str]
    file_sha256: Mapped[str]
    organizations: Mapped[int]
    spans: Mapped[int]


class BuildRecord(Base):
    __tablename__ = "build_record"
    __table__ = tables.build_record

    id: Mapped[int]
    revision: Mapped[str]
    seeds_sha256: Mapped[str]
    content_sha256: Mapped[str]
    row_count: Mapped[int]
    record_version: Mapped[str | None]


class RowDigest(Base):
    __tablename__ = "row_digests"
    __table__ = tables.row_digests

    table_name: Mapped[str]
    row_key: Mapped[str]
    sha256: Mapped[str]
