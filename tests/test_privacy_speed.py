"""The privacy guard's one-pass search finds exactly what the old scan of every value found.

``PrivacyGuard.find`` used to compare every long private value with the text (a list of
all values per call); it now looks the text's ``MIN_SUBSTRING``-character substrings up
in an index of the values' prefixes. The old rule is kept here as the reference; the
tests compare hits (order included), redactions, counts and errors. Speed is measured
in benchmarks/bench_speed.py, not here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi.report.privacy import MIN_SUBSTRING, REDACTED, PrivacyError, PrivacyGuard


def old_find(guard: PrivacyGuard, text: str) -> list[str]:
    """The rule before the index (csi 0.1.0): every long value checked against the text."""
    if not guard.values or not text:
        return []
    folded = text.casefold()
    hits = [folded.strip()] if folded.strip() in guard.values else []
    if len(folded) >= MIN_SUBSTRING:
        grams = {folded[i : i + MIN_SUBSTRING] for i in range(len(folded) - MIN_SUBSTRING + 1)}
        hits += [v for v in guard._long() if v[:MIN_SUBSTRING] in grams and v in folded]
    return hits


def old_clean_text(guard: PrivacyGuard, text: str) -> tuple[str, int]:
    hits = old_find(guard, text)
    if not hits:
        return text, 0
    out = text
    for v in sorted(set(hits), key=len, reverse=True):
        out = re.sub(re.escape(v), REDACTED, out, flags=re.IGNORECASE)
    return out, len(hits)


# a small alphabet, so that values overlap, share prefixes and turn up inside texts
alphabet = st.sampled_from(list("abAB 1-@.ßẞ张"))
private = st.one_of(
    st.text(alphabet, min_size=1, max_size=12),
    st.integers(min_value=0, max_value=10**12),
    st.floats(allow_nan=True),
    st.none(),
)


@st.composite
def guard_and_texts(draw: st.DrawFn) -> tuple[PrivacyGuard, list[str]]:
    values = draw(st.lists(private, max_size=25))
    guard = PrivacyGuard.of(["id", "name"], values)
    pieces = [str(v) for v in values if v is not None] or ["x"]
    texts = draw(
        st.lists(
            st.lists(
                st.one_of(st.sampled_from(pieces), st.text(alphabet, max_size=6)), max_size=5
            ).map("".join),
            max_size=8,
        )
    )
    return guard, texts


@settings(max_examples=300, deadline=None)
@given(guard_and_texts())
def test_find_and_clean_text_as_the_old_rule(case: tuple[PrivacyGuard, list[str]]) -> None:
    guard, texts = case
    for text in [*texts, " ".join(texts)]:
        assert guard.find(text) == old_find(guard, text)
        assert guard.clean_text(text) == old_clean_text(guard, text)


@settings(max_examples=100, deadline=None)
@given(guard_and_texts(), st.integers(0, 2**32 - 1))
def test_random_tables_as_the_old_rule(case: tuple[PrivacyGuard, list[str]], seed: int) -> None:
    """Every cell, header and the whole table as text (what assert_clean gets)."""
    guard, texts = case
    rng = np.random.default_rng(seed)
    cells = [*texts, *sorted(guard.values), "segment", "68.1", "n = 30"]
    frame = pd.DataFrame(
        rng.choice(np.array(cells, dtype=object), size=(int(rng.integers(1, 6)), 3)),
        columns=["segment", "label", "note"],
    )
    for text in [*map(str, frame.to_numpy().ravel()), frame.to_string(), frame.to_html()]:
        assert guard.find(text) == old_find(guard, text)
        assert guard.clean_text(text) == old_clean_text(guard, text)
    document = frame.to_html()
    if old_find(guard, document):
        with pytest.raises(PrivacyError):
            guard.assert_clean(document)
    else:
        guard.assert_clean(document)


def test_index_is_built_once_and_kept_out_of_equality() -> None:
    a = PrivacyGuard.of(["name"], ["Zhang Xin", "Li", "10038163981"])
    b = PrivacyGuard.of(["name"], ["Zhang Xin", "Li", "10038163981"])
    text = "Call 10038163981 or Zhang Xin (Li)"
    assert sorted(a.find(text)) == ["10038163981", "zhang xin"]
    assert a.find(text) == old_find(a, text)
    assert a == b and hash(a) == hash(b)  # a's index (built above) is not a field
    assert a._by_prefix is a._by_prefix
    assert sorted(a._by_prefix) == ["10038", "zhang"]  # short values only match whole
