"""AHP scale and random index: Saaty's 1-9 scale and the random index tables RI(n).

See :mod:`csi.weighting.ahp` for the method; :data:`RANDOM_INDEX_TABLES` lists the
tables and their sources.
"""

from __future__ import annotations

import numpy as np

from csi._checks import CsiInputError, check_choice

__all__ = ["RANDOM_INDEX_TABLES", "SAATY_SCALE", "random_index", "simulate_random_index"]

#: Saaty's 1-9 scale and reciprocals.
SAATY_SCALE: tuple[float, ...] = tuple(
    sorted({float(k) for k in range(1, 10)} | {1 / k for k in range(2, 10)})
)


# --------------------------------------------------------------------------- random index
# Saaty's classic table (Saaty 1980, The Analytic Hierarchy Process, Table 1.7, from
# simulations at Oak Ridge / Wharton) for n <= 10, continued for n = 11..15 with the
# figures of Saaty (2005) Theory and Applications of the Analytic Network Process,
# RWS Publications, p. 31.
_SAATY = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
          10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59}  # fmt: skip
# Saaty (2005), p. 31 (50 000 matrices per n).
_SAATY_2005 = {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40, 9: 1.45,
               10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59}  # fmt: skip
# Donegan, H. A. & Dodd, F. J. (1991) A note on Saaty's random indexes, Mathematical and
# Computer Modelling 15(10), 135-137. Sizes between listed ones are interpolated linearly.
_DONEGAN_DODD = {1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519,
                 8: 1.3171, 9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643,
                 14: 1.4822, 15: 1.4969, 16: 1.5078, 17: 1.5153, 18: 1.5262, 19: 1.5313,
                 20: 1.5371, 25: 1.5619, 30: 1.5772, 40: 1.5976, 50: 1.6102, 60: 1.6178,
                 70: 1.6237, 80: 1.6277, 90: 1.6213, 100: 1.6339}  # fmt: skip
# Monte Carlo by csi (simulate_random_index(n, size=100_000, seed=2026)): mean CI of
# random reciprocal matrices whose upper-triangle entries are drawn uniformly from the
# 17 values of Saaty's scale (1/9 .. 1 .. 9), the same design as Saaty's and
# Alonso & Lamata (2006). Monte Carlo standard error about 0.002 at n = 3-4,
# 0.0007 at n = 10 and 0.0002 at n = 30.
_SIMULATED = {1: 0.0, 2: 0.0}  # filled below
_SIMULATED_VALUES = (
    0.5230, 0.8852, 1.1062, 1.2493, 1.3419, 1.4049, 1.4508, 1.4858, 1.5141, 1.5364,
    1.5547, 1.5707, 1.5840, 1.5958, 1.6054, 1.6145, 1.6219, 1.6294, 1.6353, 1.6411,
    1.6464, 1.6511, 1.6551, 1.6592, 1.6628, 1.6665, 1.6695, 1.6726,
)  # fmt: skip
_SIMULATED.update({n: v for n, v in zip(range(3, 31), _SIMULATED_VALUES, strict=True)})

#: name -> (table n -> RI, source)
RANDOM_INDEX_TABLES: dict[str, tuple[dict[int, float], str]] = {
    "saaty": (
        _SAATY,
        "Saaty (1980) The Analytic Hierarchy Process, n <= 10; n = 11..15 from Saaty (2005) "
        "Theory and Applications of the Analytic Network Process, p. 31",
    ),
    "saaty2005": (_SAATY_2005, "Saaty (2005) Theory and Applications of the ANP, p. 31"),
    "donegan_dodd": (
        _DONEGAN_DODD,
        "Donegan & Dodd (1991) Mathematical and Computer Modelling 15(10), 135-137; "
        "linear interpolation between listed sizes",
    ),
    "simulated": (
        _SIMULATED,
        "csi Monte Carlo: 100 000 random reciprocal matrices per n on Saaty's 17-value scale, "
        "seed 2026 (simulate_random_index); n <= 30",
    ),
}


def random_index(n: int, table: str = "saaty") -> float:
    """Random index RI(n) from a named table (see :data:`RANDOM_INDEX_TABLES`)."""
    check_choice(table, RANDOM_INDEX_TABLES, name="random_index")
    tab = RANDOM_INDEX_TABLES[table][0]
    if n in tab:
        return tab[n]
    sizes = sorted(tab)
    if n < 1 or n > sizes[-1]:
        raise CsiInputError(
            f"random index table {table!r} covers n = 1..{sizes[-1]}, not n = {n}; "
            "use random_index='simulated' (n <= 30) or 'donegan_dodd' (n <= 100)"
        )
    lo = max(s for s in sizes if s < n)
    hi = min(s for s in sizes if s > n)
    return tab[lo] + (tab[hi] - tab[lo]) * (n - lo) / (hi - lo)


def simulate_random_index(n: int, *, size: int = 100_000, seed: int = 2026) -> float:
    """Monte Carlo random index: mean ``(lambda_max - n) / (n - 1)`` of random matrices.

    Upper-triangle entries are drawn uniformly from the 17 values of Saaty's scale
    (1/9..1/2, 1, 2..9) with ``numpy.random.default_rng([seed, n])``; this reproduces
    the ``"simulated"`` table.
    """
    if n < 3:
        return 0.0
    rng = np.random.default_rng([seed, n])
    scale = np.array(SAATY_SCALE)
    iu = np.triu_indices(n, 1)
    total, done = 0.0, 0
    while done < size:
        b = min(5000, size - done)
        m = np.ones((b, n, n))
        v = scale[rng.integers(0, scale.size, size=(b, iu[0].size))]
        m[:, iu[0], iu[1]] = v
        m[:, iu[1], iu[0]] = 1 / v
        lam = np.linalg.eigvals(m).real.max(axis=1)
        total += float(((lam - n) / (n - 1)).sum())
        done += b
    return total / size
