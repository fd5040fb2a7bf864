"""COW's dyadic layout (IGO v3.0c) from the record: every dyad-year with both states in the
state system, the count of organizations both are full members of, and COW's wide layout
of one code per organization (1, 0, -9, -1).

The codes, as COW's codebook and igoR's ``igo_dyadic`` define them for a dyad-year and an
organization: ``-9`` when the dataset has no data for either state that year (even if the
other is not a member); else ``-1`` when the organization is not in existence that year;
else ``1`` when both states are full members by the year rule of
:mod:`csto_db.answers.dyads` (associate membership and observer status do not count);
else ``0``. The long form's ``joint`` counts the 1s alone, and ``missing`` the -9s: COW's
suggested sum of the wide columns (``egen NUMIGO = rsum(...)``) would add the -9s and -1s
into the count, which the long form never does.

A dyad-year exists when both states are in COW's state system that year: from the first to
the last year COW's state list gives each state (packaged beside the state columns,
``data/cow_states.csv``). The list gives one period per state, so a state that left the
system and came back (the Baltic states, 1940–1991) is taken as in it throughout. ``-1``
for a state not in the system therefore never appears: such dyad-years are not written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from sqlalchemy import Connection, select

from ..answers.dyads import (
    member_years,
    missing_years,
    organization_years,
    years_by_state,
)
from ..errors import QueryError
from ..store.models import State

#: The codes of COW's dyadic layout.
JOINT, NOT_JOINT, MISSING, NOT_IN_EXISTENCE = 1, 0, -9, -1


@dataclass(frozen=True)
class SystemMember:
    """A state of COW's state system: its code, ISO code and its years in the system."""

    ccode: int
    iso3: str
    first_year: int
    last_year: int


def state_system() -> list[SystemMember]:
    """COW's states with their first and last year in the system, by COW code."""
    text = (resources.files("csto_db.datasets") / "data" / "cow_states.csv").read_text("utf-8")
    return sorted(
        (
            SystemMember(
                int(row["ccode"]), row["iso3"], int(row["first_year"]), int(row["last_year"])
            )
            for row in csv.DictReader(io.StringIO(text))
        ),
        key=lambda state: state.ccode,
    )


def system_years() -> tuple[int, int]:
    """The first and last year the state list covers."""
    states = state_system()
    return min(s.first_year for s in states), max(s.last_year for s in states)


class DyadYear(NamedTuple):
    """One row of the long form: a dyad (``ccode1`` < ``ccode2``) in a year, the
    organizations both are full members of (``joint``), and those with no data (``missing``)
    for either state."""

    dyadid: int
    ccode1: int
    state1: str
    ccode2: int
    state2: str
    year: int
    joint: int
    missing: int


LONG_COLUMNS = DyadYear._fields


@dataclass
class DyadTable:
    """The dyad-years of a period, computed once: each year's states in the system, and per
    state the organizations (bits of ``columns``) it is a full member of and has no data
    for; and the organizations in existence each year."""

    first: int
    last: int
    columns: list[str]
    states: dict[int, list[tuple[int, str]]]
    full: dict[int, dict[str, int]]
    missing: dict[int, dict[str, int]]
    existing: dict[int, int]

    def dyads(self, year: int) -> Iterator[tuple[int, str, int, str, int, int]]:
        """``(ccode1, state1, ccode2, state2, full bits, missing bits)`` of each dyad of
        ``year``: the organizations both are full members of, and those with no data for
        either (in existence that year)."""
        full, missing = self.full.get(year, {}), self.missing.get(year, {})
        existing = self.existing.get(year, 0)
        states = [
            (ccode, iso3, full.get(iso3, 0), missing.get(iso3, 0))
            for ccode, iso3 in self.states.get(year, [])
        ]
        for index, (ccode1, iso1, full1, missing1) in enumerate(states):
            for ccode2, iso2, full2, missing2 in states[index + 1 :]:
                yield ccode1, iso1, ccode2, iso2, full1 & full2, (missing1 | missing2) & existing

    def long_rows(self) -> Iterator[DyadYear]:
        """The long form, year by year, dyads by COW code."""
        for year in range(self.first, self.last + 1):
            for ccode1, iso1, ccode2, iso2, joint, missing in self.dyads(year):
                yield DyadYear(
                    ccode1 * 1000 + ccode2,
                    ccode1,
                    iso1,
                    ccode2,
                    iso2,
                    year,
                    joint.bit_count(),
                    missing.bit_count(),
                )

    def wide_rows(self) -> Iterator[tuple[int, int, int, int, list[int]]]:
        """COW's wide layout: ``(dyadid, ccode1, ccode2, year, codes)``, a code for each
        of :attr:`columns` (see this module for the codes)."""
        count = len(self.columns)
        bits = [1 << index for index in range(count)]
        for year in range(self.first, self.last + 1):
            existing = self.existing.get(year, 0)
            base = [NOT_JOINT if existing & bit else NOT_IN_EXISTENCE for bit in bits]
            for ccode1, _iso1, ccode2, _iso2, joint, missing in self.dyads(year):
                codes = base
                if joint or missing:
                    codes = list(base)
                    while joint:
                        low = joint & -joint
                        codes[low.bit_length() - 1] = JOINT
                        joint ^= low
                    while missing:
                        low = missing & -missing
                        codes[low.bit_length() - 1] = MISSING
                        missing ^= low
                yield ccode1 * 1000 + ccode2, ccode1, ccode2, year, codes


def dyad_table(connection: Connection, first: int, last: int) -> DyadTable:
    """The dyad-years from ``first`` to ``last`` (see :class:`DyadTable`) of the states the
    database has with a COW code. Raises :class:`QueryError` for years the state list does
    not cover or in the wrong order."""
    low, high = system_years()
    if first > last:
        raise QueryError(f"--from {first} is after --to {last}")
    if first < low or last > high:
        raise QueryError(
            f"years {first}–{last}: COW's state list, which says which states make a "
            f"dyad-year, covers {low}–{high}"
        )
    iso3_of = {
        ccode: iso3
        for ccode, iso3 in connection.execute(
            select(State.__table__.c.cow_ccode, State.__table__.c.iso3).where(
                State.__table__.c.cow_ccode.is_not(None)
            )
        )
    }
    states: dict[int, list[tuple[int, str]]] = {}
    system = [s for s in state_system() if s.ccode in iso3_of]
    for year in range(first, last + 1):
        states[year] = [
            (s.ccode, iso3_of[s.ccode]) for s in system if s.first_year <= year <= s.last_year
        ]
    organizations = organization_years(connection)
    columns = [o.code for o in organizations]
    existing: dict[int, int] = {}
    for index, organization in enumerate(organizations):
        for year in range(max(first, organization.first), min(last, organization.last) + 1):
            existing[year] = existing.get(year, 0) | (1 << index)
    full = years_by_state(member_years(connection, first, last), columns)
    missing = years_by_state(missing_years(connection, first, last), columns)
    for year, by_state in full.items():  # missing data wins over a span's imprecise dates
        unknown = missing.get(year, {})
        for state in by_state:
            by_state[state] &= ~unknown.get(state, 0) & existing.get(year, 0)
    return DyadTable(first, last, columns, states, full, missing, existing)
