"""What several ``csi`` commands share: the input errors, ``--role`` and reading the survey."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import pandas as pd
import yaml

from csi._checks import CsiInputError
from csi.survey import Survey, read_survey

__all__ = ["INPUT_ERRORS", "read_survey_args", "roles"]

#: Exceptions that mean bad input (exit 2, one line), not a bug.
INPUT_ERRORS: tuple[type[BaseException], ...] = (
    CsiInputError,
    OSError,
    yaml.YAMLError,
    UnicodeError,
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
)


def roles(pairs: Sequence[str]) -> dict[str, str]:
    """The ``--role CONSTRUCT=ROLE`` options as {construct: role}."""
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise CsiInputError(f"--role expects CONSTRUCT=ROLE, got {pair!r}")
        c, role = pair.split("=", 1)
        out[c.strip()] = role.strip()
    return out


def read_survey_args(args: argparse.Namespace) -> Survey:
    """The survey named on the command line, read with its codebook and file options."""
    options: dict[str, Any] = {"encoding": args.encoding, "sep": args.sep}
    if getattr(args, "sheet", None) is not None:
        sheet = args.sheet
        options["sheet"] = int(sheet) if sheet.isdigit() else sheet
    return read_survey(args.survey, args.codebook, missing=args.missing, **options)
