"""``csi report``: fit the CSI model and write the HTML and Excel report."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TextIO

from csi._checks import CsiInputError
from csi.cli_commands import EXIT_OK, EXIT_PARTIAL, progress
from csi.cli_commands.common import INPUT_ERRORS, read_survey_args, roles
from csi.report import run_analysis, write_report

__all__ = ["INPUT_ERRORS", "run"]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Read the survey, run the analysis and write the report; exit code 3 (nothing
    written) when a requested part failed, unless ``--allow-partial``."""
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
    say = progress(err, args.quiet)
    times: dict[str, float] = {}
    start = time.perf_counter()
    say(f"reading {args.survey}")
    survey = read_survey_args(args)
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
        roles=roles(args.role),
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
