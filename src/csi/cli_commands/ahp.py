"""``csi ahp``: AHP priorities and consistency of a comparison matrix or judgments."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from csi._checks import CsiInputError
from csi.cli_commands import EXIT_OK
from csi.cli_commands.common import INPUT_ERRORS
from csi.weighting import ahp_weights

__all__ = ["INPUT_ERRORS", "run"]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the AHP weights, lambda_max, CI and CR of a matrix CSV file or of
    ``'a vs b: value'`` judgments (options or a text file, one per line)."""
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
