"""Simulated and shipped sample surveys."""

from __future__ import annotations

from csi.datasets.samples import SAMPLE_PARAMS, load_sample, sample_paths
from csi.datasets.simulate import SimulatedSurvey, simulate_csi

__all__ = ["SAMPLE_PARAMS", "SimulatedSurvey", "load_sample", "sample_paths", "simulate_csi"]
