"""The csi command line: help with examples, exit codes, one-line errors, the commands."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi import cli

ROOT = Path(__file__).resolve().parents[1]
SURVEY = str(ROOT / "data" / "samples" / "survey.csv")
CODEBOOK = str(ROOT / "data" / "samples" / "codebook.yaml")
SYSTEM = str(ROOT / "data" / "samples" / "indicator_system.yaml")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def one_error_line(err: str) -> str:
    """The single error line (progress and warnings aside); no traceback."""
    lines = err.strip().splitlines()
    errors = [x for x in lines if x.startswith(("csi: error:", "csi: unexpected error:"))]
    assert len(errors) == 1 and lines[-1] == errors[0], err
    assert "Traceback" not in err
    return errors[0]


# ---------------------------------------------------------------------------- help, usage
def test_help_shows_examples_and_exit_codes(capsys):
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "csi report survey.csv --codebook" in text
    assert "exit codes: 0 success; 1 unexpected error" in text
    for command in ("report", "fit", "ahp", "weights", "validate"):
        assert command in text


def test_report_help_documents_the_model_mapping(capsys):
    assert cli.main(["report", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--min-segment-size N" in text and "--segment" in text and "--lang" in text
    assert "csi report data/samples/survey.csv" in text
    assert "--role CONSTRUCT=ROLE" in text and "顾客满意度" in text


def test_usage_errors_exit_2(capsys):
    assert cli.main([]) == 2
    assert "csi: error:" in capsys.readouterr().err
    assert cli.main(["report", SURVEY]) == 2  # --codebook and -o missing
    assert "required" in capsys.readouterr().err
    assert cli.main(["fit", SURVEY, "--codebook", CODEBOOK, "--lang", "fr"]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


# ---------------------------------------------------------------------------- bad input
def test_missing_survey_file_is_one_line(tmp_path):
    code, out, err = run("validate", str(tmp_path / "nope.csv"), "--codebook", CODEBOOK)
    assert code == 2 and out == ""
    assert one_error_line(err) == f"csi: error: survey file not found: {tmp_path / 'nope.csv'}"


def test_missing_codebook_is_one_line(tmp_path):
    code, _, err = run("validate", SURVEY, "--codebook", str(tmp_path / "cb.yaml"))
    assert code == 2
    line = one_error_line(err)
    assert line.startswith("csi: error:") and "cb.yaml" in line


def test_value_outside_the_scale_names_column_and_row(tmp_path):
    raw = pd.read_csv(SURVEY, dtype=str)
    raw.loc[4, "QUAL2"] = "11"
    bad = tmp_path / "bad.csv"
    raw.to_csv(bad, index=False)
    code, _, err = run("validate", str(bad), "--codebook", CODEBOOK)
    assert code == 2
    line = one_error_line(err)
    assert "'QUAL2'" in line and "value 11" in line and "row 5" in line
    assert "R00005" in line  # the error names the respondent, on the terminal only


def test_debug_shows_the_traceback(tmp_path):
    code, _, err = run("--debug", "validate", str(tmp_path / "nope.csv"), "--codebook", CODEBOOK)
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.strip().endswith("survey file not found: " + str(tmp_path / "nope.csv"))


def test_unexpected_errors_exit_1_without_traceback(monkeypatch):
    def boom(args, out, err):
        raise RuntimeError("something broke")

    monkeypatch.setattr("csi.cli_commands.validate.run", boom)
    code, _, err = run("validate", SURVEY, "--codebook", CODEBOOK)
    assert code == 1
    assert one_error_line(err) == (
        "csi: unexpected error: RuntimeError: something broke (run with --debug for the traceback)"
    )


def test_unknown_segment_and_model_file_are_input_errors(tmp_path):
    out_dir = str(tmp_path / "out")
    code, _, err = run(
        "report", SURVEY, "--codebook", CODEBOOK, "--segment", "town", "-o", out_dir, "-q"
    )
    assert code == 2
    assert "segment column 'town' not found" in one_error_line(err)
    code, _, err = run("fit", SURVEY, "--codebook", CODEBOOK, "--model", "nope.lav")
    assert code == 2
    assert one_error_line(err) == (
        "csi: error: model file not found: nope.lav (or use --model acsi / ecsi)"
    )
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- commands
def test_validate_prints_the_cleaning_summary():
    code, out, err = run("validate", SURVEY, "--codebook", CODEBOOK)
    assert code == 0 and err == ""
    assert "respondents read      3000" in out
    assert out.strip().endswith("OK: 2736 respondents usable, 264 excluded")


def test_fit_prints_the_model(tmp_path):
    code, out, err = run("fit", SURVEY, "--codebook", CODEBOOK, "--model", "acsi")
    assert code == 0
    assert "Path coefficients" in out and "Satisfaction -> Loyalty" in out
    assert "csi: fitting the PLS path model (3000 respondents read, missing: listwise)" in err
    lav = tmp_path / "m.lav"
    lav.write_text(
        "Quality =~ QUAL1 + QUAL2 + QUAL3\nSatisfaction =~ SAT1 + SAT2 + SAT3\n"
        "Satisfaction ~ Quality\n",
        encoding="utf-8",
    )
    code, out, _ = run("fit", SURVEY, "--codebook", CODEBOOK, "--model", str(lav), "-q")
    assert code == 0 and "Quality -> Satisfaction" in out


def test_ahp_from_judgments_and_from_a_matrix(tmp_path):
    code, out, _ = run(
        "ahp", "-j", "service vs price: 3", "-j", "product vs price: 6", "-j",
        "product vs service: 2",
    )  # fmt: skip
    assert code == 0
    # perfectly consistent (6 = 2 x 3): weights 6:3:1 -> 0.6, 0.3, 0.1 and CR 0
    assert "product     0.6000" in out and "service     0.3000" in out
    assert "price       0.1000" in out and "CR          0.0000" in out
    matrix = pd.DataFrame(
        [[1, 2, 6], [0.5, 1, 3], [1 / 6, 1 / 3, 1]],
        index=["product", "service", "price"],
        columns=["product", "service", "price"],
    )
    path = tmp_path / "m.csv"
    matrix.to_csv(path)
    code, out2, _ = run("ahp", str(path))
    assert code == 0 and "product     0.6000" in out2 and "CR          0.0000" in out2
    code, _, err = run("ahp")
    assert code == 2 and "give a matrix CSV file" in one_error_line(err)
    code, _, err = run("ahp", "-j", "service price 3")
    assert code == 2 and "expected the form 'service vs price: 3'" in one_error_line(err)


def test_weights_entropy_and_bad_column(tmp_path):
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 2.0, 2.0, 3.0]})
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    code, out, _ = run("weights", str(path), "--method", "critic")
    assert code == 0 and out.startswith("critic weights (4 rows)")
    code, _, err = run("weights", str(path), "--columns", "a,zz")
    assert code == 2 and "'zz'" in one_error_line(err)
    code, _, err = run("weights", str(path), "--method", "cv", "--cost", "a")
    assert code == 2 and "--cost does not apply" in one_error_line(err)


def test_report_writes_both_files_and_says_where(tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = run(
        "report", SURVEY, "--codebook", CODEBOOK, "--system", SYSTEM, "--segment", "region",
        "--lang", "zh", "--bootstrap", "0", "--no-figures", "--no-sem", "-o", str(out_dir),
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [
        f"html report written to {out_dir / 'report.html'}",
        f"xlsx report written to {out_dir / 'report.xlsx'}",
    ]
    assert "csi: reading" in err and "csi: writing the report" in err  # progress on stderr
    doc = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "满意度指数" in doc and "指标体系：权重与得分" in doc
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.html", "report.xlsx"]


def test_report_bootstrap_is_reproducible_and_quiet_off_a_terminal(tmp_path):
    args = ["report", SURVEY, "--codebook", CODEBOOK, "--segment", "region", "--bootstrap", "200",
            "--no-figures", "--no-sem", "--format", "html"]  # fmt: skip
    code, _, err = run(*args, "-o", str(tmp_path / "a"))
    assert code == 0, err
    assert "csi: bootstrap (200 resamples by region)" in err
    assert "resample/s" not in err and "%|" not in err  # no progress bar when not a terminal
    code, _, err = run(*args, "-q", "-o", str(tmp_path / "b"))
    assert code == 0 and err == ""
    first = (tmp_path / "a" / "report.html").read_text("utf-8")
    assert "200 resamples of the respondents, seed 1" in first
    assert first == (tmp_path / "b" / "report.html").read_text("utf-8")  # same seed, same report


def test_report_without_the_system_file_still_works(tmp_path):
    code, _, err = run(
        "report", SURVEY, "--codebook", CODEBOOK, "--system", str(tmp_path / "none.yaml"),
        "--bootstrap", "0", "--no-figures", "--no-sem", "--format", "html", "-o", str(tmp_path),
    )  # fmt: skip
    # a requested part that cannot be produced: exit 3 and nothing written ...
    assert code == 3
    assert "indicator-system file not found" in err and "--allow-partial" in err
    assert not (tmp_path / "report.html").exists()
    # ... unless the user accepts a partial report
    code, _, err = run(
        "report", SURVEY, "--codebook", CODEBOOK, "--system", str(tmp_path / "none.yaml"),
        "--bootstrap", "0", "--no-figures", "--no-sem", "--format", "html", "-o", str(tmp_path),
        "--allow-partial",
    )  # fmt: skip
    assert code == 0
    assert "warning: left out of the report: Indicator system" in err
    assert "indicator-system file not found" in (tmp_path / "report.html").read_text("utf-8")


def test_installed_console_script_runs():
    script = Path(sys.executable).with_name("csi")
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    done = subprocess.run(
        [str(script), "validate", SURVEY, "--codebook", CODEBOOK],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "OK: 2736 respondents usable" in done.stdout
    bad = subprocess.run(
        [str(script), "validate", "missing.csv", "--codebook", CODEBOOK],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "csi: error: survey file not found: missing.csv"


def test_weights_refuse_text_cells_and_skip_respondent_numbers(tmp_path):
    rng = np.random.default_rng(4)
    data = pd.DataFrame(
        {"rid": np.arange(1, 41), "q1": rng.integers(1, 8, 40), "q2": rng.integers(1, 8, 40)}
    )
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    code, out, err = run("weights", str(path), "--method", "critic")
    assert code == 0
    assert "column 'rid' looks like a respondent number" in err
    assert "rid" not in out and "q1" in out and "q2" in out
    bad = data.astype({"q2": object})
    bad.loc[6, "q2"] = "n.a."
    bad.to_csv(path, index=False)
    code, _, err = run("weights", str(path))
    assert code == 2
    assert "column 'q2' has the text 'n.a.' at row 7 (line 8 of the file)" in one_error_line(err)


def test_survey_files_in_other_encodings_and_delimiters(tmp_path):
    frame = pd.read_csv(SURVEY, dtype=str).head(300)
    gbk = tmp_path / "gbk.csv"
    frame.assign(name="张三").to_csv(gbk, index=False, sep=";", encoding="gbk")
    code, out, err = run("validate", str(gbk), "--codebook", CODEBOOK)
    assert code == 0, err  # GB18030 read, ';' found on the header line
    assert "300 respondents read" in out or "respondents read      300" in out
    code, _, err = run("validate", str(gbk), "--codebook", CODEBOOK, "--encoding", "utf-8")
    assert code == 2 and "cannot be read as utf-8" in one_error_line(err)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n", encoding="utf-8")
    code, _, err = run("validate", str(empty), "--codebook", CODEBOOK)
    assert code == 2 and "the file is empty" in one_error_line(err)
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(frame.columns) + "\n", encoding="utf-8")
    code, _, err = run("validate", str(header_only), "--codebook", CODEBOOK)
    assert code == 2 and "no respondents below them" in one_error_line(err)
    dup = tmp_path / "dup.csv"
    text = pd.read_csv(SURVEY, dtype=str).head(5).to_csv(index=False)
    dup.write_text(text.replace("SAT2", "SAT1", 1), encoding="utf-8")
    code, _, err = run("validate", str(dup), "--codebook", CODEBOOK)
    assert code == 2 and "column name 'SAT1' appears twice on line 1" in one_error_line(err)
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run("validate", str(xls), "--codebook", CODEBOOK)
    assert code == 2 and ".xls workbooks are not read; save the file as .xlsx" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    code, _, err = run("validate", str(broken), "--codebook", CODEBOOK)
    assert code == 2 and "not a readable .xlsx workbook" in err


def test_validate_warns_about_a_misspelled_construct(tmp_path):
    import yaml

    book = yaml.safe_load(Path(CODEBOOK).read_text(encoding="utf-8"))
    book["items"]["SAT3"]["construct"] = "Satisfacton"  # a slip in one item's construct
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    code, _, err = run("validate", SURVEY, "--codebook", str(path))
    assert code == 0
    assert "constructs 'Satisfaction' (2 items) and 'Satisfacton' (1 items) look alike" in err
    assert "'Satisfacton'" in err.split("look alike", 1)[1]  # and it has no place in the model


def test_more_bad_input_gets_one_clear_line(tmp_path):
    (tmp_path / "adir").mkdir()
    code, _, err = run("validate", str(tmp_path / "adir"), "--codebook", CODEBOOK)
    assert code == 2 and "is a folder, not a survey file" in one_error_line(err)
    code, _, err = run("validate", SURVEY, "--codebook", CODEBOOK, "--sheet", "3")
    assert code == 2 and "sheet=3 applies to spreadsheets (.xlsx)" in one_error_line(err)
    code, _, err = run(
        "report", SURVEY, "--codebook", CODEBOOK, "--format", "pdf", "-o", str(tmp_path / "o")
    )
    assert code == 2 and "unknown report format 'pdf'" in one_error_line(err)
    assert "reading" not in err  # refused before any work


def test_duplicated_excel_header_and_structureless_data(tmp_path):
    pytest.importorskip("openpyxl")
    frame = pd.read_csv(SURVEY, dtype=str).head(200)
    dup = frame.rename(columns={"SAT2": "SAT1"})
    path = tmp_path / "dup.xlsx"
    dup.to_excel(path, index=False)
    code, _, err = run("validate", str(path), "--codebook", CODEBOOK)
    assert code == 2
    assert "column name 'SAT1' appears twice on row 1 of sheet 'Sheet1'" in one_error_line(err)
    # answers without any structure: the report is written, with a warning about the
    # negative outer weights, instead of aborting on an index outside 0-100
    rng = np.random.default_rng(1)
    noise = pd.read_csv(SURVEY, dtype=str).head(300)
    items = [c for c in noise.columns if c[:-1] in ("EXP", "QUAL", "VAL", "SAT", "COMP", "LOY")]
    for c in items:
        noise[c] = rng.integers(1, 11, len(noise))
    noise.to_csv(tmp_path / "noise.csv", index=False)
    code, _, err = run(
        "report", str(tmp_path / "noise.csv"), "--codebook", CODEBOOK, "--bootstrap", "0",
        "--no-sem", "--no-figures", "--format", "html", "-o", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 0, err
    assert "outside" not in err and (tmp_path / "o" / "report.html").exists()


def test_nps_of_an_empty_frame_names_the_column():
    from csi._checks import CsiInputError
    from csi.metrics import nps

    with pytest.raises(CsiInputError, match="column not found in data: 'recommend'"):
        nps(pd.DataFrame())
    empty = nps(pd.DataFrame({"recommend": pd.Series([], dtype=float)}))
    assert empty["n"].iloc[0] == 0 and bool(empty["suppressed"].iloc[0])
