"""Full-text search for the web view: a copy of the SQLite database with an FTS5 index over
the quotes, their translations, document titles, event descriptions and dispute reasons,
which Datasette searches as its own; and a reader's words turned into an FTS5 query."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

#: The table Datasette searches: one row per text, with the keys it links to.
SEARCH_TABLE = "search_index"
#: Its FTS5 index; Datasette finds it from ``content=`` and hides it.
SEARCH_FTS = f"{SEARCH_TABLE}_fts"

#: Each text with what it is, the facts or dispute it belongs to and its source.
_ROWS = """
SELECT 'document title', d.title, d.key, NULL, NULL FROM documents d
UNION ALL
SELECT 'dispute reason', d.question || ' ' || d.reason, NULL, d.key, NULL FROM disputes d
UNION ALL
SELECT 'event', e.title || coalesce('. ' || e.description, ''), e.key, NULL, NULL FROM events e
UNION ALL
SELECT 'quote', c.quote,
  (SELECT group_concat(fact_key, ' ') FROM fact_citations fc WHERE fc.citation_key = c.key),
  NULL, c.source_key FROM citations c
UNION ALL
SELECT 'translation', c.translation,
  (SELECT group_concat(fact_key, ' ') FROM fact_citations fc WHERE fc.citation_key = c.key),
  NULL, c.source_key FROM citations c WHERE c.translation IS NOT NULL
"""

#: A word this long or longer also finds the words that share all but its last two letters:
#: a rough stem, so that a Russian stem such as "заморозк" finds "заморозила".
STEMMED_LENGTH = 6


def copy_with_search(path: Path, folder: Path) -> Path:
    """A copy of the database at ``path`` in ``folder`` (under the same name, so Datasette
    names it alike), with the search table and its FTS5 index added; the original is only
    read."""
    copy = folder / path.name
    source = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        target.executescript(
            f"""
            CREATE TABLE {SEARCH_TABLE} (
              id INTEGER PRIMARY KEY, what TEXT NOT NULL, text TEXT NOT NULL,
              facts TEXT, dispute TEXT, source TEXT);
            CREATE VIRTUAL TABLE {SEARCH_FTS} USING fts5(
              text, content="{SEARCH_TABLE}", content_rowid="id",
              tokenize='unicode61 remove_diacritics 2');
            """
        )
        target.execute(f"INSERT INTO {SEARCH_TABLE} (what, text, facts, dispute, source) {_ROWS}")
        target.execute(f"INSERT INTO {SEARCH_FTS} ({SEARCH_FTS}) VALUES ('rebuild')")
        target.commit()
    finally:
        target.close()
        source.close()
    return copy


def fts_query(words: str) -> str:
    """The FTS5 query for what a reader typed: every word must be found, as the start of a
    word in the text; a long word only as far as its rough stem (:data:`STEMMED_LENGTH`).
    Lower case, so that no word is taken for an operator (AND, OR, NOT); empty when nothing
    searchable was typed."""
    terms = []
    for word in re.findall(r"\w+", words.lower()):
        stem = word[:-2] if len(word) >= STEMMED_LENGTH else word
        terms.append(f"{stem}*")
    return " ".join(terms)
