"""``csi weights``: entropy, CRITIC or CV weights of the numeric columns of a CSV file."""

from __future__ import annotations

import argparse
from typing import TextIO

import numpy as np
import pandas as pd

from csi._checks import CsiInputError
from csi.cli_commands import EXIT_OK
from csi.cli_commands.common import INPUT_ERRORS
from csi.survey_files import load_table
from csi.weighting.objective import critic_weights, cv_weights, entropy_weights

__all__ = ["INPUT_ERRORS", "run"]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the weights of the chosen (default: every numeric) columns, largest first."""
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


def _read_table(path: str, encoding: str | None, sep: str | None) -> pd.DataFrame:
    """A CSV file read as :func:`csi.read_survey` reads one (encoding, delimiter, header)."""
    frame, *_ = load_table(path, None, 1, encoding=encoding, sep=sep)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _refuse_text(data: pd.DataFrame, column: str, name: str) -> None:
    """A column meant to be numeric with a text cell: an error naming the row and value."""
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


def _weight_columns(data: pd.DataFrame, err: TextIO) -> list[str]:
    """The columns to weight when none are named: every numeric column, a column of
    numbers with a stray text cell refused (never silently dropped), and a respondent
    number (20 or more rows of unique whole numbers in increasing order) left out with a
    warning."""
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
