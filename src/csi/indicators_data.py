"""Respondent data of an indicator system: a DataFrame or a Survey (private columns left out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from csi._checks import CsiInputError, check_frame
from csi.codebook import ItemInfo
from csi.survey import Survey

__all__ = ["RespondentData"]

RespondentData = pd.DataFrame | Survey
"""Respondent data: a DataFrame (one row per respondent) or a :class:`Survey`."""


def _respondent_data(data: Any) -> tuple[pd.DataFrame, Survey | None]:
    """(frame, survey): a Survey's respondents without private columns, or the checked frame."""
    if isinstance(data, Survey):
        return data.public_data(all_respondents=True), data
    return check_frame(data), None


def _check_public(survey: Survey | None, columns: Sequence[str], *, what: str) -> None:
    """Raise if a column is the survey's id, a personal or a free-text column."""
    if survey is None:
        return
    cb = survey.codebook
    for c in columns:
        role = (
            "private (personal) column"
            if c in cb.private
            else "free-text column"
            if c in cb.free_text
            else "respondent id column"
            if c == cb.id
            else None
        )
        if role is not None:
            raise CsiInputError(
                f"{what} {c!r} is the survey's {role} (codebook of {survey.source!r}); "
                "it never reaches a result"
            )


def _codebook_entry(survey: Survey | None, item: str) -> tuple[ItemInfo | None, str]:
    """(ItemInfo or None, where it is declared) of ``item`` in the survey's codebook."""
    if survey is None:
        return None, ""
    cb = survey.codebook
    section = "items" if item in cb.items else "extras" if item in cb.extra_items else None
    if section is None:
        return None, ""
    return cb.item(item), f"the codebook entry {section}: {item} (survey {survey.source!r})"
