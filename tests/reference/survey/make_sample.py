"""Write sample.csv and margins.csv, the inputs of make_reference.R (run once; committed).

A stratified, clustered sample: 3 strata with 6, 8 and 10 PSUs, 20-30 respondents per
PSU, unequal weights, a 0-10 recommend question, a 1-10 rating (about 5% missing), a
segment, a region and an age band. ``stratum_lonely`` moves one PSU of S3 into a
stratum of its own (S4) for the single-PSU rules. Run from the repository root::

    .venv/bin/python tests/reference/survey/make_sample.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(20240501)
    rows = []
    psu_no = 0
    for stratum, n_psu, base, shift in (
        ("S1", 6, 40.0, 0.4),
        ("S2", 8, 25.0, -0.2),
        ("S3", 10, 60.0, 0.0),
    ):
        for _ in range(n_psu):
            psu_no += 1
            size = int(rng.integers(20, 31))
            psu_effect = rng.normal(0, 0.5)
            psu_factor = rng.uniform(0.6, 1.6)
            for _ in range(size):
                latent = shift + psu_effect + rng.normal(0, 1)
                rows.append(
                    {
                        "stratum": stratum,
                        "psu": f"P{psu_no:02d}",
                        "w": round(base * psu_factor * rng.uniform(0.8, 1.25), 4),
                        "region": rng.choice(["north", "south", "west"], p=[0.5, 0.3, 0.2])
                        if stratum == "S1"
                        else rng.choice(["north", "south", "west"], p=[0.2, 0.4, 0.4]),
                        "age_band": rng.choice(["18-34", "35-54", "55+"], p=[0.3, 0.4, 0.3]),
                        "segment": rng.choice(["online", "branch", "phone"], p=[0.5, 0.3, 0.2]),
                        "recommend": int(np.clip(np.round(7.2 + 1.8 * latent), 0, 10)),
                        "rating": float(
                            np.clip(np.round(7.0 + 1.6 * latent + rng.normal(0, 1)), 1, 10)
                        ),
                    }
                )
    df = pd.DataFrame(rows)
    df.insert(0, "id", [f"r{i:04d}" for i in range(1, len(df) + 1)])
    missing = rng.random(len(df)) < 0.05
    df.loc[missing, "rating"] = np.nan
    df["stratum_lonely"] = df["stratum"].where(df["psu"] != f"P{psu_no:02d}", "S4")
    df.to_csv(HERE / "sample.csv", index=False, na_rep="NA")
    margins = pd.DataFrame(
        {
            "variable": ["region"] * 3 + ["age_band"] * 3,
            "category": ["north", "south", "west", "18-34", "35-54", "55+"],
            "target": [9000.0, 8000.0, 7000.0, 7500.0, 9500.0, 7000.0],
        }
    )
    margins.to_csv(HERE / "margins.csv", index=False)


if __name__ == "__main__":
    main()
