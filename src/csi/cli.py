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

Commands
--------
This module only parses the command line. :data:`COMMANDS` is the command registry
(as entry points are for plugins): each command's name and the module of
:mod:`csi.cli_commands` that runs it. :func:`main` imports that one module, with
:func:`importlib.import_module`, and calls its ``run(args, out, err)``; this is the
only import by name in the CLI. So start-up loads only the command that runs:
``csi --help`` and a usage error import no command at all, ``csi validate`` neither the
report nor matplotlib. A new command is a parser entry in :func:`build_parser`, a
module with ``run`` and ``INPUT_ERRORS``, and a line in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from csi import __version__
from csi.cli_commands import EXIT_ERROR, EXIT_INPUT, EXIT_OK, EXIT_PARTIAL, one_line

__all__ = [
    "COMMANDS",
    "EPILOG_MAIN",
    "EPILOG_REPORT",
    "EXIT_ERROR",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "build_parser",
    "main",
]

#: The command registry: each command's name and the module that runs it (its
#: ``run(args, out, err)``); the one place where the CLI imports a csi module by name.
COMMANDS: dict[str, str] = {
    "report": "csi.cli_commands.report",
    "fit": "csi.cli_commands.fit",
    "ahp": "csi.cli_commands.ahp",
    "weights": "csi.cli_commands.weights",
    "validate": "csi.cli_commands.validate",
}

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
    r.add_argument(
        "--pairs",
        action="store_true",
        help="also write the index differences between every pair of segments (bootstrap) "
        "to the workbook; by default each segment is compared with the rest",
    )
    r.add_argument(
        "--timings",
        action="store_true",
        help="print the seconds spent per stage (read, fit, bootstrap, sections, ...)",
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


# ---------------------------------------------------------------------------- running
def _terminate_cleanly() -> Any:
    """Turn SIGTERM into KeyboardInterrupt, so that a killed run removes its temporary
    files (the writers clean up on any exception) instead of leaving them behind.
    Returns a function that restores the previous handler."""
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
    # until the command's module is loaded, only these can come from bad input
    input_errors: tuple[type[BaseException], ...] = (OSError, UnicodeError)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            try:
                command = importlib.import_module(COMMANDS[args.command])
                input_errors = command.INPUT_ERRORS
                run: Callable[[argparse.Namespace, TextIO, TextIO], int] = command.run
                return run(args, out, err)
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
    except Exception as exc:
        if args.debug:
            traceback.print_exc(file=err)
        if isinstance(exc, input_errors):
            print(f"csi: error: {one_line(exc)}", file=err)
            return EXIT_INPUT
        if args.debug:
            print(f"csi: unexpected error: {one_line(exc)}", file=err)
        else:
            print(
                f"csi: unexpected error: {type(exc).__name__}: {one_line(exc)} "
                "(run with --debug for the traceback)",
                file=err,
            )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
