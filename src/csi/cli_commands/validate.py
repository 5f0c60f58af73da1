"""``csi validate``: read and clean a survey, print the cleaning summary and warn about
what would trouble ``csi report`` (look-alike construct names, constructs the model
leaves out, many respondents lost to listwise deletion)."""

from __future__ import annotations

import argparse
import difflib
from typing import TextIO

from csi._checks import CsiInputError
from csi.cli_commands import EXIT_OK, one_line
from csi.cli_commands.common import INPUT_ERRORS, read_survey_args
from csi.codebook import Codebook
from csi.models import load_model

__all__ = ["EXCLUDED_WARNING", "INPUT_ERRORS", "run"]

#: Share of respondents left out of the model above which ``csi validate`` warns.
EXCLUDED_WARNING = 0.10


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the survey's cleaning summary and ``OK: n usable, m excluded``; warnings
    go to ``err``. A survey that cannot be read raises (exit code 2)."""
    survey = read_survey_args(args)
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


def _codebook_warnings(codebook: Codebook) -> list[str]:
    """What ``csi validate`` says about the codebook's constructs: names that look like
    misspellings of each other, and constructs the CSI model would not use."""
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
            f"the constructs do not map to the CSI model ({one_line(exc)}); csi report will "
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
