"""A DFT code through the whole path — spec, checks, job queue, runner, reader, published properties: GPAW
(Debian's, run by /usr/bin/python3).  Skipped where GPAW is not installed (it is a system package, not a wheel)."""

from __future__ import annotations

import subprocess

import pytest
from ase.build import bulk

from matinfo.calc.api import as_cell, submit
from matinfo.calc.jobs import JobQueue
from matinfo.calc.work import work


def _gpaw_missing() -> str | None:
    try:
        done = subprocess.run(["/usr/bin/python3", "-c", "import gpaw"], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    return None if done.returncode == 0 else "GPAW is not importable by /usr/bin/python3 (apt install gpaw)"


@pytest.mark.skipif(
    _gpaw_missing() is not None, reason="GPAW not installed (Debian packages gpaw, gpaw-data)"
)
def test_gpaw_static_through_the_queue(db, config):
    al = as_cell(bulk("Al", "fcc", a=4.05))
    [(job, _)] = submit(db, [("Al", al, None)], engine="gpaw", task="static", config=config,
                        parameters={"ecut": 200, "kpts": [4, 4, 4]})  # fmt: skip
    assert work(db, config=config).done == [job.id]
    done = JobQueue(db).get(job.id)
    r = done.result
    assert r.engine_version.startswith("22") or r.engine_version[0].isdigit()
    assert -4.0 < r.energy_per_atom < -3.0 and r.converged and r.band_gap == 0.0  # a metal
    assert abs(r.pressure) < 5  # GPa, near equilibrium
    sub = db.get_substance(db.get_material(done.material_id).substance_id)
    got = {p.quantity: p for p in sub.properties if p.material_id == done.material_id}
    assert set(got) == {"energy_per_atom", "band_gap"} and got["band_gap"].conditions["engine"] == "gpaw"
