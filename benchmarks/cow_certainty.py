"""A census of the certainty ``members_on`` gives at COW scale: the whole COW IGO file
imported, then every imported organization asked about 1 July of each year it is coded in,
and three days after the file ends. Writes one JSON object, ``{"ORG DAY": [[state,
certainty], ...]}``, so that two versions of the package can be compared answer by answer:

    python -m benchmarks.cow_certainty OUT.json
    python -m benchmarks.cow_certainty --compare BEFORE.json AFTER.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from .common import COW_FILE

#: Days after the file's last year (2014) that users ask about.
LATER_DAYS = (date(2015, 7, 1), date(2021, 1, 1), date(2024, 1, 1))


def census(out: Path) -> None:
    from sqlalchemy import select

    from csto_db.answers.membership import members_on
    from csto_db.build.init import init_database
    from csto_db.datasets.cow_file import SOURCE_KEY
    from csto_db.datasets.cow_import import import_cow
    from csto_db.models import Fact, MembershipSpan
    from csto_db.store.db import make_engine

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/cow.db"
        init_database(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            import_cow(connection, COW_FILE)
        answers: dict[str, list[list[str]]] = {}
        with engine.connect() as connection:
            first_years = connection.execute(
                select(MembershipSpan.organization_code, MembershipSpan.start_lower)
                .join(Fact, Fact.key == MembershipSpan.key)
                .where(Fact.dataset_key == SOURCE_KEY)
            ).all()
            first: dict[str, int] = {}
            for code, start in first_years:
                first[code] = min(first.get(code, 9999), start.year)
            for code in sorted(first):
                days = [date(year, 7, 1) for year in range(first[code], 2015)]
                for day in [*days, *LATER_DAYS]:
                    rows = members_on(connection, code, day)
                    answers[f"{code} {day.isoformat()}"] = sorted(
                        [row.state, row.certainty] for row in rows
                    )
        engine.dispose()
    out.write_text(json.dumps(answers, sort_keys=True), encoding="utf-8")
    print(f"{len(answers)} organization-days written to {out}")


def compare(before_path: Path, after_path: Path) -> None:
    before = json.loads(before_path.read_text(encoding="utf-8"))
    after = json.loads(after_path.read_text(encoding="utf-8"))
    asked = sorted(set(before) | set(after))
    changed_days = 0
    moves: Counter[str] = Counter()
    for question in asked:
        old = dict(map(tuple, before.get(question, [])))
        new = dict(map(tuple, after.get(question, [])))
        moved = False
        for state in sorted(set(old) | set(new)):
            if old.get(state) != new.get(state):
                moves[f"{old.get(state, 'unlisted')} -> {new.get(state, 'unlisted')}"] += 1
                moved = True
        changed_days += moved
    print(f"organization-days asked: {len(asked)}")
    print(f"organization-days whose answer changed certainty: {changed_days}")
    for move, count in moves.most_common():
        print(f"  rows {move}: {count}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        compare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        census(Path(sys.argv[1]))
