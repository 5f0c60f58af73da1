"""Write the seminr reference of the ECSI model on mobi (run from the repo root).

    .venv/bin/python tests/reference/seminr_ecsi/make_reference.py

Uses only the seminr Python port (a port of the R package seminr, Ray, Danks &
Calero Valdez) and pandas/numpy: path weighting, correlation (Mode A) weights,
``stop_criterion=12`` (weights stable to 1e-12, so the reference is the fixed
point of the algorithm, not one stopping point of it). The 0-100 index (not a
seminr output) is computed here from seminr's weights by the ACSI formula: items
on 0-100 with the 1-10 scale, ``u_i = (w_i / sd_i) / sum_block (w / sd)``,
``index_j = sum_i u_i (mean_i - 1) / 9 * 100``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seminr

HERE = Path(__file__).resolve().parent
REF = HERE.parent


def main() -> None:
    data = pd.read_csv(REF / "mobi.csv", index_col=0)
    measurement = pd.read_csv(REF / "ecsi_measurement.csv")
    structural = pd.read_csv(REF / "ecsi_structural.csv")
    blocks = {
        c: list(g.iloc[:, 1]) for c, g in measurement.groupby(measurement.columns[0], sort=False)
    }
    mm = seminr.constructs(*[seminr.composite(c, items) for c, items in blocks.items()])
    sources, targets = structural.columns[0], structural.columns[1]
    sm = seminr.relationships(
        *[
            seminr.paths(from_=list(g[sources]), to=[t])
            for t, g in structural.groupby(targets, sort=False)
        ]
    )
    model = seminr.estimate_pls(data, mm, sm, stop_criterion=12)

    def frame(m: object) -> pd.DataFrame:
        return pd.DataFrame(m.values, index=list(m.rows), columns=list(m.cols))  # type: ignore[attr-defined]

    weights, loadings, paths = (
        frame(model.outer_weights),
        frame(model.outer_loadings),
        frame(model.path_coef),
    )
    rows = []
    for construct, items in blocks.items():
        for item in items:
            rows.append(
                (construct, item, weights.loc[item, construct], loadings.loc[item, construct])
            )
    pd.DataFrame(rows, columns=["construct", "indicator", "weight", "loading"]).to_csv(
        HERE / "outer.csv", index=False, float_format="%.17g"
    )
    pairs = [
        (s, t, paths.loc[s, t]) for s in paths.index for t in paths.columns if paths.loc[s, t] != 0
    ]
    pd.DataFrame(pairs, columns=["source", "target", "estimate"]).to_csv(
        HERE / "paths.csv", index=False, float_format="%.17g"
    )
    r2 = (
        frame(model.r_squared)
        .T.reset_index(names="construct")
        .rename(columns={"Rsq": "r2", "AdjRsq": "r2_adj"})
    )
    r2.to_csv(HERE / "r2.csv", index=False, float_format="%.17g")
    scores = frame(model.construct_scores)
    scores.index = data.index
    scores.to_csv(HERE / "scores.csv", float_format="%.17g")
    index = {}
    for construct, items in blocks.items():
        w = np.array([weights.loc[i, construct] for i in items])
        sd = data[items].std(ddof=1).to_numpy()
        u = (w / sd) / (w / sd).sum()
        index[construct] = float(u @ ((data[items].mean().to_numpy() - 1) / 9 * 100))
    pd.Series(index, name="index").rename_axis("construct").to_csv(
        HERE / "index.csv", float_format="%.17g"
    )
    print(f"iterations: {model.iterations}")


if __name__ == "__main__":
    main()
