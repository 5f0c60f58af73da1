"""``csi fit``: fit the PLS path model and print its summary."""

from __future__ import annotations

import argparse
from typing import TextIO

from csi.cli_commands import EXIT_OK, progress
from csi.cli_commands.common import INPUT_ERRORS, read_survey_args, roles
from csi.models import load_model
from csi.pls import fit_pls

__all__ = ["INPUT_ERRORS", "run"]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Read the survey, fit the model by PLS and print paths, R², weights and the index."""
    say = progress(err, args.quiet)
    say(f"reading {args.survey}")
    survey = read_survey_args(args)
    spec = load_model(args.model, survey.codebook, roles=roles(args.role))
    say(f"fitting the PLS path model ({survey.n_read} respondents read, missing: {args.missing})")
    result = fit_pls(survey, spec, scheme=args.scheme, missing=args.missing)
    print(result.summary(lang=args.lang), file=out)
    return EXIT_OK
