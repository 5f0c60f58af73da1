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
from csi.report.labels import check_lang, text
from csi.report.model import _aliases, _norm, load_model
from csi.report.privacy import PrivacyGuard, check_not_private
from csi.report.sections import (
    Context,
    fuzzy_section,
    impacts_section,
    index_section,
    levels_section,
    metrics_section,
    model_section,
    paths_section,
    quality_section,
    summary_section,
    system_section,
)
from csi.spec import ModelSpec

log = logging.getLogger(__name__)

#: Section keys, in report order.
SECTIONS = (
    "summary",
    "model",
    "quality",
    "paths",
    "index",
    "impacts",
    "system",
    "levels",
    "fuzzy",
    "metrics",
)


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
        Resamples for the confidence intervals (0 = none) when the PLS result offers
        ``bootstrap()``.
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
        fuzzy=bool(fuzzy) if fuzzy is not None else system is not None,
        system=system,
        progress=say,
    )
    if bootstrap:
        if callable(getattr(result, "bootstrap", None)):
            say(f"bootstrap ({bootstrap} resamples)")
        try:
            ctx.boot = adapters.bootstrap(result, n=bootstrap, seed=seed)
        except Unavailable as exc:
            ctx.boot_reason = text(str(exc), lang)
    else:
        ctx.boot_reason = "bootstrap = 0"

    builders: dict[str, Callable[[Context], Section]] = {
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
    }
    if figures and lang == "zh":
        _check_cjk_font(ctx)
    sections = []
    for key in SECTIONS:
        say(f"section: {text(key, 'en').lower()}")
        sections.append(builders[key](ctx))
    from csi import __version__

    report = Report(
        title=title or text("report_title", lang),
        lang=lang,
        sections=tuple(sections),
        subtitle=text("generated", lang, version=__version__, source=Path(survey.source).name),
        guard=guard,
    )
    return guard.clean_report(report)


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
