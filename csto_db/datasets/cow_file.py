"""Reading the Correlates of War IGO file (v3, IGO-year format): its codebook, its state
columns and the ISO codes they stand for, and each organization's rows year by year; a file
that cannot be read is refused with the line and column."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from operator import attrgetter, gt, itemgetter
from pathlib import Path
from typing import Any

from ..errors import Error

SOURCE_KEY = "cow-igo-v3-file"
#: How the answers name the dataset.
DATASET_NAME = "COW IGO v3"
#: The years a row may carry: each becomes a date, which holds years 1 to 9999.
MIN_YEAR, MAX_YEAR = 1, 9999
#: Codebook III.A: the state columns' codes and the statuses they become.
STATUS_OF_CODE = {"1": "member", "2": "associate", "3": "observer"}
MISSING = "-9"
NOT_MEMBER = ("0", "")
CODE_SET = frozenset((*STATUS_OF_CODE, MISSING, *NOT_MEMBER))
STATUS_CODES = frozenset(STATUS_OF_CODE)
REQUIRED_COLUMNS = ("ioname", "orgname", "year", "longorgname", "ionum", "dead")
#: An empty state cell: the codebook's -1, "state not system member".
NOT_IN_SYSTEM = ""
#: The columns of COW's file after the state columns, in its order: ``cow_years`` keeps
#: each row's cells of them (a file without one of them has it empty).
ROW_COLUMNS = (
    "sdate",
    "deaddate",
    "dead",
    "integrated",
    "replaced",
    "longorgname",
    "ionum",
    "igocode",
    "version",
    "accuracyofpre1965membershipdates",
    "sourcesandnotes",
    "imputed",
    "political",
    "social",
    "economic",
)
#: The longest cell ``cow_years`` holds of a column (the rest: 20 characters; sources and
#: notes have no limit).
ROW_COLUMN_LENGTHS = {
    "orgname": 200,
    "longorgname": 400,
    "version": 40,
    "accuracyofpre1965membershipdates": 200,
    "sourcesandnotes": None,
}
#: The columns of COW's file before the state columns.
KEY_COLUMNS = ("ioname", "orgname", "year")


class DatasetError(Error):
    """A dataset file that cannot be imported: the message names the line and column."""


@dataclass(frozen=True)
class CowState:
    """A COW state column and the state it is in the ``states`` table."""

    ccode: int
    column: str
    iso3: str
    iso2: str | None
    numeric: str | None
    name: str
    #: Where the column stands among the file's state columns (1 is the first).
    file_column: int = 0
    #: The first and last year COW's state list gives the state (the years its cells may
    #: hold a code rather than stand empty, "state not system member").
    first_year: int = 0
    last_year: int = 0


def cow_states() -> dict[str, CowState]:
    """COW's 217 state columns, by column name, with ISO codes where ISO has them.

    States ISO never coded (Baden, Austria-Hungary, the two Yemens before 1990, ...) get a
    code from ISO 3166-1's user-assigned range ``XAA``–``XZZ`` and no alpha-2 or numeric
    code; Kosovo keeps the ``XKX`` the EU and the IMF use.
    """
    text = (resources.files("csto_db.datasets") / "data" / "cow_states.csv").read_text("utf-8")
    states = {}
    for row in csv.DictReader(io.StringIO(text)):
        states[row["state_column"]] = CowState(
            int(row["ccode"]),
            row["state_column"],
            row["iso3"],
            row["iso2"] or None,
            row["numeric"] or None,
            row["name"],
            int(row["file_column"]),
            int(row["first_year"]),
            int(row["last_year"]),
        )
    return states


@dataclass
class CowOrganization:
    """One IGO's rows: its names, number, and each state column's code per year."""

    ioname: str
    ionum: int
    orgname: str
    #: The year COW says the organization ended (``deaddate``; the ``dead`` flag's year
    #: where that is empty), or None.
    dissolved: int | None = None
    #: The line of the file that holds its first row (1 is the header).
    first_line: int = 0
    years: list[int] = field(default_factory=list)
    longorgnames: list[str] = field(default_factory=list)
    #: The ``dead`` cell of each year (``1``: COW codes the organization dead) and its
    #: ``deaddate`` cell (empty when the file has no such column).
    deads: list[str] = field(default_factory=list)
    deaddates: list[str] = field(default_factory=list)
    #: Each year's cells of :data:`ROW_COLUMNS`, in that order, as the file writes them.
    row_cells: list[tuple[str, ...]] = field(default_factory=list)
    #: Each year's state cells, in the file's column order, while the file is read.
    rows: list[tuple[str, ...]] = field(default_factory=list)
    #: ``codes[column][i]`` is the column's cell in ``years[i]``; only the columns with some
    #: code other than 0 or empty (the rest say nothing but absence).
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The same for the columns with some empty cell (state not system member), which
    #: ``codes`` leaves out when the rest of the column is 0.
    empties: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class CowFile:
    """The parsed file: its name, digest, state columns and organizations."""

    name: str
    sha256: str
    states: list[CowState]
    organizations: list[CowOrganization]
    rows: int

    @property
    def columns(self) -> set[str]:
        return {state.column for state in self.states}


def read_cow_file(path: Path) -> CowFile:
    """Parse and validate the whole file; raises :class:`DatasetError` naming the line and
    column of the first bad cell. Nothing is written."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror or error}") from None
    return parse_cow(path.name, raw)


def parse_cow(name: str, raw: bytes) -> CowFile:
    """Parse and validate COW's IGO-year CSV held in ``raw``, called ``name`` in messages."""
    path = Path(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(f"{path.name}: line {line}: not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DatasetError(f"{path.name}: line 1: empty file, expected COW's header") from None
    except csv.Error as error:
        raise DatasetError(f"{path.name}: line 1: {error}") from None
    known = cow_states()
    position = {name: index for index, name in enumerate(header)}
    for name in REQUIRED_COLUMNS:
        if name not in position:
            raise DatasetError(
                f"{path.name}: line 1: no column {name!r}; not COW's igo_year_formatv3 file"
            )
    state_start, state_end = position["year"] + 1, position.get("sdate", len(header))
    state_columns = header[state_start:state_end]
    for offset, name in enumerate(state_columns):
        if name not in known:
            raise DatasetError(
                f"{path.name}: line 1, column {state_start + offset + 1}: "
                f"{name!r} is not a COW state column"
            )
    states = [known[name] for name in state_columns]
    layout = _Layout.of(header, position, state_start, state_columns)
    try:
        organizations, rows = _read_by_organization(reader, layout)
    except (_Unusual, csv.Error):
        # Read again, row by row, to name the first bad cell (or to take the rows in any
        # order).
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        try:
            by_name, rows = _read_rows(path.name, reader, layout)
        except csv.Error as error:
            raise DatasetError(f"{path.name}: line {reader.line_num}: {error}") from None
        organizations = sorted(by_name.values(), key=lambda o: o.ioname)
        for organization in organizations:
            _in_year_order(organization)
            _complete(organization, layout.state_columns, zip(*organization.rows, strict=True))
            organization.rows = []
    return CowFile(path.name, hashlib.sha256(raw).hexdigest(), states, organizations, rows)


@dataclass(frozen=True)
class _Layout:
    """Where a file's columns stand in each of its rows."""

    width: int
    ioname: int
    orgname: int
    year: int
    ionum: int
    longorgname: int
    dead: int
    #: None where the file has no such column (its cells count as empty).
    deaddate: int | None
    #: The cells of :data:`ROW_COLUMNS`, in that order.
    beside: list[int | None]
    state_start: int
    state_columns: list[str]
    #: The cells with a length limit, in the order the checks name them: name, place, limit.
    limited: list[tuple[str, int, int]]

    @classmethod
    def of(
        cls, header: list[str], position: dict[str, int], state_start: int, state_columns: list[str]
    ) -> _Layout:
        return cls(
            len(header),
            position["ioname"],
            position["orgname"],
            position["year"],
            position["ionum"],
            position["longorgname"],
            position["dead"],
            position.get("deaddate"),
            [position.get(name) for name in ROW_COLUMNS],
            state_start,
            state_columns,
            [
                (name, position[name], limit)
                for name in ("orgname", *ROW_COLUMNS)
                if name in position and (limit := ROW_COLUMN_LENGTHS.get(name, 20)) is not None
            ],
        )

    @property
    def state_end(self) -> int:
        return self.state_start + len(self.state_columns)


class _Unusual(Exception):
    """A file the reading by organization does not take: a row breaks one of the file's
    rules, or an organization's rows stand apart. Reading it row by row names the first
    bad cell, if there is one."""


def _read_by_organization(reader: Any, layout: _Layout) -> tuple[list[CowOrganization], int]:
    """The organizations of a file that keeps the rules and lists each organization's rows
    together (as COW's does), and the count of rows; raises :class:`_Unusual` otherwise.

    Each row is only put with its organization's; when the next organization's begin, the
    rules are checked a column of the organization's rows at a time (parsed to whole
    numbers, measured, compared to the codes), in C, and its rows are let go. A file that
    reads this way reads the same row by row (:func:`_read_rows`)."""
    organizations = []
    read: set[str] = set()
    width, ioname_at = layout.width, layout.ioname
    ioname: str | None = None
    first_line = 0
    file_rows: list[list[str]] = []
    rows = 0
    for row in reader:
        if len(row) != width:
            if row:
                raise _Unusual
            continue  # a blank line, as at the end of a file
        rows += 1
        if row[ioname_at] != ioname:
            if ioname is not None:
                organizations.append(_organization(ioname, first_line, file_rows, layout))
                read.add(ioname)
            ioname, first_line, file_rows = row[ioname_at], reader.line_num, []
            if not ioname or ioname in read:
                raise _Unusual  # no name, or rows apart from the organization's others
        file_rows.append(row)
    if ioname is not None:
        organizations.append(_organization(ioname, first_line, file_rows, layout))
    organizations.sort(key=attrgetter("ioname"))
    return organizations, rows


def _organization(
    ioname: str, first_line: int, file_rows: list[list[str]], layout: _Layout
) -> CowOrganization:
    """An organization from its rows in the file's order, each rule checked a column at a
    time; raises :class:`_Unusual` at the first one broken."""
    columns = list(zip(*file_rows, strict=True))
    try:
        years = list(map(int, columns[layout.year]))
        ionums = set(map(int, columns[layout.ionum]))
        if layout.deaddate is not None:
            list(map(int, filter(None, columns[layout.deaddate])))  # each a year
    except ValueError:
        raise _Unusual from None
    if (
        len(ionums) != 1
        or min(years) < MIN_YEAR
        or max(years) > MAX_YEAR
        or len(set(years)) != len(years)
        or any(max(map(len, columns[at])) > limit for _name, at, limit in layout.limited)
    ):
        raise _Unusual
    orgname = file_rows[0][layout.orgname]
    order = sorted(range(len(years)), key=years.__getitem__)
    if order != list(range(len(order))):
        years = [years[i] for i in order]
        columns = list(zip(*(file_rows[i] for i in order), strict=True))
    empty = ("",) * len(years)
    organization = CowOrganization(
        ioname,
        ionums.pop(),
        orgname,
        first_line=first_line,
        years=years,
        longorgnames=list(columns[layout.longorgname]),
        deads=list(columns[layout.dead]),
        deaddates=list(empty if layout.deaddate is None else columns[layout.deaddate]),
        row_cells=list(
            zip(*(empty if at is None else columns[at] for at in layout.beside), strict=True)
        ),
    )
    _complete(organization, layout.state_columns, columns[layout.state_start : layout.state_end])
    if not all(map(CODE_SET.issuperset, organization.codes.values())):
        raise _Unusual  # a cell neither 0 nor empty stands in a column of codes
    return organization


def _read_rows(file: str, reader: Any, layout: _Layout) -> tuple[dict[str, CowOrganization], int]:
    """Check each row and file it under its organization; the organizations by ``ioname``
    and the count of rows. The first bad cell raises :class:`DatasetError`, naming its line
    and column."""
    width, state_start, state_end = layout.width, layout.state_start, layout.state_end
    state_columns = layout.state_columns
    ioname_at, orgname_at, year_at = layout.ioname, layout.orgname, layout.year
    ionum_at, longorgname_at, dead_at = layout.ionum, layout.longorgname, layout.dead
    deaddate_at = layout.deaddate
    beside = _cells_getter(layout.beside)
    limited = layout.limited
    limited_cells = _cells_getter([at for _name, at, _limit in limited])
    limits = [limit for _name, _at, limit in limited]
    by_name: dict[str, CowOrganization] = {}
    seen: dict[tuple[str, int], int] = {}
    rows = 0
    for row in reader:
        if len(row) != width:
            if not row:  # a blank line, as at the end of a file
                continue
            raise DatasetError(
                f"{file}: line {reader.line_num}: {len(row)} fields, the header has {width}"
            )
        line = reader.line_num
        rows += 1
        ioname = row[ioname_at]
        if not ioname:
            raise DatasetError(f"{file}: line {line}, column {ioname_at + 1} (ioname): empty")
        try:
            year = int(row[year_at])
        except ValueError:
            raise _not_whole(file, line, "year", year_at, row) from None
        try:
            ionum = int(row[ionum_at])
        except ValueError:
            raise _not_whole(file, line, "ionum", ionum_at, row) from None
        if not MIN_YEAR <= year <= MAX_YEAR:  # a date needs one; COW's run from 1815
            raise DatasetError(
                f"{file}: line {line}, column {year_at + 1} (year): "
                f"{year} is not a year from {MIN_YEAR} to {MAX_YEAR}"
            )
        first_seen = seen.setdefault((ioname, year), line)
        if first_seen != line:
            raise DatasetError(
                f"{file}: line {line}, column {year_at + 1} (year): "
                f"{ioname} {year} again (first on line {first_seen})"
            )
        organization = by_name.get(ioname)
        if organization is None:
            organization = by_name[ioname] = CowOrganization(
                ioname, ionum, row[orgname_at], first_line=line
            )
        elif organization.ionum != ionum:
            raise DatasetError(
                f"{file}: line {line}, column {ionum_at + 1} (ionum): "
                f"{ionum} for {ioname}, which had {organization.ionum}"
            )
        cells = tuple(row[state_start:state_end])
        if not CODE_SET.issuperset(cells):  # one set operation per row; find the cell only then
            offset = next(i for i, cell in enumerate(cells) if cell not in CODE_SET)
            raise DatasetError(
                f"{file}: line {line}, column {state_start + offset + 1} "
                f"({state_columns[offset]}): {cells[offset]!r} is not a COW membership code "
                "(1, 2, 3, 0, -9 or empty)"
            )
        deaddate = row[deaddate_at] if deaddate_at is not None else ""
        if deaddate:
            try:
                int(deaddate)  # a year, or the file is not COW's
            except ValueError:
                assert deaddate_at is not None  # a cell only where the file has the column
                raise _not_whole(file, line, "deaddate", deaddate_at, row) from None
        if any(map(gt, map(len, limited_cells(row)), limits)):
            name, at, limit = next(
                (name, at, limit) for name, at, limit in limited if len(row[at]) > limit
            )
            raise DatasetError(
                f"{file}: line {line}, column {at + 1} ({name}): "
                f"{len(row[at])} characters, more than the {limit} it may have"
            )
        organization.rows.append(cells)
        organization.years.append(year)
        organization.longorgnames.append(row[longorgname_at])
        organization.deads.append(row[dead_at])
        organization.deaddates.append(deaddate)
        organization.row_cells.append(beside(row))
    return by_name, rows


def _not_whole(file: str, line: int, name: str, at: int, row: list[str]) -> DatasetError:
    return DatasetError(
        f"{file}: line {line}, column {at + 1} ({name}): {row[at]!r} is not a whole number"
    )


def _cells_getter(indexes: list[int | None]) -> Callable[[list[str]], tuple[str, ...]]:
    """A function from a row to its cells at ``indexes``, as a tuple; None (a column the
    file lacks) gives an empty cell."""
    if None not in indexes and len(indexes) > 1:
        return itemgetter(*indexes)  # the common case, in C
    return lambda row: tuple("" if at is None else row[at] for at in indexes)


def _in_year_order(organization: CowOrganization) -> None:
    """Order the rows read row by row by year."""
    order = sorted(range(len(organization.years)), key=organization.years.__getitem__)
    if order != list(range(len(order))):
        organization.years = [organization.years[i] for i in order]
        organization.longorgnames = [organization.longorgnames[i] for i in order]
        organization.deads = [organization.deads[i] for i in order]
        organization.deaddates = [organization.deaddates[i] for i in order]
        organization.row_cells = [organization.row_cells[i] for i in order]
        organization.rows = [organization.rows[i] for i in order]


def _complete(
    organization: CowOrganization, state_columns: list[str], columns: Iterable[tuple[str, ...]]
) -> None:
    """The year the organization ended, and its state columns that code something, from
    ``columns``, its state cells a column at a time in year order."""
    # COW gives the year an organization ended in ``deaddate``, and flags it ``dead`` in its
    # last row; a few that ended have the year but not the flag.
    if organization.deaddates[-1]:
        organization.dissolved = int(organization.deaddates[-1])
    elif organization.deads[-1] == "1":
        organization.dissolved = organization.years[-1]
    years = len(organization.years)
    codes, empties = organization.codes, organization.empties
    for name, cells in zip(state_columns, columns, strict=True):
        # Two counts in C per column, where most columns hold nothing but 0.
        zeros = cells.count("0")
        if zeros == years:
            continue
        empty = cells.count(NOT_IN_SYSTEM)
        if empty:
            empties[name] = cells
        if zeros + empty < years:  # some cell neither 0 nor empty
            codes[name] = cells
