"""Measurement invariance across groups: the configural-metric-scalar-strict ladder.

Each rung adds equality constraints to the previous one (see :data:`LADDER`). Nested
models are compared with the chi-square difference test
``chisq_r - chisq_f ~ chi2(df_r - df_f)`` (ML), or the Satorra-Bentler (2001) scaled
difference for ``estimator="MLM"``: ``cd = (df_r c_r - df_f c_f) / (df_r - df_f)``,
``T = (T_r - T_f) / cd`` with ``T`` the unscaled and ``c`` the scaling factors; and by
the change in CFI (a drop of more than 0.01 suggests non-invariance, Cheung & Rensvold
2002, *Structural Equation Modeling* 9(2), 233-255).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csi._checks import CsiInputError
from csi.display import Summary
from csi.i18n import check_lang, text
from csi.sem.fit import fit_sem
from csi.sem.groups import LADDER
from csi.sem.result import SEMResult
from csi.spec import ModelSpec

INVARIANCE_COLUMNS = [
    "model",
    "npar",
    "chisq",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "srmr",
    "aic",
    "bic",
    "chisq_diff",
    "df_diff",
    "pvalue_diff",
    "cfi_diff",
]


@dataclass(frozen=True)
class InvarianceResult:
    """The fit of each rung and the tests between neighbouring rungs.

    ``table``: one row per model (columns :data:`INVARIANCE_COLUMNS`); the ``*_diff``
    columns compare a model with the one above it. ``fits``: model name -> SEMResult.
    """

    table: pd.DataFrame
    fits: dict[str, SEMResult]
    group: str
    lang: str = "en"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def highest_level(self, *, alpha: float = 0.05, delta_cfi: float = -0.01) -> str:
        """The most constrained rung not rejected by both tests (p >= alpha or ΔCFI >= -0.01).

        Rejection needs a significant chi-square difference *and* a CFI drop beyond
        ``delta_cfi``; with large samples the chi-square test alone rejects trivial
        differences (Cheung & Rensvold 2002).
        """
        level = str(self.table["model"].iloc[0])
        t = self.table
        for model, p, dcfi in zip(
            t["model"].iloc[1:], t["pvalue_diff"].iloc[1:], t["cfi_diff"].iloc[1:], strict=True
        ):
            if float(p) < alpha and float(dcfi) < delta_cfi:
                break
            level = str(model)
        return level

    def summary(self, *, lang: str | None = None, digits: int = 3) -> Summary:
        """The fit of each rung and the tests between neighbours, in ``lang`` (default:
        the result's ``lang``)."""
        lang = check_lang(self.lang if lang is None else lang)
        title = text("invariance.title", lang, group=self.group)
        body = self.table.to_string(index=False, float_format=lambda v: f"{v:.{digits}f}")
        table = self.table.to_html(index=False, float_format=lambda v: f"{v:.{digits}f}")
        return Summary(
            f"{title}\n{'=' * len(title)}\n{body}",
            title=title,
            tables={text("invariance.table", lang): self.table},
            html=f"<h3>{html.escape(title)}</h3>{table}",
            lang=lang,
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def invariance(
    data: pd.DataFrame,
    model: ModelSpec | str,
    *,
    group: str,
    levels: Sequence[str] = ("configural", "metric", "scalar", "strict"),
    estimator: str = "ML",
    lang: str = "en",
) -> InvarianceResult:
    """Fit the invariance ladder across the groups in column ``group``.

    ``levels`` are rungs of :data:`csi.sem.groups.LADDER` in increasing strictness.
    Reference: Meredith (1993), *Psychometrika* 58(4), 525-543.
    """
    levels = list(levels)
    unknown = [lv for lv in levels if lv not in LADDER]
    if unknown:
        raise CsiInputError(f"levels: unknown {unknown}; choose from {list(LADDER)}")
    order = list(LADDER)
    if [order.index(lv) for lv in levels] != sorted(order.index(lv) for lv in levels):
        raise CsiInputError(f"levels must go from least to most constrained: {order}")
    if estimator not in ("ML", "MLM"):
        raise CsiInputError(f"estimator must be 'ML' or 'MLM' for the ladder, got {estimator!r}")
    fits = {
        lv: fit_sem(
            data, model, group=group, group_equal=LADDER[lv], estimator=estimator, lang=lang
        )
        for lv in levels
    }
    rows = []
    prev: SEMResult | None = None
    for lv, res in fits.items():
        f = res.fit_indices
        row = {
            "model": lv,
            **{k: float(f[k]) for k in ("npar", "chisq", "df", "pvalue", "cfi", "tli")},
            **{k: float(f[k]) for k in ("rmsea", "srmr", "aic", "bic")},
        }
        if prev is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, pvalue_diff=np.nan, cfi_diff=np.nan)
        else:
            diff, ddf = _difference(prev, res, estimator)
            row.update(
                chisq_diff=diff,
                df_diff=ddf,
                pvalue_diff=float(stats.chi2.sf(diff, ddf)) if ddf > 0 else np.nan,
                cfi_diff=float(f["cfi"] - prev.fit_indices["cfi"]),
            )
        rows.append(row)
        prev = res
    return InvarianceResult(pd.DataFrame(rows, columns=INVARIANCE_COLUMNS), fits, group, lang)


def _difference(free: SEMResult, restricted: SEMResult, estimator: str) -> tuple[float, float]:
    """Chi-square difference; scaled (Satorra & Bentler 2001) when the fits are scaled."""
    f0, f1 = restricted.fit_indices, free.fit_indices
    ddf = float(f0["df"] - f1["df"])
    scaled = "scaling_factor" in f0.index and "scaling_factor" in f1.index
    if not scaled:  # ML; MLM or sampling weights (Yuan-Bentler) carry a scaling factor
        return float(f0["chisq"] - f1["chisq"]), ddf
    c0, c1 = float(f0["scaling_factor"]), float(f1["scaling_factor"])
    cd = (f0["df"] * c0 - f1["df"] * c1) / ddf
    return float((f0["chisq"] - f1["chisq"]) / cd), ddf
