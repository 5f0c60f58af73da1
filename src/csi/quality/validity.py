"""Discriminant validity: HTMT, HTMT2, the Fornell-Larcker criterion, cross-loadings.

HTMT (computed in :mod:`csi.htmt`; Henseler, Ringle & Sarstedt 2015, *J. Acad. Mark. Sci.*
43, 115-135, eq. 6): for
constructs ``i`` (``K_i`` items) and ``j``,

    HTMT_ij = mean(|r_gh|, g in i, h in j)
              / sqrt(mean(|r_gg'|, g < g' in i) * mean(|r_hh'|, h < h' in j)),

the mean heterotrait-heteromethod correlation over the geometric mean of the average
monotrait-heteromethod correlations. HTMT2 (Roemer, Schuberth & Henseler 2021, *Ind. Manag.
Data Syst.* 121(12), 2637-2650) uses geometric instead of arithmetic means, which does not
assume tau-equivalent items. Absolute correlations are used by default (as seminr and
SmartPLS 4 do), so a negatively worded construct such as complaints is compared on the
strength of its correlations; ``absolute=False`` gives the signed original. A single-item
construct has no item pairs: its monotrait term is taken as 1 (a perfectly reliable item).

Fornell-Larcker (1981, *J. Mark. Res.* 18, 39-50): each construct's ``sqrt(AVE)`` should
exceed its correlations with every other construct.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from csi.htmt import HTMT_KINDS as HTMT_KINDS
from csi.htmt import htmt as htmt
from csi.spec import ModelSpec


def htmt_frame(
    corr: Any, spec: ModelSpec, *, kind: str = "htmt", absolute: bool = True
) -> pd.DataFrame:
    """:func:`htmt` as a labelled construct x construct DataFrame."""
    names = list(spec.constructs)
    values = htmt(corr, spec, kind=kind, absolute=absolute)
    if values.ndim != 2:
        raise ValueError("htmt_frame takes one matrix (p, p)")
    return pd.DataFrame(values, index=pd.Index(names, name="construct"), columns=names)


def construct_pairs(matrix: np.ndarray, names: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Upper-triangle entries of a construct matrix: ``construct_1, construct_2, value``."""
    iu = np.triu_indices(len(names), 1)
    return pd.DataFrame(
        {
            "construct_1": [names[i] for i in iu[0]],
            "construct_2": [names[j] for j in iu[1]],
            "value": np.asarray(matrix, dtype=float)[iu],
        }
    )


def fornell_larcker(
    construct_corr: Any, ave: Any, names: tuple[str, ...] | list[str]
) -> pd.DataFrame:
    """Fornell-Larcker table: ``sqrt(AVE)`` on the diagonal, construct correlations elsewhere."""
    C = np.array(construct_corr, dtype=float)
    np.fill_diagonal(C, np.sqrt(np.asarray(ave, dtype=float)))
    return pd.DataFrame(C, index=pd.Index(list(names), name="construct"), columns=list(names))


def fornell_larcker_check(
    construct_corr: Any, ave: Any, names: tuple[str, ...] | list[str]
) -> pd.DataFrame:
    """Per construct: ``construct, sqrt_ave, max_correlation, with_construct, ok``.

    ``ok`` when ``sqrt(AVE)`` exceeds the largest absolute correlation with another
    construct (NaN AVE, e.g. formative constructs, gives ``ok`` = NA).
    """
    C = np.abs(np.array(construct_corr, dtype=float))
    np.fill_diagonal(C, -np.inf)
    root = np.sqrt(np.asarray(ave, dtype=float))
    if len(names) > 1:
        which = C.argmax(axis=1)
        biggest = C[np.arange(len(names)), which]
        other = [names[k] for k in which]
    else:
        biggest, other = np.array([np.nan]), [""]
    ok = pd.array(
        [
            None if not np.isfinite(r) or not np.isfinite(m) else bool(r > m)
            for r, m in zip(root, biggest, strict=True)
        ],
        dtype="boolean",
    )
    return pd.DataFrame(
        {
            "construct": list(names),
            "sqrt_ave": root,
            "max_correlation": biggest,
            "with_construct": other,
            "ok": ok,
        }
    )


def cross_loading_check(cross: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """Per indicator: own loading, the largest absolute cross-loading, and ``ok``.

    ``ok`` when the item correlates more strongly with its own construct than with any
    other (Chin 1998; Hair et al. 2017, p. 115). Columns ``construct, indicator,
    loading, max_cross_loading, on_construct, ok``.
    """
    rows = []
    values = cross.to_numpy(dtype=float)
    row_of = {str(i): k for k, i in enumerate(cross.index)}
    col_of = {str(c): k for k, c in enumerate(cross.columns)}
    for c in spec.constructs:
        others = [o for o in spec.constructs if o != c]
        for item in spec.indicators[c]:
            own = float(values[row_of[item], col_of[c]])
            if others:
                vals = np.abs(values[row_of[item], [col_of[o] for o in others]])
                on = others[int(vals.argmax())]
                top = float(vals.max())
            else:
                on, top = "", float("nan")
            rows.append((c, item, own, top, on, bool(abs(own) > top) if others else True))
    return pd.DataFrame(
        rows,
        columns=["construct", "indicator", "loading", "max_cross_loading", "on_construct", "ok"],
    )
