"""Regenerate the sample survey: data/samples/survey.csv and codebook.yaml.

    .venv/bin/python data/samples/make_samples.py

Draws the survey with ``csi.datasets.simulate_csi(**SAMPLE_PARAMS)`` (fixed seed),
writes it here and copies both files into the package (src/csi/datasets/data/)
so that ``csi.datasets.load_sample()`` works from an installed csi.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from csi.datasets import SAMPLE_PARAMS, simulate_csi

HERE = Path(__file__).resolve().parent
PACKAGE_DATA = HERE.parents[1] / "src" / "csi" / "datasets" / "data"


def main() -> None:
    sim = simulate_csi(**SAMPLE_PARAMS)
    csv = HERE / "survey.csv"
    yml = HERE / "codebook.yaml"
    sim.data.to_csv(csv, index=False, lineterminator="\n")
    header = (
        "# Codebook of the csi sample survey (simulated; made by make_samples.py).\n"
        "# All names, phone numbers and e-mail addresses are fake.\n"
    )
    yml.write_text(header + sim.codebook.to_yaml(), encoding="utf-8")
    PACKAGE_DATA.mkdir(parents=True, exist_ok=True)
    for f in (csv, yml):
        shutil.copyfile(f, PACKAGE_DATA / f.name)


if __name__ == "__main__":
    main()
