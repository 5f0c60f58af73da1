"""Plain-language diagnostics of improper or doubtful solutions, shared by the estimators.

Each check takes plain numbers (mappings, matrices) so that covariance-based SEM, PLS
path modelling and the quality helpers can all use it, and returns a list of
:class:`Diagnostic` - empty when all is well. Nothing is printed or raised: the caller
attaches the list to its result (and may warn).

Improper solutions ("Heywood cases", Heywood 1931; Kolenikov & Bollen 2012, *Sociological
Methods & Research* 41(1), 124-167): a negative error variance, a standardized loading
above 1 or an R² above 1 mean the model does not fit these data as specified (too few
indicators, an outlier, a misspecified path, or a small sample).

Language is chosen at display time: a :class:`Diagnostic` keeps its message key and
format arguments, ``d.text("zh")`` / ``d.advice_text("zh")`` render it in either
language, and ``d.message`` / ``d.advice`` hold it in its default language (the
``lang=`` of the check). Construct and item names are shown as given. The texts of
both languages are in :mod:`csi.diagnostics_messages`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from csi.diagnostics_messages import (
    _HOW,
    _TEXT,
    COVARIANCE_MATRIX,
    ITEM_CORRELATION_MATRIX,
    LATENT_COVARIANCE_MATRIX,
    SAMPLE_CORRELATION_MATRIX,
    SOME_PARAMETER,
    Phrase,
    _render,
    in_group,
)
from csi.i18n import LANGS, check_lang, text

__all__ = [
    "COVARIANCE_MATRIX",
    "ITEM_CORRELATION_MATRIX",
    "LANGS",
    "LATENT_COVARIANCE_MATRIX",
    "SAMPLE_CORRELATION_MATRIX",
    "SEVERITIES",
    "SOME_PARAMETER",
    "Diagnostic",
    "Phrase",
    "check_lang",
    "collect",
    "collinear_constructs",
    "correlations_above_one",
    "dominant_items",
    "formative_collinearity",
    "in_group",
    "inner_collinearity",
    "localize",
    "low_ave",
    "low_loadings",
    "low_reliability",
    "negative_variances",
    "not_converged",
    "not_identified",
    "not_positive_definite",
    "poor_discriminant_validity",
    "r2_out_of_range",
    "respondents_excluded",
    "standardized_loadings_above_one",
]

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a stable ``code``, ``severity`` (info|warning|error), text and advice.

    ``message`` and ``advice`` are in the default language ``lang``; :meth:`text`,
    :meth:`advice_text` and :meth:`in_lang` render another one from the kept format
    arguments ``fmt`` (a diagnostic built by hand, without ``fmt``, keeps its text).
    """

    code: str
    severity: str
    message: str
    advice: str
    fmt: tuple[tuple[str, Any], ...] | None = field(default=None, repr=False)
    lang: str = "en"

    def _texts(self, lang: str | None) -> tuple[str, str]:
        lang = self.lang if lang is None else check_lang(lang)
        if self.fmt is None or lang == self.lang or self.code not in _TEXT:
            return self.message, self.advice
        return _render(self.code, dict(self.fmt), lang)

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the diagnostic's own language)."""
        return self._texts(lang)[0]

    def advice_text(self, lang: str | None = None) -> str:
        """The advice in ``lang`` (default: the diagnostic's own language)."""
        return self._texts(lang)[1]

    def line(self, lang: str | None = None, *, advice: bool = True) -> str:
        """``[severity] message advice`` in ``lang`` (severity words translated too)."""
        lang = self.lang if lang is None else check_lang(lang)
        msg, adv = self._texts(lang)
        sev = text(f"diag.severity.{self.severity}", lang)
        out = f"[{sev}] {msg}"
        if advice and adv:
            out = text("diag.with_advice", lang, message=out, advice=adv)
        return out

    def in_lang(self, lang: str) -> Diagnostic:
        """A copy whose ``message``, ``advice`` and ``lang`` are in ``lang``."""
        lang = check_lang(lang)
        if lang == self.lang or self.fmt is None or self.code not in _TEXT:
            return self
        msg, adv = self._texts(lang)
        return replace(self, message=msg, advice=adv, lang=lang)

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message} {self.advice}"


def localize(diagnostics: Iterable[Diagnostic], lang: str) -> list[Diagnostic]:
    """``diagnostics`` rendered in ``lang`` (copies; order kept)."""
    return [d.in_lang(lang) for d in diagnostics]


def _make(code: str, severity: str, lang: str, **fmt: object) -> Diagnostic:
    lang = lang if lang in LANGS else "en"
    msg, advice = _render(code, fmt, lang)
    return Diagnostic(code, severity, msg, advice, tuple(fmt.items()), lang)


def negative_variances(
    variances: Mapping[Any, float], *, tol: float = 0.0, lang: str = "en"
) -> list[Diagnostic]:
    """Error or residual variances below ``-tol`` (Heywood cases)."""
    return [
        _make("negative_variance", "error", lang, name=name, value=float(v))
        for name, v in variances.items()
        if np.isfinite(v) and v < -tol
    ]


def standardized_loadings_above_one(
    loadings: Mapping[Any, float], *, tol: float = 1e-8, lang: str = "en"
) -> list[Diagnostic]:
    """Standardized loadings with absolute value above 1."""
    return [
        _make("loading_above_one", "error", lang, name=name, value=float(v))
        for name, v in loadings.items()
        if np.isfinite(v) and abs(v) > 1 + tol
    ]


def correlations_above_one(
    correlations: Mapping[Any, float], *, tol: float = 1e-8, lang: str = "en"
) -> list[Diagnostic]:
    """Construct correlations with absolute value above 1."""
    return [
        _make("correlation_above_one", "error", lang, name=name, value=float(v))
        for name, v in correlations.items()
        if np.isfinite(v) and abs(v) > 1 + tol
    ]


def r2_out_of_range(
    r2: Mapping[Any, float], *, tol: float = 1e-8, lang: str = "en"
) -> list[Diagnostic]:
    """R² values above 1 or below 0."""
    return [
        _make("r2_out_of_range", "error", lang, name=name, value=float(v))
        for name, v in r2.items()
        if np.isfinite(v) and (v > 1 + tol or v < -tol)
    ]


def not_positive_definite(
    matrix: np.ndarray,
    *,
    name: str | Phrase = COVARIANCE_MATRIX,
    tol: float = 0.0,
    lang: str = "en",
) -> list[Diagnostic]:
    """A symmetric matrix whose smallest eigenvalue is at or below ``tol``."""
    arr = np.asarray(matrix, dtype=float)
    if arr.size == 0:
        return []
    smallest = float(np.linalg.eigvalsh((arr + arr.T) / 2).min())
    if smallest <= tol:
        return [_make("not_positive_definite", "error", lang, name=name, value=smallest)]
    return []


def not_converged(
    converged: bool, *, iterations: int | None = None, lang: str = "en"
) -> list[Diagnostic]:
    """A diagnostic when an iterative estimator stopped before converging."""
    if converged:
        return []
    return [_make("not_converged", "error", lang, iterations=iterations)]


def respondents_excluded(
    count: int, *, how: str = "listwise", lang: str = "en", estimator: str = "sem"
) -> list[Diagnostic]:
    """An info note when respondents were left out (never dropped silently); the advice
    names the estimator's own options (PLS: mean or pairwise; CB-SEM: FIML)."""
    if count <= 0:
        return []
    key = "respondents_excluded_pls" if estimator == "pls" else "respondents_excluded"
    return [_make(key, "info", lang, count=int(count), how=_HOW.get(how, how))]


def not_identified(detail: str | Phrase, *, lang: str = "en") -> list[Diagnostic]:
    """An error when the information matrix is singular (model not identified)."""
    return [_make("not_identified", "error", lang, detail=detail)]


def collect(*groups: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Concatenate diagnostic lists, dropping exact duplicates, keeping order."""
    out: list[Diagnostic] = []
    for g in groups:
        for d in g:
            if d not in out:
                out.append(d)
    return out


_make_both = _make  # the advice may name the construct or item too


def dominant_items(
    weights: Mapping[str, Mapping[str, float]],
    *,
    loadings: Mapping[str, Mapping[str, float]] | None = None,
    share: float = 0.75,
    lang: str = "en",
) -> list[Diagnostic]:
    """Multi-item constructs whose score rests on one item.

    ``weights``: construct -> {item: weight of the item in the construct score} (PLS
    outer weights, or factor-score weights for CB-SEM). Flags a construct when one
    item's share ``|w_k| / sum |w|`` exceeds ``share``.
    """
    out = []
    for name, w in weights.items():
        if len(w) < 2:
            continue
        absw = {k: abs(float(v)) for k, v in w.items()}
        total = sum(absw.values())
        if not np.isfinite(total) or total <= 0:
            continue
        item = max(absw, key=lambda k: absw[k])
        top = absw[item] / total
        if top > share:
            lo = loadings.get(name, {}) if loadings else {}
            shown = ", ".join(f"{k} {float(v):.2f}" for k, v in lo.items()) or "n/a"
            out.append(
                _make_both(
                    "dominant_item",
                    "warning",
                    lang,
                    name=name,
                    item=item,
                    share=top,
                    loadings=shown,
                )
            )
    return out


def collinear_constructs(
    correlations: Mapping[tuple[str, str], float],
    *,
    threshold: float = 0.9,
    lang: str = "en",
) -> list[Diagnostic]:
    """Pairs of constructs whose correlation exceeds ``threshold`` in absolute value.

    Correlations beyond ±1 are left to :func:`correlations_above_one`.
    """
    return [
        _make_both(
            "collinear_constructs",
            "warning",
            lang,
            first=a,
            second=b,
            value=float(r),
            threshold=threshold,
        )
        for (a, b), r in correlations.items()
        if np.isfinite(r) and threshold < abs(r) <= 1 + 1e-8
    ]


def inner_collinearity(
    vifs: Mapping[tuple[str, str], float], *, threshold: float = 5.0, lang: str = "en"
) -> list[Diagnostic]:
    """Predictors (``(source, target)`` -> VIF) whose VIF exceeds ``threshold``."""
    return [
        _make_both(
            "inner_collinearity",
            "warning",
            lang,
            source=s,
            target=t,
            value=float(v),
            threshold=threshold,
        )
        for (s, t), v in vifs.items()
        if np.isfinite(v) and v > threshold
    ]


def formative_collinearity(
    vifs: Mapping[tuple[str, str], float], *, threshold: float = 5.0, lang: str = "en"
) -> list[Diagnostic]:
    """Items of formative constructs (``(construct, item)`` -> VIF) above ``threshold``."""
    return [
        _make_both(
            "formative_collinearity",
            "warning",
            lang,
            name=c,
            item=i,
            value=float(v),
            threshold=threshold,
        )
        for (c, i), v in vifs.items()
        if np.isfinite(v) and v > threshold
    ]


def low_reliability(
    values: Mapping[str, float],
    *,
    statistic: str,
    threshold: float = 0.7,
    maximum: float | None = None,
    lang: str = "en",
) -> list[Diagnostic]:
    """Constructs whose ``statistic`` (e.g. ``"rho_C"``) is below ``threshold``.

    With ``maximum``, values above it are reported as redundant items.
    """
    out = [
        _make_both(
            "low_reliability",
            "warning",
            lang,
            name=n,
            statistic=statistic,
            value=float(v),
            threshold=threshold,
        )
        for n, v in values.items()
        if np.isfinite(v) and v < threshold
    ]
    if maximum is not None:
        out += [
            _make_both(
                "redundant_items",
                "info",
                lang,
                name=n,
                statistic=statistic,
                value=float(v),
                threshold=maximum,
            )
            for n, v in values.items()
            if np.isfinite(v) and v > maximum
        ]
    return out


def low_ave(
    values: Mapping[str, float], *, threshold: float = 0.5, lang: str = "en"
) -> list[Diagnostic]:
    """Constructs whose average variance extracted is below ``threshold``."""
    return [
        _make_both("low_ave", "warning", lang, name=n, value=float(v), threshold=threshold)
        for n, v in values.items()
        if np.isfinite(v) and v < threshold
    ]


def low_loadings(
    loadings: Mapping[tuple[str, str], float], *, threshold: float = 0.708, lang: str = "en"
) -> list[Diagnostic]:
    """Reflective items (``(construct, item)`` -> loading) loading below ``threshold``."""
    return [
        _make_both("low_loading", "info", lang, name=c, item=i, value=float(v), threshold=threshold)
        for (c, i), v in loadings.items()
        if np.isfinite(v) and v < threshold
    ]


def poor_model_fit(srmr: float, *, threshold: float = 0.08, lang: str = "en") -> list[Diagnostic]:
    """The estimated model's SRMR above ``threshold`` (Henseler et al. 2014)."""
    if not np.isfinite(srmr) or srmr <= threshold:
        return []
    return [_make("poor_model_fit", "warning", lang, value=float(srmr), threshold=threshold)]


def poor_discriminant_validity(
    values: Mapping[tuple[str, str], float],
    *,
    statistic: str = "HTMT",
    threshold: float = 0.85,
    lang: str = "en",
) -> list[Diagnostic]:
    """Construct pairs whose HTMT (or another ratio) exceeds ``threshold``."""
    return [
        _make_both(
            "discriminant_validity",
            "warning",
            lang,
            first=a,
            second=b,
            statistic=statistic,
            value=float(v),
            threshold=threshold,
        )
        for (a, b), v in values.items()
        if np.isfinite(v) and v > threshold
    ]
