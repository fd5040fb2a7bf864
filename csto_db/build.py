"""Building a database: migrate it to the newest schema, then load the seeds into it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .db import make_engine
from .schema import current_revision, head_revision, upgrade
from .seeding import SyncReport, read_seed_set, sync


@dataclass
class InitReport:
    """What ``init`` did: the revision before and after, and the seed changes."""

    revision_before: str | None
    revision_after: str | None
    seeds: SyncReport

    def lines(self) -> list[str]:
        if self.revision_before == self.revision_after:
            migrated = f"schema already at {self.revision_after}"
        else:
            migrated = f"schema migrated {self.revision_before or 'empty'} -> {self.revision_after}"
        seeded = "seeds unchanged" if not self.seeds.changed else "seeds loaded"
        return [migrated, f"{seeded}: {self.seeds.summary()}"]


def init_database(url: str | None = None, seeds_directory: Path | None = None) -> InitReport:
    """Migrate the database at ``url`` to head, then sync the seeds into it.

    The seed files are read and validated before anything is written, and loaded in one
    transaction, so a bad file leaves the database as it was. Safe to repeat: a second run
    changes nothing. Raises ``SeedError`` for a bad seed file and ``DatabaseError`` when the
    database cannot be reached.
    """
    seeds = read_seed_set(seeds_directory)
    # The schema gate: a database from a newer or foreign release is refused untouched.
    engine = make_engine(url, check_revision=True, upgrading=True)
    try:
        with engine.connect() as connection:
            before = current_revision(connection)
            if before != head_revision():
                upgrade(connection)
            after = current_revision(connection)
        with engine.begin() as connection:
            report = sync(connection, seeds)
    finally:
        engine.dispose()
    return InitReport(before, after, report)
