"""CHGNet, the default engine: its weights ship in the wheel, so this runs offline (tiny cells, few steps)."""

from __future__ import annotations

import math

import pytest

from matinfo.calc.api import calculate
from matinfo.calc.structures import Cell


@pytest.fixture(scope="module")
def nacl() -> Cell:
    from pymatgen.core import Lattice, Structure

    s = Structure(Lattice.cubic(5.8), ["Na"] * 4 + ["Cl"] * 4, [
        [0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0], [.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5],
    ])  # fmt: skip
    return Cell.from_structure(s.get_primitive_structure())


def test_chgnet_relax_offline(nacl, tmp_path, monkeypatch):
    from matinfo.calc.config import parse_config

    # no network: make any attempt to download fail loudly
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    config = parse_config({"runner": {"workdir": str(tmp_path), "cores": 1}})
    r = calculate(nacl, engine="chgnet", task="relax", parameters={"steps": 4, "fmax": 0.1}, config=config)
    assert (
        r.engine == "chgnet" and r.engine_version.startswith("chgnet ") and "model 0.3.0" in r.engine_version
    )
    assert r.n_steps <= 4 and r.cell.n_atoms == 2
    # CHGNet's NaCl: about -3.4 eV/atom (MP's GGA: -3.42); a 5.8 Å cell is slightly too large
    assert -3.8 < r.energy_per_atom < -3.0
    assert math.isfinite(r.pressure) and r.cell.volume != pytest.approx(nacl.volume)
    assert r.band_gap is None and r.dos is None
