"""The commands of the ``csi`` command line (:mod:`csi.cli`): one function per command.

Each ``cmd_*`` function takes the parsed arguments and the output and error streams and
returns the exit code; :data:`COMMANDS` maps a command's name to its function. The
libraries behind a command are imported when it runs, so that ``csi --help`` stays quick.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INPUT = 2
EXIT_PARTIAL = 3


def _roles(pairs: Sequence[str]) -> dict[str, str]:
    from csi._checks import CsiInputError

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise CsiInputError(f"--role expects CONSTRUCT=ROLE, got {pair!r}")
        c, role = pair.split("=", 1)
        out[c.strip()] = role.strip()
    return out


def _read(args: argparse.Namespace) -> Any:
    from csi.survey import read_survey

    options: dict[str, Any] = {"encoding": args.encoding, "sep": args.sep}
    if getattr(args, "sheet", None) is not None:
        sheet = args.sheet
        options["sheet"] = int(sheet) if sheet.isdigit() else sheet
    return read_survey(args.survey, args.codebook, missing=args.missing, **options)


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from csi._checks import CsiInputError
    from csi.report import run_analysis, write_report

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ("html", "xlsx")]
    if unknown or not formats:
        raise CsiInputError(
            f"--format: unknown report format {unknown[0]!r}; formats are html and xlsx"
            if unknown
            else "--format: give html, xlsx or html,xlsx"
        )
    if args.min_segment_size < 1:
        raise CsiInputError(f"--min-segment-size must be at least 1, got {args.min_segment_size}")
    say = _progress(err, args.quiet)
    times: dict[str, float] = {}
    start = time.perf_counter()
    say(f"reading {args.survey}")
    survey = _read(args)
    times["read"] = time.perf_counter() - start  # reading and cleaning
    say(f"{survey.n_read} respondents read")
    if args.system is not None and not Path(args.system).exists():
        say(f"indicator system {args.system} not found")
    report = run_analysis(
        survey,
        progress=say,
        model=args.model,
        system=args.system,
        segment=args.segment,
        missing=args.missing,
        sem_missing=args.sem_missing,
        weights=not args.no_weights,
        lang=args.lang,
        min_segment_size=args.min_segment_size,
        recommend=args.recommend,
        csat=args.csat,
        bootstrap=args.bootstrap,
        seed=args.seed,
        bootstrap_progress=False if args.quiet else None,
        fuzzy=True if args.fuzzy else None,
        figures=not args.no_figures,
        sem=not args.no_sem,
        roles=_roles(args.role),
        pairs=args.pairs,
        timings=times,
    )
    if report.failures and not args.allow_partial:
        for line in report.failures:
            print(f"csi: error: {line}", file=err)
        print(
            f"csi: error: {len(report.failures)} requested part(s) of the report could not be "
            "produced; nothing was written (fix the input, or --allow-partial to write the "
            "report with those parts marked not available)",
            file=err,
        )
        return EXIT_PARTIAL
    for line in report.failures:
        print(f"csi: warning: left out of the report: {line}", file=err)
    say("writing the report")
    start = time.perf_counter()
    paths = write_report(report, args.output, formats=formats)
    times["write"] = time.perf_counter() - start
    for kind, path in paths.items():
        print(f"{kind} report written to {path}", file=out)
    if args.timings:
        for stage, seconds in times.items():
            if not stage.startswith("section:"):
                print(f"csi: time: {stage:<10} {seconds:8.2f} s", file=err)
    return EXIT_OK


def cmd_fit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from csi.pls import fit_pls
    from csi.report import load_model

    say = _progress(err, args.quiet)
    say(f"reading {args.survey}")
    survey = _read(args)
    spec = load_model(args.model, survey.codebook, roles=_roles(args.role))
    say(f"fitting the PLS path model ({survey.n_read} respondents read, missing: {args.missing})")
    result = fit_pls(survey, spec, scheme=args.scheme, missing=args.missing)
    print(result.summary(lang=args.lang), file=out)
    return EXIT_OK


def cmd_ahp(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pandas as pd

    from csi._checks import CsiInputError
    from csi.weighting import ahp_weights

    judgments = list(args.judgment)
    if args.judgments:
        lines = Path(args.judgments).read_text(encoding="utf-8").splitlines()
        judgments += [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]
    if args.matrix and judgments:
        raise CsiInputError("give either a matrix file or judgments, not both")
    if args.matrix:
        matrix: Any = pd.read_csv(args.matrix, index_col=0)
        matrix.index = matrix.index.astype(str)
        matrix.columns = matrix.columns.astype(str)
    elif judgments:
        matrix = judgments
    else:
        raise CsiInputError("give a matrix CSV file or at least one --judgment 'a vs b: value'")
    res = ahp_weights(matrix, method=args.method, threshold=args.threshold)
    print(res.summary(), file=out)
    return EXIT_OK


def cmd_weights(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import pandas as pd

    from csi._checks import CsiInputError
    from csi.weighting.objective import critic_weights, cv_weights, entropy_weights

    data = _read_table(args.data, args.encoding, args.sep)
    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    if columns is None:
        columns = _weight_columns(data, err)
    else:
        missing_cols = [c for c in columns if c not in data.columns]
        if missing_cols:
            raise CsiInputError(
                f"--columns: {', '.join(map(repr, missing_cols))} not in {args.data}; "
                f"columns: {list(data.columns)}"
            )
        for c in columns:
            _refuse_text(data, c, args.data)
    directions = {c.strip(): -1 for c in args.cost.split(",")} if args.cost else None
    if args.method == "cv":
        if directions:
            raise CsiInputError("--cost does not apply to CV weights (they have no direction)")
        weights = cv_weights(data, columns=columns, missing=args.missing)
    else:
        fn = entropy_weights if args.method == "entropy" else critic_weights
        weights = fn(data, columns=columns, directions=directions, missing=args.missing)
    table = pd.DataFrame({"column": weights.index, "weight": weights.to_numpy()})
    table = table.sort_values("weight", ascending=False, kind="stable")
    print(f"{args.method} weights ({len(data)} rows)", file=out)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4f}"), file=out)
    return EXIT_OK


def _codebook_warnings(codebook: Any) -> list[str]:
    """What ``csi validate`` says about the codebook's constructs: names that look like
    misspellings of each other, and constructs the CSI model would not use."""
    import difflib

    from csi._checks import CsiInputError
    from csi.report import load_model

    out = []
    names = list(codebook.constructs)
    for k, a in enumerate(names):
        for b in names[k + 1 :]:
            if difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio() >= 0.8:
                sizes = (len(codebook.items_of(a)), len(codebook.items_of(b)))
                out.append(
                    f"constructs {a!r} ({sizes[0]} items) and {b!r} ({sizes[1]} items) look "
                    "alike: is one a misspelling in an item's 'construct'?"
                )
    try:
        spec = load_model(None, codebook)
    except CsiInputError as exc:  # the reason is reported, not raised
        out.append(
            f"the constructs do not map to the CSI model ({_one_line(exc)}); csi report will "
            "need --model (a lavaan file) or --role CONSTRUCT=ROLE"
        )
        return out
    unused = [c for c in names if c not in spec.constructs]
    if unused:
        out.append(
            f"construct(s) {', '.join(map(repr, unused))} have no place in the default CSI "
            "model (no paths): csi report leaves them out unless --model names them"
        )
    return out


#: Share of respondents left out of the model above which ``csi validate`` warns.
EXCLUDED_WARNING = 0.10


def _read_table(path: str, encoding: str | None, sep: str | None) -> Any:
    """A CSV file read as :func:`csi.read_survey` reads one (encoding, delimiter, header)."""
    from csi.survey_files import load_table

    frame, *_ = load_table(path, None, 1, encoding=encoding, sep=sep)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _refuse_text(data: Any, column: str, name: str) -> None:
    """A column meant to be numeric with a text cell: an error naming the row and value."""
    import pandas as pd

    from csi._checks import CsiInputError

    s = data[column]
    if pd.api.types.is_numeric_dtype(s):
        return
    text = s.astype("string").str.strip()
    bad = pd.to_numeric(text, errors="coerce").isna() & text.notna() & (text != "")
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise CsiInputError(
            f"{name}: column {column!r} has the text {s.iloc[pos]!r} at row {pos + 1} "
            f"(line {pos + 2} of the file); weights need numbers: fix the cell or leave the "
            "column out with --columns"
        )


def _weight_columns(data: Any, err: TextIO) -> list[str]:
    """The columns to weight when none are named: every numeric column, a column of
    numbers with a stray text cell refused (never silently dropped), and a respondent
    number (20 or more rows of unique whole numbers in increasing order) left out with a
    warning."""
    import numpy as np
    import pandas as pd

    columns = []
    for c in data.columns:
        s = data[c]
        if not pd.api.types.is_numeric_dtype(s):
            as_number = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
            if as_number.notna().sum() >= max(1, 0.5 * s.notna().sum()):
                _refuse_text(data, c, "the data")
            continue
        v = s.to_numpy(dtype=float)
        if (
            len(v) >= 20
            and np.isfinite(v).all()
            and (v == np.round(v)).all()
            and (np.diff(v) > 0).all()
        ):
            print(
                f"csi: warning: column {c!r} looks like a respondent number (whole numbers, "
                "unique and increasing) and is left out; name it in --columns to weight it",
                file=err,
            )
            continue
        columns.append(c)
    return columns


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    survey = _read(args)
    print(survey.summary(), file=out)
    n_read = survey.n_read
    items = list(survey.items)
    incomplete = int(survey.all_responses()[items].isna().any(axis=1).sum())
    print(f"OK: {survey.n} respondents usable, {survey.n_excluded} excluded", file=out)
    for line in _codebook_warnings(survey.codebook):
        print(f"csi: warning: {line}", file=err)
    if n_read and args.missing == "listwise" and incomplete / n_read > EXCLUDED_WARNING:
        print(
            f"csi: warning: listwise deletion leaves out {incomplete} of {n_read} respondents "
            f"({100 * incomplete / n_read:.1f}%) from the model; consider --missing pairwise "
            "or --missing mean (PLS) and --sem-missing fiml (CB-SEM). NPS, CSAT and item "
            "figures use every answer either way.",
            file=err,
        )
    return EXIT_OK


COMMANDS = {
    "report": cmd_report,
    "fit": cmd_fit,
    "ahp": cmd_ahp,
    "weights": cmd_weights,
    "validate": cmd_validate,
}


def _progress(err: TextIO, quiet: bool) -> Any:
    def say(message: str) -> None:
        if not quiet:
            print(f"csi: {message}", file=err, flush=True)

    return say


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, FileNotFoundError) and exc.filename:
        text = f"file not found: {exc.filename}"
    elif isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}"
    return text or type(exc).__name__
