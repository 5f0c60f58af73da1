"""Chinese phrases of the library's own displays (summaries, plots, diagnostics),
looked up through :func:`csi.i18n.text`. Same keys as :mod:`csi.i18n.library_en`.
"""

from __future__ import annotations

#: Phrases of summaries, plots and diagnostics outside the report.
LIBRARY_ZH: dict[str, str] = {
    "summary_n": "样本量 n = {n:,}",
}
