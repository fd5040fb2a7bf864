"""The dyad-year peer: from COW's CSV alone, with pandas and numpy, the joint full memberships
of every dyad of each year (the membership matrix times its transpose), written as one CSV
in the long form `csto-db dyads` writes.

    python -m benchmarks.dyads_peer --year 2000 --out peer.csv
    python -m benchmarks.dyads_peer --from 1816 --to 2014 --out peer.csv
"""

from __future__ import annotations

import argparse

from .common import COW_FILE

STATES_FILE = COW_FILE.parent / "states.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int)
    parser.add_argument("--from", dest="first", type=int)
    parser.add_argument("--to", dest="last", type=int)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    first = arguments.year if arguments.year is not None else arguments.first
    last = arguments.year if arguments.year is not None else arguments.last

    import numpy as np
    import pandas as pd

    igo = pd.read_csv(COW_FILE, low_memory=False)
    states = pd.read_csv(STATES_FILE).sort_values("ccode")
    columns = list(states.state_column)
    # organizations x states, per year: 1 where COW codes full membership
    full = igo[columns].to_numpy(dtype=np.float32) == 1
    missing = igo[columns].to_numpy(dtype=np.float32) == -9
    years = igo.year.to_numpy()
    ccodes = states.ccode.to_numpy()
    iso3 = (
        pd.read_csv(
            "csto_db/datasets/data/cow_states.csv", usecols=["ccode", "iso3"], keep_default_na=False
        )
        .set_index("ccode")
        .iso3.reindex(ccodes)
        .to_numpy()
    )
    frames = []
    for year in range(first, last + 1):
        inside = ((states.first_year <= year) & (states.last_year >= year)).to_numpy()
        rows = years == year
        member = full[rows][:, inside].astype(np.int32)
        unknown = missing[rows][:, inside].astype(np.int32)
        joint = member.T @ member  # states x states: organizations both are full members of
        # either state -9: organizations minus those where neither is
        known = 1 - unknown
        either_missing = unknown.shape[0] - known.T @ known
        i, j = np.triu_indices(int(inside.sum()), 1)
        cc = ccodes[inside]
        iso = iso3[inside]
        frames.append(
            pd.DataFrame(
                {
                    "dyadid": cc[i] * 1000 + cc[j],
                    "ccode1": cc[i],
                    "state1": iso[i],
                    "ccode2": cc[j],
                    "state2": iso[j],
                    "year": year,
                    "joint": joint[i, j],
                    "missing": either_missing[i, j],
                }
            )
        )
    pd.concat(frames).to_csv(arguments.out, index=False)


if __name__ == "__main__":
    main()
