"""Reading the Correlates of War IGO file (v3, IGO-year format): its codebook, its state
columns and the ISO codes they stand for, and each organization's rows year by year; a file
that cannot be read is refused with the line and column."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

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
ABSENCE = frozenset(NOT_MEMBER)
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
    #: Each year's cells of :data:`ROW_COLUMNS`, as the file writes them.
    row_cells: list[dict[str, str]] = field(default_factory=list)
    #: Each year's state cells, in the file's column order, while the file is read.
    rows: list[list[str]] = field(default_factory=list)
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
    by_name: dict[str, CowOrganization] = {}
    seen: dict[tuple[str, int], int] = {}
    rows = 0
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not row:  # a blank line, as at the end of a file
                continue
            rows += 1
            _add_row(
                path.name, line, header, position, state_start, state_columns, row, by_name, seen
            )
    except csv.Error as error:
        raise DatasetError(f"{path.name}: line {reader.line_num}: {error}") from None
    organizations = sorted(by_name.values(), key=lambda o: o.ioname)
    for organization in organizations:
        _columns_by_year(organization, state_columns)
    return CowFile(path.name, hashlib.sha256(raw).hexdigest(), states, organizations, rows)


def _add_row(
    file: str,
    line: int,
    header: list[str],
    position: dict[str, int],
    state_start: int,
    state_columns: list[str],
    row: list[str],
    by_name: dict[str, CowOrganization],
    seen: dict[tuple[str, int], int],
) -> None:
    if len(row) != len(header):
        raise DatasetError(f"{file}: line {line}: {len(row)} fields, the header has {len(header)}")

    def whole(name: str) -> int:
        value = row[position[name]]
        try:
            return int(value)
        except ValueError:
            raise DatasetError(
                f"{file}: line {line}, column {position[name] + 1} ({name}): "
                f"{value!r} is not a whole number"
            ) from None

    ioname = row[position["ioname"]]
    if not ioname:
        raise DatasetError(f"{file}: line {line}, column {position['ioname'] + 1} (ioname): empty")
    year, ionum = whole("year"), whole("ionum")
    if not MIN_YEAR <= year <= MAX_YEAR:  # a date needs one; COW's run from 1815
        raise DatasetError(
            f"{file}: line {line}, column {position['year'] + 1} (year): "
            f"{year} is not a year from {MIN_YEAR} to {MAX_YEAR}"
        )
    if (ioname, year) in seen:
        raise DatasetError(
            f"{file}: line {line}, column {position['year'] + 1} (year): "
            f"{ioname} {year} again (first on line {seen[(ioname, year)]})"
        )
    seen[(ioname, year)] = line
    organization = by_name.get(ioname)
    if organization is None:
        organization = by_name[ioname] = CowOrganization(
            ioname, ionum, row[position["orgname"]], first_line=line
        )
    elif organization.ionum != ionum:
        raise DatasetError(
            f"{file}: line {line}, column {position['ionum'] + 1} (ionum): "
            f"{ionum} for {ioname}, which had {organization.ionum}"
        )
    cells = row[state_start : state_start + len(state_columns)]
    if not CODE_SET.issuperset(cells):  # one set operation per row; find the cell only then
        offset = next(i for i, cell in enumerate(cells) if cell not in CODE_SET)
        raise DatasetError(
            f"{file}: line {line}, column {state_start + offset + 1} "
            f"({state_columns[offset]}): {cells[offset]!r} is not a COW membership code "
            "(1, 2, 3, 0, -9 or empty)"
        )
    organization.rows.append(cells)
    organization.years.append(year)
    organization.longorgnames.append(row[position["longorgname"]])
    organization.deads.append(row[position["dead"]])
    deaddate = row[position["deaddate"]] if "deaddate" in position else ""
    if deaddate:
        whole("deaddate")  # a year, or the file is not COW's
    organization.deaddates.append(deaddate)
    cells_beside = {name: row[position[name]] if name in position else "" for name in ROW_COLUMNS}
    for name, value in (("orgname", row[position["orgname"]]), *cells_beside.items()):
        limit = ROW_COLUMN_LENGTHS.get(name, 20)
        if limit is not None and len(value) > limit:
            raise DatasetError(
                f"{file}: line {line}, column {position[name] + 1} ({name}): "
                f"{len(value)} characters, more than the {limit} it may have"
            )
    organization.row_cells.append(cells_beside)


def _columns_by_year(organization: CowOrganization, state_columns: list[str]) -> None:
    """Order the rows by year, then turn them into the columns that code something."""
    order = sorted(range(len(organization.years)), key=organization.years.__getitem__)
    if order != list(range(len(order))):
        organization.years = [organization.years[i] for i in order]
        organization.longorgnames = [organization.longorgnames[i] for i in order]
        organization.deads = [organization.deads[i] for i in order]
        organization.deaddates = [organization.deaddates[i] for i in order]
        organization.row_cells = [organization.row_cells[i] for i in order]
        organization.rows = [organization.rows[i] for i in order]
    # COW gives the year an organization ended in ``deaddate``, and flags it ``dead`` in its
    # last row; a few that ended have the year but not the flag.
    if organization.deaddates[-1]:
        organization.dissolved = int(organization.deaddates[-1])
    elif organization.deads[-1] == "1":
        organization.dissolved = organization.years[-1]
    columns = list(zip(state_columns, zip(*organization.rows, strict=True), strict=True))
    organization.codes = {name: cells for name, cells in columns if not ABSENCE.issuperset(cells)}
    organization.empties = {name: cells for name, cells in columns if NOT_IN_SYSTEM in cells}
    organization.rows = []
