"""The ``csi`` command line: a report from a survey file, and a few smaller jobs.

Exit codes
----------
0  success
1  unexpected error (a bug: run again with ``--debug`` and report the traceback)
2  bad input or usage: a file that cannot be read, a value outside a scale, an
   unknown column, a wrong option (the message names what is wrong)
3  ``csi report``: a requested part of the report (NPS, CSAT, indicator system,
   bootstrap, CB-SEM) could not be produced; nothing was written. ``--allow-partial``
   writes the report anyway (with those parts marked "not available") and exits 0.

Every role of a column (segments, period, the NPS and CSAT questions, weights, id,
personal and free-text columns, sheet and header row) is read from the codebook;
command-line flags only override it.

Errors are printed as one line on stderr (``csi: error: ...``); ``--debug``
shows the full traceback. Progress of long steps goes to stderr (``-q`` hides it);
results go to stdout.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INPUT = 2
EXIT_PARTIAL = 3

EPILOG_MAIN = """\
examples:
  csi report survey.csv --codebook codebook.yaml --segment region -o out
  csi report survey.csv --codebook codebook.yaml --system indicator_system.yaml \\
      --lang zh -o out
  csi fit survey.csv --codebook codebook.yaml --model ecsi
  csi validate survey.csv --codebook codebook.yaml
  csi ahp --judgment "service vs price: 3" --judgment "product vs price: 2" \\
      --judgment "product vs service: 1"
  csi ahp matrix.csv
  csi weights scores.csv --method critic

exit codes: 0 success; 1 unexpected error (use --debug); 2 bad input or usage;
  3 a requested part of the report could not be produced (see --allow-partial).
"""

EPILOG_REPORT = """\
examples:
  csi report data/samples/survey.csv --codebook data/samples/codebook.yaml \\
      --system data/samples/indicator_system.yaml --segment region -o out
  csi report survey.xlsx --codebook codebook.yaml --model model.lav --lang zh -o out

--model: acsi, ecsi, or a lavaan model file ("Quality =~ Q1 + Q2", "Satisfaction ~ Quality").
  With a preset, the codebook's constructs are matched to the CSI roles by name or label
  (Expectation, Quality, Value, Satisfaction, Complaints, Loyalty, Image, or the Chinese
  names 预期质量, 感知质量, 感知价值, 顾客满意度, 顾客抱怨, 顾客忠诚, 品牌形象); otherwise
  give --role CONSTRUCT=ROLE (roles: expectation, quality, value, satisfaction,
  complaints, loyalty, image). Default: ecsi if an image construct exists, else acsi.

Roles come from the codebook (segments:, period:, recommend:, csat:, sheet:); the flags
below only override them. --segment may be repeated (--segment region --segment channel)
or given as a list (--segment region,channel).

Missing answers: --missing sets the model's handling (listwise, pairwise, mean; default:
listwise); NPS, CSAT and item figures always use everyone who answered their question, and
every table states its n. --sem-missing sets the CB-SEM fit's (listwise or fiml; default:
fiml unless --missing is listwise).

Writes OUTDIR/report.html (self-contained) and OUTDIR/report.xlsx (one sheet per table).
If a requested part cannot be produced the report is not written and the exit code is 3,
unless --allow-partial. The bootstrap shows a progress bar on a terminal (none with -q or
when output is redirected).
"""


class _Parser(argparse.ArgumentParser):
    """argparse with the one-line error style and exit code 2 for usage errors."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"csi: error: {message}\n")


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``csi`` command."""
    from csi import __version__

    p = _Parser(
        prog="csi",
        description="Customer satisfaction index (CSI) modelling from the command line.",
        epilog=EPILOG_MAIN,
        formatter_class=_formatter,
    )
    p.add_argument("--version", action="version", version=f"csi {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def text_file_args(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--encoding",
            default=None,
            help="text file encoding (default: UTF-8, with or without BOM, else GB18030/GBK)",
        )
        q.add_argument(
            "--sep",
            default=None,
            help="text file delimiter (default: found on the header line: , ; tab or |)",
        )

    def survey_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("survey", help="survey file (.csv, .xlsx, .sav, .parquet)")
        q.add_argument("--codebook", required=True, help="codebook YAML file")
        q.add_argument(
            "--missing",
            default="listwise",
            choices=["listwise", "pairwise", "mean"],
            help="missing answers of the model items: listwise (default), pairwise or mean "
            "replacement",
        )
        q.add_argument(
            "--sheet",
            default=None,
            help="spreadsheet sheet (name or 0-based number; default: the codebook's "
            "'sheet', else the first)",
        )
        text_file_args(q)

    def model_args(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--model", default=None, help="acsi, ecsi or a lavaan model file (default: auto)"
        )
        q.add_argument(
            "--role",
            action="append",
            default=[],
            metavar="CONSTRUCT=ROLE",
            help="map a codebook construct to a CSI role (repeatable)",
        )
        q.add_argument("--lang", default="en", choices=["en", "zh"], help="labels (default: en)")
        q.add_argument("-q", "--quiet", action="store_true", help="no progress messages")

    r = sub.add_parser(
        "report",
        help="fit the model and write the HTML and Excel report",
        description="Fit the CSI model to a survey and write report.html and report.xlsx.",
        epilog=EPILOG_REPORT,
        formatter_class=_formatter,
    )
    survey_args(r)
    model_args(r)
    r.add_argument("--system", help="indicator-system YAML file")
    r.add_argument(
        "--segment",
        action="append",
        default=None,
        help="segment column(s), repeatable or comma-separated (default: the codebook's segments)",
    )
    r.add_argument(
        "--sem-missing",
        default=None,
        choices=["listwise", "fiml"],
        help="missing answers in the CB-SEM fit (default: fiml, but listwise with --missing "
        "listwise or a weighted survey)",
    )
    r.add_argument(
        "--no-weights",
        action="store_true",
        help="leave out the codebook's survey weight (to compare with the weighted report)",
    )
    r.add_argument(
        "--allow-partial",
        action="store_true",
        help="write the report even when a requested part failed (marked not available)",
    )
    r.add_argument(
        "--min-segment-size",
        type=int,
        default=30,
        metavar="N",
        help="suppress segments with fewer respondents (default: 30)",
    )
    r.add_argument(
        "--recommend",
        default=None,
        help="0-10 column for NPS (default: the codebook's 'recommend')",
    )
    r.add_argument(
        "--csat",
        default=None,
        help="rating column for CSAT (default: the codebook's 'csat', else the first item "
        "of the satisfaction construct)",
    )
    r.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for SEs, p-values and intervals (paths, HTMT, index per "
        "construct and segment), 0 = none (default: 1000)",
    )
    r.add_argument(
        "--seed",
        type=int,
        default=1,
        help="bootstrap seed (default: 1, fixed so that the report is reproducible)",
    )
    r.add_argument(
        "--fuzzy",
        action="store_true",
        help="fuzzy evaluation of the satisfaction construct (on with --system)",
    )
    r.add_argument("--no-figures", action="store_true", help="leave the figures out")
    r.add_argument("--no-sem", action="store_true", help="skip the CB-SEM fit indices")
    r.add_argument("--format", default="html,xlsx", help="html, xlsx or both (default)")
    r.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder")

    f = sub.add_parser(
        "fit",
        help="fit the PLS path model and print its summary",
        description="Fit the PLS path model and print paths, R², weights and the index.",
        epilog="example:\n  csi fit survey.csv --codebook codebook.yaml --model acsi --lang zh\n",
        formatter_class=_formatter,
    )
    survey_args(f)
    model_args(f)
    f.add_argument("--scheme", default="path", choices=["path", "centroid", "factorial"])

    a = sub.add_parser(
        "ahp",
        help="AHP weights and consistency of a comparison matrix",
        description="AHP priorities, lambda_max, CI and CR from a matrix or judgments.",
        epilog=(
            "examples:\n  csi ahp matrix.csv            (square CSV, first column = row names)\n"
            '  csi ahp --judgment "service vs price: 3" --judgment "product vs price: 2"\n'
            "  csi ahp --judgments judgments.txt  (one 'a vs b: value' per line)\n"
        ),
        formatter_class=_formatter,
    )
    a.add_argument("matrix", nargs="?", help="CSV file with the comparison matrix")
    a.add_argument("-j", "--judgment", action="append", default=[], help="'a vs b: value'")
    a.add_argument("--judgments", help="text file with one judgment per line")
    a.add_argument("--method", default="eigenvector", choices=["eigenvector", "geometric"])
    a.add_argument("--threshold", type=float, default=0.1, help="largest acceptable CR")

    w = sub.add_parser(
        "weights",
        help="entropy, CRITIC or CV weights of the columns of a CSV file",
        description="Objective weights of the numeric columns of a CSV file.",
        epilog="examples:\n  csi weights scores.csv --method entropy\n"
        "  csi weights scores.csv --method critic --columns QUAL1,QUAL2,QUAL3 --cost QUAL3\n",
        formatter_class=_formatter,
    )
    w.add_argument("data", help="CSV file (rows = respondents or alternatives)")
    text_file_args(w)
    w.add_argument("--method", default="entropy", choices=["entropy", "critic", "cv"])
    w.add_argument("--columns", help="comma-separated columns (default: all numeric)")
    w.add_argument("--cost", help="comma-separated cost columns (lower is better)")
    w.add_argument(
        "--missing",
        default="error",
        choices=["error", "drop"],
        help="rows with missing values: error (default) or drop",
    )

    v = sub.add_parser(
        "validate",
        help="check a survey against its codebook and print the cleaning summary",
        description="Read and clean a survey; exit 0 if it is usable, 2 with the first problem.",
        epilog="example:\n  csi validate survey.csv --codebook codebook.yaml\n",
        formatter_class=_formatter,
    )
    survey_args(v)
    return p


# ---------------------------------------------------------------------------- commands
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
    say(f"reading {args.survey}")
    survey = _read(args)
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
    paths = write_report(report, args.output, formats=formats)
    for kind, path in paths.items():
        print(f"{kind} report written to {path}", file=out)
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


def _input_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean bad input (exit 2, one line), not a bug."""
    import yaml

    from csi._checks import CsiInputError

    errors: list[type[BaseException]] = [CsiInputError, OSError, yaml.YAMLError, UnicodeError]
    try:
        import pandas as pd

        errors += [pd.errors.ParserError, pd.errors.EmptyDataError]
    except AttributeError:  # pragma: no cover
        pass
    return tuple(errors)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, FileNotFoundError) and exc.filename:
        text = f"file not found: {exc.filename}"
    elif isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}"
    return text or type(exc).__name__


def _terminate_cleanly() -> Any:
    """Turn SIGTERM into KeyboardInterrupt, so that a killed run removes its temporary
    files (the writers clean up on any exception) instead of leaving them behind.
    Returns a function that restores the previous handler."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    return lambda: signal.signal(signal.SIGTERM, previous)


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the ``csi`` command; returns the exit code (see the module docstring)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    restore = _terminate_cleanly()
    try:
        return _main(argv, stdout, stderr)
    finally:
        restore()


def _main(argv: Sequence[str] | None, stdout: TextIO | None, stderr: TextIO | None) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_INPUT
    logging.basicConfig(level=logging.WARNING, format="csi: %(message)s", stream=err)
    # matplotlib's font fallback chatter ("findfont: ...") is not the user's business
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            try:
                return COMMANDS[args.command](args, out, err)
            finally:
                seen = set()
                for w in caught:
                    msg = " ".join(str(w.message).split())
                    if msg not in seen:
                        seen.add(msg)
                        print(f"csi: warning: {msg}", file=err)
    except KeyboardInterrupt:
        print("csi: interrupted; nothing half-written was left behind", file=err)
        return 130
    except _input_errors() as exc:
        if args.debug:
            traceback.print_exc(file=err)
        print(f"csi: error: {_one_line(exc)}", file=err)
        return EXIT_INPUT
    except Exception as exc:
        if args.debug:
            traceback.print_exc(file=err)
            print(f"csi: unexpected error: {_one_line(exc)}", file=err)
        else:
            print(
                f"csi: unexpected error: {type(exc).__name__}: {_one_line(exc)} "
                "(run with --debug for the traceback)",
                file=err,
            )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
