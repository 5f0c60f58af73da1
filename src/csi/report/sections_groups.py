"""The appendix's multi-group results: MICOM, then PLS-MGA, between the segments of the
report's first segment column.

For every pair of groups large enough to compare:

1. MICOM (:func:`csi.pls.micom.micom`; Henseler, Ringle & Sarstedt 2016): are the
   composites the same in both groups (compositional invariance), and are their means
   and variances equal? Each construct gets full, partial or no invariance.
2. PLS-MGA (:meth:`csi.pls.PLSResult.compare_groups`, permutation test; Chin &
   Dibbern 2010): each group's own path coefficients, their difference and its
   permutation p-value - only for paths whose two constructs have at least partial
   invariance (comparing paths of composites that mean different things in the two
   groups is not meaningful; Henseler et al. 2016).

Groups: a segment the report suppresses (fewer than ``min_size`` respondents, and
those hidden with it by complementary suppression, :func:`csi.disclosure.complementary`)
is never compared, and neither is a group with fewer than :data:`MIN_GROUP` respondents;
at most :data:`MAX_GROUPS` groups (the largest) are compared, every pair of them.
Nothing is estimated here: the tables are the library's results laid out.

Cost: both tests refit the model on every permutation, so their work grows with the
group sizes. A group larger than :data:`MAX_GROUP_SAMPLE` respondents is compared on a
simple random sample of that many of its respondents (seeded by the report's seed), the
model refitted on the pair's samples with the fit's settings; the note says so, and the
tables state the n used. Everything outside this appendix table uses every respondent.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Hashable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.disclosure import complementary
from csi.pls.fit import fit_pls
from csi.pls.micom import micom
from csi.report.context import Context, one_line
from csi.report.document import Block, Report, Table, Text
from csi.report.labels import header, text

log = logging.getLogger(__name__)

#: Fewest respondents a group needs to be compared (besides the report's ``min_size``).
MIN_GROUP = 30
#: Most groups compared (the largest; every pair of them: at most 6 pairs).
MAX_GROUPS = 4
#: Most permutations per comparison (the report's bootstrap count when smaller; MICOM
#: and MGA each refit both groups on every permutation, for every pair).
MAX_PERMUTATIONS = 500
#: Most respondents per group in MICOM and MGA (a larger group is randomly sampled down).
MAX_GROUP_SAMPLE = 3000

#: Appendix keys of the tables of this module, in appendix order.
GROUP_TABLES = ("micom", "mga_paths")


def comparable_groups(ctx: Context) -> tuple[list[Any], int]:
    """The groups of ``ctx.segment`` to compare (at most :data:`MAX_GROUPS`, largest
    first, then in sorted order) and how many other groups are left out.

    A group's size is the smaller of its respondents read (the report's segment-size
    table) and its respondents in the model (the per-segment index tables); suppressed
    segments (primary and complementary, :func:`csi.disclosure.complementary`) are left out.
    """
    assert ctx.segment is not None
    column = ctx.survey.all_responses()[ctx.segment]
    counts = column.value_counts(dropna=False, sort=False)
    scores = getattr(ctx.result, "scores", None)
    if scores is not None:
        used = column.loc[scores.index].value_counts(dropna=False)
        counts = pd.Series([min(v, used.get(k, 0)) for k, v in counts.items()], counts.index)
    sizes: dict[Hashable, float] = {str(k): float(v) for k, v in counts.items()}
    primary = {k for k, v in sizes.items() if v < ctx.min_size}
    hidden = complementary(sizes, primary, ctx.min_size)
    value_of = {str(k): k for k in counts.index}
    eligible = [
        str(k)
        for k, v in sizes.items()
        if k not in hidden and v >= max(MIN_GROUP, ctx.min_size) and not pd.isna(value_of[str(k)])
    ]
    eligible.sort(key=lambda k: (-sizes[k], k))
    chosen = sorted(eligible[:MAX_GROUPS])
    return [value_of[k] for k in chosen], len(sizes) - len(chosen)


def add_group_comparison(ctx: Context) -> None:
    """Put MICOM and MGA between the groups of ``ctx.segment`` in the appendix (a note
    saying why when they cannot be run; nothing without a segment)."""
    if ctx.segment is None:
        return
    reason = _cannot_compare(ctx)
    groups, left_out = ([], 0) if reason else comparable_groups(ctx)
    if not reason and len(groups) < 2:
        reason = ctx.t("mga_too_few", min_size=max(MIN_GROUP, ctx.min_size))
    if reason:
        ctx.to_appendix(
            "mga_paths", Text(ctx.t("mga_unavailable", segment=ctx.segment, reason=reason), True)
        )
        return
    n_perm = min(ctx.n_boot, MAX_PERMUTATIONS)
    micom_parts: list[pd.DataFrame] = []
    mga_parts: list[pd.DataFrame] = []
    notes: list[str] = []
    micom_reason = ""
    sampled = False
    for a, b in itertools.combinations(groups, 2):
        keep: set[str] | None = None
        try:
            fitted, was_sampled = _pair_fit(ctx, a, b)
        except Exception as exc:
            log.warning("MGA of %s vs %s left out: %s", a, b, exc)
            notes.append(ctx.t("mga_pair_failed", a=a, b=b, reason=one_line(exc)))
            continue
        sampled = sampled or was_sampled
        if not micom_reason:
            try:
                check = _micom(ctx, fitted, a, b, n_perm)
            except Exception as exc:  # MGA still runs, on every construct, and says so
                log.warning("MICOM left out of the appendix: %s", exc)
                micom_reason = one_line(exc)
            else:
                micom_parts.append(check[0])
                keep = check[1]
        try:
            mga_parts.append(_mga(ctx, fitted, a, b, n_perm, keep))
        except Exception as exc:
            log.warning("MGA of %s vs %s left out: %s", a, b, exc)
            notes.append(ctx.t("mga_pair_failed", a=a, b=b, reason=one_line(exc)))
    if sampled:
        notes.append(ctx.t("mga_sampled", cap=MAX_GROUP_SAMPLE, seed=ctx.seed))
    _lay_out(ctx, micom_parts, mga_parts, notes, micom_reason, n_perm, left_out)


def _cannot_compare(ctx: Context) -> str:
    """Why the groups cannot be compared ("" when they can)."""
    if ctx.n_boot == 0:
        return ctx.t("mga_no_resamples")
    if getattr(ctx.result, "weighted", False):
        return ctx.t("mga_weighted")
    if ctx.spec.interactions:
        return ctx.t("mga_interaction")
    if not callable(getattr(ctx.result, "compare_groups", None)):
        return ctx.t("mga_no_method")
    return ""


def _pair_fit(ctx: Context, a: Any, b: Any) -> tuple[Any, bool]:
    """The fit to compare groups ``a`` and ``b`` on: the report's own fit when neither
    group has more than :data:`MAX_GROUP_SAMPLE` respondents, otherwise the model refitted
    (same settings) on a seeded random sample of that many respondents of each larger
    group (and every respondent of a smaller one). Second value: whether it sampled."""
    result = ctx.result
    data = result.source_data
    if data is None:  # a fit from moments: no respondents to split
        raise CsiInputError("the fit keeps no respondent data to compare groups on")
    labels = data[ctx.segment].astype(str)
    counts = labels.value_counts()
    if max(int(counts.get(str(a), 0)), int(counts.get(str(b), 0))) <= MAX_GROUP_SAMPLE:
        return result, False
    rng = np.random.default_rng(ctx.seed)
    chosen = []
    for g in (a, b):
        positions = np.flatnonzero((labels == str(g)).to_numpy())
        if positions.size > MAX_GROUP_SAMPLE:
            positions = np.sort(rng.choice(positions, MAX_GROUP_SAMPLE, replace=False))
        chosen.append(positions)
    sample = data.iloc[np.concatenate(chosen)]
    refit = fit_pls(
        sample,
        result.spec,
        scheme=result.scheme,
        tol=result.tol,
        max_iter=result.max_iter,
        consistent=result.consistent,
        scale=result.scale,
        missing=result.missing,
        sign=result.sign,
    )
    return refit, True


def _micom(ctx: Context, fitted: Any, a: Any, b: Any, n_perm: int) -> tuple[pd.DataFrame, set[str]]:
    """MICOM of groups ``a`` and ``b``: its table (with each construct's verdict) and
    the constructs with at least partial invariance."""
    res = micom(fitted, group=ctx.segment, groups=(a, b), permutations=n_perm, seed=ctx.seed)
    table = res.table.merge(res.verdict.loc[:, ["construct", "invariance"]], on="construct")
    keep = {
        str(c)
        for c, v in zip(res.verdict["construct"], res.verdict["invariance"], strict=True)
        if v in ("full", "partial")
    }
    frame = table.loc[
        :,
        ["construct", "step", "statistic", "lower", "upper", "pvalue", "invariant", "invariance"],
    ].copy()
    frame.insert(0, "group_a", str(a))
    frame.insert(1, "group_b", str(b))
    frame.insert(2, "n_a", int(res.n_a))
    frame.insert(3, "n_b", int(res.n_b))
    return frame, keep


def _mga(
    ctx: Context, fitted: Any, a: Any, b: Any, n_perm: int, keep: set[str] | None
) -> pd.DataFrame:
    """Permutation MGA of the paths of groups ``a`` and ``b`` (only paths between
    constructs in ``keep`` when MICOM ran)."""
    res = fitted.compare_groups(ctx.segment, groups=(a, b), n=n_perm, seed=ctx.seed, progress=False)
    rows = res.select("path")
    if keep is not None:
        rows = rows[rows["source"].isin(keep) & rows["target"].isin(keep)]
    frame = rows.loc[
        :, ["source", "target", "estimate_a", "estimate_b", "difference", "pvalue"]
    ].copy()
    frame.insert(0, "group_a", str(a))
    frame.insert(1, "group_b", str(b))
    frame.insert(2, "n_a", int(res.n_a))
    frame.insert(3, "n_b", int(res.n_b))
    return frame


def _lay_out(
    ctx: Context,
    micom_parts: list[pd.DataFrame],
    mga_parts: list[pd.DataFrame],
    notes: list[str],
    micom_reason: str,
    n_perm: int,
    left_out: int,
) -> None:
    """The MICOM and MGA tables (constructs and steps in the report language)."""
    about = ctx.t(
        "mga_groups",
        segment=ctx.segment,
        k=left_out,
        min_size=ctx.min_size,
        min_group=max(MIN_GROUP, ctx.min_size),
        most=MAX_GROUPS,
    )
    perm = ctx.t("mga_permutations", n=n_perm, seed=ctx.seed)
    blocks: list[Block] = []
    if micom_parts:
        frame = pd.concat(micom_parts, ignore_index=True)
        frame["construct"] = ctx.names(frame["construct"])
        frame["step"] = [ctx.t(f"micom_{s}") for s in frame["step"]]
        frame["invariant"] = ctx.yes_no(frame["invariant"])
        frame["invariance"] = [ctx.t(f"invariance_{v}") for v in frame["invariance"]]
        note = f"{ctx.t('micom_note')} {perm} {about}"
        ctx.to_appendix(
            "micom",
            ctx.table("micom", ctx.t("t_micom", segment=ctx.segment), frame, note=note),
        )
        mga_note = ctx.t("mga_note_micom")
    else:
        reason = micom_reason or ctx.t("no_micom")
        mga_note = ctx.t("mga_note_no_micom", reason=reason)
    if mga_parts:
        frame = pd.concat(mga_parts, ignore_index=True)
        frame["source"] = ctx.names(frame["source"])
        frame["target"] = ctx.names(frame["target"])
        note = f"{ctx.t('mga_note')} {mga_note} {perm} {about}"
        blocks.append(
            ctx.table("mga_paths", ctx.t("t_mga_paths", segment=ctx.segment), frame, note=note)
        )
    blocks += [Text(n, note=True) for n in notes]
    if blocks:
        ctx.to_appendix("mga_paths", *blocks)


def without_groups(report: Report, hidden: set[str]) -> Report:
    """``report`` without the MICOM and MGA rows of a group in ``hidden``.

    The groups compared leave out the segments suppressed by size and complementary
    suppression (:func:`comparable_groups`); the finished report may hide more (the
    differencing attack of :func:`csi.disclosure.protect_report` runs on the whole
    report). Called on the finished report with the segments it hides, this removes
    the comparisons of those too, and says so in the table's note.
    """
    if not hidden:
        return report
    cols = [header("group_a", report.lang), header("group_b", report.lang)]
    sections = []
    for sec in report.sections:
        blocks: list[Block] = []
        for b in sec.blocks:
            if isinstance(b, Table) and b.key in GROUP_TABLES and set(cols) <= set(b.frame):
                shown = b.frame[cols].astype(str)
                keep = ~shown.isin(sorted(hidden)).any(axis=1).to_numpy()
                if not keep.all():
                    frame = b.frame.loc[keep].reset_index(drop=True)
                    note = f"{b.note} {text('mga_hidden', report.lang)}".strip()
                    b = replace(b, frame=frame, note=note)
            blocks.append(b)
        sections.append(replace(sec, blocks=tuple(blocks)))
    return replace(report, sections=tuple(sections))
