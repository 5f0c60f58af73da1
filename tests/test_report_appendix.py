"""The appendix's PLS detail (SmartPLS level) and group comparison: each table against
the library's own numbers computed here, and hand computations where one exists
(loadings and cross-loadings as correlations with the scores, VIF from the inverse
correlation matrix, indirect effects as products of paths, SRMR from the implied
matrix, Q² = 1 - SSE/SSO, each group's paths refitted on its own respondents)."""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.pls import fit_pls
from csi.report import run_analysis, write_report
from csi.report.build import hidden_segments
from csi.report.document import Report, Text
from csi.report.excel import sheet_names
from csi.report.html import render_html
from csi.report.labels import TEXT, header
from csi.report.model import load_model
from csi.report.privacy import PrivacyGuard
from csi.report.sections_appendix import APPENDIX
from csi.report.sections_groups import GROUP_TABLES, MAX_PERMUTATIONS, MIN_GROUP
from csi.report.sections_pls_detail import (
    DETAIL_TABLES,
    PREDICT_FOLDS,
    PREDICT_MAX_N,
    PREDICT_REPEATS,
)
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SURVEY = ROOT / "data" / "samples" / "survey.csv"
CODEBOOK = ROOT / "data" / "samples" / "codebook.yaml"
PRIVATE = ["respondent_id", "name", "phone", "email"]
N_BOOT, SEED = 40, 3
NEW = (*DETAIL_TABLES, *GROUP_TABLES)


def _run(survey, **options) -> Report:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_analysis(survey, segment="region", sem=False, figures=False, **options)


@pytest.fixture(scope="module")
def survey():
    return read_survey(SURVEY, CODEBOOK)


@pytest.fixture(scope="module")
def report_en(survey):
    return _run(survey, bootstrap=N_BOOT, seed=SEED)


@pytest.fixture(scope="module")
def report_zh(survey):
    return _run(survey, bootstrap=N_BOOT, seed=SEED, lang="zh")


@pytest.fixture(scope="module")
def fitted(survey):
    """The report's model fitted here, directly."""
    spec = load_model(None, survey.codebook)
    return fit_pls(survey, spec, scale=survey.codebook)


@pytest.fixture(scope="module")
def boot(fitted):
    """The bootstrap the report runs (same n, seed, segment and min_size)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fitted.bootstrap(N_BOOT, seed=SEED, segment="region", min_size=30, progress=False)


def _frame(report: Report, key: str) -> pd.DataFrame:
    return report.table(key).frame


def _h(*names: str) -> list[str]:
    return [header(n) for n in names]


def _items(fitted) -> pd.DataFrame:
    """The items of the respondents the model used, as numbers."""
    rows = fitted.scores.index
    items = list(fitted.spec.items)
    return fitted.source_data.loc[rows, items].apply(pd.to_numeric).astype(float)


# ---------------------------------------------------------------------------- order
def test_every_new_table_is_in_the_appendix_in_order(report_en):
    appendix = report_en.section("appendix")
    keys = [t.key for t in appendix.tables]
    assert keys == [k for k in APPENDIX if k in keys]
    assert set(NEW) <= set(keys)
    body = {t.key for s in report_en.sections[:-1] for t in s.tables}
    assert not set(NEW) & body


# ---------------------------------------------------------------------------- significance
@pytest.mark.parametrize(
    ("key", "kind"), [("outer_weights_boot", "outer_weight"), ("loadings_boot", "loading")]
)
def test_weights_and_loadings_significance_are_the_bootstrap_rows(
    report_en, boot, fitted, key, kind
):
    frame = _frame(report_en, key)
    rows = boot.table[boot.table["kind"] == kind].reset_index(drop=True)
    assert frame[header("indicator")].tolist() == rows["indicator"].tolist()
    for col in ("estimate", "se", "t", "pvalue", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(frame[header(col)], rows[col], rtol=0, atol=1e-12)
    # t is the estimate over its bootstrap standard error (none for a single item: se 0)
    varies = frame[header("se")] > 0
    assert varies.sum() == len(frame) - 1  # COMP1, the one item of Complaints, is fixed
    t = frame.loc[varies, "estimate"] / frame.loc[varies, header("se")]
    np.testing.assert_allclose(frame.loc[varies, "t"], t, rtol=1e-12)
    if kind == "loading":
        # a loading is the item's correlation with its construct score (pandas)
        x, scores = _items(fitted), fitted.scores
        by_hand = [
            x[i].corr(scores[c]) for c, i in zip(rows["construct"], rows["indicator"], strict=True)
        ]
        np.testing.assert_allclose(frame["estimate"], by_hand, atol=1e-10)
    else:
        est = fitted.outer_weights.set_index("indicator")["estimate"]
        np.testing.assert_allclose(frame["estimate"], est.loc[rows["indicator"]], atol=1e-12)
    assert "2736 respondents" in report_en.table(key).note  # the model's n
    assert f"{N_BOOT} resamples" in report_en.table(key).note


# ---------------------------------------------------------------------------- cross-loadings, VIF
def test_cross_loadings_are_item_score_correlations(report_en, fitted):
    frame = _frame(report_en, "cross_loadings").set_index(header("indicator"))
    x, scores = _items(fitted), fitted.scores
    constructs = list(fitted.spec.constructs)
    by_hand = pd.DataFrame(
        {c: [x[i].corr(scores[c]) for i in x.columns] for c in constructs}, index=x.columns
    )
    np.testing.assert_allclose(frame.loc[x.columns, constructs], by_hand, atol=1e-10)
    # the check: highest absolute correlation with the item's own construct
    own = {i: c for c in constructs for i in fitted.spec.indicators[c]}
    expected = ["yes" if by_hand.loc[i].abs().idxmax() == own[i] else "no" for i in x.columns]
    assert frame.loc[x.columns, header("ok")].tolist() == expected
    assert frame.loc[x.columns, header("construct")].tolist() == [own[i] for i in x.columns]


def test_outer_vif_is_the_inverse_correlation_diagonal(report_en, fitted):
    frame = _frame(report_en, "outer_vif_items")
    x = _items(fitted)
    for c in fitted.spec.constructs:
        items = list(fitted.spec.indicators[c])
        rows = frame[frame[header("construct")] == c].set_index(header("indicator"))
        if len(items) == 1:
            continue
        vif = np.diag(np.linalg.inv(x[items].corr().to_numpy()))
        np.testing.assert_allclose(rows.loc[items, "VIF"], vif, rtol=1e-8)


# ---------------------------------------------------------------------------- indirect effects
def test_indirect_effects_are_products_and_sums_of_paths(report_en, fitted, boot):
    frame = _frame(report_en, "indirect_effects")
    paths = fitted.path_coefficients.set_index(["source", "target"])["estimate"]
    specific = frame[frame[header("effect_type")] == TEXT["en"]["indirect_specific"]]
    assert len(specific) == int((boot.table["kind"] == "specific_indirect_effect").sum())
    for route, est in zip(specific[header("route")], specific["estimate"], strict=True):
        chain = route.split(" → ")
        assert est == pytest.approx(np.prod([paths[(a, b)] for a, b in itertools.pairwise(chain)]))
    # total indirect = sum of the pair's specific effects; = total effect - direct path
    total = frame[frame[header("effect_type")] == TEXT["en"]["indirect_total"]]
    names = list(fitted.spec.constructs)
    B = np.zeros((len(names), len(names)))
    for (s, t), v in paths.items():
        B[names.index(s), names.index(t)] = v
    effects = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names)) - B  # indirect only
    pair_cols = [header("source"), header("target")]
    for (s, t), part in specific.groupby(pair_cols, sort=False):
        row = total[(total[pair_cols[0]] == s) & (total[pair_cols[1]] == t)]
        assert row["estimate"].iloc[0] == pytest.approx(part["estimate"].sum())
        assert row["estimate"].iloc[0] == pytest.approx(effects[names.index(s), names.index(t)])
    # the intervals are the bootstrap's
    rows = boot.table[boot.table["kind"] == "indirect_effect"]
    merged = total.merge(
        rows, left_on=pair_cols, right_on=["source", "target"], suffixes=("", "_boot")
    )
    assert len(merged) == len(total) == len(rows)
    np.testing.assert_allclose(merged[header("ci_lower")], merged["ci_lower"], atol=1e-12)
    np.testing.assert_allclose(merged["p"], merged["pvalue"], atol=1e-12)


# ---------------------------------------------------------------------------- fit, prediction
def test_model_fit_is_model_fit_and_srmr_follows_from_the_implied_matrix(report_en, fitted):
    frame = _frame(report_en, "model_fit")
    fit = fitted.model_fit()
    np.testing.assert_allclose(frame["value"], fit.table["value"], atol=1e-12)
    assert frame[header("model")].tolist() == [
        TEXT["en"][f"fit_model_{m}"] for m in fit.table["model"]
    ]
    s = _items(fitted).corr().to_numpy()
    lower = np.tril_indices_from(s)
    for model in ("saturated", "estimated"):
        implied = fit.implied[model].loc[list(fitted.spec.items), list(fitted.spec.items)]
        resid = (s - implied.to_numpy())[lower]
        srmr = np.sqrt(np.mean(resid**2))
        shown = frame[
            (frame[header("model")] == TEXT["en"][f"fit_model_{model}"])
            & (frame[header("measure")] == TEXT["en"]["fit_srmr"])
        ]["value"]
        assert shown.iloc[0] == pytest.approx(srmr, abs=1e-10)


def test_pls_predict_and_q2_are_the_library_results(report_en, fitted):
    from csi.quality import blindfolding, pls_predict

    repeats = PREDICT_REPEATS if fitted.n <= PREDICT_MAX_N else 1  # 2736: one repetition
    pred = pls_predict(fitted, folds=PREDICT_FOLDS, repeats=repeats, seed=SEED)
    frame = _frame(report_en, "pls_predict")
    for col in ("q2_predict", "pls_rmse", "pls_mae", "lm_rmse", "lm_mae"):
        np.testing.assert_allclose(frame[header(col)], pred.items[col], atol=1e-12)
    assert frame[header("pls_better")].tolist() == [
        "yes" if b else "no" for b in pred.items["pls_better"]
    ]
    assert f"{PREDICT_FOLDS}-fold cross-validation, {repeats} run(s)" in (
        report_en.table("pls_predict").note
    )
    q2 = _frame(report_en, "q2_blindfolding")
    lib = blindfolding(fitted, omission_distance=7)
    np.testing.assert_allclose(q2["Q²"], lib["q2"], atol=1e-12)
    np.testing.assert_allclose(q2["Q²"], 1 - q2["SSE"] / q2["SSO"], atol=1e-12)


# ---------------------------------------------------------------------------- groups
def test_mga_paths_are_each_groups_own_paths(report_en, survey, fitted):
    frame = _frame(report_en, "mga_paths")
    a_col, b_col = header("group_a"), header("group_b")
    pairs = list(dict.fromkeys(zip(frame[a_col], frame[b_col], strict=True)))
    regions = sorted(survey.data["region"].unique())
    assert pairs == list(itertools.combinations(regions, 2))  # four regions, all >= 30
    n_perm = min(N_BOOT, MAX_PERMUTATIONS)
    a, b = pairs[0]
    lib = fitted.compare_groups("region", groups=(a, b), n=n_perm, seed=SEED).select("path")
    mine = frame[(frame[a_col] == a) & (frame[b_col] == b)]
    lib = lib.merge(
        mine, left_on=["source", "target"], right_on=_h("source", "target"), how="inner"
    )
    assert len(lib) == len(mine) > 0
    np.testing.assert_allclose(lib["pvalue"], lib["p"], atol=1e-12)
    # each group's paths refitted on that group's respondents alone
    data = survey.public_data()
    for group, col in ((a, header("estimate_a")), (b, header("estimate_b"))):
        own = fit_pls(data[data["region"] == group], fitted.spec).path_coefficients
        own = own.set_index(["source", "target"])["estimate"]
        expected = [own[(s, t)] for s, t in zip(lib["source"], lib["target"], strict=True)]
        np.testing.assert_allclose(lib[col], expected, atol=1e-8)
        n = int(
            data.loc[data["region"] == group, list(fitted.spec.items)].notna().all(axis=1).sum()
        )
        assert (mine[header("n_a" if group == a else "n_b")] == n).all()
    np.testing.assert_allclose(
        mine[header("difference")], mine[header("estimate_a")] - mine[header("estimate_b")]
    )


def test_mga_compares_only_paths_with_partial_invariance(report_en, fitted):
    micom = pytest.importorskip("csi.pls.micom").micom
    table = _frame(report_en, "micom")
    frame = _frame(report_en, "mga_paths")
    a_col, b_col = header("group_a"), header("group_b")
    n_perm = min(N_BOOT, MAX_PERMUTATIONS)
    for (a, b), part in frame.groupby([a_col, b_col]):
        res = micom(fitted, group="region", groups=(a, b), permutations=n_perm, seed=SEED)
        ok = set(res.verdict.loc[res.verdict["invariance"] != "none", "construct"])
        allowed = fitted.path_coefficients
        allowed = allowed[allowed["source"].isin(ok) & allowed["target"].isin(ok)]
        assert list(zip(part[header("source")], part[header("target")], strict=True)) == list(
            zip(allowed["source"], allowed["target"], strict=True)
        )
        mine = table[(table[a_col] == a) & (table[b_col] == b)]
        np.testing.assert_allclose(mine[header("statistic")], res.table["statistic"], atol=1e-12)
    assert "at least partial measurement invariance" in report_en.table("mga_paths").note


def test_groups_the_report_suppresses_are_never_compared(survey):
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE})
    west = raw.index[raw["region"] == "West"]
    small = read_survey(raw.drop(index=west[12:]).reset_index(drop=True), CODEBOOK)
    report = _run(small, bootstrap=20, seed=SEED)
    hidden = hidden_segments(report, {"sizes_region"})
    assert hidden == {"West", "South"}  # West < 30, South hidden to protect it
    frame = _frame(report, "mga_paths")
    shown = set(frame[header("group_a")]) | set(frame[header("group_b")])
    assert shown == {"East", "North"} and not shown & hidden
    assert (frame[[header("n_a"), header("n_b")]] >= MIN_GROUP).all().all()
    for block in report.section("appendix").blocks:
        text = block.text if isinstance(block, Text) else ""
        assert "West" not in text and "South" not in text


def test_without_bootstrap_the_appendix_says_why(survey):
    report = _run(survey, bootstrap=0)
    keys = {t.key for t in report.section("appendix").tables}
    assert not keys & {"outer_weights_boot", "loadings_boot", "indirect_effects", "mga_paths"}
    assert {"cross_loadings", "outer_vif_items", "model_fit", "pls_predict"} <= keys
    notes = [b.text for b in report.section("appendix").blocks if isinstance(b, Text)]
    assert any(n.startswith("Outer weights: bootstrap significance: not available") for n in notes)
    assert any(n.startswith("Multi-group comparison by region: not available") for n in notes)


# ---------------------------------------------------------------------------- languages, files
def test_both_languages_render_and_write(report_en, report_zh, tmp_path):
    for report in (report_en, report_zh):
        lang = report.lang
        for key in NEW:
            table = report.table(key)
            assert table.title and table.note
        doc = render_html(report)
        assert TEXT[lang]["t_cross_loadings"] in doc
        assert TEXT[lang]["t_mga_paths"].format(segment="region") in doc
        out = write_report(report, tmp_path / lang)
        import openpyxl

        names = openpyxl.load_workbook(out["xlsx"], read_only=True).sheetnames
        assert names == sheet_names(report)
        assert len({n.casefold() for n in names}) == len(names)
        assert all(len(n) <= 31 for n in names)
    zh_names = sheet_names(report_zh)
    chinese = re.compile("[\u4e00-\u9fff]")
    for key in NEW:
        index = [t.key for t in report_zh.tables].index(key)
        assert chinese.search(zh_names[2 + index]), key
    assert report_zh.table("cross_loadings").frame.columns[0] == "指标"


def test_no_private_column_or_value_reaches_a_new_table(report_en, survey):
    guard = PrivacyGuard.from_survey(survey)
    for key in NEW:
        frame = report_en.table(key).frame
        assert not set(frame.columns) & set(PRIVATE)
        _, found = guard.clean_frame(frame)
        assert found == 0, key


def test_comparisons_of_segments_the_finished_report_hides_are_removed(report_en):
    from csi.report.sections_groups import without_groups

    table = report_en.table("mga_paths")
    a, b = header("group_a"), header("group_b")
    assert without_groups(report_en, set()) is report_en
    out = without_groups(report_en, {"West"}).table("mga_paths")
    kept = table.frame[(table.frame[a] != "West") & (table.frame[b] != "West")]
    assert len(out.frame) == len(kept) < len(table.frame)
    assert "West" not in set(out.frame[a]) | set(out.frame[b])
    assert out.note.endswith(TEXT["en"]["mga_hidden"])
    # the other tables are untouched
    assert without_groups(report_en, {"West"}).table("cross_loadings") is report_en.table(
        "cross_loadings"
    )


def test_a_group_small_only_in_the_model_is_not_compared():
    """West: 40 respondents read but 25 in the model (15 with a missing model item): the
    index tables suppress it (and the report then hides it everywhere); the comparison
    leaves it out too, though it has 40 respondents."""
    raw = pd.read_csv(SURVEY, dtype={c: str for c in PRIVATE})
    west = raw.index[raw["region"] == "West"]
    data = raw.drop(index=west[40:]).reset_index(drop=True)
    data.loc[data.index[data["region"] == "West"][:15], "SAT2"] = np.nan
    small = read_survey(data, CODEBOOK)
    report = _run(small, bootstrap=20, seed=SEED)
    sizes = _frame(report, "sizes_region").set_index(header("segment"))
    assert sizes.loc["West", "n"] == 40
    hidden = hidden_segments(report, {"sizes_region", "index_segment"})
    assert "West" in hidden
    frame = _frame(report, "mga_paths")
    shown = set(frame[header("group_a")]) | set(frame[header("group_b")])
    assert shown and not shown & hidden


def test_large_groups_are_compared_on_a_seeded_sample(survey, fitted, monkeypatch):
    """A group over MAX_GROUP_SAMPLE respondents is compared on a seeded random sample
    of that many (the model refitted there with the fit's settings); the note says so,
    the tables state the sampled n, and the MGA equals compare_groups on that sample."""
    import csi.report.sections_groups as groups_module

    cap = 200
    monkeypatch.setattr(groups_module, "MAX_GROUP_SAMPLE", cap)
    report = _run(survey, bootstrap=20, seed=SEED)
    frame = _frame(report, "mga_paths")
    a_col, b_col = header("group_a"), header("group_b")
    a, b = next(iter(dict.fromkeys(zip(frame[a_col], frame[b_col], strict=True))))
    mine = frame[(frame[a_col] == a) & (frame[b_col] == b)]
    # the sample drawn by hand: the same generator, seed and order of groups
    data = fitted.source_data
    labels = data["region"].astype(str)
    rng = np.random.default_rng(SEED)
    chosen = []
    for g in (a, b):
        pos = np.flatnonzero((labels == g).to_numpy())
        chosen.append(np.sort(rng.choice(pos, cap, replace=False)) if pos.size > cap else pos)
    sample = data.iloc[np.concatenate(chosen)]
    refit = fit_pls(sample, fitted.spec, scale=fitted.scale)
    lib = refit.compare_groups("region", groups=(a, b), n=20, seed=SEED).select("path")
    lib = lib.merge(
        mine, left_on=["source", "target"], right_on=_h("source", "target"), how="inner"
    )
    assert len(lib) == len(mine) > 0
    np.testing.assert_allclose(lib["estimate_a"], lib[header("estimate_a")], atol=1e-10)
    np.testing.assert_allclose(lib["pvalue"], lib["p"], atol=1e-12)
    complete = sample[list(fitted.spec.items)].notna().all(axis=1)
    assert (mine[header("n_a")] == int((complete & (sample["region"] == a)).sum())).all()
    assert (mine[header("n_a")] <= cap).all()
    texts = [blk.text for blk in report.section("appendix").blocks if isinstance(blk, Text)]
    assert any(f"{cap:,} respondents" in t for t in texts)


def test_omission_distance_never_divides_the_number_of_cases():
    from csi.report.sections_pls_detail import omission_distance

    assert omission_distance(2736) == 7  # the sample's model n
    assert omission_distance(2856) == 9  # 2856 = 7 x 408 = 8 x 357
    for n in range(30, 3000):
        d = omission_distance(n)
        assert d >= 7 and n % d != 0


def test_a_moderation_model_reports_without_cbsem_or_groups(survey):
    """A model file with an interaction term: the PLS report is written (the term in the
    path table), CB-SEM and MGA say why they are left out, and nothing counts as failed;
    a higher-order model is refused with a clear message."""
    text = """
    Expectation =~ EXP1 + EXP2 + EXP3
    Quality =~ QUAL1 + QUAL2 + QUAL3
    Satisfaction =~ SAT1 + SAT2 + SAT3
    Satisfaction ~ Expectation + Quality + Expectation:Quality
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(survey, model=text, segment="region", bootstrap=20, seed=SEED)
    assert report.failures == ()
    html = render_html(report)
    assert "Expectation:Quality" in html
    assert "CB-SEM does not estimate" in html
    assert "the bootstrap of a model with interaction terms has no index rows" in html
    assert "Segment intervals are not available: a model estimated in stages" in html
    assert "interaction terms (a moderator is already a group effect)" in html
    from csi._checks import CsiInputError

    with pytest.raises(CsiInputError, match="higher-order constructs"):
        run_analysis(
            survey,
            model=text.replace(
                "Quality =~ QUAL1 + QUAL2 + QUAL3",
                "P =~ QUAL1 + QUAL2\nS =~ QUAL3 + QUAL4\nQuality =~ P + S",
            ),
            bootstrap=0,
        )
