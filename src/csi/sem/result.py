"""The result of a covariance-based SEM fit."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.diagnostics import Diagnostic, check_lang, localize
from csi.display import Summary
from csi.i18n import phrases
from csi.sem.modindices import modification_indices


@dataclass(frozen=True)
class SEMResult:
    """Estimates, fit indices and diagnostics of a covariance-based SEM.

    Attributes
    ----------
    estimates:
        Parameter table (lavaan's ``parameterEstimates`` + ``standardizedSolution``):
        ``lhs, op, rhs, label, estimate, se, z, pvalue, ci_lower, ci_upper, std_lv,
        std_all`` (+ ``group`` first in multi-group fits), then the delta-method
        ``std_lv_se, std_lv_z, std_lv_pvalue, std_lv_ci_lower, std_lv_ci_upper`` and the
        same for ``std_all`` (lavaan's ``standardizedSolution``;
        :mod:`csi.sem.standardized_se`). Fixed parameters have ``se`` 0.
    fit_indices:
        Series with ``npar, n, chisq, df, pvalue, baseline_chisq, baseline_df, cfi, tli,
        nfi, gfi, agfi, rmsea, rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr,
        loglik, unrestricted_loglik, aic, bic, bic_adjusted``; MLM, MLR and sampling
        weights add the scaled test (``chisq_scaled``, ``scaling_factor``, ``pvalue_scaled``,
        ``cfi_scaled``, ``tli_scaled``, ``rmsea_scaled`` with its interval) and the robust
        ``cfi_robust``, ``tli_robust``, ``rmsea_robust`` (with interval and close-fit
        test); FIML adds lavaan's FIML-corrected robust entries.
    r2:
        R² of endogenous variables (Series; DataFrame variable x group for several groups).
    effects:
        Direct, indirect and total effects with delta-method standard errors.
    implied_cov, residual_corr:
        Model-implied covariance matrix and residual correlations (sample minus implied
        correlations, lavaan's ``cor.bollen``); dicts by group for several groups.
    diagnostics:
        Improper solutions, non-convergence, excluded respondents (list of Diagnostic),
        in the default display language ``lang``; :meth:`diagnostics_in` renders them in
        another one.
    weight_kind:
        ``None`` (unweighted), ``"sampling"`` or ``"frequency"`` survey weights
        (:mod:`csi.sem.weights`); with sampling weights ``vcov`` and ``se`` are the robust
        (sandwich) ones and ``fit_indices`` adds the scaled and robust entries.
    vcov:
        Covariance matrix of the free parameters, rows and columns named as lavaan's
        ``vcov()``: ``visual=~x2``, ``x1~~x1``, ``x1~1``, ``x1|t1``, a parameter's label
        when it has one, and ``.g2``, ``.g3``... for a parameter of a later group; in
        the order of the parameter table.
    fitted_state:
        The fitted model (:class:`csi.sem.fit_estimation.FitState`: structures, engine,
        parameter vector) that :func:`csi.sem.modindices.modification_indices` reads;
        ``None`` for ordinal (DWLS/WLSMV) fits.
    """

    estimates: pd.DataFrame
    fit_indices: pd.Series
    r2: pd.Series | pd.DataFrame
    effects: pd.DataFrame
    implied_cov: pd.DataFrame | dict[Any, pd.DataFrame]
    residual_corr: pd.DataFrame | dict[Any, pd.DataFrame]
    diagnostics: list[Diagnostic]
    n: int
    n_excluded: int
    estimator: str
    converged: bool
    iterations: int
    groups: tuple[Any, ...] | None = None
    vcov: pd.DataFrame | None = None
    lang: str = "en"
    weight_kind: str | None = None
    fitted_state: Any = field(default=None, repr=False, compare=False)

    @property
    def implied_corr(self) -> pd.DataFrame | dict[Any, pd.DataFrame]:
        """Model-implied correlation matrix (dict by group for several groups)."""

        def corr(m: pd.DataFrame) -> pd.DataFrame:
            sd = np.sqrt(np.diag(m.to_numpy()))
            return pd.DataFrame(m.to_numpy() / np.outer(sd, sd), index=m.index, columns=m.columns)

        if isinstance(self.implied_cov, dict):
            return {g: corr(m) for g, m in self.implied_cov.items()}
        return corr(self.implied_cov)

    def parameter_table(self) -> pd.DataFrame:
        """The long parameter table in lavaan's orientation (a copy of :attr:`estimates`).

        ``lhs op rhs`` as lavaan's ``parameterEstimates``: the outcome on the left of
        ``~``, the latent on the left of ``=~``; a ``group`` column first in a
        multi-group fit. :meth:`csi.pls.PLSResult.parameter_table` has the same
        orientation, so PLS and CB-SEM tables can be stacked and compared.
        """
        return self.estimates.copy()

    def to_frame(self) -> pd.DataFrame:
        """The parameter table (a copy): :meth:`parameter_table`."""
        return self.parameter_table()

    def diagnostics_in(self, lang: str | None = None) -> list[Diagnostic]:
        """The diagnostics rendered in ``lang`` (default: the result's ``lang``)."""
        return localize(self.diagnostics, self._lang(lang))

    def diagnostics_frame(self, *, lang: str | None = None) -> pd.DataFrame:
        """``code, severity, message, advice``: one row per diagnostic, in ``lang``."""
        return pd.DataFrame(
            [(d.code, d.severity, d.message, d.advice) for d in self.diagnostics_in(lang)],
            columns=["code", "severity", "message", "advice"],
        )

    def _lang(self, lang: str | None) -> str:
        return self.lang if lang is None else check_lang(lang)

    def quality(self, **options: Any) -> Any:
        """Reliability (omega, AVE), HTMT, Fornell-Larcker, R², f², VIF and diagnostics.

        Options (``thresholds``, ``group``, ``lang``) as :func:`csi.quality.sem.sem_quality`.
        """
        from csi.quality.sem import sem_quality

        return sem_quality(self, **options)

    def modification_indices(self, *, minimum: float = 0.0) -> pd.DataFrame:
        """Score tests for fixed-to-zero parameters (see :mod:`csi.sem.modindices`)."""
        if self.fitted_state is None:
            raise CsiInputError(
                f"modification indices need a single-group ML fit; this is a {self.estimator} fit"
            )
        constraints = getattr(self.fitted_state.sm, "constraints", ())
        if constraints:
            raise CsiInputError(
                f"modification indices are not available with constraints ({constraints[0].text!r})"
            )
        return modification_indices(self, minimum=minimum)

    # ---------------------------------------------------------------- display
    def _fit_lines(self, lang: str | None = None) -> list[tuple[str, str]]:
        t = phrases("sem", self._lang(lang))
        f = self.fit_indices
        lines = [
            (t["estimator"], self.estimator),
            (t["n"], f"{self.n}"),
            (t["excluded"], f"{self.n_excluded}"),
        ]
        if self.groups is not None:
            lines.append((t["groups"], ", ".join(map(str, self.groups))))
        if self.weight_kind is not None:
            lines.append((t["weights"], t[self.weight_kind]))
        lines += [
            (t["chisq"], f"{f['chisq']:.3f}"),
            (t["df"], f"{f['df']:.0f}"),
            (t["pvalue"], f"{f['pvalue']:.4f}"),
        ]
        if "chisq_scaled" in f.index:  # MLM, MLR and sampling weights
            lines += [
                (t["chisq_scaled"], f"{f['chisq_scaled']:.3f}"),
                (t["scaling"], f"{f['scaling_factor']:.3f}"),
            ]
        lines += [
            (t["cfi"], f"{f['cfi']:.3f}"),
            (t["tli"], f"{f['tli']:.3f}"),
            (
                t["rmsea"],
                f"{f['rmsea']:.3f}",
            ),
            (t["rmsea_ci"], f"[{f['rmsea_ci_lower']:.3f}, {f['rmsea_ci_upper']:.3f}]"),
            (t["srmr"], f"{f['srmr']:.3f}"),
        ]
        if np.isfinite(f["loglik"]):
            lines += [
                (t["loglik"], f"{f['loglik']:.3f}"),
                (t["aic"], f"{f['aic']:.3f}"),
                (t["bic"], f"{f['bic']:.3f}"),
            ]
        return lines

    def summary(self, *, lang: str | None = None, digits: int = 3) -> Summary:
        """A compact text report: fit, parameter table and diagnostics, in ``lang``
        (default: the result's ``lang``), as a :class:`csi.display.Summary`."""
        lang = self._lang(lang)
        t = phrases("sem", lang)
        lines = [t["title"], "=" * len(t["title"])]
        fit_lines = self._fit_lines(lang)
        width = max(len(k) for k, _ in fit_lines)
        lines += [f"{k:<{width}}  {v}" for k, v in fit_lines]
        lines += ["", t["params"]]
        cols = [c for c in ("group", "lhs", "op", "rhs") if c in self.estimates.columns]
        cols += ["estimate", "se", "z", "pvalue", "std_all"]
        params = self.estimates[cols]
        lines.append(params.to_string(index=False, float_format=lambda v: f"{v:.{digits}f}"))
        if self.diagnostics:
            lines += ["", t["diagnostics"]]
            lines += [f"- {d.line(lang)}" for d in self.diagnostics]
        fit = pd.DataFrame(fit_lines, columns=["measure", "value"])
        return Summary(
            "\n".join(lines),
            title=t["title"],
            tables={t["params"]: params, "fit": fit},
            html=self._html(lang, digits),
            lang=lang,
        )

    def _repr_html_(self) -> str:
        return self.summary().html

    def _html(self, lang: str, digits: int) -> str:
        t = phrases("sem", lang)
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in self._fit_lines(lang)
        )
        diag = ""
        if self.diagnostics:
            items = "".join(f"<li>{html.escape(d.line(lang))}</li>" for d in self.diagnostics)
            diag = f"<h4>{html.escape(t['diagnostics'])}</h4><ul>{items}</ul>"
        table = self.estimates.to_html(index=False, float_format=lambda v: f"{v:.{digits}f}")
        return (
            f"<h3>{html.escape(t['title'])}</h3><table>{rows}</table>"
            f"<h4>{html.escape(t['params'])}</h4>{table}{diag}"
        )

    def __repr__(self) -> str:
        f = self.fit_indices
        return (
            f"SEMResult(estimator={self.estimator!r}, n={self.n}, chisq={f['chisq']:.3f}, "
            f"df={f['df']:.0f}, cfi={f['cfi']:.3f}, rmsea={f['rmsea']:.3f}, "
            f"diagnostics={len(self.diagnostics)})"
        )
