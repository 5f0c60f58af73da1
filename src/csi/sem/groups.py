"""Parameter sharing across groups: lavaan's ``group.equal`` and the invariance ladder.

Every group gets its own semopy model (same syntax); csi owns the global parameter
vector and decides which group parameters share an entry, which is how cross-group
equality constraints (missing in semopy) are imposed. Mean structure (Sorbom 1974):
``mu_g = nu_g + Lambda_g C_g alpha_g``; with equal intercepts the latent means of
groups 2..G are free and group 1's are fixed to 0 (lavaan's convention).

Ladder (Meredith 1993; Vandenberg & Lance 2000): configural (same pattern), metric
(+ equal loadings), scalar (+ equal intercepts), strict (+ equal error variances).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from csi._checks import CsiInputError
from csi.sem.engine import GroupMap
from csi.sem.structure import PSI, THETA, Structure

#: What each ``group_equal`` keyword constrains (lavaan's names, with underscores).
EQUAL_KINDS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual_covariances",
    "lv_variances",
    "lv_covariances",
    "regressions",
)

#: group_equal of each rung of the invariance ladder.
LADDER: dict[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}


def _kind(st: Structure, name: str) -> str:
    e = next(e for e in st.entries if e.name == name)
    if e.op == "=~":
        return "loadings"
    if e.op == "~":
        return "regressions"
    if e.matrix == THETA:
        return "residuals" if e.lhs == e.rhs else "residual_covariances"
    if e.matrix == PSI:
        latent = e.lhs in st.sm.latents and e.rhs in st.sm.latents
        if e.lhs == e.rhs:
            return "lv_variances" if latent else "residuals"
        return "lv_covariances" if latent else "residual_covariances"
    return "other"  # pragma: no cover


def check_group_equal(group_equal: Sequence[str]) -> tuple[str, ...]:
    out = []
    for kind in group_equal:
        k = str(kind).replace(".", "_")
        if k not in EQUAL_KINDS:
            raise CsiInputError(f"group_equal: unknown kind {kind!r}; choose from {EQUAL_KINDS}")
        out.append(k)
    return tuple(out)


def check_group_partial(group_partial: Sequence[str]) -> tuple[tuple[str, str, str], ...]:
    """lavaan's ``group.partial`` entries (``"visual=~x2"``, ``"x1~~x1"``, ``"x3~1"``)."""
    out = []
    for item in group_partial:
        m = re.fullmatch(r"\s*([^\s=~]+)\s*(=~|~~|~)\s*([^\s=~]+)\s*", str(item))
        if m is None:
            raise CsiInputError(
                f"group_partial: cannot read {item!r}; write 'lhs op rhs' such as "
                "'visual=~x2', 'x1~~x1' or 'x3~1'"
            )
        lhs, op, rhs = m.groups()
        out.append((lhs, "~1", "") if (op == "~" and rhs == "1") else (lhs, op, rhs))
    return tuple(out)


def _key(st: Structure, name: str) -> tuple[str, ...]:
    """What a shared free parameter is known by across groups: its label, else its place."""
    if not name.startswith("_") and name in st.aliases.to_name:
        return ("label", st.aliases.to_name[name])
    e = next(e for e in st.entries if e.name == name)
    return ("p", e.lhs, e.op, e.rhs)


def build_maps(
    structs: list[Structure],
    *,
    meanstructure: bool,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
) -> tuple[list[GroupMap], list[str]]:
    """Global index maps for each group and a readable key per global parameter.

    A labelled parameter is shared by every group with that label (``c(a, a)*x`` or a
    plain label); an unlabelled one is shared when ``group_equal`` names its kind and
    ``group_partial`` (lavaan's ``group.partial``) does not name it.
    """
    equal = set(check_group_equal(group_equal))
    partial = set(check_group_partial(group_partial))
    keys: dict[tuple, int] = {}
    names: list[str] = []

    def index(key: tuple, readable: str) -> int:
        if key not in keys:
            keys[key] = len(keys)
            names.append(readable)
        return keys[key]

    def freed(st: Structure, name: str) -> bool:
        e = next(e for e in st.entries if e.name == name)
        return (e.lhs, e.op, e.rhs) in partial or (e.rhs, e.op, e.lhs) in partial

    maps: list[GroupMap] = []
    for g, st in enumerate(structs):
        cov_idx = []
        for name in st.free_names:
            labelled = not name.startswith("_")
            shared = labelled or (_kind(st, name) in equal and not freed(st, name))
            key = _key(st, name) if shared else ("p", g, name)
            readable = name if shared and (key in keys or name not in names) else None
            cov_idx.append(index(key, readable or f"{name}.g{g + 1}"))
        nu_idx = alpha_idx = None
        if meanstructure:
            nu_idx = np.array(
                [
                    index(
                        ("nu", j)
                        if "intercepts" in equal and (v, "~1", "") not in partial
                        else ("nu", g, j),
                        f"nu.{v}.g{g + 1}",
                    )
                    for j, v in enumerate(st.obs)
                ],
                dtype=int,
            )
            free_alpha = "intercepts" in equal and "means" not in equal and g > 0
            alpha_idx = np.array(
                [
                    index(("alpha", g, k), f"alpha.{k}.g{g + 1}") if free_alpha else -1
                    for k in range(len(st.latent_idx))
                ],
                dtype=int,
            )
        maps.append(GroupMap(np.array(cov_idx, dtype=int), nu_idx, alpha_idx))
    return maps, names


def start_values(
    structs: list[Structure],
    maps: list[GroupMap],
    n_par: int,
    group_x: list[np.ndarray],
    group_means: list[np.ndarray],
) -> np.ndarray:
    """Average of the per-group starting values for shared parameters."""
    total = np.zeros(n_par)
    count = np.zeros(n_par)
    for st, mp, x, mean in zip(structs, maps, group_x, group_means, strict=True):
        del st
        np.add.at(total, mp.cov_idx, x)
        np.add.at(count, mp.cov_idx, 1.0)
        if mp.nu_idx is not None:
            np.add.at(total, mp.nu_idx, mean)
            np.add.at(count, mp.nu_idx, 1.0)
    with np.errstate(invalid="ignore"):
        out = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    return out


def apply_starts(structs: list[Structure], maps: list[GroupMap], theta: np.ndarray) -> None:
    """Put the user's ``start(v)*x`` / ``v?x`` values into ``theta`` (in place).

    lavaan's start values change where the optimiser begins, never the model.
    """
    for st, mp in zip(structs, maps, strict=True):
        starts = {}
        for t in st.sm.terms:
            if t.start is not None:
                starts[(t.lhs, t.op, t.rhs)] = t.start
                if t.op == "~~":
                    starts[(t.rhs, t.op, t.lhs)] = t.start
        if not starts:
            return
        for e in st.entries:
            value = starts.get((e.lhs, e.op, e.rhs))
            if value is not None and e.free >= 0:
                theta[mp.cov_idx[e.free]] = value
