"""Which model to fit: a CSI preset from a codebook's constructs, or lavaan text.

How a codebook's constructs map to the roles of the ACSI / ECSI presets
(``expectation, quality, value, satisfaction, complaints, loyalty`` and
``image``), in this order:

1. an explicit ``roles`` mapping, construct -> role (CLI: ``--role Construct=role``);
2. otherwise a construct whose name, English label or Chinese label equals (ignoring
   case and spaces) a role key, the preset's English default name (Expectation,
   Quality, Value, Satisfaction, Complaints, Loyalty, Image) or its Chinese default
   name (预期质量, 感知质量, 感知价值, 顾客满意度, 顾客抱怨, 顾客忠诚, 品牌形象).

The fitted constructs keep the codebook's names. ``complaints`` may be missing
(the variant without complaints); every other role of the preset must be found,
and a construct that matches no role is an error naming it.

Model building only (codebook and :class:`csi.spec.ModelSpec`): the report
(:func:`csi.report.run_analysis`) and the CLI call it; :mod:`csi.report.model`
re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from csi._checks import CsiInputError
from csi.codebook import Codebook
from csi.pls.higher_order_spec import has_higher_order
from csi.spec import ACSI_ROLES, ECSI_ROLES, ROLE_NAMES, ModelSpec

__all__ = [
    "PRESETS",
    "construct_roles",
    "constructs_with_role",
    "find_target",
    "load_model",
    "spec_from_codebook",
]

PRESETS = ("auto", "acsi", "ecsi")


def _norm(s: str) -> str:
    return "".join(s.split()).casefold()


def _aliases() -> dict[str, str]:
    """Every accepted spelling of a preset role (normalised) -> the role key."""
    out: dict[str, str] = {}
    for role in ECSI_ROLES:
        out[_norm(role)] = role
        for lang in ROLE_NAMES:
            out[_norm(ROLE_NAMES[lang][role])] = role
    return out


def construct_roles(
    codebook: Codebook, roles: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """Construct -> preset role (or None when no role matches), following the module rules."""
    aliases = _aliases()
    given = dict(roles or {})
    unknown = [c for c in given if c not in codebook.constructs]
    if unknown:
        raise CsiInputError(
            f"role given for unknown construct {unknown[0]!r}; the codebook has "
            f"{list(codebook.constructs)}"
        )
    out: dict[str, str | None] = {}
    for c, en, zh in codebook.construct_labels:
        if c in given:
            role = _norm(given[c])
            if role not in ECSI_ROLES:
                raise CsiInputError(
                    f"unknown role {given[c]!r} for construct {c!r}; roles are {list(ECSI_ROLES)}"
                )
            out[c] = role
            continue
        found: str | None = None
        for name in (c, en, zh):
            if name and _norm(name) in aliases:
                found = aliases[_norm(name)]
                break
        out[c] = found
    seen: dict[str, str] = {}
    for c, matched in out.items():
        if matched is None:
            continue
        if matched in seen:
            raise CsiInputError(
                f"constructs {seen[matched]!r} and {c!r} both map to the role {matched!r}; "
                "give --role CONSTRUCT=ROLE to choose"
            )
        seen[matched] = c
    return out


def spec_from_codebook(
    codebook: Codebook,
    model: str = "auto",
    *,
    roles: Mapping[str, str] | None = None,
) -> ModelSpec:
    """The ACSI or ECSI model on the codebook's constructs (see the module rules).

    ``model``: ``"acsi"``, ``"ecsi"``, or ``"auto"`` (ECSI when an image construct is
    present, else ACSI).
    """
    if model not in PRESETS:
        raise CsiInputError(f"model must be one of {list(PRESETS)} or a lavaan file, got {model!r}")
    if not codebook.constructs:
        raise CsiInputError(
            "the codebook assigns no items to constructs; give each item a 'construct' "
            "or pass a lavaan model file"
        )
    mapping = construct_roles(codebook, roles)
    unmatched = [c for c, r in mapping.items() if r is None]
    if unmatched:
        names = ", ".join(ROLE_NAMES["en"][r] for r in ECSI_ROLES)
        raise CsiInputError(
            f"construct {unmatched[0]!r} matches no CSI role; name it (or label it) "
            f"{names}, give --role {unmatched[0]}=ROLE, or pass a lavaan model file"
        )
    by_role = {r: c for c, r in mapping.items() if r is not None}
    if model == "auto":
        model = "ecsi" if "image" in by_role else "acsi"
    allowed = ECSI_ROLES if model == "ecsi" else ACSI_ROLES
    extra = [by_role[r] for r in by_role if r not in allowed]
    if extra:
        raise CsiInputError(
            f"construct {extra[0]!r} (role {mapping[extra[0]]!r}) is not part of the "
            f"{model.upper()} model; use --model ecsi or a lavaan model file"
        )
    indicators = {r: codebook.items_of(c) for r, c in by_role.items()}
    if model == "ecsi":
        return ModelSpec.ecsi(indicators, names=by_role)
    return ModelSpec.acsi(indicators, names=by_role)


def load_model(
    model: str | Path | ModelSpec | None,
    codebook: Codebook,
    *,
    roles: Mapping[str, str] | None = None,
) -> ModelSpec:
    """A ModelSpec from a preset name, a lavaan file path, lavaan text or a ModelSpec."""
    if isinstance(model, ModelSpec):
        return model
    if model is None:
        return spec_from_codebook(codebook, "auto", roles=roles)
    text = str(model)
    if text.lower() in PRESETS:
        return spec_from_codebook(codebook, text.lower(), roles=roles)
    if "~" not in text:
        path = Path(text)
        if not path.exists():
            raise CsiInputError(f"model file not found: {text} (or use --model acsi / ecsi)")
        text = path.read_text(encoding="utf-8")
    if has_higher_order(text):
        raise CsiInputError(
            "the report does not take higher-order constructs yet (a '=~' line whose "
            "right-hand names are constructs); fit them in Python with csi.fit_pls, which "
            "gives the index per level, impacts and IPMA (docs: Higher-order constructs)"
        )
    return ModelSpec.from_lavaan(text)


def constructs_with_role(spec: ModelSpec, codebook: Codebook, role: str) -> list[str]:
    """Constructs of ``spec`` named or labelled like the preset ``role`` (e.g. expectation)."""
    aliases = _aliases()
    labels = {c: (en, zh) for c, en, zh in codebook.construct_labels}
    return [
        c
        for c in spec.constructs
        if any(name and aliases.get(_norm(name)) == role for name in (c, *labels.get(c, ("", ""))))
    ]


def find_target(spec: ModelSpec, codebook: Codebook) -> str:
    """The satisfaction construct: named or labelled like it, else the endogenous
    construct with the most predecessors."""
    aliases = _aliases()
    labels = {c: (en, zh) for c, en, zh in codebook.construct_labels}
    for c in spec.constructs:
        for name in (c, *labels.get(c, ("", ""))):
            if name and aliases.get(_norm(name)) == "satisfaction":
                return c
    endo = [c for c in spec.topological_order() if spec.predecessors(c)]
    if not endo:
        raise CsiInputError("the model has no endogenous construct (no structural paths)")
    return max(endo, key=lambda c: len(spec.predecessors(c)))
