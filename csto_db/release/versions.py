"""The record's releases: their versions and dates, what a database says of the release that
built it (version, schema, seeds, horizon), and how to cite the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, column, inspect, select, table

from .. import __version__
from ..store.db import make_engine
from ..store.schema import current_revision, stored_record_version


@dataclass(frozen=True)
class Release:
    """One release of the package and of the record it builds."""

    version: str
    released: date


#: Every release, oldest first; the last is this package's own. A test keeps it equal to
#: ``csto_db.__version__``, to the newest entry of CHANGELOG.md and to CITATION.cff.
RELEASES: tuple[Release, ...] = (
    Release("0.1.0", date(2026, 11, 26)),
    Release("0.2.0", date(2026, 12, 3)),
)

TITLE = "csto-db: the history of the Collective Security Treaty Organization"
AUTHORS = "The csto-db maintainers"
LICENSE = "MIT"

#: How to cite what the record rests on, beside the record itself.
CITING_SOURCES = (
    "Every fact in the record names its sources and quotes their words (`csto-db evidence "
    "KEY`); where a finding rests on a fact, cite its sources as well as the record."
)


def release_of(version: str) -> Release | None:
    """The release of that version, or None for a version never released."""
    return next((release for release in RELEASES if release.version == version), None)


def citation(version: str = __version__) -> str:
    """The record at ``version`` as a reference: authors, year, title, version."""
    release = release_of(version)
    year = str(release.released.year) if release is not None else "n.d."
    return f"{AUTHORS} ({year}). {TITLE}, version {version} [Data set]."


# --- What a database says of its build --------------------------------------------------------

#: Where a database keeps an organization's horizon (the last day its sources cover): a
#: column of ``organizations`` holding EDTF text. The one place that knows it: every door
#: (``--version``, ``check``) reads the horizon through :func:`record_horizons`.
HORIZON_TABLE, HORIZON_COLUMN = "organizations", "horizon_edtf"


def record_horizons(connection: Connection) -> dict[str, str]:
    """The horizon of each organization the seeds describe, by code (EDTF text), where the
    database records one; empty for a schema without horizons. Organizations a dataset
    import wrote are left out: their horizon is their dataset's."""
    inspector = inspect(connection)
    if not inspector.has_table(HORIZON_TABLE):
        return {}
    if HORIZON_COLUMN not in {info["name"] for info in inspector.get_columns(HORIZON_TABLE)}:
        return {}
    organizations = table(HORIZON_TABLE, column("code"), column(HORIZON_COLUMN))
    facts = table("facts", column("key"), column("dataset_key"))
    horizon = organizations.c[HORIZON_COLUMN]
    rows = connection.execute(
        select(organizations.c.code, horizon)
        .join(facts, facts.c.key == organizations.c.code)
        .where(horizon.is_not(None), facts.c.dataset_key.is_(None))
    ).all()
    return {code: str(value) for code, value in sorted(rows)}


@dataclass(frozen=True)
class DatabaseRelease:
    """What a database says of the build that made it."""

    schema: str | None
    record_version: str | None
    seeds_sha256: str | None
    horizons: dict[str, str]

    def summary(self) -> str:
        """One line: record version, schema and seeds, each as far as the database says."""
        if self.schema is None:
            return "no csto-db schema (run `csto-db init`)"
        if self.record_version is not None:
            record = f"record {self.record_version}"
        elif self.seeds_sha256 is not None:
            record = "record version not recorded (built before releases were)"
        else:
            record = "no build record"
        seeds = f", seeds {self.seeds_sha256[:12]}" if self.seeds_sha256 else ""
        return f"{record}, schema {self.schema}{seeds}"

    def horizon_line(self) -> str | None:
        """The horizon of each organization, or None when the database records none."""
        if not self.horizons:
            return None
        return "horizon: " + ", ".join(f"{code} {day}" for code, day in self.horizons.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "record_version": self.record_version,
            "seeds_sha256": self.seeds_sha256,
            "horizon": self.horizons,
        }


def database_release(connection: Connection) -> DatabaseRelease:
    """What the database says of its build, read as stored: any schema revision, with or
    without a build record."""
    schema = current_revision(connection)
    seeds_sha256 = None
    if schema is not None and inspect(connection).has_table("build_record"):
        build = table("build_record", column("seeds_sha256"))
        seeds_sha256 = connection.execute(select(build.c.seeds_sha256)).scalar()
    return DatabaseRelease(
        schema=schema,
        record_version=stored_record_version(connection),
        seeds_sha256=seeds_sha256,
        horizons=record_horizons(connection) if schema is not None else {},
    )


def read_database_release(url: str) -> DatabaseRelease:
    """:func:`database_release` of the database at ``url``, opened read-only and without the
    schema gate, so a database of any release can say what it is."""
    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as connection:
            return database_release(connection)
    finally:
        engine.dispose()
