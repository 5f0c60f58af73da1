"""A messy survey as an analyst meets it, through the API and the CLI, checked by hand.

The workbook has a cover sheet first and the data on sheet "数据" under a title row
(header on row 2); Chinese headers; items on 1-10 with "99" codes, "不知道" text codes
and blanks; one negatively worded item (质量3, reversed by the codebook and wrongly
also by an indicator system); a 0-10 recommendation question with "99" and "n/a";
two segment columns (one with a 7-respondent region); name / phone / id columns; a
free-text comment column holding phone numbers. Every figure below is recomputed in
pandas from the raw frame, never from csi.
"""

from __future__ import annotations

import io
import re
import warnings
from contextlib import redirect_stderr
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import csi
from csi.cli import main
from csi.datasets import simulate_csi
from csi.indicators import IndicatorSystem
from csi.metrics import csat, nps
from csi.report import load_model
from csi.survey import read_survey

pytest.importorskip("openpyxl")

ITEMS = {  # simulated name -> Chinese header
    "EXP1": "预期1", "EXP2": "预期2", "EXP3": "预期3",
    "QUAL1": "质量1", "QUAL2": "质量2", "QUAL3": "质量3", "QUAL4": "质量4", "QUAL5": "质量5",
    "VAL1": "价值1", "VAL2": "价值2",
    "SAT1": "满意1", "SAT2": "满意2", "SAT3": "满意3",
    "COMP1": "抱怨1",
    "LOY1": "忠诚1", "LOY2": "忠诚2", "LOY3": "忠诚3",
}  # fmt: skip
CONSTRUCTS = {"EXP": "Expectation", "QUAL": "Quality", "VAL": "Value", "SAT": "Satisfaction",
              "COMP": "Complaints", "LOY": "Loyalty"}  # fmt: skip
REVERSED = "质量3"
N = 600
SMALL = "西藏"  # a 7-respondent region: suppressed in every per-segment table


def _raw() -> pd.DataFrame:
    """The survey as it sits in the workbook (text codes, blanks, a reversed item)."""
    sim = simulate_csi(N, seed=11, scale=10, waves=None)
    d = sim.data.rename(
        columns={**ITEMS, "respondent_id": "编号", "name": "姓名", "phone": "电话",
                 "region": "地区", "channel": "渠道", "recommend": "推荐"}
    ).drop(columns=["email"])  # fmt: skip
    rng = np.random.default_rng(5)
    d[REVERSED] = 11 - d[REVERSED]  # negatively worded: high = bad in the file
    d.loc[d.index[:7], "地区"] = SMALL
    d["意见"] = [f"请致电 139{k:08d} 联系我" for k in range(N)]
    out = d.astype({c: object for c in [*ITEMS.values(), "推荐"]})
    for col in ITEMS.values():
        cells = rng.random(N)
        out.loc[cells < 0.03, col] = 99
        out.loc[(cells >= 0.03) & (cells < 0.045), col] = "不知道"
        out.loc[(cells >= 0.045) & (cells < 0.06), col] = None
    cells = rng.random(N)
    out.loc[cells < 0.02, "推荐"] = 99
    out.loc[(cells >= 0.02) & (cells < 0.03), "推荐"] = "n/a"
    return out


def _codebook() -> dict:
    items = {}
    for name, header in ITEMS.items():
        construct = CONSTRUCTS[re.sub(r"\d", "", name)]
        entry: dict = {"construct": construct, "label_en": f"{construct} {name[-1]}"}
        if header == REVERSED:
            entry["reverse"] = True
        items[header] = entry
    return {
        "id": "编号",
        "private": ["姓名", "电话"],
        "free_text": ["意见"],
        "segments": ["地区", "渠道"],
        "recommend": "推荐",
        "csat": "满意1",
        "sheet": "数据",
        "header_row": 2,
        "scale": {"min": 1, "max": 10},
        "missing": [99, "不知道", "n/a"],
        "items": items,
    }


def _system(reverse: bool) -> dict:
    leaf = {"id": "q3", "item": REVERSED, "name": {"zh": "员工友好", "en": "Staff"}}
    if reverse:
        leaf["reverse"] = True
    return {
        "id": "CSI",
        "name": {"zh": "满意度指数", "en": "Satisfaction index"},
        "scale": "codebook",
        "children": [
            {"id": "q1", "item": "质量1", "name": {"zh": "可靠", "en": "Reliable"}},
            leaf,
            {"id": "s1", "item": "满意1", "name": {"zh": "总体", "en": "Overall"}},
        ],
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("messy")
    raw = _raw()
    book = folder / "codebook.yaml"
    book.write_text(yaml.safe_dump(_codebook(), allow_unicode=True), encoding="utf-8")
    xlsx = folder / "survey.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        pd.DataFrame({"季度满意度调查": ["本文件为封面", "数据见下一页"]}).to_excel(
            w, sheet_name="封面", index=False
        )
        pd.DataFrame({"2026 年第三季度客户满意度调查": []}).to_excel(
            w, sheet_name="数据", index=False
        )
        raw.to_excel(w, sheet_name="数据", index=False, startrow=1)
    good, bad = folder / "system.yaml", folder / "system_reversed.yaml"
    good.write_text(yaml.safe_dump(_system(False), allow_unicode=True), encoding="utf-8")
    bad.write_text(yaml.safe_dump(_system(True), allow_unicode=True), encoding="utf-8")
    return {"xlsx": xlsx, "codebook": book, "system": good, "bad_system": bad, "dir": folder}


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return _raw()


def _clean(s: pd.Series) -> pd.Series:
    """By hand: codes and blanks to NaN, numbers as floats."""
    text = s.astype("string").str.strip()
    return pd.to_numeric(text.mask(text.isin(["99", "不知道", "n/a", ""])), errors="coerce")


@pytest.fixture(scope="module")
def survey(files):
    return read_survey(files["xlsx"], files["codebook"])


def test_reading_counts_every_code(survey, raw):
    assert survey.n_read == N
    for col in ITEMS.values():
        row = survey.report.items.set_index("item").loc[col]
        codes = raw[col].astype("string").str.strip().isin(["99", "不知道"]).sum()
        assert row["set_missing"] == codes
        assert row["blank"] == raw[col].isna().sum()
    # the reversed item is recoded once: x' = 1 + 10 - x of the file's answers
    back = 11 - _clean(raw[REVERSED])
    got = survey.all_responses()[REVERSED]
    pd.testing.assert_series_equal(
        got.reset_index(drop=True), back.astype(float), check_names=False
    )


def test_nps_and_csat_on_every_valid_answer(survey, raw):
    rec = _clean(raw["推荐"]).dropna()
    table = nps(survey)
    assert int(table["n"].iloc[0]) == len(rec) > survey.n  # more than the listwise model n
    by_hand = 100 * ((rec >= 9).mean() - (rec <= 6).mean())
    assert table["nps"].iloc[0] == pytest.approx(by_hand, abs=1e-10)
    sat = _clean(raw["满意1"]).dropna()
    c = csat(survey)  # the codebook's csat item and its 1-10 scale: top 2 = 9-10
    assert int(c["n"].iloc[0]) == len(sat)
    assert c["csat"].iloc[0] == pytest.approx(100 * (sat >= 9).mean(), abs=1e-10)


def test_model_n_follows_the_missing_policy(survey, raw):
    spec = load_model("acsi", survey.codebook)
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listwise = csi.fit_pls(survey, spec)
        pairwise = csi.fit_pls(survey, spec, missing="pairwise")
        mean = csi.fit_pls(survey, spec, missing="mean")
    assert listwise.n == int(complete.sum()) < N
    assert listwise.n_excluded == N - int(complete.sum())
    assert pairwise.n == mean.n == N
    assert pairwise.n_unscored == N - int(complete.sum())
    # the three policies give different fits, each on its own respondents
    assert not np.allclose(listwise.index(), mean.index())


def test_indicator_system_reverses_once(survey, raw, files):
    with pytest.raises(csi.CsiInputError, match=REVERSED) as err:
        IndicatorSystem.from_yaml(files["bad_system"]).fit(survey).score(survey)
    assert "codebook" in str(err.value) and "q3" in str(err.value)
    scores = IndicatorSystem.from_yaml(files["system"]).fit(survey).score(survey)
    # by hand: equal weights over the answered children, items rescaled to 0-100
    parts = pd.DataFrame(
        {
            "q1": _clean(raw["质量1"]),
            "q3": 11 - _clean(raw[REVERSED]),  # reversed once, by the codebook
            "s1": _clean(raw["满意1"]),
        }
    )
    per_respondent = ((parts - 1) / 9 * 100).mean(axis=1, skipna=True)
    overall = scores.overall.set_index("node").loc["CSI"]
    assert overall["n"] == per_respondent.notna().sum()
    assert overall["score"] == pytest.approx(per_respondent.mean(), abs=1e-9)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _private_values(raw: pd.DataFrame) -> list[str]:
    values = [*raw["电话"].astype(str), *raw["意见"].astype(str), *raw["姓名"].astype(str)]
    return values + [v[3:] for v in raw["意见"].astype(str)]  # the bare phone numbers too


def test_cli_report_matches_the_api_and_leaks_nothing(files, survey, raw):
    out = files["dir"] / "out"
    code, _, err = _run(
        "report", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--model", "acsi",
        "--system", str(files["system"]), "--bootstrap", "0", "--no-figures", "--no-sem",
        "-o", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    book = pd.read_excel(out / "report.xlsx", sheet_name=None)
    # NPS from the CLI equals the hand computation on every valid answer
    nps_sheet = next(v for k, v in book.items() if k == "nps")
    rec = _clean(raw["推荐"]).dropna()
    assert nps_sheet["n"].iloc[0] == len(rec)
    assert nps_sheet["NPS"].iloc[0] == pytest.approx(
        100 * ((rec >= 9).mean() - (rec <= 6).mean()), abs=0.05
    )
    # the model index from the CLI equals the API's fit of the same survey
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = csi.fit_pls(survey, load_model("acsi", survey.codebook)).index()
    index_sheet = book["index"].set_index(book["index"].columns[0])["index"]
    assert index_sheet.to_numpy() == pytest.approx(api.to_numpy(), abs=0.05)
    # both codebook segment columns got their tables; the 7-respondent region is blanked
    for key in ("nps_segment", "nps_segment_渠道"):
        assert key in book
    seg = book["nps_segment"].set_index("segment")
    assert seg.loc[SMALL, "n"] == _clean(raw.loc[raw["地区"] == SMALL, "推荐"]).notna().sum()
    assert pd.isna(seg.loc[SMALL, "NPS"])
    # no private or free-text value anywhere in the HTML or any workbook cell
    html = (out / "report.html").read_text(encoding="utf-8")
    cells = "\n".join(v.to_csv(index=False) for v in book.values())
    for value in _private_values(raw):
        assert value not in html and value not in cells
    for name in ("电话", "意见", "姓名", "编号"):
        assert f">{name}<" not in html


@pytest.mark.parametrize("policy", ["listwise", "pairwise", "mean"])
def test_cli_missing_changes_the_model_n(files, raw, policy):
    code, out, err = _run(
        "fit", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--model", "acsi",
        "--missing", policy,
    )  # fmt: skip
    assert code == 0, err
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    expected = int(complete.sum()) if policy == "listwise" else N
    assert f"respondents used: {expected};" in out, out[:400]


def test_cli_refuses_the_double_reversal(files):
    code, _, err = _run(
        "report", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--model", "acsi",
        "--system", str(files["bad_system"]), "--bootstrap", "0", "--no-figures", "--no-sem",
        "-o", str(files["dir"] / "bad"), "-q",
    )  # fmt: skip
    assert code == 3
    assert REVERSED in err and "--allow-partial" in err
    assert not (files["dir"] / "bad").exists() or not any((files["dir"] / "bad").iterdir())


def test_results_hold_no_private_column(survey, raw):
    spec = load_model("acsi", survey.codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = csi.fit_pls(survey, spec)
    assert not {"电话", "意见", "姓名", "编号"} & set(res.source_data.columns)
    held = res.source_data.to_csv(index=False)
    for value in _private_values(raw)[:50]:
        assert value not in held


def test_validate_warns_about_listwise_losses(files, raw):
    code, _, err = _run("validate", str(files["xlsx"]), "--codebook", str(files["codebook"]))
    assert code == 0
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    lost = N - int(complete.sum())
    assert lost / N > 0.10  # the survey is messy enough for the warning
    assert f"leaves out {lost} of {N} respondents" in err and "--missing mean" in err


def test_cli_sheet_flag_overrides_the_codebook(files):
    code, _, err = _run(
        "validate", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--sheet", "封面"
    )
    assert code == 2
    assert "封面" in err and "found on sheet '数据'" in err


@pytest.mark.parametrize(
    "how", [["--segment", "地区", "--segment", "渠道"], ["--segment", "地区,渠道"]]
)
def test_cli_takes_several_segments(files, how):
    out = files["dir"] / ("seg" + str(len(how)))
    code, _, err = _run(
        "report", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--model", "acsi",
        *how, "--bootstrap", "0", "--no-figures", "--no-sem", "--format", "xlsx", "-o", str(out),
        "-q",
    )  # fmt: skip
    assert code == 0, err
    sheets = pd.ExcelFile(out / "report.xlsx").sheet_names
    assert {"nps_segment", "nps_segment_渠道", "index_segment", "index_segment_渠道"} <= set(sheets)


def test_cb_sem_and_group_comparison_take_the_survey(survey, raw):
    spec = load_model("acsi", survey.codebook)
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        listwise = csi.fit_sem(survey, spec)
        fiml = csi.fit_sem(survey, spec, missing="fiml")
        by_hand = csi.fit_sem(
            survey.public_data(all_respondents=True).loc[complete.to_numpy()], spec
        )
    assert listwise.n == int(complete.sum()) and fiml.n == N
    assert listwise.fit_indices["chisq"] == pytest.approx(by_hand.fit_indices["chisq"], rel=1e-10)
    a, b = sorted(raw["渠道"].unique())[:2]
    comp = csi.compare_groups(survey, spec, "渠道", groups=(a, b), n=50, seed=1)
    channel = raw["渠道"].to_numpy()[complete.to_numpy()]
    assert comp.groups == (a, b)
    assert comp.n_a == int((channel == a).sum()) and comp.n_b == int((channel == b).sum())
    assert comp.n_excluded == N - comp.n_a - comp.n_b  # every other respondent counted


@pytest.mark.parametrize("policy", ["listwise", "mean"])
def test_cli_report_missing_changes_the_model_n_not_nps(files, raw, policy):
    out = files["dir"] / f"report_{policy}"
    code, _, err = _run(
        "report", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--model", "acsi",
        "--missing", policy, "--bootstrap", "0", "--no-figures", "--no-sem", "--format", "xlsx",
        "-o", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    book = pd.read_excel(out / "report.xlsx", sheet_name=None)
    counts = book["respondents"].set_index("measure")["value"]
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    used = int(complete.sum()) if policy == "listwise" else N
    assert counts["respondents used in the model"] == used
    assert counts["respondents left out of the model"] == N - used
    # NPS is the same whichever policy the model uses: every valid answer
    rec = _clean(raw["推荐"]).dropna()
    assert book["nps"]["n"].iloc[0] == len(rec)


def test_report_states_the_model_n_and_unscored_respondents(survey, raw):
    from csi.report import run_analysis

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(
            survey, "acsi", missing="pairwise", bootstrap=0, figures=False, sem=False
        )
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    unscored = N - int(complete.sum())
    for key in ("index", "impacts", "priorities", "levels", "path_coefficients", "r2"):
        note = report.table(key).note  # each model-based table states the model's n
        assert f"use {N} respondents (missing answers: pairwise" in note, key
        assert f"{unscored} of them answered too few items" in note, key


@pytest.fixture(scope="module")
def weighted_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("weighted")
    raw = _raw()
    raw["权重"] = np.random.default_rng(9).uniform(0.4, 2.5, len(raw)).round(3)
    book = folder / "codebook.yaml"
    book.write_text(
        yaml.safe_dump({**_codebook(), "weight": "权重"}, allow_unicode=True), encoding="utf-8"
    )
    xlsx = folder / "survey.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        pd.DataFrame({"封面": ["x"]}).to_excel(w, sheet_name="封面", index=False)
        pd.DataFrame({"标题": []}).to_excel(w, sheet_name="数据", index=False)
        raw.to_excel(w, sheet_name="数据", index=False, startrow=1)
    return {"xlsx": xlsx, "codebook": book, "dir": folder, "raw": raw}  # type: ignore[dict-item]


def test_weighted_report_and_no_weights(weighted_files):
    f = weighted_files
    raw = f["raw"]
    rec = _clean(raw["推荐"])
    valid = rec.notna()
    r = rec.to_numpy(dtype=float)
    points = np.select([r >= 9, r <= 6], [100.0, -100.0], 0.0)[valid.to_numpy()]
    w = raw.loc[valid, "权重"].to_numpy()
    weighted_nps = float((w * points).sum() / w.sum())
    plain_nps = float(points.mean())
    books = {}
    for flag in ([], ["--no-weights"]):
        out = f["dir"] / ("plain" if flag else "weighted")
        code, _, err = _run(
            "report", str(f["xlsx"]), "--codebook", str(f["codebook"]), "--model", "acsi",
            "--bootstrap", "0", "--no-figures", "--no-sem", "--format", "xlsx", "-o", str(out),
            "-q", *flag,
        )  # fmt: skip
        assert code == 0, err
        books[bool(flag)] = pd.read_excel(out / "report.xlsx", sheet_name=None)
    weighted, plain = books[False], books[True]
    row = weighted["nps"].iloc[0]
    assert row["n"] == valid.sum()
    # the workbook holds the figures rounded as shown (one decimal)
    assert row["weighted n"] == pytest.approx(w.sum(), abs=0.05)
    assert row["effective n (Kish)"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), abs=0.05)
    assert row["NPS"] == pytest.approx(weighted_nps, abs=0.05)
    assert plain["nps"]["NPS"].iloc[0] == pytest.approx(plain_nps, abs=0.05)
    assert "weighted n" not in plain["nps"].columns
    # the model index is the WPLS one, and differs from the unweighted fit
    survey = read_survey(f["xlsx"], f["codebook"])
    spec = load_model("acsi", survey.codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wpls = csi.fit_pls(survey, spec).index()
        pls = csi.fit_pls(survey, spec, weights=False).index()
    sheet = weighted["index"].set_index(weighted["index"].columns[0])["index"]
    assert sheet.to_numpy() == pytest.approx(wpls.to_numpy(), abs=0.05)
    assert np.abs(wpls.to_numpy() - pls.to_numpy()).max() > 0.05


def test_weighted_report_says_how_it_is_weighted(weighted_files):
    from csi.report import run_analysis

    survey = read_survey(weighted_files["xlsx"], weighted_files["codebook"])
    w = weighted_files["raw"]["权重"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on = run_analysis(survey, "acsi", bootstrap=0, figures=False, sem=False)
        off = run_analysis(survey, "acsi", bootstrap=0, figures=False, sem=False, weights=False)

    def notes(report) -> str:
        return " ".join(b.text for b in report.section("summary").blocks if hasattr(b, "text"))

    n_eff = w.sum() ** 2 / (w**2).sum()
    assert f"Figures are weighted by 权重 (sampling weights; sum {w.sum():,.1f}" in notes(on)
    assert f"Kish effective sample size {n_eff:,.0f} of {N}" in notes(on)
    assert "Weights are switched off for this report (--no-weights): 权重" in notes(off)


def test_weighted_report_fits_a_weighted_cb_sem(weighted_files):
    from csi.report import run_analysis

    survey = read_survey(weighted_files["xlsx"], weighted_files["codebook"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(survey, "acsi", missing="mean", bootstrap=0, figures=False)
        direct = csi.fit_sem(survey, load_model("acsi", survey.codebook))
    assert not report.failures  # weighted FIML does not exist: the default is listwise
    fit = report.table("sem_fit").frame
    values = dict(zip(fit.iloc[:, 0], fit.iloc[:, 1], strict=True))
    chisq = next(v for k, v in values.items() if "chi-square" in k.lower())
    assert float(chisq) == pytest.approx(direct.fit_indices["chisq"], rel=1e-6)
    assert direct.weight_kind == "sampling"


def test_listwise_report_does_not_call_left_out_respondents_unscored(survey):
    from csi.report import run_analysis

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(survey, "acsi", bootstrap=0, figures=False, sem=False)
    note = report.table("index").note
    line = note[note.index("Model-based figures use") :]
    assert "left out)." in line and "too few items" not in line


# ---------------------------------------------------- research features (issue 17)
def _cleaned(raw: pd.DataFrame) -> pd.DataFrame:
    """The items by hand: codes to NaN, the reversed item turned back (11 - x)."""
    out = raw[list(ITEMS.values())].apply(_clean)
    out[REVERSED] = 11 - out[REVERSED]
    return out


MODERATION = """
Expectation =~ 预期1 + 预期2 + 预期3
Quality =~ 质量1 + 质量2 + 质量3
Satisfaction =~ 满意1 + 满意2 + 满意3
Satisfaction ~ Expectation + Quality + Expectation:Quality
"""


def test_moderation_hierarchy_and_micom_take_the_messy_survey(survey, raw):
    """Interaction terms, a higher-order construct and MICOM on the messy survey (Chinese
    headers, text codes, a reversed item): each uses the respondents a pandas count gives,
    and the moderation fit equals the fit of the items cleaned by hand."""
    items = _cleaned(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = csi.fit_pls(survey, MODERATION)
        by_hand = csi.fit_pls(items, MODERATION, scale=(1, 10))
    used = ["预期1", "预期2", "预期3", "质量1", "质量2", "质量3", "满意1", "满意2", "满意3"]
    assert mod.n == by_hand.n == int(items[used].notna().all(axis=1).sum())
    pd.testing.assert_frame_equal(
        mod.path_coefficients.reset_index(drop=True),
        by_hand.path_coefficients.reset_index(drop=True),
    )
    assert "Expectation:Quality" in set(mod.path_coefficients["source"])
    assert "Expectation:Quality" not in mod.index().index
    hoc_text = MODERATION.replace(
        "Quality =~ 质量1 + 质量2 + 质量3",
        "Product =~ 质量1 + 质量2\nService =~ 质量3 + 质量4 + 质量5\nQuality =~ Product + Service",
    ).replace(" + Expectation:Quality", "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hoc = csi.fit_pls(survey, hoc_text)
    hoc_items = [*used[:3], "质量1", "质量2", "质量3", "质量4", "质量5", *used[6:]]
    assert hoc.n == int(items[list(dict.fromkeys(hoc_items))].notna().all(axis=1).sum())
    idx = hoc.index()
    assert ((idx > 0) & (idx < 100)).all()
    low, high = sorted([idx["Product"], idx["Service"]])
    assert low <= idx["Quality"] <= high  # a weighted mean of its dimensions' indices
    plain = csi.fit_pls(survey, MODERATION.replace(" + Expectation:Quality", ""))
    res = plain.micom("渠道", groups=("online", "store"), permutations=20, seed=1)
    channel = raw["渠道"]
    complete = items[used].notna().all(axis=1)
    assert res.n_a == int((complete & (channel == "online")).sum())
    assert res.n_b == int((complete & (channel == "store")).sum())


def test_summaries_tables_and_scale_on_the_messy_survey(survey, raw):
    """The redesigned layers as an analyst meets them: a Chinese summary that states n, one
    parameter table in lavaan orientation, and the codebook's 1-10 scale read the same way
    whatever form it is given in (checked by hand with pandas)."""
    spec = load_model("acsi", survey.codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = csi.fit_pls(survey, spec)
    zh = res.summary(lang="zh")
    assert isinstance(zh, csi.Summary) and re.search(r"[\u4e00-\u9fff]", zh)
    assert f"{res.n}" in zh and f"{res.n}" in res.summary()
    assert res._repr_html_() == res.summary().html
    with pytest.raises(csi.CsiInputError, match="'fr'"):
        res.summary(lang="fr")
    table = res.parameter_table()
    paths = table[table["op"] == "~"].set_index(["lhs", "rhs"])["estimate"]
    wide = res.path_coefficients.set_index(["target", "source"])["estimate"]
    assert paths.sort_index().equals(wide.sort_index())
    loadings = table[table["op"] == "=~"]
    assert set(loadings["rhs"]) == set(spec.items) and set(loadings["lhs"]) == set(spec.constructs)
    # the index on 0-100 by hand: the reversed item is already turned by the survey (11 - x)
    complete = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1).notna().all(axis=1)
    assert res.n == int(complete.sum())
    forms = [(1, 10), [1, 10], {"min": 1, "max": 10}, csi.RatingScale(points=10)]
    indices = [res.index(scale=f) for f in forms]
    for other in indices[1:]:
        pd.testing.assert_series_equal(indices[0], other)
    assert ((indices[0] >= 0) & (indices[0] <= 100)).all()
    # by hand: Σ w_k (mean_k - 1) / 9 * 100 over the complete respondents, with the reversed
    # item turned (11 - x) and the fit's rescaled weights
    items = pd.concat([_clean(raw[c]) for c in ITEMS.values()], axis=1)[complete]
    items[REVERSED] = 11 - items[REVERSED]
    w = res.rescaled_weights()
    for construct in ("Quality", "Satisfaction"):  # Quality holds the reversed item
        part = w[w["construct"] == construct]
        by_hand = sum(
            wt * (items[item].mean() - 1) / 9 * 100
            for item, wt in zip(part["indicator"], part["weight"], strict=True)
        )
        assert indices[0][construct] == pytest.approx(by_hand, abs=1e-9), construct
    with pytest.raises(csi.CsiInputError, match=r"\(10, 1\)"):
        res.index(scale=(10, 1))


def test_cli_report_in_chinese_has_the_same_figures_and_leaks_nothing(files, survey, raw):
    """The same messy survey through `csi report --lang zh`: Chinese sheets, NPS and the
    model index equal the hand computation, the small region blanked with its n shown,
    nothing private in any output."""
    from csi.i18n import header
    from csi.i18n.headers import SHEETS

    out = files["dir"] / "out_zh"
    code, _, err = _run(
        "report", str(files["xlsx"]), "--codebook", str(files["codebook"]), "--model", "acsi",
        "--system", str(files["system"]), "--bootstrap", "0", "--no-figures", "--no-sem",
        "--lang", "zh", "-o", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    book = pd.read_excel(out / "report.xlsx", sheet_name=None)
    zh = SHEETS["zh"]
    nps_sheet = book[zh["nps"]]
    n_col, nps_col = header("n", "zh"), header("nps", "zh")
    assert n_col == "样本量" and n_col in nps_sheet.columns  # every table shows its n
    rec = _clean(raw["推荐"]).dropna()
    assert nps_sheet[n_col].iloc[0] == len(rec)
    assert nps_sheet[nps_col].iloc[0] == pytest.approx(
        100 * ((rec >= 9).mean() - (rec <= 6).mean()), abs=0.05
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = csi.fit_pls(survey, load_model("acsi", survey.codebook)).index()
    index = book[zh["index"]]
    numbers = index.select_dtypes("number")
    assert numbers.iloc[:, 0].to_numpy() == pytest.approx(api.to_numpy(), abs=0.05)
    seg = book[zh["nps_segment"]]
    small = seg[seg.iloc[:, 0] == SMALL]
    assert small[n_col].iloc[0] == _clean(raw.loc[raw["地区"] == SMALL, "推荐"]).notna().sum()
    assert pd.isna(small[nps_col].iloc[0])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'lang="zh' in html and "净推荐值" in html
    cells = "\n".join(v.to_csv(index=False) for v in book.values())
    for value in _private_values(raw):
        assert value not in html and value not in cells
