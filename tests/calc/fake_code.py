"""A file-based test engine, ``fakecode``: an executable found on PATH, pseudopotentials in a folder, a
results file — everything a DFT code needs, in a few lines of shell."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from matinfo.calc.engines import require_executable, require_pseudopotentials

SCRIPT = """#!/bin/sh
# fakecode: reads in.json, writes out.json (-1 eV per atom, no forces)
n=$(sed -e 's/.*"natoms": *\\([0-9]*\\).*/\\1/' in.json)
echo "fakecode 1.0 running $n atoms"
if [ "$n" = "0" ]; then echo "no atoms" >&2; exit 3; fi
printf '{"energy": -%s.0, "version": "fakecode 1.0", "converged": true, "band_gap": 1.5}' "$n" > out.json
"""


def install_fakecode(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "fakecode"
    exe.write_text(SCRIPT)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


class FakeCode:
    name = "fakecode"
    tasks = ("static", "relax", "bands")
    elements = frozenset({"Cu", "Au", "Ag"})
    stdout_file = "fake.out"

    def defaults(self, task):
        return {"ecut": 400}

    def check(self, spec, config):
        require_executable(self.name, config, ("fakecode",), where="test config")
        require_pseudopotentials(
            self.name, spec.cell.elements, config, where="test config", suffixes=(".upf",)
        )

    def write_inputs(self, atoms, spec, workdir, config):
        blob = {"natoms": len(atoms), "ecut": spec.parameters["ecut"], "task": spec.task}
        (Path(workdir) / "in.json").write_text(json.dumps(blob))

    def command(self, spec, workdir, config):
        return list(config.command or ("fakecode",))

    def read_results(self, workdir):
        out = json.loads((Path(workdir) / "out.json").read_text())
        if json.loads((Path(workdir) / "in.json").read_text())["task"] == "bands":
            out["dos"] = {"energies": [-1.0, 0.0, 1.0], "dos": [0.5, 0.0, 0.5]}
        return out
