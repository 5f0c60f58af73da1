"""English phrases of the library's own displays (summaries, plots, diagnostics),
looked up through :func:`csi.i18n.text`. Keys are unique across the catalogue.
"""

from __future__ import annotations

#: Phrases of summaries, plots and diagnostics outside the report.
LIBRARY_EN: dict[str, str] = {
    "summary_n": "n = {n:,}",
}
