"""relax → static → formation energy and energy above the hull, with EMT and elemental references."""

from __future__ import annotations

import pytest

from matinfo.calc.api import submit
from matinfo.calc.jobs import JobQueue
from matinfo.calc.references import reference_cell
from matinfo.calc.work import work


def test_reference_cells():
    assert reference_cell("Cu").formula == "Cu" and reference_cell("Fe").n_atoms == 1
    o2 = reference_cell("O")
    assert o2.formula == "O2" and o2.volume == pytest.approx(1000.0)
    from matinfo.calc.errors import CalcConfigError

    with pytest.raises(CalcConfigError, match=r"no built-in reference structure for Mn.*\[references\] Mn"):
        reference_cell("Mn")


def test_workflow_formation_energy_and_hull(db, cu3au, config):
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram

    pairs = submit(db, [("Cu3Au.cif", cu3au, None)], engine="emt", workflow=True, config=config)
    [(relax, created)] = pairs
    assert created and relax.task == "relax"
    q = JobQueue(db)
    assert q.counts()["queued"] == 3  # the compound and the references of Au and Cu
    assert submit(db, [("again", cu3au, None)], engine="emt", workflow=True, config=config)[0] == (
        relax,
        False,
    )

    report = work(db, config=config)
    assert len(report.done) == 4 and not report.failed
    jobs = {(j.task, j.formula): j for j in q.jobs()}
    static = jobs[("static", "AuCu3")]
    assert static.requires and static.result.cell == jobs[("relax", "AuCu3")].result.cell
    mu = {el: jobs[("relax", el)].result.energy_per_atom for el in ("Au", "Cu")}
    r = static.result
    expected = (r.energy - mu["Au"] - 3 * mu["Cu"]) / 4
    entries = [PDEntry({el: 1}, e) for el, e in mu.items()]
    entries.append(PDEntry({"Au": 1, "Cu": 3}, r.energy))
    pd = PhaseDiagram(entries)

    sub = db.get_substance(db.get_material(static.material_id).substance_id)
    got = {p.quantity: p for p in sub.properties if p.material_id == static.material_id}
    assert set(got) == {"energy_per_atom", "formation_energy_per_atom", "energy_above_hull"}
    assert got["formation_energy_per_atom"].value == pytest.approx(expected)
    assert expected < 0
    assert got["energy_above_hull"].value == pytest.approx(
        max(0.0, pd.get_e_above_hull(entries[-1])), abs=1e-9
    )
    assert all(p.method == "calculation" and p.conditions["task"] == "static" for p in got.values())
    # the relax step published its own record (relaxed structure, energy)
    relax_props = [p for p in sub.properties if p.conditions.get("task") == "relax"]
    assert [p.quantity for p in relax_props] == ["energy_per_atom"]
    assert work(db, config=config).done == []


def test_dft_like_engine_adds_a_bands_step(db, cu3au, tmp_path, monkeypatch):
    from matinfo.calc.config import parse_config
    from matinfo.calc.engines import register_engine
    from tests.calc.fake_code import FakeCode, install_fakecode

    register_engine(FakeCode())
    install_fakecode(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    (tmp_path / "pseudo").mkdir()
    for el in ("Cu", "Au"):
        (tmp_path / "pseudo" / f"{el}.upf").write_text("x")
    config = parse_config(
        {
            "runner": {"workdir": str(tmp_path / "work"), "poll": 0.05},
            "engines": {"fakecode": {"pseudo_dir": str(tmp_path / "pseudo")}},
        }
    )
    submit(
        db,
        [("Cu3Au", cu3au, None)],
        engine="fakecode",
        workflow=True,
        config=config,
        parameters={"ecut": 300},
    )
    report = work(db, config=config)
    q = JobQueue(db)
    tasks = sorted((j.task, j.formula) for j in q.jobs(state="done"))
    assert len(report.done) == 5, [j.error for j in q.jobs()]
    assert tasks == [
        ("bands", "AuCu3"), ("relax", "Au"), ("relax", "AuCu3"), ("relax", "Cu"), ("static", "AuCu3"),
    ]  # fmt: skip
    bands = next(j for j in q.jobs() if j.task == "bands")
    assert bands.parameters["ecut"] == 300 and bands.result.dos.dos == (0.5, 0.0, 0.5)
    sub = db.get_substance(db.get_material(bands.material_id).substance_id)
    gaps = [p for p in sub.properties if p.quantity == "band_gap"]
    assert {p.conditions["task"] for p in gaps} == {"relax", "static", "bands"} and gaps[0].value == 1.5
    static = next(j for j in q.jobs() if j.task == "static")
    got = {p.quantity: p.value for p in sub.properties if p.material_id == static.material_id}
    assert got["formation_energy_per_atom"] == pytest.approx(0.0) and got[
        "energy_above_hull"
    ] == pytest.approx(0)


def test_follow_up_parameters_are_complete(db, cu3au, config):
    """The static step carries the engine's defaults (CHGNet's model), not only the parameters given."""
    [(relax, _)] = submit(db, [("x", cu3au, None)], engine="chgnet", workflow=True, config=config,
                          parameters={"fmax": 0.1})  # fmt: skip
    assert relax.parameters["fmax"] == 0.1 and relax.parameters["model"] == "0.3.0"
    assert relax.workflow["static_parameters"] == {"model": "0.3.0"}


def test_reference_from_the_store(db):
    from matinfo.calc.errors import CalcConfigError

    with pytest.raises(CalcConfigError, match="no built-in reference structure for Ga"):
        reference_cell("Ga", db=db)
    from pymatgen.core import Lattice, Structure

    ga = Structure(Lattice.orthorhombic(4.5, 7.7, 4.5), ["Ga"] * 2, [[0, 0.15, 0.08], [0.5, 0.65, 0.08]])
    db.add_material("Ga", structure=ga)
    assert set(reference_cell("Ga", db=db).species) == {"Ga"}


def test_stored_compounds_compete_on_the_hull(db, cu3au, config):
    """CuAu (L1_0) from the store is relaxed too; Cu3Au's hull distance is measured against it."""
    from ase.build import bulk
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram

    from matinfo.calc.structures import Cell

    l10 = bulk("Cu", "fcc", a=3.8, cubic=True)
    l10[0].symbol = l10[3].symbol = "Au"
    db.add_material("CuAu", structure=Cell.from_atoms(l10).to_structure())
    submit(db, [("Cu3Au", cu3au, None)], engine="emt", workflow=True, config=config)
    q = JobQueue(db)
    rival = next(j for j in q.jobs() if (j.workflow or {}).get("competitor"))
    assert rival.formula == "AuCu" and rival.structure_id is not None
    assert len(work(db, config=config).done) == 5  # Au, Cu, CuAu, Cu3Au relax, Cu3Au static
    static = next(j for j in q.jobs() if j.task == "static")
    assert static.after == (rival.key,)
    r = {(j.task, j.formula): j.result for j in q.jobs()}
    entries = [PDEntry({el: 1}, r[("relax", el)].energy_per_atom) for el in ("Au", "Cu")]
    entries.append(PDEntry(r[("relax", "AuCu")].cell.to_structure().composition, r[("relax", "AuCu")].energy))
    me = PDEntry(static.result.cell.to_structure().composition, static.result.energy)
    expected = PhaseDiagram([*entries, me]).get_e_above_hull(me)
    sub = db.get_substance(db.get_material(static.material_id).substance_id)
    [hull] = [p for p in sub.properties if p.quantity == "energy_above_hull"]
    assert hull.value == pytest.approx(max(0.0, expected), abs=1e-9)


def test_workflow_continues_a_relaxation_done_before(db, cu3au, config):
    [(plain, _)] = submit(db, [("Cu3Au", cu3au, None)], engine="emt", task="relax", config=config)
    assert work(db, config=config).done == [plain.id]
    [(again, created)] = submit(db, [("Cu3Au", cu3au, None)], engine="emt", workflow=True, config=config)
    assert not created and again.id == plain.id and again.workflow["then"] == "static"
    q = JobQueue(db)
    static = next(j for j in q.jobs() if j.task == "static")
    assert static.state == "queued" and static.cell == q.get(plain.id).result.cell  # from the earlier result
    work(db, config=config)
    assert q.get(static.id).state == "done" and q.counts()["done"] == 4
