"""Input checks shared by every public function.

Every public entry point validates its inputs here, at the door, so that bad
input fails early with one message style: what is wrong and where (column,
row, value or matrix entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd


class CsiInputError(ValueError):
    """Bad input: the message names the column, row, value or entry at fault."""


class CsiWarning(UserWarning):
    """Base class of every warning csi gives (``warnings.simplefilter("error",
    csi.CsiWarning)`` turns them all into errors; each subclass can be filtered alone)."""


class DataWarning(CsiWarning):
    """The data weaken a result: respondents or ratings left out (and counted), a
    constant item or indicator that carries no information."""


class MethodWarning(CsiWarning):
    """A method ran with a caveat the analyst should know: an option not used (survey
    weights in a group comparison), values off a method's scale, a choice the method's
    authors advise against."""


class RakingWarning(CsiWarning):
    """Raking (iterative proportional fitting) did not reach the target margins."""


def plain(value: Any) -> Any:
    """A NumPy scalar as the Python value (so messages say ``row 1``, not ``np.int64(1)``)."""
    return value.item() if isinstance(value, np.generic) else value


def copy_on_write() -> bool:
    """True when pandas copies on write (always from pandas 3, opt-in in pandas 2): a
    shallow copy of a frame is then as safe from the caller's later edits as a deep one."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return bool(pd.get_option("mode.copy_on_write") is True)


def check_frame(data: Any, *, name: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a pandas DataFrame, else raise a clear TypeError."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    if data.columns.duplicated().any():
        dup = list(data.columns[data.columns.duplicated()])
        raise CsiInputError(f"{name} has duplicated column names: {dup}")
    return data


def check_columns(
    data: pd.DataFrame, columns: Iterable[str], *, what: str = "column", name: str = "data"
) -> None:
    """Raise if any of ``columns`` is not a column of ``data``."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise CsiInputError(
            f"{what}{'s' if len(missing) > 1 else ''} not found in {name}: "
            f"{', '.join(map(repr, missing))}"
        )


def check_numeric(data: pd.DataFrame, columns: Sequence[str], *, name: str = "data") -> None:
    """Raise naming the first column, row and value that is not a number (NaN is allowed)."""
    for col in columns:
        s = data[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            continue
        converted = pd.to_numeric(s, errors="coerce")
        bad = converted.isna() & s.notna()
        if bad.any():
            pos = int(np.argmax(bad.to_numpy()))
            raise CsiInputError(
                f"{name}: column {col!r} has a non-numeric answer {s.iloc[pos]!r} "
                f"at row {plain(s.index[pos])!r}"
            )


def check_finite_matrix(m: Any, *, name: str = "matrix", square: bool = False) -> np.ndarray:
    """Return ``m`` as a float 2-D array; raise naming the first non-finite entry."""
    arr = np.asarray(m, dtype=float)
    if arr.ndim != 2:
        raise CsiInputError(f"{name} must be 2-dimensional, got shape {arr.shape}")
    if square and arr.shape[0] != arr.shape[1]:
        raise CsiInputError(f"{name} must be square, got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise CsiInputError(f"{name} entry ({i}, {j}) is not finite: {arr[i, j]!r}")
    return arr


def check_choice(value: Any, allowed: Iterable[Any], *, name: str) -> Any:
    """Raise if ``value`` is not one of ``allowed``."""
    options = list(allowed)
    if value not in options:
        raise CsiInputError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_level(level: Any, *, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1 (a number, not a bool).

    >>> check_level(0.9)
    0.9
    """
    ok = isinstance(level, int | float | np.integer | np.floating) and not isinstance(level, bool)
    if not ok or not 0 < float(level) < 1:
        raise CsiInputError(f"{name} must be a number between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(level)


def check_count(value: Any, name: str, minimum: int = 0) -> int:
    """An integer count at least ``minimum`` (a bool or a float is refused, naming ``name``).

    >>> check_count(5, "folds", 2)
    5
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise CsiInputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_rng(seed: Any) -> np.random.Generator:
    """A NumPy Generator from ``seed`` (None, int, SeedSequence or Generator)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
