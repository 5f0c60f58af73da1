"""Shared fixtures: the reference results the golden tests compare against.

The reference outputs (SmartPLS, lavaan) and the data they were computed from live in
``tests/reference/`` (see its README for the origin of every file). ``reference_path``
resolves a file there first; only a file the repository does not hold (a newer reference
not yet copied in) is looked up in ``../shared/validation``. ``CSI_NO_SHARED=1`` turns that
fallback off (to check that a fresh clone runs every golden test); ``CSI_VALIDATION_DIR``
points the fallback at another folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from csi.spec import ModelSpec

HERE = Path(__file__).resolve()
REFERENCE = HERE.parent / "reference"


def _shared_validation() -> Path | None:
    """The fallback folder, or None when ``CSI_NO_SHARED`` is set or no folder is found.

    ``$CSI_VALIDATION_DIR`` if set, else the first ``shared/validation`` beside an ancestor.
    """
    if os.environ.get("CSI_NO_SHARED", "") not in ("", "0"):
        return None
    if os.environ.get("CSI_VALIDATION_DIR"):
        return Path(os.environ["CSI_VALIDATION_DIR"])
    for parent in HERE.parents:
        candidate = parent / "shared" / "validation"
        if (candidate / "README.md").exists():
            return candidate
    return None


def reference_path(*parts: str) -> Path:
    """The reference file ``parts`` (e.g. ``"lavaan", "hs_cfa_fit.csv"``).

    ``tests/reference/<parts>`` if the repository holds it, else
    ``../shared/validation/<parts>``; skips the test with the reason when neither has it.
    """
    relative = Path(*parts)
    local = REFERENCE / relative
    if local.exists():
        return local
    shared = _shared_validation()
    if shared is not None and (shared / relative).exists():
        return shared / relative
    if shared is not None:
        where = f"nor at {shared / relative}"
    elif os.environ.get("CSI_NO_SHARED", "") not in ("", "0"):
        where = "CSI_NO_SHARED is set, so ../shared/validation is not searched"
    else:
        where = "and no ../shared/validation folder was found to fall back on"
    pytest.skip(f"reference file {relative} not in {REFERENCE} ({where})")


@pytest.fixture(scope="session")
def reference() -> Callable[..., Path]:
    """``reference("lavaan", "hs_cfa_fit.csv")`` -> the path of that reference file."""
    return reference_path


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    """The ECSI mobile-phone survey (250 respondents x 24 items)."""
    return pd.read_csv(reference_path("mobi.csv"), index_col=0)


@pytest.fixture(scope="module")
def ecsi() -> ModelSpec:
    """The ECSI model of the reference results (7 constructs, 12 paths)."""
    return ModelSpec.from_tables(
        reference_path("ecsi_measurement.csv"), reference_path("ecsi_structural.csv")
    )


@pytest.fixture(scope="session")
def seminr_structure():
    """A function turning a ModelSpec's paths into the seminr port's structural model."""
    seminr = pytest.importorskip("seminr")

    def build(spec: ModelSpec):
        return seminr.relationships(
            *[
                seminr.paths(from_=list(spec.predecessors(t)), to=[t])
                for t in spec.constructs
                if spec.predecessors(t)
            ]
        )

    return build
