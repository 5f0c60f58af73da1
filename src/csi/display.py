"""One display contract for every result: ``result.summary(lang=...)`` returns a :class:`Summary`.

A :class:`Summary` is the plain-text summary (it *is* a ``str``, so ``print(result.summary())``
and string tests keep working) that also carries the tables it was built from and an HTML
rendering; a result's ``_repr_html_`` is its summary's :attr:`Summary.html`. The contract,
tested over every public result class in ``tests/test_display_contract.py``:

* ``summary(*, lang="en", ...)`` accepts ``lang`` ("en" or "zh", anything else is a
  :class:`csi.CsiInputError`) and returns a :class:`Summary`;
* the Chinese summary is written in Chinese (phrases from :mod:`csi.i18n`);
* ``_repr_html_()`` returns ``summary().html``.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"index": [74.2]})
>>> s = Summary("Index: 74.2 (n = 250)", title="CSI", tables={"index": table})
>>> print(s)
Index: 74.2 (n = 250)
>>> list(s.tables)
['index']
>>> "<table" in s.html
True
"""

from __future__ import annotations

import html as _html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["Summary", "preformatted", "significance_stars"]


class Summary(str):
    """The text of a result's summary, with its tables and an HTML rendering.

    Built as ``Summary(text, *, title="", tables=None, notes=(), html=None, lang="en")``:

    * ``text``: the plain-text summary (what ``str(summary)`` and ``print`` show);
    * ``title``: a short title, kept as :attr:`heading` (``str.title`` is a string
      method) and shown first in the HTML rendering;
    * ``tables``: named tables shown in the summary, in display order;
    * ``notes``: lines shown as a paragraph between the title and the tables in the
      default HTML (e.g. the sample size and settings lines of the text);
    * ``html``: a ready HTML rendering; by default the title, the notes and each table
      (``DataFrame.to_html``), or the text in a ``<pre>`` block when there is no table,
      all escaped;
    * ``lang``: the language the summary is written in.
    """

    heading: str
    tables: dict[str, pd.DataFrame]
    lang: str
    notes: tuple[str, ...]
    _html: str | None

    def __new__(
        cls,
        text: str,
        *,
        title: str = "",
        tables: Mapping[str, pd.DataFrame] | None = None,
        notes: Sequence[str] = (),
        html: str | None = None,
        lang: str = "en",
    ) -> Summary:
        obj = super().__new__(cls, text)
        obj.heading = title
        obj.tables = dict(tables or {})
        obj.notes = tuple(str(n) for n in notes)
        obj.lang = lang
        obj._html = html
        return obj

    @property
    def text(self) -> str:
        """The plain text (a plain ``str``)."""
        return str.__str__(self)

    @property
    def html(self) -> str:
        """An HTML rendering: the given one, or title, text and tables, escaped."""
        if self._html is not None:
            return self._html
        parts = ["<div class='csi-summary'>"]
        if self.heading:
            parts.append(f"<h4>{_html.escape(self.heading)}</h4>")
        if self.tables:
            if self.notes:
                parts.append("<p>" + "<br>".join(_html.escape(n) for n in self.notes) + "</p>")
            for name, table in self.tables.items():
                parts.append(f"<h5>{_html.escape(str(name))}</h5>")
                parts.append(table.to_html(escape=True))
        else:
            parts.append(f"<pre>{_html.escape(self.text)}</pre>")
        parts.append("</div>")
        return "".join(parts)

    @classmethod
    def plain(
        cls,
        text: str,
        *,
        title: str = "",
        tables: Mapping[str, pd.DataFrame] | None = None,
        lang: str = "en",
    ) -> Summary:
        """A summary shown in HTML as its text in a ``<pre>`` block (the tables are kept
        for programs, not drawn): for summaries laid out as aligned text lines."""
        return cls(text, title=title, tables=tables, html=preformatted(text), lang=lang)

    def _repr_html_(self) -> str:
        return self.html

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild,
            (self.text, self.heading, self.tables, self.notes, self._html, self.lang),
        )


def preformatted(text: str) -> str:
    """``text`` escaped in a ``<pre>`` block."""
    return f"<pre>{_html.escape(text)}</pre>"


def _rebuild(
    text: str,
    title: str,
    tables: dict[str, pd.DataFrame],
    notes: tuple[str, ...],
    html: str | None,
    lang: str,
) -> Summary:
    return Summary(text, title=title, tables=tables, notes=notes, html=html, lang=lang)


def significance_stars(p: float | None) -> str:
    """``***`` for p < .001, ``**`` for p < .01, ``*`` for p < .05, else ``""``.

    (Here rather than in :mod:`csi.plots` so that tables can mark significance without
    loading matplotlib; ``csi.plots.significance_stars`` re-exports it.)
    """
    if p is None or not np.isfinite(p):
        return ""
    if p < 0.001:
        return "***"
    if p < 0.01:
        return "**"
    if p < 0.05:
        return "*"
    return ""
