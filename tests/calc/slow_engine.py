"""A test engine: EMT that sleeps on its first attempt, so that a test can kill the worker mid-run."""

from __future__ import annotations

import time
from pathlib import Path

from matinfo.calc.ase_engines import EMTEngine


class SlowEMT(EMTEngine):
    name = "slow-emt"

    def calculate(self, atoms, spec, workdir):
        if Path(workdir).name == "attempt-1":
            (Path(workdir) / "started").write_text("1")
            time.sleep(120)  # killed long before
        return super().calculate(atoms, spec, workdir)
