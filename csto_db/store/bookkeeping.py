"""Tables no seed fills: what each dataset import wrote, and what ``init`` last built the
database from, with a digest of every row."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: Tables only a dataset import fills (``csto-db import-cow``); the seeds leave them empty.
IMPORT_TABLES = ("dataset_imports", "missing_data", "not_in_system", "cow_years")


class DatasetImport(Base):
    __tablename__ = "dataset_imports"
    __table_args__ = {"comment": "Each dataset file imported whole, as its own source."}

    source_key: Mapped[str] = mapped_column(ForeignKey("sources.key"), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200), comment="The file's name, no folder")
    file_sha256: Mapped[str] = mapped_column(String(64))
    organizations: Mapped[int] = mapped_column(Integer, comment="Organizations it wrote")
    spans: Mapped[int] = mapped_column(Integer, comment="Membership spans it wrote")


class BuildRecord(Base):
    __tablename__ = "build_record"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        {"comment": "What `csto-db init` last built the database from; `check` compares."},
    )

    id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, comment="Always 1: one build record"
    )
    revision: Mapped[str] = mapped_column(String(32), comment="Schema revision of the build")
    seeds_sha256: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 over the seed files' names and bytes"
    )
    content_sha256: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 over every row digest, in table and key order"
    )
    row_count: Mapped[int] = mapped_column(Integer, comment="Rows the seeds put in the database")
    record_version: Mapped[str | None] = mapped_column(
        String(32),
        comment="The csto-db release that built the database; empty for a build older than "
        "the column",
    )


class RowDigest(Base):
    __tablename__ = "row_digests"
    __table_args__ = {"comment": "A digest of each row `init` wrote; `check` recomputes them."}

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(
        String(400), primary_key=True, comment="The row's primary key as text"
    )
    sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the row's values")


#: Tables ``init`` keeps about the build, not filled from the seeds.
BUILD_TABLES = ("build_record", "row_digests")
