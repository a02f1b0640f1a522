from __future__ import annotations

import json
import sys
import time

import pytest

from matinfo.calc.engines import make_spec
from matinfo.calc.errors import CalculationError
from matinfo.calc.runners import DaskRunner, LeaseLost, LocalRunner, execute

PY = sys.executable


def test_local_runner_ok_and_failures(tmp_path):
    r = LocalRunner(poll=0.05)
    r.run([PY, "-c", "print('hi')"], tmp_path)
    assert (tmp_path / "stdout.txt").read_text().strip() == "hi"
    with pytest.raises(CalculationError, match="exited with status 3.*boom"):
        r.run([PY, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"], tmp_path)
    with pytest.raises(CalculationError, match="cannot start 'no-such-program'"):
        r.run(["no-such-program"], tmp_path)
    t0 = time.monotonic()
    with pytest.raises(CalculationError, match="longer than 0.5 s"):
        LocalRunner(timeout=0.5, poll=0.05).run([PY, "-c", "import time; time.sleep(30)"], tmp_path)
    assert time.monotonic() - t0 < 10


def test_lost_lease_stops_the_calculation(tmp_path):
    beats = []

    def heartbeat():
        beats.append(1)
        return len(beats) < 3

    t0 = time.monotonic()
    with pytest.raises(LeaseLost):
        LocalRunner(poll=0.05).run(
            [PY, "-c", "import time; time.sleep(30)"], tmp_path, heartbeat=heartbeat, beat_every=0.1
        )
    assert len(beats) == 3 and time.monotonic() - t0 < 10


def test_emt_static_matches_ase(cu3au, config):
    from ase.calculators.emt import EMT

    r = execute(make_spec("emt", "static", cu3au), config=config)
    atoms = cu3au.to_atoms()
    atoms.calc = EMT()
    assert r.energy == pytest.approx(atoms.get_potential_energy(), abs=1e-10)
    assert r.stress[0] == pytest.approx(atoms.get_stress()[0] * 160.21766208)
    assert r.cell == cu3au and r.n_steps == 0 and r.converged
    assert r.engine_version.startswith("ase-emt") and r.provenance["runner"] == "LocalRunner"
    assert r.provenance["workdir"].startswith(str(config.workdir))


def test_emt_relax(cu, config):
    r = execute(make_spec("emt", "relax", cu, {"fmax": 0.01}), config=config)
    assert r.converged and r.n_steps > 0 and r.max_force < 0.01
    assert abs(r.pressure) < 0.5  # GPa: the cell relaxed too
    assert r.cell.volume > cu.volume  # EMT's Cu is larger than 3.55 Å


def test_worker_error_is_reported(cu, config, tmp_path):
    from matinfo.calc.ase_engines import EMTEngine

    eng = EMTEngine()
    spec = make_spec("emt", "static", cu)
    eng.write_inputs(cu.to_atoms(), spec, tmp_path, config.engine("emt"))
    blob = json.loads((tmp_path / "calc.json").read_text())
    blob["spec"]["task"] = "dance"
    (tmp_path / "calc.json").write_text(json.dumps(blob))
    with pytest.raises(CalculationError, match="exited with status 1"):
        LocalRunner().run(eng.command(spec, tmp_path, config.engine("emt")), tmp_path)
    with pytest.raises(CalculationError, match="task 'dance'"):
        eng.read_results(tmp_path)


def test_dask_runner(cu3au, config):
    from distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        r = execute(
            make_spec("emt", "static", cu3au), config=config, runner=DaskRunner(client=client, poll=0.05)
        )
    local = execute(make_spec("emt", "static", cu3au), config=config)
    assert r.energy == pytest.approx(local.energy) and r.provenance["runner"] == "DaskRunner"


def test_warm_worker_is_reused_and_reports_failures(cu, cu3au, config, tmp_path):
    from matinfo.calc.ase_engines import EMTEngine
    from matinfo.calc.structures import Cell

    runner = LocalRunner(poll=0.05)
    try:
        a = execute(make_spec("emt", "static", cu), config=config, runner=runner)
        b = execute(make_spec("emt", "static", cu3au), config=config, runner=runner)
        [warm] = runner._pool._all  # one process ran both
        assert warm.proc.poll() is None and a.energy != b.energy
        # a calculation that fails inside the worker: reported, and the worker stays up
        eng = EMTEngine()
        fe = Cell(cu.lattice, ("Fe",), cu.frac_coords)
        spec = make_spec("emt", "static", fe)
        eng.write_inputs(fe.to_atoms(), spec, tmp_path, config.engine("emt"))
        serve = eng.serve_command(config.engine("emt"))
        with pytest.raises(CalculationError, match="failed.*Fe"):
            runner.run(
                eng.command(spec, tmp_path, config.engine("emt")),
                tmp_path,
                serve=serve,
                env={"OMP_NUM_THREADS": "1"},
            )
        assert "Fe" in json.loads((tmp_path / "error.json").read_text())["error"]
        assert runner._pool._all == [warm] and warm.proc.poll() is None
    finally:
        runner.close()
    assert warm.proc.poll() is not None and runner._pool._all == []


def test_ase_engine_input_matches_golden_file(tmp_path):
    """The input of an in-process engine (CHGNet, EMT): calc.json, byte for byte."""
    import os
    from pathlib import Path

    from matinfo.calc.ase_engines import CHGNetEngine
    from matinfo.calc.config import EngineConfig
    from matinfo.calc.structures import Cell

    golden = Path(__file__).parent / "golden" / "chgnet_relax_calc.json"
    cell = Cell(  # literal numbers: no platform-dependent arithmetic before the file is written
        ((3.75, 0, 0), (0, 3.75, 0), (0, 0, 3.75)), ("Au", "Cu", "Cu", "Cu"),
        ((0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)),
    )  # fmt: skip
    spec = make_spec("chgnet", "relax", cell, {"fmax": 0.02}, label="Cu3Au.cif")
    CHGNetEngine().write_inputs(cell.to_atoms(), spec, tmp_path, EngineConfig("chgnet"))
    text = (tmp_path / "calc.json").read_text()
    if os.environ.get("MATINFO_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
    cmd = CHGNetEngine().command(spec, tmp_path, EngineConfig("chgnet", options={"python": "/opt/py"}))
    assert cmd == ["/opt/py", "-m", "matinfo.calc.worker", str(tmp_path)]
