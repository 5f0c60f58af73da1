"""Output files of one run land together; interrupted or failed runs leave nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csi.report.atomic import output_set, write_atomic

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_set_lands_only_when_every_file_is_complete(tmp_path):
    (tmp_path / "report.html").write_text("old html", encoding="utf-8")
    with pytest.raises(RuntimeError, match="workbook failed"):
        with output_set(tmp_path):
            write_atomic(tmp_path / "report.html", lambda p: p.write_text("new", "utf-8"))

            def fail(p: Path) -> None:
                raise RuntimeError("workbook failed")

            write_atomic(tmp_path / "report.xlsx", fail)
    # the new HTML never replaced the old one, and no temporary file is left
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "old html"
    assert _files(tmp_path) == {"report.html"}
    with output_set(tmp_path):
        write_atomic(tmp_path / "report.html", lambda p: p.write_text("new", "utf-8"))
        assert (tmp_path / "report.html").read_text(encoding="utf-8") == "old html"  # staged
        write_atomic(tmp_path / "report.xlsx", lambda p: p.write_bytes(b"x"))
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "new"
    assert _files(tmp_path) == {"report.html", "report.xlsx"}


def test_killed_report_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "out"
    cmd = [
        sys.executable, "-m", "csi.cli", "report", str(SAMPLES / "survey.csv"),
        "--codebook", str(SAMPLES / "codebook.yaml"), "--bootstrap", "20000", "-o", str(out),
    ]  # fmt: skip
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # wait for the long bootstrap to start
        line = proc.stderr.readline().decode()
        seen.append(line)
        if not line or line.startswith("csi: bootstrap"):
            break
    assert seen[-1].startswith("csi: bootstrap"), "".join(seen)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted; nothing half-written was left behind" in err
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix == ".tmp"]
    assert not out.exists() or not {"report.html", "report.xlsx"} & _files(out)


def test_a_set_waits_for_another_run_holding_the_folder(tmp_path):
    import threading

    from csi.report.atomic import _folder_lock

    done = threading.Event()

    def other_run() -> None:
        with output_set(tmp_path):
            write_atomic(tmp_path / "report.html", lambda p: p.write_text("b", "utf-8"))
        done.set()

    with _folder_lock(tmp_path):  # a first run is moving its files into place
        thread = threading.Thread(target=other_run)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set() and not (tmp_path / "report.html").exists()
    thread.join(timeout=10)
    assert done.is_set() and (tmp_path / "report.html").read_text(encoding="utf-8") == "b"


def test_concurrent_runs_never_mix_their_files(tmp_path):
    out = tmp_path / "out"
    base = [
        sys.executable, "-m", "csi.cli", "report", str(SAMPLES / "survey.csv"),
        "--codebook", str(SAMPLES / "codebook.yaml"), "--bootstrap", "0", "--no-sem",
        "--no-figures", "-q", "-o", str(out),
    ]  # fmt: skip
    env = {**os.environ, "MPLBACKEND": "Agg"}
    runs = [
        subprocess.Popen([*base, "--lang", lang], stderr=subprocess.PIPE, env=env)
        for lang in ("en", "zh")
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    html = (out / "report.html").read_text(encoding="utf-8")
    import pandas as pd

    sheets = pd.ExcelFile(out / "report.xlsx").sheet_names
    chinese_html = 'lang="zh-CN"' in html
    chinese_book = sheets[0] == "目录"
    assert chinese_html == chinese_book  # one run's HTML beside the same run's workbook
    assert not [p for p in out.iterdir() if p.suffix == ".tmp"]
