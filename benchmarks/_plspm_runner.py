"""Time the PyPI ``plspm`` package on a PLS model (run inside its own environment).

Usage: ``python _plspm_runner.py data.csv model.json`` where model.json holds
``{"indicators": {construct: [items]}, "paths": [[source, target], ...],
"repeats": int, "boot": int}``. Prints one JSON line: ``fit`` (median seconds of
one fit), ``boot`` (seconds for ``boot`` bootstrap resamples, or null), versions.
This script must not import csi: it runs with pandas < 2.2 in benchmarks/.peers.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings


def main(data_path: str, model_path: str) -> None:
    import numpy as np
    import pandas as pd
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    warnings.simplefilter("ignore")
    data = pd.read_csv(data_path)
    with open(model_path, encoding="utf-8") as fh:
        model = json.load(fh)
    names = list(model["indicators"])
    structure = c.Structure()
    for source, target in model["paths"]:
        structure.add_path([source], [target])
    config = c.Config(structure.path(), scaled=True)
    for name in names:
        config.add_lv(name, Mode.A, *[c.MV(item) for item in model["indicators"][name]])
    times = []
    paths = None
    for _ in range(int(model["repeats"])):
        start = time.perf_counter()
        fit = Plspm(data, config, Scheme.PATH, iterations=300, tolerance=1e-7)
        paths = fit.path_coefficients()
        times.append(time.perf_counter() - start)
    boot = None
    if int(model["boot"]) > 0:
        start = time.perf_counter()
        Plspm(
            data,
            config,
            Scheme.PATH,
            iterations=300,
            tolerance=1e-7,
            bootstrap=True,
            bootstrap_iterations=int(model["boot"]),
            processes=1,
        ).bootstrap()
        boot = time.perf_counter() - start
    from importlib.metadata import version

    out = {
        "fit": statistics.median(times),
        "boot": boot,
        "plspm": version("plspm"),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "paths": None if paths is None else paths.to_dict(),
    }
    print(json.dumps(out, default=float))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
