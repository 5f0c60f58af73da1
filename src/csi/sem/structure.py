"""csi's view of a semopy model: parameter locations, implied moments and derivatives.

semopy builds the LISREL-like matrices (Beta, Lambda, Psi, Theta) from the model text
and computes the implied covariance ``Sigma = Lambda C Psi C' Lambda' + Theta`` with
``C = (I - Beta)^-1`` and its derivatives with respect to the free parameters. csi reads
those, labels every matrix entry with lavaan's ``lhs op rhs`` and adds what semopy lacks:
a mean structure ``mu = nu + Lambda C alpha`` (observed intercepts ``nu``, latent means
``alpha``) for multi-group and FIML fits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csi.sem.syntax import Aliases, SemModel, to_semopy

if TYPE_CHECKING:  # semopy (and scipy.optimize) load on the first Structure only
    import semopy

_log = logging.getLogger(__name__)

#: semopy's matrix order in ``Model.matrices``.
BETA, LAMBDA, PSI, THETA = 0, 1, 2, 3


@dataclass(frozen=True)
class ParamEntry:
    """One entry of a model matrix that is a parameter (free or fixed)."""

    name: str  # semopy parameter name
    free: int  # index into the semopy free-parameter vector, -1 if fixed
    matrix: int
    row: int
    col: int
    lhs: str
    op: str
    rhs: str
    label: str | None
    value: float  # the fixed value for fixed entries
    fixed_x: bool = False  # exogenous observed (co)variance fixed at its sample value


def _needs_inner_outcomes(sm: SemModel) -> bool:
    """Whether an observed pure outcome covaries with a variable of the Beta/Psi block.

    semopy puts observed variables that cause nothing in its Theta block, where they
    cannot covary with latents; its ``mimic_lavaan`` keeps only indicators there (the
    same model, parametrised like lavaan). Needed for lavaan's ``auto.cov.y`` between,
    say, ``y ~ x`` and a latent outcome.
    """
    causes = {t.rhs for t in sm.all_terms if t.op == "~"}
    indicators = {t.rhs for t in sm.all_terms if t.op == "=~"}
    outputs = {v for v in sm.observed if v not in causes}
    plain = outputs - indicators
    return any(
        t.op == "~~"
        and t.lhs != t.rhs
        and ((t.lhs in plain and t.rhs not in outputs) or (t.rhs in plain and t.lhs not in outputs))
        for t in sm.all_terms
    )


class Structure:
    """A semopy ``Model`` for one group plus csi's bookkeeping.

    ``obs`` are the observed variables in semopy's order, ``inner`` the variables of the
    Beta/Psi block (latents first, then observed variables that take part in regressions).
    """

    def __init__(self, sm: SemModel) -> None:
        import semopy  # here, so that ``import csi.sem`` does not load it

        desc, aliases = to_semopy(sm)
        self.sm = sm
        self.aliases: Aliases = aliases
        self.model: semopy.Model = semopy.Model(desc, mimic_lavaan=_needs_inner_outcomes(sm))
        # lavaan leaves variances unbounded (improper solutions are reported, not hidden);
        # semopy's lower bound 0 is kept only for its own first pass
        names = aliases.to_name
        self.obs_alias: list[str] = list(self.model.vars["observed"])
        self.obs = [names[a] for a in self.obs_alias]
        self.inner = [names[a] for a in self.model.vars["inner"]]
        self.latent_idx = np.array(
            [k for k, v in enumerate(self.inner) if v in set(sm.latents)], dtype=int
        )
        self.p = len(self.obs)
        self.entries = self._entries()
        self.free_names = [n for n, prm in self.model.parameters.items() if prm.active]
        # semopy fixes (co)variances of exogenous observed variables at their sample values,
        # like lavaan's fixed.x = TRUE; those moments are saturated and leave the df alone
        self.n_fixed_x = sum(1 for e in self.entries if e.fixed_x)
        self.fixed_x_vars = sorted(
            {e.lhs for e in self.entries if e.fixed_x} | {e.rhs for e in self.entries if e.fixed_x}
        )
        self.k = len(self.free_names)
        self._prepared = False

    # ------------------------------------------------------------- labelling
    def _entries(self) -> list[ParamEntry]:
        names = self.aliases.to_name
        measurement = {(t.lhs, t.rhs) for t in self.sm.all_terms if t.op == "=~"}
        cov_user = {(t.lhs, t.rhs) for t in self.sm.all_terms if t.op == "~~"}
        order = list(self.sm.latents) + list(self.sm.observed)
        rows_cols = self.model.names
        out: list[ParamEntry] = []
        free = 0
        for pname, prm in self.model.parameters.items():
            idx = free if prm.active else -1
            label = names.get(pname) if not pname.startswith("_") else None
            for loc in prm.locations:
                mx = next(k for k, m in enumerate(self.model.matrices) if m is loc.matrix)
                i, j = loc.indices
                r = names[rows_cols[mx][0][i]]
                c = names[rows_cols[mx][1][j]]
                if mx in (BETA, LAMBDA):
                    lhs, op, rhs = (c, "=~", r) if (c, r) in measurement else (r, "~", c)
                else:
                    op = "~~"
                    if (r, c) in cov_user:
                        lhs, rhs = r, c
                    elif (c, r) in cov_user:
                        lhs, rhs = c, r
                    else:
                        lhs, rhs = sorted((r, c), key=order.index)
                value = float(prm.start) if (not prm.active and prm.start is not None) else 0.0
                fixed_x = not prm.active and prm.start is None
                out.append(ParamEntry(pname, idx, mx, i, j, lhs, op, rhs, label, value, fixed_x))
            if prm.active:
                free += 1
        return out

    # ------------------------------------------------------------- fitting
    def set_starts(self, cov: np.ndarray) -> None:
        """lavaan-like starting values from the covariance matrix alone.

        Loadings: slope of the item on its construct's marker item ``s_jm / s_mm`` (what
        semopy computes from raw data, here from the moments so a fit can start from
        sufficient statistics); latent (residual) variances ``0.05 s_mm``, semopy's 0.05 in
        the marker item's units, so that the starts follow a rescaling of the items;
        everything else keeps semopy's defaults (error variances half the item variance,
        paths 0).
        """
        obs = {v: k for k, v in enumerate(self.obs)}
        markers: dict[str, str] = {}
        for t in self.sm.terms:
            if t.op == "=~" and t.fixed is not None and t.lhs not in markers:
                markers[t.lhs] = t.rhs
        for e in self.entries:
            prm = self.model.parameters[e.name]
            if not prm.active or e.op != "=~" or prm.start is not None:
                continue
            m = markers.get(e.lhs)
            if m in obs and e.rhs in obs and cov[obs[m], obs[m]] > 0:
                prm.start = float(cov[obs[e.rhs], obs[m]] / cov[obs[m], obs[m]])
            else:
                prm.start = 1.0
        latents = set(self.sm.latents)
        for e in self.entries:
            prm = self.model.parameters[e.name]
            if not prm.active or e.op != "~~" or e.lhs != e.rhs or e.lhs not in latents:
                continue
            m = markers.get(e.lhs)
            if prm.start is None and m in obs and cov[obs[m], obs[m]] > 0:
                prm.start = 0.05 * float(cov[obs[m], obs[m]])

    def semopy_fit(
        self, cov: np.ndarray, n: int, obj: str = "MLW", *, maxiter: int | None = None
    ) -> tuple[np.ndarray, bool]:
        """Fit with semopy's own optimiser from the covariance matrix; returns (x, success).

        ``maxiter`` caps semopy's SLSQP at a few iterations: enough to move the starting
        values into the basin of the solution, which Fisher scoring then reaches in a
        few steps (success is then whether SLSQP itself had converged).
        """
        self.set_starts(cov)
        frame = pd.DataFrame(cov, index=self.obs_alias, columns=self.obs_alias)
        if maxiter is not None:
            # semopy's objective and gradient under scipy's SLSQP, called directly: semopy's
            # Model.fit would log a warning on the root logger when SLSQP stops at maxiter
            from scipy import optimize

            self.model.load(cov=frame, n_samples=n, clean_slate=True)
            self._prepared = True
            fun, grad = self.model.get_objective(obj)
            out = optimize.minimize(
                fun,
                np.asarray(self.model.param_vals, dtype=float),
                jac=grad,
                bounds=self.model.get_bounds(),
                constraints=self.model.constraints,
                method="SLSQP",
                options={"maxiter": maxiter, "ftol": 1e-4},
            )
            x = np.asarray(out.x, dtype=float)
            self.model.param_vals = x
            self.model.update_matrices(x)
            return x, bool(out.success)
        # a loose tolerance: csi's Fisher scoring finishes the job in a few cheap steps
        res = self.model.fit(
            cov=frame, obj=obj, n_samples=n, clean_slate=True, options={"ftol": 1e-4}
        )
        self._prepared = True
        return np.asarray(res.x, dtype=float), bool(res.success)

    def prepare(self, cov: np.ndarray, n: int) -> np.ndarray:
        """Load moments without optimising (for multi-group and FIML); returns the starts."""
        self.set_starts(cov)
        frame = pd.DataFrame(cov, index=self.obs_alias, columns=self.obs_alias)
        self.model.load(cov=frame, n_samples=n, clean_slate=True)
        self._prepared = True
        return np.asarray(self.model.param_vals, dtype=float).copy()

    # ----------------------------------------------------- implied moments
    def implied(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(Sigma, M, C)`` at parameters ``x``: ``M = Lambda C``, ``C = (I - Beta)^-1``."""
        self.model.update_matrices(x)
        sigma, (m, c) = self.model.calc_sigma()
        return sigma, m, c

    def dsigma(self, m: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Derivatives of Sigma, shape ``(k, p, p)`` (after :meth:`implied`).

        semopy's ``calc_sigma_grad`` term by term, batched over the parameters:
        ``dSigma_i = M (dB_i P + P' dB_i' + dPsi_i) M' + dL_i D + D' dL_i' + dTheta_i``
        with ``M = Lambda C``, ``P = C Psi``, ``D = P M'``.
        """
        if not self.model.mx_diffs:
            return np.zeros((0, self.p, self.p))
        db, dl, dp, dt = self._diff_stacks()
        psi = self.model.matrices[PSI]
        pm = c @ psi
        d = pm @ m.T
        a = db @ pm
        inner = a + a.transpose(0, 2, 1) + dp
        out = m @ inner @ m.T
        t = dl @ d
        out += t + t.transpose(0, 2, 1)
        out += dt
        return out

    def _diff_stacks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """semopy's per-parameter matrix derivatives as dense stacks (Beta, Lambda, Psi,
        Theta), rebuilt whenever semopy rebuilds its list."""
        diffs = self.model.mx_diffs
        cached = getattr(self, "_stacks", None)
        if cached is not None and cached[0] is diffs:
            return cached[1]
        mats = self.model.matrices
        stacks = []
        for which in (BETA, LAMBDA, PSI, THETA):
            stack = np.zeros((len(diffs), *mats[which].shape))
            for i, dm in enumerate(diffs):
                if dm[which] is not None:
                    stack[i] = dm[which]
            stacks.append(stack)
        out = (stacks[0], stacks[1], stacks[2], stacks[3])
        self._stacks = (diffs, out)
        return out

    def dmean(self, m: np.ndarray, c: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """Derivatives of ``Lambda C alpha`` w.r.t. the semopy parameters, ``(k, p)``."""
        out = np.zeros((self.k, self.p))
        if not np.any(alpha):
            return out
        ca = c @ alpha
        for i, dmx in enumerate(self.model.mx_diffs):
            if dmx[LAMBDA] is not None:
                out[i] += dmx[LAMBDA] @ ca
            if dmx[BETA] is not None:
                out[i] += m @ (dmx[BETA] @ ca)
        return out

    def matrices(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Copies of Beta, Lambda, Psi, Theta at ``x``."""
        self.model.update_matrices(x)
        mats = self.model.matrices
        return {
            "beta": mats[BETA].copy(),
            "lambda": mats[LAMBDA].copy(),
            "psi": mats[PSI].copy(),
            "theta": mats[THETA].copy(),
        }

    def bounds_hit(self, x: np.ndarray) -> list[str]:
        """semopy variance parameters sitting on its lower bound 0."""
        out = []
        for name, val in zip(self.free_names, x, strict=True):
            lo = self.model.parameters[name].bound[0]
            if lo is not None and abs(val - lo) < 1e-10:
                out.append(name)
        return out


_GROUP_SUFFIX = re.compile(r"^(?P<base>.+?)\.g(?P<group>\d+)$")


def lavaan_name(lhs: str, op: str, rhs: str, group: int = 1) -> str:
    """lavaan's name of a parameter: ``lhs op rhs`` without spaces (``visual=~x2``,
    ``x1~1``, ``x1|t1``), with ``.g2``, ``.g3``... for a later group (group 1 has none)."""
    text = f"{lhs}{op}{rhs}"
    return text if group == 1 else f"{text}.g{group}"


def readable_names(
    structs: Sequence[Structure], names: Sequence[str], items: Sequence[str] | None = None
) -> list[str]:
    """lavaan's names of the free parameters whose internal keys are ``names``.

    ``lhs op rhs`` without spaces (``visual=~x2``), the label of a labelled parameter,
    ``x1~1`` for an intercept or a latent mean, ``x1|t1`` for a threshold and
    ``x1~*~x1`` for a scale factor (``items``: the ordinal items in threshold order);
    ``.g2``, ``.g3``... for a parameter of a later group (lavaan's ``vcov`` names; group 1
    has no suffix). Used for ``SEMResult.vcov`` and the messages that name parameters.
    """
    out = []
    for name in names:
        m = _GROUP_SUFFIX.match(name)
        base, g = (m["base"], int(m["group"])) if m else (name, 1)
        st = structs[min(g, len(structs)) - 1]
        parts = base.split(".")
        if parts[0] in ("nu", "alpha") and len(parts) == 2:
            v = parts[1]
            if parts[0] == "alpha" and v.isdigit():  # the k-th latent of an ordinal fit
                v = st.inner[int(st.latent_idx[int(v)])]
            out.append(lavaan_name(v, "~1", "", g))
        elif parts[0] == "tau" and len(parts) == 3 and items is not None:
            out.append(lavaan_name(items[int(parts[1])], "|", f"t{parts[2]}", g))
        elif parts[0] == "delta" and len(parts) == 2 and items is not None:
            item = items[int(parts[1])]
            out.append(lavaan_name(item, "~*~", item, g))
        else:
            e = next((e for e in st.entries if e.name == base and e.free >= 0), None)
            if e is None:  # not a matrix entry's key: kept as it is
                out.append(lavaan_name(base, "", "", g))
            elif e.label:  # a labelled parameter is named by its label
                out.append(lavaan_name(e.label, "", "", g))
            else:
                out.append(lavaan_name(e.lhs, e.op, e.rhs, g))
    return out
