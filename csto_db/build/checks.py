"""Verifying a built database: the schema the migrations make, the rows the seeds make,
quotes verbatim, facts cited, spans coherent."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.orm import aliased

from .. import __version__
from ..store.db import make_engine
from ..store.models import (
    FACT_MODELS,
    IMPORT_TABLES,
    Base,
    BuildRecord,
    Citation,
    Fact,
    FactCitation,
    Source,
    SpanMixin,
    fact_key_column,
)
from ..store.schema import current_revision, head_revision, stored_record_version
from ..store.schema_check import schema_differences
from .digests import (
    Rows,
    build_differences,
    content_tables,
    curated_rows,
    named_lines,
    seeds_digest,
)
from .seed_files import read_seed_set
from .seed_set import seeds_dir
from .sync import sync


def _tables_loaded(connection: Connection) -> list[str]:
    """Every table the seeds fill holds rows: an empty one means a load that never ran or
    did not finish."""
    problems = []
    for table in content_tables():
        if table.name in IMPORT_TABLES:
            continue  # filled by a dataset import, if one ran; the seeds never fill it
        if connection.execute(select(table).limit(1)).first() is None:
            problems.append(
                f"table {table.name} is empty: the seeds are not loaded; run `csto-db init`"
            )
    return problems


def check_database(connection: Connection, seeds_directory: Path | None = None) -> list[str]:
    """Every problem found, one line each; an empty list means the database is sound.

    The schema is compared with the one the migrations at head create (tables, columns,
    indexes, keys, constraints, triggers); when a table or column is missing, the rows are
    not checked. The rows are compared with what ``init`` recorded when it built the
    database (a table left empty, a row changed, added or removed since, named by table and
    key; seed files in ``seeds_directory``, default the package's, other than the ones it
    was built from), then with what those seed files build, in memory: a row changed even
    where its digests were recomputed. Then the rules facts obey.
    """
    revision, head = current_revision(connection), head_revision()
    if revision != head:
        return [f"schema at {revision or 'no revision'}, expected {head}: run `csto-db init`"]
    schema_problems, complete = schema_differences(connection)
    if not complete:
        return [
            *schema_problems,
            "rows not checked: tables or columns they need are missing; build the database "
            "afresh (an empty database, then `csto-db init`)",
        ]
    directory = seeds_directory or seeds_dir()
    seeds_sha256 = seeds_digest(directory)
    rows = curated_rows(connection)
    build_problems, named = build_differences(connection, seeds_sha256, rows)
    return [
        *schema_problems,
        *_tables_loaded(connection),
        *build_problems,
        *_rows_match_seeds(connection, rows, directory, seeds_sha256, named),
        *version_problems(connection),
        *_source_texts(connection),
        *_quotes_verbatim(connection),
        *_facts_cited(connection),
        *_facts_registered(connection),
        *_spans_coherent(connection),
        *_reach_current(connection),
        *_within_horizon(connection),
    ]


def seed_rows(seeds_directory: Path) -> Rows:
    """The rows the seed files in ``seeds_directory`` build, as :func:`curated_rows` reads
    them: loaded by the same code as ``init``, into a SQLite database in memory.

    The schema there is the models' (``create_all``), which the test suite holds equal to
    the migrations' at head; no migration writes rows of its own into a new database."""
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as memory:
            Base.metadata.create_all(memory)
            # Read afresh, not through the parse cache: `check` is what would find a
            # cache entry that no longer holds what its file says.
            sync(memory, read_seed_set(seeds_directory, cached=False))
            return curated_rows(memory)
    finally:
        engine.dispose()


def _rows_match_seeds(
    connection: Connection,
    rows: Rows,
    seeds_directory: Path,
    seeds_sha256: str,
    named: set[tuple[str, str]],
) -> list[str]:
    """Every row that differs from what the seed files build, in any column: a forged row
    is caught even when its digests and the build record were recomputed to match it.

    Rows the digest comparison already named are not named again. When the database was
    built from other seed files, that is the problem reported, and rows are not compared
    (they would differ by design)."""
    record = connection.execute(select(BuildRecord.seeds_sha256)).scalar()
    if record != seeds_sha256:
        return []
    built = seed_rows(seeds_directory)
    changed: dict[tuple[str, str], list[str]] = {}
    for key in sorted(rows.keys() & built.keys()):
        if key not in named and rows[key] != built[key]:
            have, want = rows[key], built[key]
            changed[key] = sorted(
                c for c in have.keys() | want.keys() if have.get(c) != want.get(c)
            )
    problems = []
    by_columns: dict[str, list[tuple[str, str]]] = {}
    for key, names in changed.items():
        by_columns.setdefault(", ".join(names), []).append(key)
    for columns, keys in sorted(by_columns.items()):
        problems += named_lines(
            keys,
            f"row differs from what the seed files build, in {columns}",
            f"rows differ from what the seed files build, in {columns}",
        )
    problems += named_lines(
        sorted(key for key in rows.keys() - built.keys() if key not in named),
        "row not in what the seed files build",
    )
    problems += named_lines(
        sorted(key for key in built.keys() - rows.keys() if key not in named),
        "row missing: the seed files build it",
    )
    return problems


def _source_texts(connection: Connection) -> list[str]:
    problems = []
    for key, text, digest in connection.execute(
        select(Source.key, Source.full_text, Source.full_text_sha256).where(
            Source.full_text.is_not(None)
        )
    ):
        assert text is not None  # the query keeps the sources that hold a text
        actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if actual != digest:
            problems.append(f"source {key}: stored text has sha256 {actual}, recorded {digest}")
    return problems


def _quotes_verbatim(connection: Connection) -> list[str]:
    texts = dict(
        connection.execute(
            select(Source.key, Source.full_text).where(Source.full_text.is_not(None))
        ).all()
    )
    problems = []
    for key, source, quote, start, end in connection.execute(
        select(
            Citation.key,
            Citation.source_key,
            Citation.quote,
            Citation.char_start,
            Citation.char_end,
        ).order_by(Citation.key)
    ):
        text = texts.get(source)
        if text is None:
            if start is not None:
                problems.append(f"citation {key}: offsets into {source}, which has no text")
            continue
        if start is None:
            problems.append(f"citation {key}: no offsets into the held text of {source}")
        elif text[start:end] != quote:
            problems.append(f"citation {key}: quote is not at {start}:{end} of {source}")
    return problems


def _facts_cited(connection: Connection) -> list[str]:
    uncited = connection.execute(
        select(Fact.key)
        .outerjoin(FactCitation, FactCitation.fact_key == Fact.key)
        .where(FactCitation.fact_key.is_(None))
        .order_by(Fact.key)
    ).scalars()
    return [f"fact {key}: no citation" for key in uncited]


def _facts_registered(connection: Connection) -> list[str]:
    problems = []
    registered = connection.execute(select(Fact.key, Fact.table_name)).all()
    by_table: dict[str, set[str]] = {}
    for key, table in registered:
        by_table.setdefault(table, set()).add(key)
    for table, model in FACT_MODELS.items():
        column = getattr(model, fact_key_column(model))
        present = set(connection.execute(select(column)).scalars())
        for key in sorted(by_table.get(table, set()) - present):
            problems.append(f"fact {key}: registered for {table} but has no row there")
        for key in sorted(present - by_table.get(table, set())):
            problems.append(f"fact {key}: row in {table} registered under another table")
    return problems


def _spans_coherent(connection: Connection) -> list[str]:
    """No two spans of one group overlap (a state in an organization, a chair, an office);
    none ends before it starts.

    Overlap is judged on the earliest possible days: spans ``[start_lower, end_lower)``.
    """
    problems = []
    for table, model in FACT_MODELS.items():
        if not issubclass(model, SpanMixin) or not model.span_group:
            continue
        key = getattr(model, fact_key_column(model))
        first, second = aliased(model), aliased(model)
        same_group = [
            getattr(first, column) == getattr(second, column) for column in model.span_group
        ]
        overlapping = connection.execute(
            select(getattr(first, key.key), getattr(second, key.key))
            .join(
                second,
                and_(
                    *same_group,
                    getattr(first, key.key) < getattr(second, key.key),
                    or_(second.end_lower.is_(None), first.start_lower < second.end_lower),
                    or_(first.end_lower.is_(None), second.start_lower < first.end_lower),
                ),
            )
            .order_by(getattr(first, key.key), getattr(second, key.key))
        ).all()
        problems += [f"{table}: spans {a} and {b} overlap" for a, b in overlapping]
        backwards = connection.execute(
            select(key)
            .where(
                model.end_lower.is_not(None),
                or_(
                    model.end_lower < model.start_lower,
                    model.end_upper < model.start_upper,
                ),
            )
            .order_by(key)
        ).scalars()
        problems += [f"{table}: span {k} ends before it starts" for k in backwards]
    return problems


def _reach_current(connection: Connection) -> list[str]:
    """Each span's stored reach is the outermost bounds over its readings, as the loader
    computes it: an as-of question that selects by it misses no span."""
    from ..answers.asof import SPAN_FIELDS, reach_of
    from ..answers.evidence import readings_for, stored_date

    problems = []
    for table, model in FACT_MODELS.items():
        if not issubclass(model, SpanMixin) or "reach_start" not in model.__table__.columns:
            continue
        rows = connection.execute(select(model).order_by(model.key)).all()
        readings = readings_for(connection, [row.key for row in rows])
        for row in rows:
            values = [
                (name, reading.date)
                for name in SPAN_FIELDS
                for reading in readings.get((row.key, name), [])
            ]
            start = stored_date(row, "start")
            assert start is not None, row.key  # a span's start is NOT NULL
            wanted = reach_of(start, stored_date(row, "end"), values)
            if (row.reach_start, row.reach_end) != wanted:
                problems.append(
                    f"{table}: span {row.key} has reach {row.reach_start}.."
                    f"{row.reach_end}, its readings give {wanted[0]}..{wanted[1]}"
                )
    return problems


def _within_horizon(connection: Connection) -> list[str]:
    """No fact is dated after the horizon of the record it belongs to, and no source of the
    seeds is dated after the curated record's: a horizon is the last day the sources cover.

    A fact belongs to the organization it names (an organ's to the organization above it,
    a party's to its document's); a fact of the seeds that names none, to the curated
    record, whose horizon is the latest of its organizations'. A date is after the horizon
    when its earliest possible day is."""
    from ..errors import PartialDateError
    from ..store.dates import PartialDate
    from ..store.models import Document, DocumentParty, Organization

    organizations = {
        row.code: row
        for row in connection.execute(
            select(
                Organization.code,
                Organization.parent_code,
                Organization.horizon_edtf,
                Organization.horizon_upper,
                Fact.dataset_key,
            ).join(Fact, Fact.key == Organization.code)
        )
    }
    curated = [
        row.horizon_upper
        for row in organizations.values()
        if row.dataset_key is None and row.horizon_upper is not None
    ]
    record = max(curated) if curated else None

    def horizon(code: str | None, imported: bool) -> tuple[str, object] | None:
        seen = set()
        while code is not None and code not in seen:
            seen.add(code)
            row = organizations.get(code)
            if row is None:
                break
            if row.horizon_upper is not None:
                return code, row.horizon_upper
            code = row.parent_code
        return None if imported or record is None else ("the curated record", record)

    document_organization = dict(
        connection.execute(select(Document.key, Document.organization_code)).all()
    )
    problems = []
    for table, model in FACT_MODELS.items():
        dates = [name for name in model.partial_dates if name != "horizon"]
        if not dates:
            continue
        columns = model.__table__.c
        owner = next(
            (columns[name] for name in ("organization_code", "body_code") if name in columns),
            None,
        )
        key = columns[fact_key_column(model)]
        statement = (
            select(
                key.label("key"),
                (owner if owner is not None else key).label("owner"),
                Fact.dataset_key,
                *(columns[f"{name}_lower"] for name in dates),
                *(columns[f"{name}_edtf"] for name in dates),
            )
            .join(Fact, Fact.key == key)
            .order_by(key)
        )
        if model is DocumentParty:
            statement = statement.add_columns(columns["document_key"])
        for row in connection.execute(statement):
            code: str | None = row.owner if owner is not None else None
            if model is Organization:
                code = row.key
            elif model is DocumentParty:
                code = document_organization.get(row.document_key)
            found = horizon(code, row.dataset_key is not None)
            if found is None:
                continue
            name_of, last_day = found
            for name in dates:
                lower = row._mapping[f"{name}_lower"]
                if lower is not None and lower > last_day:
                    problems.append(
                        f"{table} {row.key}: {name} {row._mapping[f'{name}_edtf']} is after "
                        f"the horizon of {name_of} ({last_day})"
                    )
    if record is not None:
        datasets = {row.dataset_key for row in organizations.values()}
        for source, published in connection.execute(
            select(Source.key, Source.published)
            .where(Source.published.is_not(None))
            .order_by(Source.key)
        ):
            if source in datasets or not published:
                continue  # a dataset import's own source
            try:
                day = PartialDate.parse(published).lower
            except PartialDateError:
                continue  # a publication date given as free text speaks to no day
            if day > record:
                problems.append(
                    f"source {source}: published {published}, after the horizon of the "
                    f"curated record ({record})"
                )
    return problems


def version_problems(connection: Connection) -> list[str]:
    """For ``check``: a database whose build record names another release than this
    package's (an older one; a newer one is refused by the schema gate)."""
    # Imported here: the loops of this module name their variable ``table``.
    from sqlalchemy import column, inspect, table

    if not inspect(connection).has_table("build_record"):
        return []
    build = table("build_record", column("id"))
    if connection.execute(select(build.c.id)).first() is None:
        return []  # no build record: compare_with_build says so
    stored = stored_record_version(connection)
    if stored == __version__:
        return []
    built_by = f"csto-db {stored}" if stored else "a csto-db release older than 0.2.0"
    return [
        f"built by {built_by}, whose seeds and rules may differ from this package's "
        f"({__version__}): run `csto-db init`"
    ]
