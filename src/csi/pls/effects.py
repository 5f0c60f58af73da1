"""Direct, indirect and total effects in a recursive structural model.

With ``B[s, t]`` the direct effect (path coefficient) of ``s`` on ``t``, the total
effect is the sum over all directed routes of the product of their paths,
``T = B + B² + B³ + ... = (I - B)^-1 - I`` (finite because the model is acyclic),
and the indirect effect is ``T - B`` (Alwin & Hauser 1975; Bollen 1987).
"""

from __future__ import annotations

import numpy as np

from csi.pls.algorithm import Layout


def total_effects(paths: np.ndarray) -> np.ndarray:
    """Total effects ``(I - B)^-1 - I`` for ``B`` of shape ``(J, J)`` or ``(..., J, J)``."""
    B = np.asarray(paths, dtype=float)
    eye = np.eye(B.shape[-1])
    if B.ndim == 2:
        return np.linalg.solve(eye - B, eye) - eye
    return np.linalg.solve(eye - B, np.broadcast_to(eye, B.shape)) - eye


def reachable(layout: Layout) -> np.ndarray:
    """``R[s, t]`` True when a directed route of one or more paths leads from s to t."""
    step = layout.path.astype(np.intp)
    reach = step.copy()
    power = step
    for _ in range(layout.n_constructs):
        power = (power @ step > 0).astype(np.intp)
        if not power.any():
            break
        reach |= power
    return reach.astype(bool)


def indirectly_reachable(layout: Layout) -> np.ndarray:
    """``R[s, t]`` True when a route of two or more paths leads from s to t."""
    return (reachable(layout).astype(np.intp) @ layout.path.astype(np.intp)) > 0


def effect_pairs(mask: np.ndarray, layout: Layout) -> list[tuple[int, int]]:
    """``(s, t)`` index pairs where ``mask`` is True, ordered by target then source."""
    return [
        (s, t) for t in range(layout.n_constructs) for s in range(layout.n_constructs) if mask[s, t]
    ]
