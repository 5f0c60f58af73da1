"""Run the whole analysis of a survey and collect the results into a :class:`Report`.

:func:`run_analysis` calls the library (fit_pls, its index, impacts and IPMA,
the seven-level scale, NPS/CSAT, fuzzy evaluation, and - where installed -
quality, bootstrap, CB-SEM and indicator systems); it never reads or writes
files itself (except an indicator-system YAML path, read by the library), and
never prints: progress goes to the optional ``progress`` callback.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from csi._checks import CsiInputError
from csi.report import adapters
from csi.report.adapters import Unavailable
from csi.report.document import Report, Section
from csi.report.glance import glance_section
from csi.report.labels import check_lang, text
from csi.report.model import _aliases, _norm, load_model
from csi.report.privacy import PrivacyGuard, check_not_private
from csi.report.sections import (
    Context,
    appendix_section,
    fuzzy_section,
    impacts_section,
    index_section,
    levels_section,
    metrics_section,
    model_section,
    one_line,
    paths_section,
    quality_section,
    summary_section,
    system_section,
)
from csi.spec import ModelSpec

log = logging.getLogger(__name__)

#: Section keys, in report order: the summary a manager reads first, the results, how
#: they were obtained (model, reliability and validity, path model), and an appendix
#: with the technical tables.
SECTIONS = (
    "glance",
    "summary",
    "index",
    "impacts",
    "levels",
    "metrics",
    "system",
    "fuzzy",
    "model",
    "quality",
    "paths",
    "appendix",
)
#: The order the sections are built in: the summary reads the others' results, and the
#: appendix collects the tables they move there.
BUILD_ORDER = (*[k for k in SECTIONS if k not in ("glance", "appendix")], "glance", "appendix")


def _quiet(_: str) -> None:
    return None


def find_target(spec: ModelSpec, codebook: Any) -> str:
    """The satisfaction construct: named or labelled like it, else the endogenous
    construct with the most predecessors."""
    aliases = _aliases()
    labels = {c: (en, zh) for c, en, zh in codebook.construct_labels}
    for c in spec.constructs:
        for name in (c, *labels.get(c, ("", ""))):
            if name and aliases.get(_norm(name)) == "satisfaction":
                return c
    endo = [c for c in spec.topological_order() if spec.predecessors(c)]
    if not endo:
        raise CsiInputError("the model has no endogenous construct (no structural paths)")
    return max(endo, key=lambda c: len(spec.predecessors(c)))


def _constructs_with_role(spec: ModelSpec, codebook: Any, role: str) -> list[str]:
    """Constructs of ``spec`` named or labelled like the preset ``role`` (e.g. expectation)."""
    aliases = _aliases()
    labels = {c: (en, zh) for c, en, zh in codebook.construct_labels}
    return [
        c
        for c in spec.constructs
        if any(name and aliases.get(_norm(name)) == role for name in (c, *labels.get(c, ("", ""))))
    ]


def run_analysis(
    survey: Any,
    model: str | Path | ModelSpec | None = None,
    *,
    system: Any = None,
    segment: str | None = None,
    lang: str = "en",
    min_segment_size: int = 30,
    scheme: str = "path",
    target: str | None = None,
    recommend: str | None = "recommend",
    csat: str | None = None,
    csat_top: int = 2,
    bootstrap: int = 1000,
    seed: int = 1,
    bootstrap_progress: bool | None = False,
    thresholds: Any = None,
    fuzzy: bool | None = None,
    sem: bool = True,
    figures: bool = True,
    roles: Mapping[str, str] | None = None,
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Fit the CSI model to a cleaned survey and lay out every result as a :class:`Report`.

    Parameters
    ----------
    survey:
        A :class:`csi.survey.Survey` (from :func:`csi.survey.read_survey`).
    model:
        ``"acsi"``, ``"ecsi"``, ``None`` (``"auto"``: ECSI when the codebook has an
        image construct, else ACSI; constructs are matched to roles as described in
        :mod:`csi.report.model`), lavaan text, a lavaan file path, or a ModelSpec.
    system:
        Indicator system (YAML path or object) for the weights-and-scores section.
    segment:
        Segment column (e.g. ``"region"``); per-segment tables mark segments with fewer
        than ``min_segment_size`` respondents (default 30) as suppressed.
    lang:
        ``"en"`` or ``"zh"`` for every title, header and label.
    target:
        Construct read on the seven levels and mapped by the IPMA (default: the
        satisfaction construct).
    recommend, csat, csat_top:
        Column of the 0-10 recommendation question for NPS (default ``"recommend"``;
        skipped with a note if absent), and the rating used for CSAT (default: the
        first item of the target construct) with its number of top boxes (default 2).
    bootstrap, seed:
        Bootstrap resamples (default 1000; 0 = none) for the standard errors, p-values
        and 95% percentile intervals of the paths, the HTMT and the index per construct
        and per segment (one run of :meth:`csi.pls.PLSResult.bootstrap` with
        ``segment=``), and its seed (default 1: fixed, so the report is reproducible).
    bootstrap_progress:
        Progress bar of the bootstrap: ``False`` (default), ``True``, or ``None`` for
        a bar only on a terminal.
    thresholds:
        Rules of thumb of the reliability and validity section
        (:class:`csi.quality.Thresholds` or a dict of changes, e.g. ``{"htmt": 0.9}``).
    fuzzy:
        Fuzzy comprehensive evaluation of the target construct (default: only when an
        indicator system is given).
    sem:
        Also fit the model by covariance-based SEM (``csi.sem.fit_sem``) for its fit indices.
    figures:
        Draw the figures (``csi.plots``).
    progress:
        Called with a short message before each long step (the CLI prints it to stderr).
    """
    from csi.pls import fit_pls
    from csi.survey import Survey

    if not isinstance(survey, Survey):
        raise TypeError(
            f"survey must be a csi Survey (from read_survey), got {type(survey).__name__}"
        )
    lang = check_lang(lang)
    if isinstance(min_segment_size, bool) or not isinstance(min_segment_size, int):
        raise CsiInputError(f"min_segment_size must be a whole number, got {min_segment_size!r}")
    if min_segment_size < 1:
        raise CsiInputError(f"min_segment_size must be at least 1, got {min_segment_size}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise CsiInputError(f"bootstrap must be a whole number >= 0, got {bootstrap!r}")
    if bootstrap == 1:
        raise CsiInputError("bootstrap must be 0 (no bootstrap) or at least 2 resamples, got 1")
    if thresholds is not None:
        from csi.quality.thresholds import as_thresholds

        thresholds = as_thresholds(thresholds)
    say = progress or _quiet
    guard = PrivacyGuard.from_survey(survey)
    check_not_private(segment, guard, what="segment column")
    check_not_private(recommend, guard, what="recommend column")
    check_not_private(csat, guard, what="CSAT column")
    if segment is not None and segment not in survey.data.columns:
        raise CsiInputError(
            f"segment column {segment!r} not found in the survey; columns: "
            f"{list(guard_public(survey))}"
        )

    spec = load_model(model, survey.codebook, roles=roles)
    spec.check_data(survey.data.columns, name="the survey")
    if target is None:
        target = find_target(spec, survey.codebook)
    elif target not in spec.constructs:
        raise CsiInputError(
            f"target {target!r} is not a construct of the model {list(spec.constructs)}"
        )
    csat_column = csat if csat is not None else spec.indicators[target][0]
    if csat_column not in survey.data.columns:
        raise CsiInputError(f"CSAT column {csat_column!r} not found in the survey")

    say(f"fitting the PLS path model ({len(spec.constructs)} constructs, n = {survey.n})")
    result = fit_pls(survey.public_data(), spec, scheme=scheme, scale=survey.codebook)

    ctx = Context(
        survey=survey,
        spec=spec,
        result=result,
        lang=lang,
        min_size=min_segment_size,
        segment=segment,
        period=survey.period if survey.period != segment else None,
        target=target,
        scheme=scheme,
        figures=figures,
        sem=sem,
        recommend=recommend,
        csat_column=csat_column,
        csat_top=csat_top,
        n_boot=bootstrap,
        seed=seed,
        thresholds=thresholds,
        fuzzy=bool(fuzzy) if fuzzy is not None else system is not None,
        system=system,
        progress=say,
        not_actionable=tuple(
            c for c in _constructs_with_role(spec, survey.codebook, "expectation") if c != target
        ),
    )
    if bootstrap:
        _run_bootstrap(ctx, bootstrap_progress)
    else:
        ctx.boot_reason = text("bootstrap_off", lang)
    if sem:
        _run_sem(ctx)

    builders: dict[str, Callable[[Context], Section]] = {
        "glance": glance_section,
        "summary": summary_section,
        "model": model_section,
        "quality": quality_section,
        "paths": paths_section,
        "index": index_section,
        "impacts": impacts_section,
        "system": system_section,
        "levels": levels_section,
        "fuzzy": fuzzy_section,
        "metrics": metrics_section,
        "appendix": appendix_section,
    }
    if figures and lang == "zh":
        _check_cjk_font(ctx)
    built: dict[str, Section] = {}
    for key in BUILD_ORDER:
        say(f"section: {text(key, 'en').lower()}")
        built[key] = builders[key](ctx)
    sections = [built[key] for key in SECTIONS]
    from csi import __version__

    report = Report(
        title=title or text("report_title", lang),
        lang=lang,
        sections=tuple(sections),
        subtitle=text("generated", lang, version=__version__, source=Path(survey.source).name),
        guard=guard,
    )
    return guard.clean_report(report)


def _run_bootstrap(ctx: Context, progress: bool | None) -> None:
    """One bootstrap run (by segment when one is given) onto ``ctx.boot``, or the reason."""
    say = ctx.progress
    if callable(getattr(ctx.result, "bootstrap", None)):
        by = f" by {ctx.segment}" if ctx.segment else ""
        say(f"bootstrap ({ctx.n_boot} resamples{by})")
    try:
        ctx.boot = adapters.bootstrap(
            ctx.result, n=ctx.n_boot, seed=ctx.seed, segment=ctx.segment, progress=progress
        )
        return
    except Unavailable as exc:
        ctx.boot_reason = text(str(exc), ctx.lang)
        return
    except CsiInputError as exc:
        if ctx.segment is None:
            log.warning("bootstrap failed: %s", exc)
            ctx.boot_reason = text("bootstrap_error", ctx.lang, error=one_line(exc))
            return
        # e.g. a segment with one value only: keep the overall intervals
        log.warning("bootstrap by %s failed: %s", ctx.segment, exc)
        ctx.notes_index.append(
            text("bootstrap_no_segment", ctx.lang, segment=ctx.segment, error=one_line(exc))
        )
    try:
        ctx.boot = adapters.bootstrap(
            ctx.result, n=ctx.n_boot, seed=ctx.seed, segment=None, progress=progress
        )
    except CsiInputError as exc:
        log.warning("bootstrap failed: %s", exc)
        ctx.boot_reason = text("bootstrap_error", ctx.lang, error=one_line(exc))


def _run_sem(ctx: Context) -> None:
    """The CB-SEM fit onto ``ctx.sem_result``, or the reason it is not there."""
    ctx.progress("fitting the covariance-based SEM")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ctx.sem_result = adapters.fit_sem(ctx.survey.data, ctx.spec)
    except Unavailable as exc:
        ctx.sem_reason = text(str(exc), ctx.lang)
    except Exception as exc:  # CB-SEM may fail where PLS works (e.g. a singular matrix)
        log.warning("CB-SEM fit failed: %s", exc)
        ctx.sem_reason = text("sem_failed", ctx.lang, error=one_line(exc))


def _check_cjk_font(ctx: Context) -> None:
    """Warn once (and note in the report) when figures cannot show Chinese labels."""
    from csi.plots.fonts import MissingCJKFontWarning, find_cjk_font

    if find_cjk_font() is None:
        msg = text("no_cjk_font", "en")
        warnings.warn(msg, MissingCJKFontWarning, stacklevel=3)
        ctx.notes.append(text("no_cjk_font", ctx.lang))


def guard_public(survey: Any) -> list[str]:
    """The survey's columns without the id and personal ones (for error messages)."""
    return list(survey.codebook.public_columns(survey.data.columns))
