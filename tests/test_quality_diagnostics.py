"""Each quality diagnostic is triggered by data built to show it, with its message.

The diagnostics are shared by both estimators (csi.diagnostics); here each one reaches the
user through ``result.quality()``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from csi.diagnostics import Diagnostic
from csi.pls import fit_pls
from csi.sem import fit_sem


def _exact(R: np.ndarray, n: int, cols: list[str], seed: int = 0) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly ``R``."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, len(cols)))
    Z -= Z.mean(axis=0)
    L = np.linalg.cholesky(np.cov(Z, rowvar=False))
    Z = Z @ np.linalg.inv(L).T @ np.linalg.cholesky(R).T
    return pd.DataFrame(Z * 1.5 + 5, columns=cols)


def _codes(diags: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
    out: dict[str, list[Diagnostic]] = {}
    for d in diags:
        out.setdefault(d.code, []).append(d)
    return out


def test_non_convergence_pls() -> None:
    rng = np.random.default_rng(5)
    f = rng.normal(size=(300, 1))
    data = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=["a1", "a2", "b1", "b2"])
    data[["b1", "b2"]] += 0.5 * f
    with pytest.warns(UserWarning, match="did not converge"):
        res = fit_pls(data, "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A", max_iter=1, tol=1e-15)
    d = _codes(res.quality().diagnostics)["not_converged"][0]
    assert d.severity == "error"
    assert d.message == "The estimation did not converge after 1 iterations."
    assert "Do not interpret the estimates" in d.advice


def test_non_convergence_sem_is_passed_on() -> None:
    rng = np.random.default_rng(6)
    f = rng.normal(size=(300, 1))
    data = pd.DataFrame(0.8 * f + 0.6 * rng.normal(size=(300, 3)), columns=["x1", "x2", "x3"])
    res = fit_sem(data, "F =~ x1 + x2 + x3", max_iter=1)
    assert "not_converged" in _codes(res.quality().diagnostics)


def test_heywood_case_sem() -> None:
    """Correlated errors the model ignores push a's error variance below 0."""
    rng = np.random.default_rng(4)
    n = 400
    f = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "a": f + 0.05 * rng.normal(size=n),
            "b": 0.9 * f + 0.5 * rng.normal(size=n),
            "c": 0.5 * f + 0.8 * rng.normal(size=n),
            "d": 0.6 * rng.normal(size=n) + 0.55 * f,
        }
    )
    data["b"] = data["b"] + 0.6 * (data["a"] - f) * 10
    rep = fit_sem(data, "F =~ a + b + c + d").quality()
    codes = _codes(rep.diagnostics)
    neg = codes["negative_variance"][0]
    assert neg.message.startswith("The variance of a is negative")
    assert "Heywood" in neg.message and "outliers" in neg.advice
    assert "above 1: an improper solution" in codes["loading_above_one"][0].message
    # the improper item also dominates the factor score
    assert "F rests on a single item: a carries" in codes["dominant_item"][0].message


def test_non_positive_definite_pairwise_correlations() -> None:
    """Pairwise deletion over three disjoint subsamples gives an impossible matrix."""
    R = np.array(
        [[1, 0.8, 0.6, 0.6], [0.8, 1, -0.6, -0.6], [0.6, -0.6, 1, 0.8], [0.6, -0.6, 0.8, 1]]
    )
    cols = ["a1", "a2", "b1", "b2"]
    parts = []
    for k, sub in enumerate(([0, 1], [0, 2, 3], [1, 2, 3])):
        part = pd.DataFrame(np.nan, index=range(300), columns=cols)
        sub_cols = [cols[i] for i in sub]
        part[sub_cols] = _exact(R[np.ix_(sub, sub)], 300, sub_cols, seed=k).to_numpy()
        parts.append(part)
    data = pd.concat(parts, ignore_index=True)
    res = fit_pls(data, "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A", missing="pairwise")
    d = _codes(res.quality().diagnostics)["not_positive_definite"][0]
    assert d.message.startswith("The item correlation matrix is not positive definite")
    assert "linear combinations" in d.advice
    assert (
        "题项相关矩阵"
        in _codes(res.quality(lang="zh").diagnostics)["not_positive_definite"][0].message
    )


def test_r2_above_one_plsc() -> None:
    """Unreliable items but strongly related constructs: PLSc disattenuates past 1."""
    R = np.array(
        [[1.0, 0.3, 0.4, 0.4], [0.3, 1.0, 0.4, 0.4], [0.4, 0.4, 1.0, 0.3], [0.4, 0.4, 0.3, 1.0]]
    )
    data = _exact(R, 500, ["a1", "a2", "b1", "b2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_pls(data, "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A", consistent=True)
    codes = _codes(res.quality().diagnostics)
    r2 = codes["r2_out_of_range"][0]
    assert r2.message.startswith("R² of B is ") and r2.message.endswith("outside [0, 1].")
    assert "misspecified" in r2.advice
    assert "A ~~ B" in codes["correlation_above_one"][0].message


def _csi_data(rng: np.random.Generator, n: int, r_eq: float) -> pd.DataFrame:
    """Expectation, Quality -> Satisfaction with latent correlation r_eq, 3 items each."""
    e = rng.normal(size=n)
    q = r_eq * e + np.sqrt(1 - r_eq**2) * rng.normal(size=n)
    s = 0.4 * e + 0.4 * q + 0.6 * rng.normal(size=n)
    cols = {}
    for name, f in (("EXP", e), ("QUAL", q), ("SAT", s)):
        for k in range(1, 4):
            cols[f"{name}{k}"] = 0.95 * f + 0.3 * rng.normal(size=n)
    return pd.DataFrame(cols)


MODEL = "E =~ EXP1 + EXP2 + EXP3\nQ =~ QUAL1 + QUAL2 + QUAL3\nS =~ SAT1 + SAT2 + SAT3\nS ~ E + Q"


def test_near_collinear_constructs() -> None:
    data = _csi_data(np.random.default_rng(7), 600, 0.97)
    rep = fit_pls(data, MODEL).quality()
    codes = _codes(rep.diagnostics)
    col = codes["collinear_constructs"][0]
    r = rep.fornell_larcker.loc["E", "Q"]
    assert col.message == (
        f"E and Q are nearly collinear (correlation {r:.3f}, above 0.9): "
        "respondents hardly tell them apart."
    )
    assert "merging the two constructs" in col.advice
    vif = codes["inner_collinearity"][0]
    assert vif.message.startswith("The predictors of S are collinear: E has VIF")
    assert "(above 5)" in vif.message
    # a well-separated pair raises nothing of the kind
    calm = fit_pls(_csi_data(np.random.default_rng(7), 600, 0.4), MODEL).quality()
    assert not {"collinear_constructs", "inner_collinearity"} & set(_codes(calm.diagnostics))
    # thresholds move the line (VIF 3.3, the stricter choice)
    strict = fit_pls(_csi_data(np.random.default_rng(7), 600, 0.9), MODEL).quality(
        thresholds={"inner_vif": 3.3, "construct_correlation": 0.95}
    )
    assert "inner_collinearity" in _codes(strict.diagnostics)


def test_single_dominant_item() -> None:
    rng = np.random.default_rng(8)
    n = 500
    f = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "v1": f + 0.2 * rng.normal(size=n),
            "v2": 0.15 * f + rng.normal(size=n),
            "v3": 0.1 * f + rng.normal(size=n),
            "s1": 0.7 * f + 0.7 * rng.normal(size=n),
            "s2": 0.7 * f + 0.7 * rng.normal(size=n),
        }
    )
    res = fit_pls(data, "V =~ v1 + v2 + v3\nS =~ s1 + s2\nS ~ V")
    rep, rep_zh = res.quality(), res.quality(lang="zh")
    d = _codes(rep.diagnostics)["dominant_item"][0]
    assert d.message.startswith("V rests on a single item: v1 carries")
    assert "of the weight of the construct score (loadings: v1 0.9" in d.message
    assert "report V as a single-item measure" in d.advice
    zh = _codes(rep_zh.diagnostics)
    assert "V 实际上只依赖一个题项" in zh["dominant_item"][0].message


def test_formative_collinearity() -> None:
    rng = np.random.default_rng(9)
    n = 400
    base = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "p1": base + 0.1 * rng.normal(size=n),
            "p2": base + 0.1 * rng.normal(size=n),
            "p3": rng.normal(size=n),
            "y1": base + rng.normal(size=n),
            "y2": base + rng.normal(size=n),
        }
    )
    rep = fit_pls(data, "P <~ p1 + p2 + p3\nY =~ y1 + y2\nY ~ P").quality()
    d = _codes(rep.diagnostics)["formative_collinearity"]
    assert {x.message.split(": ")[1].split(" has")[0] for x in d} == {"p1", "p2"}
    assert d[0].message.startswith("The items of formative construct P are collinear")
    ovif = rep.outer_vif.set_index("indicator")
    assert not ovif.loc["p1", "ok"] and ovif.loc["p3", "ok"] and pd.isna(ovif.loc["y1", "ok"])
    assert np.isnan(rep.reliability.set_index("construct").loc["P", "rho_c"])
