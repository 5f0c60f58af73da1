"""Shared fixtures: the external reference results in ../shared/validation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
