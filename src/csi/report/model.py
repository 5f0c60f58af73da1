"""Which model to fit: a CSI preset from the codebook's constructs, or lavaan text.

Moved to :mod:`csi.models` (model building sits below the report); re-exported here
for compatibility.
"""

from __future__ import annotations

from csi.models import PRESETS, construct_roles, load_model, spec_from_codebook

__all__ = ["PRESETS", "construct_roles", "load_model", "spec_from_codebook"]
