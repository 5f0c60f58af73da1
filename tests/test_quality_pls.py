"""PLS quality on mobi (ECSI, path scheme): textbook formulas written here, and seminr.

References for the formulas recomputed in this file:
* Hair, Hult, Ringle & Sarstedt, *A Primer on PLS-SEM*, 2nd ed. (2017), ch. 4-6:
  Cronbach's alpha, composite reliability rho_C, AVE, Fornell-Larcker, VIF, f².
* Henseler, Ringle & Sarstedt (2015), J. Acad. Mark. Sci. 43, 115-135, eq. 6: HTMT.
* Dijkstra & Henseler (2015), MIS Quarterly 39(2), 297-316, eq. 18: rho_A.
* Cohen (1988), Statistical Power Analysis, 2nd ed., ch. 9: f² = (R²_in - R²_out)/(1 - R²_in).
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from csi._checks import CsiInputError
from csi.pls import fit_pls
from csi.quality import Thresholds, htmt
from csi.spec import ModelSpec


@pytest.fixture(scope="module")
def fit(mobi: pd.DataFrame, ecsi: ModelSpec):
    return fit_pls(mobi, ecsi, scheme="path")


@pytest.fixture(scope="module")
def report(fit):
    return fit.quality()


@pytest.fixture(scope="module")
def seminr_model(mobi: pd.DataFrame, ecsi: ModelSpec, seminr_structure):
    seminr = pytest.importorskip("seminr")
    mm = seminr.constructs(*[seminr.composite(c, list(i)) for c, i in ecsi.indicators.items()])
    sm = seminr_structure(ecsi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seminr.estimate_pls(mobi, mm, sm, inner_weights=seminr.path_weighting)


def _nm(m) -> pd.DataFrame:
    """A seminr NamedMatrix as a DataFrame."""
    return pd.DataFrame(m.values, index=list(m.rows), columns=list(m.cols))


# ------------------------------------------------------------ textbook formulas
def test_reliability_matches_textbook_formulas(mobi, ecsi, fit, report) -> None:
    z = (mobi - mobi.mean()) / mobi.std()
    w = fit.outer_weights.set_index("indicator")["estimate"]
    rel = report.reliability.set_index("construct")
    for c, items in ecsi.indicators.items():
        items = list(items)
        k = len(items)
        score = z[items] @ w[items]
        lam = np.array([np.corrcoef(z[i], score)[0, 1] for i in items])
        R = np.corrcoef(z[items].to_numpy(), rowvar=False).reshape(k, k)
        if k > 1:
            # Hair et al. 2017, p. 111: alpha = (M/(M-1)) (1 - sum s_i² / s_t²), standardized
            total_var = z[items].sum(axis=1).var()
            alpha = k / (k - 1) * (1 - k / total_var)
            # Dijkstra & Henseler 2015, eq. 18: rho_A = (w'w)² w'(S - diag S)w / w'(ww' - diag ww')w
            ww = w[items].to_numpy()
            ws = ww / np.sqrt(ww @ R @ ww)
            off = R - np.diag(np.diag(R))
            outer = np.outer(ws, ws)
            rho_a = (ws @ ws) ** 2 * (ws @ off @ ws) / (ws @ (outer - np.diag(np.diag(outer))) @ ws)
        else:
            alpha = rho_a = 1.0
        # Hair et al. 2017, p. 112 and p. 114
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        ave = (lam**2).mean()
        assert rel.loc[c, "alpha"] == pytest.approx(alpha, abs=1e-10)
        assert rel.loc[c, "rho_a"] == pytest.approx(rho_a, abs=1e-10)
        assert rel.loc[c, "rho_c"] == pytest.approx(rho_c, abs=1e-10)
        assert rel.loc[c, "ave"] == pytest.approx(ave, abs=1e-10)
    # mobi's known weak spots are flagged: Expectation's alpha, Image's AVE
    assert not rel.loc["Expectation", "alpha_ok"] and not rel.loc["Image", "ave_ok"]
    assert rel.loc["Quality", "rho_c_ok"]


def test_htmt_matches_henseler_2015(mobi, ecsi, report) -> None:
    R = mobi.corr()
    for a, b in itertools.combinations(ecsi.constructs, 2):
        ia, ib = list(ecsi.indicators[a]), list(ecsi.indicators[b])
        hetero = R.loc[ia, ib].abs().to_numpy().mean()

        def mono(items: list[str]) -> float:
            if len(items) == 1:
                return 1.0
            vals = [abs(R.loc[x, y]) for x, y in itertools.combinations(items, 2)]
            return float(np.mean(vals))

        expected = hetero / np.sqrt(mono(ia) * mono(ib))
        assert report.htmt.loc[a, b] == pytest.approx(expected, abs=1e-12)
        assert report.htmt.loc[b, a] == pytest.approx(expected, abs=1e-12)
        # HTMT2 (Roemer et al. 2021): geometric means
        g_het = np.exp(np.log(R.loc[ia, ib].abs().to_numpy()).mean())

        def gmono(items: list[str]) -> float:
            if len(items) == 1:
                return 1.0
            vals = [abs(R.loc[x, y]) for x, y in itertools.combinations(items, 2)]
            return float(np.exp(np.mean(np.log(vals))))

        assert report.htmt2.loc[a, b] == pytest.approx(
            g_het / np.sqrt(gmono(ia) * gmono(ib)), abs=1e-12
        )
    assert np.isnan(np.diag(report.htmt.to_numpy())).all()


def test_fornell_larcker_matches_score_correlations(fit, report) -> None:
    scores = fit.scores
    fl = report.fornell_larcker
    ave = report.reliability.set_index("construct")["ave"]
    for a, b in itertools.product(scores.columns, repeat=2):
        want = np.sqrt(ave[a]) if a == b else np.corrcoef(scores[a], scores[b])[0, 1]
        assert fl.loc[a, b] == pytest.approx(want, abs=1e-10)
    chk = report.fornell_larcker_check.set_index("construct")
    # Quality's sqrt(AVE) 0.759 is below its correlation with Satisfaction 0.795
    assert not chk.loc["Quality", "ok"] and chk.loc["Quality", "with_construct"] == "Satisfaction"
    assert chk.loc["Value", "ok"]


def test_vif_and_f2_match_textbook(mobi, ecsi, fit, report) -> None:
    scores = fit.scores
    ivif = report.inner_vif.set_index(["source", "target"])["vif"]
    for t in ecsi.endogenous:
        preds = list(ecsi.predecessors(t))
        for s in preds:
            others = [p for p in preds if p != s]
            if others:  # VIF = 1 / (1 - R²) of s on the other predictors (OLS on scores)
                X = np.column_stack([np.ones(len(scores)), scores[others]])
                beta, *_ = np.linalg.lstsq(X, scores[s], rcond=None)
                r2 = 1 - np.var(scores[s] - X @ beta) / np.var(scores[s])
                assert ivif[(s, t)] == pytest.approx(1 / (1 - r2), abs=1e-8)
            else:
                assert ivif[(s, t)] == pytest.approx(1.0)
    ovif = report.outer_vif.set_index("indicator")["vif"]
    for items in ecsi.indicators.values():
        items = list(items)
        for i in items:
            rest = [j for j in items if j != i]
            if not rest:
                assert ovif[i] == 1.0
                continue
            X = np.column_stack([np.ones(len(mobi)), mobi[rest]])
            beta, *_ = np.linalg.lstsq(X, mobi[i], rcond=None)
            r2 = 1 - np.var(mobi[i] - X @ beta) / np.var(mobi[i])
            assert ovif[i] == pytest.approx(1 / (1 - r2), abs=1e-8)
    # f² (Cohen 1988; Hair et al. 2017, p. 201): R²_excluded from the model re-estimated
    # without the path
    f2 = report.f2.set_index(["source", "target"])
    r2_full = fit.r2.set_index("construct")["r2"]
    for s, t in [("Quality", "Satisfaction"), ("Image", "Expectation"), ("Complaints", "Loyalty")]:
        reduced = ModelSpec(
            indicators=ecsi.indicators, paths=tuple(p for p in ecsi.paths if p != (s, t))
        )
        refit = fit_pls(mobi, reduced, scheme="path")
        excl = refit.r2.set_index("construct")["r2"].get(t, 0.0)
        want = (r2_full[t] - excl) / (1 - r2_full[t])
        assert f2.loc[(s, t), "f2"] == pytest.approx(want, abs=1e-8)
    assert f2.loc[("Image", "Expectation"), "r2_excluded"] == 0.0
    assert f2.loc[("Quality", "Satisfaction"), "effect"] == "medium"


def test_fixed_f2_is_squared_semipartial(fit) -> None:
    rep = fit.quality(f2="fixed")
    s = fit.scores
    row = rep.f2.set_index(["source", "target"]).loc[("Value", "Satisfaction")]
    # R² with and without Value from OLS of the full model's Satisfaction scores
    preds = ["Image", "Expectation", "Quality", "Value"]

    def r2(cols: list[str]) -> float:
        X = np.column_stack([np.ones(len(s)), s[cols]])
        beta, *_ = np.linalg.lstsq(X, s["Satisfaction"], rcond=None)
        return 1 - np.var(s["Satisfaction"] - X @ beta) / np.var(s["Satisfaction"])

    full, part = r2(preds), r2(preds[:-1])
    assert row["f2"] == pytest.approx((full - part) / (1 - full), abs=1e-10)


# ------------------------------------------------------------------ seminr
def test_agrees_with_seminr(seminr_model, report) -> None:
    """seminr (Python port) on the same model: reliability, HTMT, FL, VIF, f².

    Definitions match: seminr's alpha is the standardized alpha on the item
    correlations, its rho_C/AVE use the PLS loadings, its HTMT uses absolute
    correlations. Differences by definition: seminr gives NaN as the inner VIF of a
    lone predictor (csi: 1, the inverse of a 1x1 correlation matrix) and reports HTMT
    and Fornell-Larcker as triangles (compared on the triangle it fills).
    """
    from seminr.evaluate import (
        constructs_in_model,
        fl_criteria_table,
        item_vifs,
        model_fsquares,
        pls_antecedent_vifs,
        reliability_table,
    )
    from seminr.evaluate import htmt as s_htmt

    rel = _nm(reliability_table(seminr_model))
    ours = report.reliability.set_index("construct")
    for col, ref in (("alpha", "alpha"), ("rho_a", "rhoA"), ("rho_c", "rhoC"), ("ave", "AVE")):
        np.testing.assert_allclose(ours.loc[rel.index, col], rel[ref], atol=1e-6)
    H = _nm(s_htmt(seminr_model))
    for a, b in itertools.combinations(H.index, 2):
        value = H.loc[a, b] if np.isfinite(H.loc[a, b]) else H.loc[b, a]
        assert report.htmt.loc[a, b] == pytest.approx(value, abs=1e-6)
    mc = constructs_in_model(seminr_model)
    FL = _nm(fl_criteria_table(seminr_model, mc))
    for a, b in itertools.product(FL.index, repeat=2):
        if np.isfinite(FL.loc[a, b]):
            assert report.fornell_larcker.loc[a, b] == pytest.approx(FL.loc[a, b], abs=1e-6)
    ivif = report.inner_vif.set_index(["source", "target"])["vif"]
    n_compared = 0
    for t, by in pls_antecedent_vifs(seminr_model, mc).items():
        for s, v in by.items():
            if np.isfinite(v):
                assert ivif[(s, t)] == pytest.approx(v, abs=1e-6)
                n_compared += 1
    assert n_compared >= 8
    ovif = report.outer_vif.set_index("indicator")["vif"]
    for _c, by in item_vifs(seminr_model, mc).items():
        for i, v in by.items():
            assert ovif[i] == pytest.approx(v, abs=1e-6)
    F = _nm(model_fsquares(seminr_model))
    for s, t, f2 in report.f2[["source", "target", "f2"]].itertuples(index=False):
        assert f2 == pytest.approx(F.loc[s, t], abs=1e-6)


# ------------------------------------------------------------------ htmt API
def test_htmt_plain_function_takes_arrays_and_stacks(mobi, ecsi, report) -> None:
    R = mobi[list(ecsi.items)].corr().to_numpy()
    one = htmt(R, ecsi)
    np.testing.assert_allclose(one, report.htmt.to_numpy(), atol=1e-12, equal_nan=True)
    rng = np.random.default_rng(1)
    boots = np.stack(
        [
            mobi[list(ecsi.items)].iloc[rng.integers(0, len(mobi), len(mobi))].corr()
            for _ in range(3)
        ]
    )
    stack = htmt(boots, ecsi)
    assert stack.shape == (3, 7, 7)
    np.testing.assert_allclose(stack[2], htmt(boots[2], ecsi), equal_nan=True)
    # a labelled frame in another order is reordered by name
    shuffled = mobi.corr().iloc[::-1, ::-1]
    np.testing.assert_allclose(htmt(shuffled, ecsi), one, atol=1e-12, equal_nan=True)


def test_htmt_signed_variant() -> None:
    spec = ModelSpec.from_lavaan("A =~ a1 + a2\nB =~ b1 + b2")
    R = np.array(
        [[1, 0.6, -0.3, -0.3], [0.6, 1, -0.3, -0.3], [-0.3, -0.3, 1, 0.5], [-0.3, -0.3, 0.5, 1]]
    )
    assert htmt(R, spec)[0, 1] == pytest.approx(0.3 / np.sqrt(0.6 * 0.5))
    assert htmt(R, spec, absolute=False)[0, 1] == pytest.approx(-0.3 / np.sqrt(0.6 * 0.5))
    assert np.isnan(htmt(R, spec, kind="htmt2", absolute=False)[0, 1])


def test_htmt_bad_input_names_the_problem(ecsi) -> None:
    from csi._checks import CsiInputError

    with pytest.raises(CsiInputError, match="24 items"):
        htmt(np.eye(3), ecsi)
    bad = np.eye(24)
    bad[0, 1] = np.nan
    with pytest.raises(CsiInputError, match="'IMAG1', 'IMAG2'"):
        htmt(bad, ecsi)
    with pytest.raises(CsiInputError, match="kind"):
        htmt(np.eye(24), ecsi, kind="htmt3")


# ------------------------------------------------------------------ thresholds
def test_thresholds_are_settable(fit) -> None:
    strict = fit.quality(thresholds={"htmt": 0.96, "ave": 0.4})
    assert strict.thresholds.htmt == 0.96
    assert bool(strict.htmt_pairs["ok"].all())
    assert "discriminant_validity" not in {d.code for d in strict.diagnostics}
    assert "low_ave" not in {d.code for d in strict.diagnostics}
    assert "discriminant_validity" in {d.code for d in fit.quality().diagnostics}
    from csi._checks import CsiInputError

    with pytest.raises(CsiInputError, match="unknown threshold"):
        Thresholds().replace(htmtt=0.9)
    with pytest.raises(CsiInputError, match="ave must be at most 1"):
        Thresholds(ave=5)


def test_summary_tables_and_languages(report) -> None:
    text = report.summary()
    assert "Reliability" in text and "HTMT" in text and "Fornell-Larcker" in text
    assert "0.452*" in text  # Expectation's alpha flagged
    zh = report.summary(lang="zh")
    assert "信度与聚合效度" in zh and "诊断" in zh
    assert set(report.tables()) >= {"reliability", "htmt", "f2", "inner_vif", "diagnostics"}
    assert list(report.reliability.columns[:7]) == [
        "construct",
        "mode",
        "n_items",
        "alpha",
        "rho_a",
        "rho_c",
        "ave",
    ]
    assert "<table" in report._repr_html_()


# ------------------------------------------------------------ SRMR in quality()
@pytest.mark.parametrize("consistent", [False, True])
def test_quality_shows_the_srmr_of_model_fit(mobi, ecsi, consistent) -> None:
    res = fit_pls(mobi, ecsi, consistent=consistent)
    rep = res.quality()
    fit = res.model_fit()
    assert rep.srmr == pytest.approx(fit.value("srmr", "estimated"), abs=1e-14)
    table = rep.model_fit.set_index("model")
    assert table.loc["saturated", "value"] == pytest.approx(fit.value("srmr", "saturated"))
    assert (table["threshold"] == 0.08).all()
    assert bool(table.loc["estimated", "ok"]) == (fit.srmr < 0.08)
    assert f"{rep.srmr:.3f}" in rep.summary() and "SRMR" in rep.summary()
    assert "SRMR" in rep.summary(lang="zh") and "model_fit" in rep.tables()


def test_srmr_above_the_threshold_is_flagged(mobi, ecsi) -> None:
    rep = fit_pls(mobi, ecsi).quality()
    strict = rep.model_fit.assign(threshold=0.01, ok=pd.array([False, False], dtype="boolean"))
    text = dataclasses.replace(rep, model_fit=strict).summary()
    assert f"{rep.srmr:.3f}*" in text


# ------------------------------------------- PLSc: Fornell-Larcker and inner VIF
@pytest.fixture(scope="module")
def seminr_plsc(mobi: pd.DataFrame, ecsi: ModelSpec, seminr_structure):
    seminr = pytest.importorskip("seminr")
    specs = [
        seminr.reflective(c, list(i)) if len(i) > 1 else seminr.composite(c, list(i))
        for c, i in ecsi.indicators.items()
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seminr.estimate_pls(mobi, seminr.constructs(*specs), seminr_structure(ecsi))


def test_plsc_vif_and_fornell_larcker_follow_seminr_by_default(mobi, ecsi, seminr_plsc) -> None:
    """seminr computes both from the construct-score correlations also under PLSc."""
    from seminr.evaluate import constructs_in_model, fl_criteria_table, pls_antecedent_vifs

    res = fit_pls(mobi, ecsi, consistent=True)
    rep = res.quality()
    assert rep.correlations == "scores"
    mc = constructs_in_model(seminr_plsc)
    ivif = rep.inner_vif.set_index(["source", "target"])["vif"]
    n = 0
    for t, by in pls_antecedent_vifs(seminr_plsc, mc).items():
        for s, v in by.items():
            if np.isfinite(v):
                assert ivif[(s, t)] == pytest.approx(v, abs=1e-6)
                n += 1
    assert n >= 8
    assert ivif[("Quality", "Satisfaction")] == pytest.approx(2.84, abs=0.01)
    FL = _nm(fl_criteria_table(seminr_plsc, mc))
    m = 0
    for a, b in itertools.product(FL.index, repeat=2):
        if np.isfinite(FL.loc[a, b]):
            assert rep.fornell_larcker.loc[a, b] == pytest.approx(FL.loc[a, b], abs=1e-6)
            m += 1
    assert m == 7 * 8 // 2
    # the score correlations are those of the construct scores
    S = res.scores.corr().to_numpy()
    off = ~np.eye(len(S), dtype=bool)
    np.testing.assert_allclose(rep.fornell_larcker.to_numpy()[off], S[off], atol=1e-10)


def test_plsc_disattenuated_option(mobi, ecsi) -> None:
    res = fit_pls(mobi, ecsi, consistent=True)
    rep = res.quality(correlations="disattenuated")
    assert rep.correlations == "disattenuated"
    C = res.construct_correlations
    # VIF of Quality among Satisfaction's predictors from the PLSc correlations, by hand
    preds = list(ecsi.predecessors("Satisfaction"))
    R = C.loc[preds, preds].to_numpy()
    k = preds.index("Quality")
    others = [j for j in range(len(preds)) if j != k]
    r2 = R[k, others] @ np.linalg.solve(R[np.ix_(others, others)], R[others, k])
    vif = rep.inner_vif.set_index(["source", "target"])["vif"][("Quality", "Satisfaction")]
    assert vif == pytest.approx(1 / (1 - r2), abs=1e-10)
    assert vif == pytest.approx(8.81, abs=0.01)
    assert rep.fornell_larcker.loc["Quality", "Satisfaction"] == pytest.approx(
        C.loc["Quality", "Satisfaction"], abs=1e-12
    )
    assert "disattenuated" in rep.summary()
    plain = fit_pls(mobi, ecsi)
    pd.testing.assert_frame_equal(
        plain.quality().inner_vif, plain.quality(correlations="disattenuated").inner_vif
    )
    with pytest.raises(CsiInputError, match="correlations"):
        res.quality(correlations="latent")


def test_score_correlations_are_the_construct_correlations_of_plain_pls(fit) -> None:
    from csi.quality.pls import score_correlations

    np.testing.assert_allclose(score_correlations(fit), fit.scores.corr().to_numpy(), atol=1e-10)
    np.testing.assert_allclose(
        score_correlations(fit), fit.construct_correlations.to_numpy(), atol=1e-10
    )


def test_srmr_threshold_is_a_setting_and_a_diagnostic(mobi, ecsi) -> None:
    """Thresholds(srmr=...) moves the cut-off; above it the summary's diagnostics say so."""
    res = fit_pls(mobi, ecsi)
    srmr = res.model_fit().value("srmr", "estimated")
    assert (srmr > 0.08) == ("poor_model_fit" in {d.code for d in res.quality().diagnostics})
    loose = res.quality(thresholds={"srmr": min(1.0, 2 * srmr)})
    assert "poor_model_fit" not in {d.code for d in loose.diagnostics}
    strict = res.quality(thresholds={"srmr": srmr / 2})
    codes = [d.code for d in strict.diagnostics]
    assert codes.count("poor_model_fit") == 1
    assert (strict.model_fit["threshold"] == srmr / 2).all()
    assert not strict.model_fit.set_index("model").loc["estimated", "ok"]
    assert f"SRMR = {srmr:.3f}" in strict.summary()
    assert "SRMR" in res.quality(thresholds={"srmr": srmr / 2}, lang="zh").summary(lang="zh")
    with pytest.raises(CsiInputError, match="srmr"):
        res.quality(thresholds={"srmr": 1.5})
