"""The sample survey shipped with csi (made by ``data/samples/make_samples.py``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from csi.survey import Survey, read_survey

__all__ = ["SAMPLE_PARAMS", "load_sample", "sample_paths"]

#: The :func:`csi.datasets.simulate_csi` arguments that made the sample survey.
SAMPLE_PARAMS: dict[str, Any] = {
    "n": 3000,
    "seed": 20260101,
    "scale": 10,
    "skew": 0.5,
    "missing_rate": 0.005,
    "segments": True,
    "waves": ("2025H2", "2026H1"),
    "model": "acsi",
}


def sample_paths() -> tuple[Path, Path]:
    """Paths of the packaged sample ``survey.csv`` and ``codebook.yaml``."""
    root = resources.files("csi.datasets") / "data"
    return Path(str(root / "survey.csv")), Path(str(root / "codebook.yaml"))


def load_sample(*, missing: str = "listwise", **kwargs: Any) -> Survey:
    """The sample survey (3,000 respondents, two waves, ACSI items on a 10-point scale).

    Read with :func:`csi.survey.read_survey`; ``missing`` and other options are passed on.
    """
    csv, codebook = sample_paths()
    return read_survey(csv, codebook, missing=missing, **kwargs)
