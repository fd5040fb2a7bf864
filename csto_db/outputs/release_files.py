"""Writing a release's data files: the SQLite database and the Data Package (its CSV files in
a folder and in a zip), with their SHA-256 sums, for readers who do not install Python."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import uuid
import zipfile
from contextlib import closing
from pathlib import Path

from .. import __version__
from ..release.versions import release_of
from ..store.db import make_engine
from .export import ExportError, export_files, record_tables

SUMS_FILE = "SHA256SUMS"


def release_stem(version: str = __version__) -> str:
    """The name every file of a release starts with."""
    return f"csto-db-{version}"


def write_release_files(out: Path, seeds_directory: Path | None = None) -> dict[str, int]:
    """Build the record from the seeds and write the release's files into ``out``, a new or
    empty folder: ``csto-db-VERSION.sqlite``, the Data Package as a folder
    ``csto-db-VERSION-datapackage/`` (``datapackage.json`` and one CSV per table) and as a
    zip of that folder, and ``SHA256SUMS`` over all of them (``sha256sum -c SHA256SUMS``
    checks them). Returns the size in bytes of each file, by its path within ``out``.

    Everything is written beside ``out`` first and moved into place in one rename, so a
    failure leaves no half release. Raises :class:`~csto_db.outputs.export.ExportError` for a
    folder that cannot take it.
    """
    from ..build.init import init_database

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} is not an empty folder: write a release into a new one")
    if not out.absolute().parent.is_dir():
        raise ExportError(f"cannot create {out}: the folder {out.absolute().parent} does not exist")
    stem = release_stem()
    staging = out.absolute().parent / f".{out.name}.release-{uuid.uuid4().hex[:12]}"
    try:
        with tempfile.TemporaryDirectory(prefix="csto-db-release-") as folder:
            built = Path(folder) / "csto.db"
            init_database(f"sqlite:///{built}", seeds_directory)
            engine = make_engine(f"sqlite:///{built}", read_only=True, check_revision=True)
            try:
                with engine.connect() as connection:
                    files = export_files(record_tables(connection), "datapackage")
            finally:
                engine.dispose()
            staging.mkdir()
            _compact_copy(built, staging / f"{stem}.sqlite")
        package = staging / f"{stem}-datapackage"
        package.mkdir()
        for name, text in sorted(files.items()):
            (package / name).write_bytes(text.encode("utf-8"))
        _zip_folder(package, staging / f"{stem}-datapackage.zip")
        sums = [
            (hashlib.sha256(path.read_bytes()).hexdigest(), path.relative_to(staging).as_posix())
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        ]
        (staging / SUMS_FILE).write_text(
            "".join(f"{digest}  {name}\n" for digest, name in sorted(sums, key=lambda s: s[1])),
            encoding="utf-8",
        )
        sizes = {
            path.relative_to(staging).as_posix(): path.stat().st_size
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        if out.exists():
            out.rmdir()  # empty, as checked above
        os.replace(staging, out)
    except OSError as error:
        raise ExportError(
            f"cannot write the release into {out}: {error.strerror or error}"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sizes


def _compact_copy(database: Path, target: Path) -> None:
    """The database rewritten without free pages, as a reader downloads it."""
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("VACUUM INTO ?", (str(target),))


def _zip_folder(folder: Path, target: Path) -> None:
    """A zip of ``folder`` whose bytes depend only on the files: names sorted, each dated
    the release's day, so the same record gives the same zip and the same sum."""
    release = release_of(__version__)
    day = release.released if release is not None else None
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day is not None else (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
