"""The report's generic traversal (csi.blocks): every shown text and table is visited,
identifiers are not, and a block with a field of an unknown kind is refused."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from csi.blocks import (
    Bullets,
    Figure,
    KeyFigure,
    KeyFigures,
    Report,
    Section,
    Table,
    Text,
    _map_fields,
)
from csi.report.privacy import PrivacyGuard, PrivacyWarning


def _report() -> Report:
    frame = pd.DataFrame({"segment": ["north", "south"], "n": [40, 50]})
    blocks = (
        Text("plain text"),
        Bullets("heading", ("one", "two"), ordered=True),
        KeyFigures("kf", (KeyFigure("label", "78.4", "detail", number=78.4),)),
        Table("tab", "table title", frame, note="table note"),
        Figure("fig", "figure title", b"png", note="figure note"),
    )
    return Report("report title", "en", (Section("sec", "section title", blocks),), "sub")


def test_map_content_visits_every_shown_text_and_no_key() -> None:
    seen: list[str] = []
    frames: list[pd.DataFrame] = []

    def text(s: str) -> str:
        seen.append(s)
        return s.upper()

    def frame(f: pd.DataFrame) -> pd.DataFrame:
        frames.append(f)
        return f.head(1)

    out = _report().map_content(text, frame)
    assert sorted(seen) == sorted(
        [
            "report title",
            "sub",
            "section title",
            "plain text",
            "heading",
            "one",
            "two",
            "label",
            "78.4",
            "detail",
            "table title",
            "table note",
            "figure title",
            "figure note",
        ]
    )
    assert len(frames) == 1
    assert out.title == "REPORT TITLE" and out.lang == "en"
    sec = out.sections[0]
    assert sec.key == "sec" and sec.title == "SECTION TITLE"
    assert [getattr(b, "key", None) for b in sec.blocks] == [None, None, "kf", "tab", "fig"]
    assert sec.blocks[2] == KeyFigures("kf", (KeyFigure("LABEL", "78.4", "DETAIL", 78.4),))
    assert len(out.table("tab").frame) == 1
    assert out.figures[0].png == b"png"


def test_walk_and_map_blocks_keep_order() -> None:
    report = _report()
    kinds = [type(b).__name__ for _, b in report.walk()]
    assert kinds == ["Text", "Bullets", "KeyFigures", "Table", "Figure"]
    out = report.map_blocks(lambda b: Text("x") if isinstance(b, Table) else b)
    assert [type(b).__name__ for _, b in out.walk()] == [
        "Text",
        "Bullets",
        "KeyFigures",
        "Text",
        "Figure",
    ]


def test_unknown_field_kind_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd:
        title: str
        payload: dict[str, str]

    with pytest.raises(TypeError, match="payload"):
        _map_fields(Odd("t", {"a": "b"}), str.upper, lambda f: f)
    with pytest.raises(TypeError, match="dataclass"):
        _map_fields("not a block", str.upper, lambda f: f)


def test_guard_cleans_every_block_kind_through_the_walk() -> None:
    guard = PrivacyGuard.of(["name"], ["Zhang Wei"])
    frame = pd.DataFrame({"name": ["Zhang Wei"], "who": ["zhang wei"], "n": [1]})
    blocks = (
        Text("call Zhang Wei"),
        Bullets("", ("Zhang Wei said",)),
        KeyFigures("kf", (KeyFigure("by Zhang Wei", "1", "Zhang Wei"),)),
        Table("tab", "t", frame, note="Zhang Wei"),
        Figure("fig", "Zhang Wei", b"", note=""),
    )
    report = Report("r", "en", (Section("s", "Zhang Wei", blocks),))
    with pytest.warns(PrivacyWarning):
        out = guard.clean_report(report)
    rendered = repr([dataclasses.asdict(b) for _, b in out.walk()])
    assert "zhang wei" not in rendered.casefold()
    assert "name" not in out.table("tab").frame.columns
    assert out.table("tab").frame["who"].tolist() == ["[redacted]"]
