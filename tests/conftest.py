"""Shared fixtures: the external reference results in ../shared/validation."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from csi.spec import ModelSpec

HERE = Path(__file__).resolve()


def _find_validation() -> Path:
    """``$CSI_VALIDATION_DIR``, else the first ``shared/validation`` beside an ancestor folder."""
    if os.environ.get("CSI_VALIDATION_DIR"):
        return Path(os.environ["CSI_VALIDATION_DIR"])
    for parent in HERE.parents:
        candidate = parent / "shared" / "validation"
        if (candidate / "README.md").exists():
            return candidate
    return HERE.parents[2] / "shared" / "validation"


VALIDATION = _find_validation()


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """Path to ../shared/validation; skips the test with a reason when it is absent."""
    if not (VALIDATION / "README.md").exists():
        pytest.skip(
            f"reference results not found at {VALIDATION} (they live beside the repository "
            "in shared/validation, or set CSI_VALIDATION_DIR; a plain clone does not have them)"
        )
    return VALIDATION


@pytest.fixture(scope="module")
def mobi(validation_dir: Path) -> pd.DataFrame:
    """The ECSI mobile-phone survey (250 respondents x 24 items)."""
    return pd.read_csv(validation_dir / "mobi.csv", index_col=0)


@pytest.fixture(scope="module")
def ecsi(validation_dir: Path) -> ModelSpec:
    """The ECSI model of the reference results (7 constructs, 12 paths)."""
    return ModelSpec.from_tables(
        validation_dir / "ecsi_measurement.csv", validation_dir / "ecsi_structural.csv"
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
