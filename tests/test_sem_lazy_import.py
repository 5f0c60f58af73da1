"""``import csi.sem`` (and ``csi.report``, which imports it) leaves semopy unloaded.

semopy is csi's CB-SEM optimiser and loads on the first fit only (issue 14), so that
reading a survey, a PLS fit or a report without CB-SEM do not pay for it. Checked in
a fresh interpreter: this test process may have loaded semopy already.
"""

from __future__ import annotations

import json
import subprocess
import sys

CODE = """
import json, sys, warnings
warnings.simplefilter("ignore")
import csi.sem, csi.report
after_import = "semopy" in sys.modules
import numpy as np, pandas as pd
rng = np.random.default_rng(1)
f = rng.standard_normal(200)
data = pd.DataFrame({f"x{k}": f + rng.standard_normal(200) for k in range(1, 4)})
csi.sem.fit_sem(data, "F =~ x1 + x2 + x3")
print(json.dumps([after_import, "semopy" in sys.modules]))
"""


def test_semopy_loads_on_the_first_fit_only() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], check=True, capture_output=True, text=True)
    after_import, after_fit = json.loads(out.stdout.strip().splitlines()[-1])
    assert after_import is False
    assert after_fit is True
