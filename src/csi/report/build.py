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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from csi import __version__
from csi._checks import CsiInputError
from csi.models import constructs_with_role, find_target, load_model
from csi.plots.fonts import MissingCJKFontWarning, find_cjk_font
from csi.pls import fit_pls
from csi.pls.bootstrap import BootstrapResult
from csi.quality.thresholds import as_thresholds
from csi.report import adapters
from csi.report.adapters import Unavailable
from csi.report.context import StageTimer
from csi.report.document import Figure, Report, Section
from csi.report.glance import glance_section
from csi.report.labels import check_lang, header, text
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
from csi.report.sections_groups import without_groups
from csi.spec import ModelSpec
from csi.survey import Survey

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


def run_analysis(
    survey: Any,
    model: str | Path | ModelSpec | None = None,
    *,
    system: Any = None,
    segment: str | Sequence[str] | None = None,
    lang: str = "en",
    min_segment_size: int = 30,
    scheme: str = "path",
    target: str | None = None,
    recommend: str | None = None,
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
    missing: str | None = None,
    sem_missing: str | None = None,
    weights: bool = True,
    pairs: bool = False,
    timings: dict[str, float] | None = None,
) -> Report:
    """Fit the CSI model to a cleaned survey and lay out every result as a :class:`Report`.

    Parameters
    ----------
    survey:
        A :class:`csi.survey.Survey` (from :func:`csi.survey.read_survey`).
    model:
        ``"acsi"``, ``"ecsi"``, ``None`` (``"auto"``: ECSI when the codebook has an
        image construct, else ACSI; constructs are matched to roles as described in
        :mod:`csi.models`), lavaan text, a lavaan file path, or a ModelSpec.
    system:
        Indicator system (YAML path or object) for the weights-and-scores section.
    segment:
        Segment column(s) (e.g. ``"region"`` or ``["region", "channel"]``; default: the
        codebook's ``segments``); per-segment tables mark segments with fewer than
        ``min_segment_size`` respondents (default 30) as suppressed. The first segment
        column also gets bootstrap intervals and the summary's comparison.
    lang:
        ``"en"`` or ``"zh"`` for every title, header and label.
    target:
        Construct read on the seven levels and mapped by the IPMA (default: the
        satisfaction construct).
    recommend, csat, csat_top:
        Column of the 0-10 recommendation question for NPS (default: the codebook's
        ``recommend``, else a column named ``recommend`` if there is one), and the
        rating used for CSAT (default: the codebook's ``csat``, else the first item of
        the target construct) with its number of top boxes (default 2). NPS and CSAT
        use every respondent with a valid answer to their question, whatever the
        model's missing-data policy left out.
    missing:
        Missing answers of the model items for the model-based figures (paths, index,
        impacts, IPMA, seven levels): ``"listwise"``, ``"pairwise"`` or ``"mean"``
        (default: the survey's policy; ``"keep"`` means listwise).
    sem_missing:
        Missing answers for the CB-SEM fit: ``"listwise"`` or ``"fiml"`` (default:
        listwise when ``missing`` is listwise or the survey is weighted, else FIML, which
        uses every answer).
    weights:
        When the codebook names a ``weight``: ``True`` (default) weights every figure
        (WPLS for the model, design-based NPS, CSAT and shares; the report says so and
        gives the unweighted, weighted and effective n), ``False`` leaves the weights out
        (to compare). The CB-SEM fit is weighted too (as lavaan's ``sampling.weights``:
        robust standard errors, scaled test; listwise, since weighted FIML is not
        available); indicator-system weights are unweighted.
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
    pairs:
        Segment comparisons: ``False`` (default) compares each segment of the first
        segment column with the rest of the respondents (G rows per construct, p-values
        Holm-adjusted over the segments; the body lists the significant ones); ``True``
        also writes the bootstrap differences between every pair of segments to the
        workbook (not the HTML: G(G-1)/2 rows per construct).
    timings:
        A dict to fill with the seconds spent per stage (``fit``, ``bootstrap``,
        ``sem``, ``sections`` and each ``section:<key>``, ``privacy``; see
        :data:`csi.report.context.STAGES`), e.g. for a benchmark.
    """
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
        thresholds = as_thresholds(thresholds)
    if not isinstance(pairs, bool):
        raise CsiInputError(f"pairs must be True or False, got {pairs!r}")
    say = progress or _quiet
    timer = StageTimer(timings)
    # the private columns now (checks of the options); their values, a set as large as
    # the survey's ids, names and phones, only for the final check (memory, issue 20)
    guard = PrivacyGuard.of(survey.codebook.hidden_columns)
    segments = _segments(segment, survey)
    columns = survey.all_responses().columns
    for col in segments:
        check_not_private(col, guard, what="segment column")
        if col not in columns:
            raise CsiInputError(
                f"segment column {col!r} not found in the survey; columns: "
                f"{list(guard_public(survey))}"
            )
    check_not_private(recommend, guard, what="recommend column")
    check_not_private(csat, guard, what="CSAT column")
    policy = _model_missing(missing, survey)
    sem_policy = _sem_missing(sem_missing, policy, weighted=bool(weights) and survey.weight)
    # NPS: the column asked for (argument or codebook role) must exist; the
    # conventional name "recommend" is used only when present
    asked_recommend = recommend if recommend is not None else survey.codebook.recommend
    if asked_recommend is not None and asked_recommend not in columns:
        raise CsiInputError(
            f"recommend column {asked_recommend!r} not found in the survey; columns: "
            f"{list(guard_public(survey))}"
        )
    if asked_recommend is None and "recommend" in columns:
        asked_recommend = "recommend"

    spec = load_model(model, survey.codebook, roles=roles)
    spec.check_data(columns, name="the survey")
    if target is None:
        target = find_target(spec, survey.codebook)
    elif target not in spec.constructs:
        raise CsiInputError(
            f"target {target!r} is not a construct of the model {list(spec.constructs)}"
        )
    if csat is not None:
        csat_column = csat
    elif survey.codebook.csat:
        csat_column = survey.codebook.csat[0]
    else:
        csat_column = spec.indicators[target][0]
    if csat_column not in columns:
        raise CsiInputError(f"CSAT column {csat_column!r} not found in the survey")

    say(
        f"fitting the PLS path model ({len(spec.constructs)} constructs, "
        f"{survey.n_read} respondents, missing answers: {policy})"
    )
    use_weights = bool(weights) and survey.weight is not None
    with timer("fit"):
        result = fit_pls(
            survey,
            spec,
            scheme=scheme,
            scale=survey.codebook,
            missing=policy,
            weights=None if use_weights else False,
        )

    ctx = Context(
        survey=survey,
        spec=spec,
        result=result,
        lang=lang,
        min_size=min_segment_size,
        segment=segments[0] if segments else None,
        segments=tuple(segments),
        period=survey.period if survey.period not in segments else None,
        missing=policy,
        sem_missing=sem_policy,
        weighted=use_weights,
        pairs=pairs,
        timer=timer,
        target=target,
        scheme=scheme,
        figures=figures,
        sem=sem,
        recommend=asked_recommend,
        csat_column=csat_column,
        csat_top=csat_top,
        n_boot=bootstrap,
        seed=seed,
        thresholds=thresholds,
        fuzzy=bool(fuzzy) if fuzzy is not None else system is not None,
        system=system,
        progress=say,
        not_actionable=tuple(
            c for c in constructs_with_role(spec, survey.codebook, "expectation") if c != target
        ),
    )
    if bootstrap:
        with timer("bootstrap"):
            _run_bootstrap(ctx, bootstrap_progress)
    else:
        ctx.boot_reason = text("bootstrap_off", lang)
    if sem:
        with timer("sem"):
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
    if figures and text("figure_font", lang) == "cjk":
        _check_cjk_font(ctx)
    built: dict[str, Section] = {}
    with timer("sections"):
        for key in BUILD_ORDER:
            say(f"section: {text(key, 'en').lower()}")
            with timer(f"section:{key}"):
                built[key] = builders[key](ctx)
    sections = [built[key] for key in SECTIONS]
    with timer("privacy"):
        guard = PrivacyGuard.from_survey(survey)
    report = Report(
        title=title or text("report_title", lang),
        lang=lang,
        sections=tuple(sections),
        subtitle=text("generated", lang, version=__version__, source=Path(survey.source).name),
        guard=guard,
        failures=tuple(ctx.failures),
    )
    with timer("privacy"):
        report = recheck_segment_figures(guard.clean_report(report), ctx)
        if ctx.segment is not None:  # groups hidden only by the final check: no comparison
            hidden = hidden_segments(report, _segment_tables(ctx, ctx.segment))
            report = without_groups(report, hidden)
        return report


def _segment_tables(ctx: Context, column: str) -> set[str]:
    """Keys of the per-segment tables of ``column`` (one suppression decision each)."""
    keys = {f"sizes_{column}"}
    if column == ctx.segment:
        keys |= {"index_segment", "index_segment_ci", "levels_segment", "system_segment"}
        keys |= {"nps_segment", "csat_segment"}
    elif column == ctx.period:
        keys |= {"index_period"}
    else:
        keys |= {f"index_segment_{column}", f"nps_segment_{column}", f"csat_segment_{column}"}
    return keys


def hidden_segments(report: Report, keys: set[str]) -> set[str]:
    """Segments marked (note not blank) in any table of ``keys`` of the finished report."""
    seg, note = header("segment", report.lang), header("note", report.lang)
    out: set[str] = set()
    for t in report.tables:
        if t.key not in keys or seg not in t.frame.columns or note not in t.frame.columns:
            continue
        for value, mark in zip(t.frame[seg], t.frame[note], strict=True):
            if isinstance(mark, str) and mark.strip():
                out.add(str(value))
    return out


def recheck_segment_figures(report: Report, ctx: Context) -> Report:
    """Draw again, leaving more segments out, a figure of segments that shows one the
    finished tables hide (complementary suppression and the differencing check run on
    the whole report, after the sections drew their figures)."""
    redrawn: dict[str, Any] = {}
    for key, (column, left_out, again) in ctx.segment_figures.items():
        final = hidden_segments(report, _segment_tables(ctx, column))
        if final - left_out:
            redrawn[key] = again(set(left_out) | final)
    if not redrawn:
        return report
    return report.map_blocks(
        lambda b: redrawn[b.key] if isinstance(b, Figure) and b.key in redrawn else b
    )


def _run_bootstrap(ctx: Context, progress: bool | None) -> None:
    """One bootstrap run (by segment when one is given) onto ``ctx.boot``, or the reason."""
    say = ctx.progress
    staged = getattr(ctx.result, "refit", None) is not None  # e.g. interaction terms
    if callable(getattr(ctx.result, "bootstrap", None)):
        by = f" by {ctx.segment}" if ctx.segment and not staged else ""
        say(f"bootstrap ({ctx.n_boot} resamples{by})")
    try:
        if staged:
            if ctx.segment is not None:
                ctx.notes_index.append(text("bootstrap_staged", ctx.lang, segment=ctx.segment))
            ctx.boot = adapters.bootstrap(
                ctx.result, n=ctx.n_boot, seed=ctx.seed, segment=None, progress=progress
            )
            return
        ctx.boot = _segment_bootstrap(ctx, progress)
        return
    except Unavailable as exc:
        ctx.boot_reason = text(str(exc), ctx.lang)
        return
    except CsiInputError as exc:
        if ctx.segment is None:
            log.warning("bootstrap failed: %s", exc)
            ctx.boot_reason = text("bootstrap_error", ctx.lang, error=one_line(exc))
            ctx.failures.append(f"bootstrap: {one_line(exc)}")
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
        ctx.failures.append(f"bootstrap: {one_line(exc)}")


def _segment_bootstrap(ctx: Context, progress: bool | None) -> BootstrapResult:
    """The bootstrap by ``ctx.segment``: the differences between every pair of segments
    are left out unless ``ctx.pairs`` (they grow with the square of the number of
    segments; the report compares each segment with the rest from the respondent scores
    instead), so its cost is linear in the segments."""
    return adapters.bootstrap(
        ctx.result,
        n=ctx.n_boot,
        seed=ctx.seed,
        segment=ctx.segment,
        progress=progress,
        min_size=ctx.min_size,
        pairs=ctx.pairs,
    )


def _run_sem(ctx: Context) -> None:
    """The CB-SEM fit onto ``ctx.sem_result``, or the reason it is not there."""
    if ctx.spec.interactions:  # CB-SEM in csi has no latent interactions
        ctx.sem_reason = text("sem_interaction", ctx.lang, terms=", ".join(ctx.spec.interactions))
        return
    ctx.progress("fitting the covariance-based SEM")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ctx.sem_result = adapters.fit_sem(
                ctx.survey,
                ctx.spec,
                missing=ctx.sem_missing,
                weights=None if ctx.weighted else False,
            )
    except Unavailable as exc:
        ctx.sem_reason = text(str(exc), ctx.lang)
    except Exception as exc:  # CB-SEM may fail where PLS works (e.g. a singular matrix)
        log.warning("CB-SEM fit failed: %s", exc)
        ctx.sem_reason = text("sem_failed", ctx.lang, error=one_line(exc))
        ctx.failures.append(f"CB-SEM: {one_line(exc)}")


def _check_cjk_font(ctx: Context) -> None:
    """Warn once (and note in the report) when figures cannot show Chinese labels."""
    if find_cjk_font() is None:
        msg = text("no_cjk_font", "en")
        warnings.warn(msg, MissingCJKFontWarning, stacklevel=3)
        ctx.notes.append(text("no_cjk_font", ctx.lang))


def guard_public(survey: Survey) -> list[str]:
    """The survey's columns without the id and personal ones (for error messages)."""
    return list(survey.codebook.public_columns(survey.all_responses().columns))


def _segments(segment: str | Sequence[str] | None, survey: Survey) -> list[str]:
    """Segment columns: those given (a name, a list, or "a,b"), else the codebook's."""
    if segment is None:
        return list(survey.segments)
    given = [segment] if isinstance(segment, str) else list(segment)
    out: list[str] = []
    for g in given:
        if not isinstance(g, str):
            raise CsiInputError(f"segment must be a column name or a list of names, got {g!r}")
        out += [p.strip() for p in g.split(",") if p.strip()]
    return list(dict.fromkeys(out))


MODEL_MISSING = ("listwise", "pairwise", "mean")


def _model_missing(missing: str | None, survey: Survey) -> str:
    """The model's missing-data policy: given, else the survey's ("keep" -> listwise)."""
    if missing is None:
        return survey.missing if survey.missing in MODEL_MISSING else "listwise"
    if missing not in MODEL_MISSING:
        raise CsiInputError(f"missing must be one of {list(MODEL_MISSING)}, got {missing!r}")
    return missing


def _sem_missing(sem_missing: str | None, policy: str, *, weighted: Any = False) -> str:
    """CB-SEM missing-data handling: given, else listwise for listwise and FIML otherwise
    (listwise for a weighted survey: weighted FIML is not available)."""
    if sem_missing is None:
        return "listwise" if policy == "listwise" or weighted else "fiml"
    if sem_missing not in ("listwise", "fiml"):
        raise CsiInputError(f"sem_missing must be 'listwise' or 'fiml', got {sem_missing!r}")
    return sem_missing
