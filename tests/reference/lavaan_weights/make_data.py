"""Write the weighted inputs of make_reference.R (run once; the CSVs are committed).

``hs_weighted.csv``: lavaan's HolzingerSwineford1939 (``../lavaan/``, 301 pupils) with
``w``, a sampling weight (log-normal, sd 0.5 on the log scale, four decimals) and
``fw``, a frequency weight (whole numbers 1-4). ``pd_weighted.csv``: Bollen's Political
Democracy data (75 countries) with ``w`` drawn the same way. Seeded, so a rerun gives
the same files. Run from the repository root::

    .venv/bin/python tests/reference/lavaan_weights/make_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
LAVAAN = HERE.parent / "lavaan"


def main() -> None:
    rng = np.random.default_rng(20261201)
    hs = pd.read_csv(LAVAAN / "HolzingerSwineford1939.csv")
    hs = hs[["id", "school", *[f"x{k}" for k in range(1, 10)]]].copy()
    hs["w"] = np.round(rng.lognormal(0.0, 0.5, len(hs)), 4)
    hs["fw"] = rng.integers(1, 5, len(hs))
    hs.to_csv(HERE / "hs_weighted.csv", index=False)
    pd_ = pd.read_csv(LAVAAN / "PoliticalDemocracy.csv")
    pd_["w"] = np.round(rng.lognormal(0.0, 0.5, len(pd_)), 4)
    pd_.to_csv(HERE / "pd_weighted.csv", index=False)


if __name__ == "__main__":
    main()
