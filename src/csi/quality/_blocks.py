"""Re-exports :mod:`csi.item_blocks` (moved to the base layer so that the estimators'
bootstrap statistics can use it without importing ``csi.quality``)."""

from __future__ import annotations

from csi.item_blocks import item_blocks as item_blocks
from csi.item_blocks import model_corr as model_corr

__all__ = ["item_blocks", "model_corr"]
