"""The result of a PLS bootstrap: :class:`BootstrapResult` (tables, intervals, display).

Made by :func:`csi.pls.bootstrap.bootstrap` (the rules of the run are described there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError, check_choice, check_level
from csi.display import Summary
from csi.i18n import check_lang, phrases
from csi.pls import intervals as _iv
from csi.pls.batched import REASONS
from csi.pls.intervals import _REPLICATE_CI, _intervals, _t_intervals
from csi.pls.statistics import LABEL_COLUMNS

__all__ = ["TABLE_COLUMNS", "BootstrapResult"]

#: Columns of :attr:`BootstrapResult.table`, in order.
TABLE_COLUMNS = (
    *LABEL_COLUMNS,
    "estimate",
    "boot_mean",
    "se",
    "t",
    "pvalue",
    "ci_lower",
    "ci_upper",
    "interval",
)


@dataclass(frozen=True, repr=False)
class BootstrapResult:
    """Bootstrap inference for a PLS model (see :func:`bootstrap`).

    Attributes
    ----------
    table:
        One row per statistic, columns :data:`TABLE_COLUMNS`: ``kind`` and the label
        columns ``source, target`` (paths, effects), ``construct, indicator``
        (weights, loadings), ``construct`` (R², index), ``segment`` (segment index;
        ``"a - b"`` for an index difference), ``route`` (specific indirect effects,
        e.g. ``"Image -> Expectation -> Satisfaction"``); unused labels are ``""``.
        Then ``estimate, boot_mean, se, t, pvalue, ci_lower, ci_upper`` and
        ``interval`` (the interval method used for the row).
    n_resamples:
        Resamples drawn; ``n_failed`` of them failed (listed in ``failures`` with
        columns ``resample, reason, detail``; counted per reason in
        :attr:`failure_counts`) and are left out of every summary: every row of
        ``table`` uses the same ``n_valid`` draws.
    sign_flips:
        Per construct, in how many resamples its sign was corrected.
    n_inadmissible:
        PLSc only, ``inadmissible="keep"``: valid resamples with a reliability above 1
        or a construct correlation beyond ±1 (kept, as in the full-sample fit; with
        ``"drop"`` they are failures instead and this is 0).
    level, ci, seed, n_respondents, scheme, consistent:
        The settings used (``seed`` is the entropy drawn when none was given).
    weight_kind:
        ``None`` for an unweighted fit, else ``"sampling"`` or ``"frequency"``
        (module docstring: the weighted bootstrap).
    resampling, design, df:
        ``"respondents"`` (case resampling, naive when weighted), ``"rao-wu"`` (PSUs
        within strata) or ``"replicates"`` (the survey's replicate weights);
        ``design`` describes the design used (``None`` for respondents) and ``df``
        the degrees of freedom of ``t`` and ``pvalue``.
    draws:
        With ``keep_draws=True``: resamples x statistics (column ``k`` is row ``k`` of
        ``table``; failed resamples are NaN rows); else ``None``.
    """

    table: pd.DataFrame
    n_resamples: int
    n_failed: int
    failures: pd.DataFrame
    sign_flips: pd.Series
    n_inadmissible: int
    level: float
    ci: str
    seed: Any
    n_respondents: int
    scheme: str
    consistent: bool
    deviations: np.ndarray | None = field(default=None, repr=False)
    weight_kind: str | None = None
    pivots: np.ndarray | None = field(default=None, repr=False)
    pivot_cols: np.ndarray | None = field(default=None, repr=False)
    se_hat: np.ndarray | None = field(default=None, repr=False)
    acceleration: np.ndarray | None = field(default=None, repr=False)
    resampling: str = "respondents"
    design: str | None = None
    df: float | None = None

    @property
    def draws(self) -> pd.DataFrame | None:
        """Every draw (``keep_draws=True``): estimate + stored float32 deviation."""
        if self.deviations is None:
            return None
        est = self.table["estimate"].to_numpy(dtype=float)
        return pd.DataFrame(
            self.deviations.astype(float) + est,
            index=pd.RangeIndex(len(self.deviations), name="resample"),
        )

    @property
    def n_valid(self) -> int:
        """Resamples used in the summaries (``n_resamples - n_failed``)."""
        return self.n_resamples - self.n_failed

    @property
    def failure_counts(self) -> pd.Series:
        """Failed resamples per reason (every reason of :data:`csi.pls.batched.REASONS`)."""
        counts = self.failures["reason"].value_counts()
        return pd.Series(
            [int(counts.get(r, 0)) for r in REASONS[1:]],
            index=pd.Index(list(REASONS[1:]), name="reason"),
            name="n_failed",
            dtype="int64",
        )

    def to_frame(self) -> pd.DataFrame:
        """The tidy long table (a copy of :attr:`table`)."""
        return self.table.copy()

    def select(self, kind: str) -> pd.DataFrame:
        """The rows of one kind (e.g. ``"path"``), without the unused label columns."""
        check_choice(kind, list(dict.fromkeys(self.table["kind"])), name="kind")
        rows = self.table[self.table["kind"] == kind].reset_index(drop=True)
        unused = [c for c in LABEL_COLUMNS[1:] if (rows[c] == "").all()]
        return rows.drop(columns=["kind", *unused])

    def intervals(self, *, level: float | None = None, ci: str | None = None) -> pd.DataFrame:
        """Recompute the table's intervals at another ``level`` or method (needs kept draws).

        BCa needs the jackknife acceleration, computed only when the bootstrap was run
        with ``ci="bca"``.
        """
        if self.deviations is None:
            raise CsiInputError("intervals() needs the draws: run bootstrap(..., keep_draws=True)")
        level = self.level if level is None else check_level(level)
        method = self.ci if ci is None else check_choice(ci, _iv.METHODS, name="ci")
        if method == "bca" and self.acceleration is None:
            raise CsiInputError("BCa intervals need the jackknife: run bootstrap(..., ci='bca')")
        dev = self.deviations
        out = self.table.copy()
        if self.resampling == "replicates":
            if method != "percentile":
                raise CsiInputError(_REPLICATE_CI)
            assert self.df is not None
            lo, hi = _t_intervals(
                out["estimate"].to_numpy(float), out["se"].to_numpy(float), self.df, level
            )
            out["ci_lower"], out["ci_upper"] = lo, hi
            return out
        valid = ~np.isnan(dev).all(axis=1)
        lower, upper, used = _intervals(
            dev[valid],
            None if self.pivots is None else self.pivots[valid],
            self.pivot_cols,
            self.table["estimate"].to_numpy(dtype=float),
            self.se_hat,
            self.acceleration,
            method,
            level,
        )
        out["ci_lower"], out["ci_upper"], out["interval"] = lower, upper, used
        return out

    # -------------------------------------------------------------- display
    def _header(self, lang: str) -> list[str]:
        lab = phrases("boot", lang)
        flips = int(self.sign_flips.sum())
        lines = [
            f"{lab['title']}: {lab['resamples']} {self.n_resamples}, {lab['failed']} "
            f"{self.n_failed}; {lab['respondents']} {self.n_respondents}; "
            f"{lab['seed']} {self.seed}",
            f"{lab['interval']}: {self.ci}, {self.level:.0%}; {lab['flips']}: {flips}",
        ]
        if self.n_failed:
            counts = self.failure_counts
            lines.append(
                f"{lab['reasons']}: " + ", ".join(f"{r} {int(c)}" for r, c in counts.items() if c)
            )
        if self.design is not None:
            kind = (
                lab["kind_none"]
                if self.weight_kind is None
                else lab["kind_w"].format(kind=self.weight_kind)
            )
            lines.append(lab["design"].format(kind=kind, text=self.design))
        elif self.weight_kind is not None:
            lines.append(lab["weighted"].format(kind=self.weight_kind))
        if self.n_inadmissible:
            lines.append(f"{lab['inadmissible']}: {self.n_inadmissible}")
        return lines

    def summary(
        self,
        lang: str = "en",
        digits: int = 3,
        kinds: Sequence[str] | None = None,
    ) -> Summary:
        """A text table per kind: parameter, estimate, SE, t, p and the interval."""
        lab = phrases("boot", check_lang(lang))
        titles = phrases("boot.kinds", lang)
        head = self._header(lang)
        lines = list(head)
        tables: dict[str, pd.DataFrame] = {}
        present = list(dict.fromkeys(self.table["kind"]))
        for kind in kinds if kinds is not None else present:
            check_choice(kind, present, name="kind")
            rows = self.table[self.table["kind"] == kind]
            frame = pd.DataFrame(
                {
                    lab["parameter"]: [_describe(r) for r in rows.itertuples(index=False)],
                    lab["estimate"]: rows["estimate"].round(digits),
                    lab["se"]: rows["se"].round(digits),
                    lab["t"]: rows["t"].round(2),
                    lab["p"]: rows["pvalue"].round(digits),
                    lab["ci"]: [
                        f"[{lo:.{digits}f}, {hi:.{digits}f}]"
                        for lo, hi in zip(rows["ci_lower"], rows["ci_upper"], strict=True)
                    ],
                }
            )
            title = titles.get(kind, kind)
            lines += ["", title, frame.to_string(index=False)]
            tables[title] = frame
        return Summary("\n".join(lines), title=head[0], notes=head[1:], tables=tables, lang=lang)

    def __repr__(self) -> str:
        return (
            f"BootstrapResult(n_resamples={self.n_resamples}, n_failed={self.n_failed}, "
            f"ci={self.ci!r}, level={self.level}, statistics={len(self.table)})"
        )

    def _repr_html_(self) -> str:
        return self.summary().html


def _describe(row: Any) -> str:
    if row.route:
        return str(row.route)
    if row.source:
        return f"{row.source} -> {row.target}"
    if row.indicator:
        return f"{row.construct} -> {row.indicator}"
    if row.segment:
        return f"{row.construct} [{row.segment}]"
    return str(row.construct)
