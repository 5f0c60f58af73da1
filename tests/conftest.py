"""Shared fixtures: the external reference results in ../shared/validation."""

from __future__ import annotations

from pathlib import Path

import pytest

VALIDATION = Path(__file__).resolve().parents[2] / "shared" / "validation"


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """Path to ../shared/validation; skips the test with a reason when it is absent."""
    if not (VALIDATION / "README.md").exists():
        pytest.skip(
            f"reference results not found at {VALIDATION} (they live beside the repository "
            "in shared/validation; a plain clone does not have them)"
        )
    return VALIDATION
