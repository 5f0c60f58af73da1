"""``QualityReport``: the reliability, validity and structural tables of one fitted model."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csi.diagnostics import Diagnostic, localize
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.quality.thresholds import Thresholds

#: Columns of :attr:`QualityReport.model_fit`.
FIT_COLUMNS = ("model", "measure", "value", "threshold", "ok")


def _no_fit() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in FIT_COLUMNS})


@dataclass(frozen=True, repr=False)
class QualityReport:
    """Reliability, validity and structural-model quality of a PLS or CB-SEM fit.

    Tables (DataFrames, lower-case columns)
    ----------------------------------------
    reliability:
        ``construct, mode, n_items, alpha, rho_a, rho_c, ave`` plus ``*_ok`` flags
        (``<NA>`` where a statistic does not apply, e.g. formative constructs). For
        CB-SEM ``rho_c`` is omega from the standardized loadings and ``rho_a`` is NaN.
    loadings:
        ``construct, indicator, loading, weight, ok`` (``ok``: loading >= threshold).
    htmt, htmt2:
        Construct x construct HTMT / HTMT2 (NaN diagonal); ``htmt_pairs`` long form
        ``construct_1, construct_2, htmt, htmt2, ok``.
    fornell_larcker:
        Construct correlations with ``sqrt(AVE)`` on the diagonal;
        ``fornell_larcker_check`` per construct.
    cross_loadings, cross_loading_check:
        Item x construct correlations (CB-SEM: model-implied) and the per-item check.
    r2:
        ``construct, r2, r2_adj``.
    f2:
        ``source, target, r2_included, r2_excluded, f2, effect``.
    inner_vif, outer_vif:
        ``source, target, vif, ok`` and ``construct, indicator, mode, vif, ok`` (outer
        VIF is flagged for formative constructs only).
    diagnostics:
        Plain-language findings (:class:`csi.diagnostics.Diagnostic`).
    model_fit:
        ``model, measure, value, threshold, ok``: the SRMR of the saturated and the
        estimated model (PLS; :func:`csi.quality.model_fit.model_fit`), ``ok`` when
        below the threshold (0.08, Hu & Bentler 1999); empty for CB-SEM (see
        ``SEMResult.fit_measures``).
    correlations:
        Which construct correlations the Fornell-Larcker tables and the inner VIF use:
        ``"scores"`` (construct-score correlations), ``"disattenuated"`` (PLSc) or
        ``"model"`` (the estimator's own: PLS scores, CB-SEM model-implied).
    """

    estimator: str
    n: int
    reliability: pd.DataFrame
    loadings: pd.DataFrame
    htmt: pd.DataFrame
    htmt2: pd.DataFrame
    htmt_pairs: pd.DataFrame
    fornell_larcker: pd.DataFrame
    fornell_larcker_check: pd.DataFrame
    cross_loadings: pd.DataFrame
    cross_loading_check: pd.DataFrame
    r2: pd.DataFrame
    f2: pd.DataFrame
    inner_vif: pd.DataFrame
    outer_vif: pd.DataFrame
    diagnostics: list[Diagnostic] = field(default_factory=list)
    thresholds: Thresholds = field(default_factory=Thresholds)
    lang: str = "en"
    model_fit: pd.DataFrame = field(default_factory=_no_fit)
    correlations: str = "model"

    @property
    def srmr(self) -> float:
        """SRMR of the estimated model (NaN when not computed)."""
        rows = self.model_fit[
            (self.model_fit["measure"] == "srmr") & (self.model_fit["model"] == "estimated")
        ]
        return float(rows["value"].iloc[0]) if len(rows) else float("nan")

    # ---------------------------------------------------------------- views
    @property
    def ok(self) -> bool:
        """True when no diagnostic of severity ``warning`` or ``error`` was raised."""
        return not any(d.severity in ("warning", "error") for d in self.diagnostics)

    def diagnostics_in(self, lang: str | None = None) -> list[Diagnostic]:
        """The diagnostics rendered in ``lang`` (default: the report's ``lang``)."""
        return localize(self.diagnostics, check_lang(self.lang if lang is None else lang))

    def diagnostics_frame(self, *, lang: str | None = None) -> pd.DataFrame:
        """``code, severity, message, advice``: one row per diagnostic, in ``lang``."""
        return pd.DataFrame(
            [(d.code, d.severity, d.message, d.advice) for d in self.diagnostics_in(lang)],
            columns=["code", "severity", "message", "advice"],
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (for a report or an Excel workbook)."""
        out = {
            "reliability": self.reliability,
            "loadings": self.loadings,
            "htmt": self.htmt,
            "htmt2": self.htmt2,
            "htmt_pairs": self.htmt_pairs,
            "fornell_larcker": self.fornell_larcker,
            "fornell_larcker_check": self.fornell_larcker_check,
            "cross_loadings": self.cross_loadings,
            "cross_loading_check": self.cross_loading_check,
            "r2": self.r2,
            "f2": self.f2,
            "inner_vif": self.inner_vif,
            "outer_vif": self.outer_vif,
            "diagnostics": self.diagnostics_frame(),
        }
        if len(self.model_fit):
            out["model_fit"] = self.model_fit
        return out

    # ---------------------------------------------------------------- text
    def _rename(self, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        return frame.rename(columns=phrases("quality.col", lang))

    def summary(self, *, lang: str | None = None, digits: int = 3) -> Summary:
        """Compact text tables: reliability, HTMT, Fornell-Larcker, R², f², VIF, diagnostics.

        Values failing their threshold are marked with ``*``. ``lang`` defaults to the
        report's own language.
        """
        lang = check_lang(self.lang if lang is None else lang)
        lab = phrases("quality", lang)
        tables: dict[str, pd.DataFrame] = {}
        th = self.thresholds

        def fmt(v: float, bad: bool = False) -> str:
            if v is None or (isinstance(v, float) and not np.isfinite(v)):
                return "."
            return f"{v:.{digits}f}" + ("*" if bad else " ")

        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in lab["title"])
        lines = [lab["title"], "=" * width]
        lines.append(f"{lab['estimator']}: {lab.get(self.estimator, self.estimator)}")
        lines.append(f"{lab['n']}: {self.n}")
        rel = self.reliability
        table = pd.DataFrame(
            {
                "construct": rel["construct"],
                "mode": rel["mode"],
                "n_items": rel["n_items"],
                "alpha": [fmt(v, v < th.alpha) for v in rel["alpha"]],
                "rho_a": [fmt(v, v < th.rho_a) for v in rel["rho_a"]],
                "rho_c": [fmt(v, v < th.rho_c) for v in rel["rho_c"]],
                "ave": [fmt(v, v < th.ave) for v in rel["ave"]],
            }
        )
        if self.estimator == "sem":
            table = table.drop(columns="rho_a").rename(columns={"rho_c": "omega"})
        table = self._rename(table, lang)
        lines += ["", lab["reliability"], table.to_string(index=False)]
        tables[lab["reliability"]] = table

        names = list(self.htmt.index)
        ht = pd.DataFrame("", index=names, columns=names[:-1])
        fl = pd.DataFrame("", index=names, columns=names)
        flv = self.fornell_larcker.to_numpy(dtype=float)
        hv = self.htmt.to_numpy(dtype=float)
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if j < i:
                    v = float(hv[i, j])
                    ht.loc[a, b] = fmt(v, v > th.htmt)
                if j <= i:
                    bad = j < i and abs(flv[i, j]) >= min(flv[i, i], flv[j, j])
                    fl.loc[a, b] = fmt(float(flv[i, j]), bool(bad))
        if len(names) > 1:
            lines += ["", lab["htmt"], ht.to_string()]
            tables[lab["htmt"]] = ht
        lines += ["", lab["fl"], fl.to_string()]
        tables[lab["fl"]] = fl

        if len(self.r2):
            r2 = self.r2.assign(
                r2=[fmt(v) for v in self.r2["r2"]], r2_adj=[fmt(v) for v in self.r2["r2_adj"]]
            )
            r2 = self._rename(r2, lang)
            lines += ["", lab["structural"], r2.to_string(index=False)]
            tables[lab["structural"]] = r2
        if len(self.f2):
            f2 = self.f2[["source", "target", "f2", "effect"]].merge(
                self.inner_vif[["source", "target", "vif"]], on=["source", "target"], how="left"
            )
            f2 = f2.assign(
                f2=[fmt(v) for v in f2["f2"]],
                vif=[fmt(v, v > th.inner_vif) for v in f2["vif"]],
            )
            effects = phrases("quality.effect", lang)
            f2["effect"] = [effects.get(e, e) for e in f2["effect"]]
            f2 = self._rename(f2, lang)
            lines += ["", lab["f2"], f2.to_string(index=False)]
            tables[lab["f2"]] = f2
        if self.correlations in ("scores", "disattenuated") and self.estimator == "plsc":
            lines += ["", lab["corr_" + self.correlations]]
        if len(self.model_fit):
            lines += ["", lab["fit"]]
            fit = self.model_fit
            for model, value, limit, ok in zip(
                fit["model"], fit["value"], fit["threshold"], fit["ok"], strict=True
            ):
                bad = ok is False or (ok is not pd.NA and not ok)
                lines.append(
                    f"  {lab.get(str(model), str(model))}: {fmt(float(value), bool(bad))}"
                    f" ({lab['threshold']} {float(limit):g})"
                )
        formative = self.outer_vif[self.outer_vif["mode"] == "B"]
        if len(formative):
            ov = formative.assign(vif=[fmt(v, v > th.outer_vif) for v in formative["vif"]])
            ov = ov[["construct", "indicator", "vif"]]
            ov = self._rename(ov, lang)
            lines += ["", lab["outer_vif"], ov.to_string(index=False)]
            tables[lab["outer_vif"]] = ov
        lines += ["", lab["flag"]]
        lines += ["", lab["diagnostics"]]
        if self.diagnostics:
            seen: set[str] = set()
            for d in self.diagnostics:  # the advice once per kind of finding
                lines.append("- " + d.line(lang, advice=d.code not in seen))
                seen.add(d.code)
        else:
            lines.append(lab["none"])
        return Summary(
            "\n".join(lines), title=lab["title"], tables=tables, html=self._html(lang), lang=lang
        )

    def __repr__(self) -> str:
        n_warn = sum(d.severity in ("warning", "error") for d in self.diagnostics)
        return (
            f"QualityReport(estimator={self.estimator!r}, n={self.n}, "
            f"constructs={len(self.reliability)}, problems={n_warn})"
        )

    def _repr_html_(self) -> str:
        return self.summary().html

    def _html(self, lang: str) -> str:
        lab = phrases("quality", lang)
        rel = self.reliability[["construct", "mode", "n_items", "alpha", "rho_a", "rho_c", "ave"]]
        parts = [
            f"<h3>{html.escape(lab['title'])}</h3>",
            f"<h4>{html.escape(lab['reliability'])}</h4>",
            rel.round(3).to_html(index=False, na_rep="."),
            f"<h4>{html.escape(lab['htmt'])}</h4>",
            self.htmt.round(3).to_html(na_rep="."),
            f"<h4>{html.escape(lab['fl'])}</h4>",
            self.fornell_larcker.round(3).to_html(na_rep="."),
        ]
        if len(self.model_fit):
            parts += [
                f"<h4>{html.escape(lab['fit'])}</h4>",
                self.model_fit.round(3).to_html(index=False, na_rep="."),
            ]
        if self.diagnostics:
            items = "".join(f"<li>{html.escape(d.line(lang))}</li>" for d in self.diagnostics)
            parts.append(f"<h4>{html.escape(lab['diagnostics'])}</h4><ul>{items}</ul>")
        return "<div>" + "".join(parts) + "</div>"
