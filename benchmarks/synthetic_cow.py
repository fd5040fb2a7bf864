"""A synthetic dataset N times COW's size: a copy of a database holding the COW import, with
N - 1 more copies of every imported organization, state, span and run of missing data
under new codes (``NATO~7``, a state coded ``0A7``), so that each question asked of one copy
does the same work as on the real import while the tables hold N times the rows.

    python -m benchmarks.synthetic_cow SOURCE.db OUT.db --copies 100

Each copy's spans cite the same cells as the real ones (their facts and citation links are
copied, the citations shared). Copy 0 is the real import, untouched. Written with sqlite3
in one transaction per copy, the triggers of the schema firing as for any insert.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import string
import time
from collections.abc import Iterator
from pathlib import Path

DIGITS = string.digits + string.ascii_uppercase


def synthetic_codes() -> Iterator[str]:
    """Three-character state codes no ISO alpha-3 code can be: each holds a digit."""
    for a in DIGITS:
        for b in DIGITS:
            for c in DIGITS:
                code = a + b + c
                if any(ch.isdigit() for ch in code):
                    yield code


def copy_rows(
    connection: sqlite3.Connection,
    table: str,
    changed: dict[str, str],
    rest: str,
    source: str | None = None,
) -> str:
    """An INSERT ... SELECT copying ``table``'s rows (aliased ``t``), every column as it is
    but those ``changed`` gives an expression for."""
    columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join(changed.get(name, f't."{name}"') for name in columns)
    return f"INSERT INTO {table} ({names}) SELECT {values} FROM {source or table} t {rest}"


def build(source: Path, out: Path, copies: int) -> dict[str, int]:
    """Write the synthetic database; return its row counts."""
    shutil.copyfile(source, out)
    connection = sqlite3.connect(out, isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -400000")
    states = [
        row
        for row in connection.execute(
            "SELECT iso3, name, cow_ccode, dataset_key FROM states WHERE cow_ccode IS NOT NULL"
            " ORDER BY iso3"
        )
    ]
    organizations = [
        code
        for (code,) in connection.execute(
            "SELECT DISTINCT organization_code FROM membership_spans WHERE \"key\" LIKE 'cow:%'"
            " UNION SELECT DISTINCT organization_code FROM missing_data"
        )
    ]
    generator = synthetic_codes()
    connection.execute("CREATE TEMP TABLE state_map (iso3 TEXT, copy INTEGER, code TEXT)")
    connection.execute("CREATE TEMP TABLE org_list (code TEXT PRIMARY KEY)")
    connection.executemany("INSERT INTO org_list VALUES (?)", [(c,) for c in organizations])
    mapped = []
    for copy in range(1, copies):
        for iso3, _name, _ccode, _dataset in states:
            mapped.append((iso3, copy, next(generator)))
    connection.executemany("INSERT INTO state_map VALUES (?, ?, ?)", mapped)
    connection.execute("CREATE INDEX temp.ix_state_map ON state_map (copy, iso3)")
    # The real rows, read once: each copy is made from these, not from the growing tables.
    connection.execute(
        "CREATE TEMP TABLE real_spans AS SELECT * FROM membership_spans WHERE \"key\" LIKE 'cow:%'"
    )
    connection.execute(
        "CREATE TEMP TABLE real_links AS SELECT * FROM fact_citations"
        " WHERE fact_key LIKE 'cow:%' OR fact_key IN (SELECT code FROM org_list)"
    )
    connection.execute("CREATE TEMP TABLE real_missing AS SELECT * FROM missing_data")
    source_key = connection.execute(
        "SELECT \"key\" FROM sources WHERE kind = 'dataset' AND \"key\" LIKE 'cow%'"
    ).fetchone()[0]
    for copy in range(1, copies):
        started = time.perf_counter()
        suffix = f"~{copy}"
        connection.execute("BEGIN")
        connection.execute(
            'INSERT INTO states (iso3, iso2, "numeric", name, cow_ccode, dataset_key)'
            " SELECT m.code, NULL, NULL, s.name || ' ' || ?, s.cow_ccode + 10000 * ?, ?"
            " FROM states s JOIN state_map m ON m.iso3 = s.iso3 AND m.copy = ?",
            (suffix, copy, source_key, copy),
        )
        connection.execute(
            'INSERT INTO facts ("key", table_name, dataset_key)'
            ' SELECT f."key" || ?, f.table_name, ? FROM facts f'
            ' JOIN org_list o ON o.code = f."key"',
            (suffix, source_key),
        )
        connection.execute(
            "INSERT INTO fact_citations (fact_key, citation_key)"
            " SELECT fc.fact_key || ?, fc.citation_key FROM real_links fc",
            (suffix,),
        )
        connection.execute(
            copy_rows(
                connection,
                "organizations",
                {"code": "t.code || :suffix", "parent_code": "NULL", "predecessor_code": "NULL"},
                "JOIN org_list l ON l.code = t.code",
            ),
            {"suffix": suffix},
        )
        connection.execute(
            'INSERT INTO facts ("key", table_name, dataset_key)'
            " SELECT s.\"key\" || ?, 'membership_spans', ? FROM real_spans s",
            (suffix, source_key),
        )
        connection.execute(
            copy_rows(
                connection,
                "membership_spans",
                {
                    "key": 't."key" || :suffix',
                    "state_iso3": "m.code",
                    "organization_code": "t.organization_code || :suffix",
                },
                "JOIN state_map m ON m.iso3 = t.state_iso3 AND m.copy = :copy",
                source="real_spans",
            ),
            {"suffix": suffix, "copy": copy},
        )
        connection.execute(
            "INSERT INTO missing_data (organization_code, state_iso3, first_year, last_year,"
            " source_key) SELECT d.organization_code || ?, m.code, d.first_year, d.last_year,"
            " d.source_key FROM real_missing d"
            " JOIN state_map m ON m.iso3 = d.state_iso3 AND m.copy = ?",
            (suffix, copy),
        )
        connection.execute("COMMIT")
        print(f"copy {copy}: {time.perf_counter() - started:.1f} s", flush=True)
    counts = {
        table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("membership_spans", "missing_data", "organizations", "states")
    }
    connection.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=100)
    arguments = parser.parse_args()
    print(build(arguments.source, arguments.out, arguments.copies))


if __name__ == "__main__":
    main()
