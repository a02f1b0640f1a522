"""Bad input fails before anything runs, with a message that names what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
from ase import Atoms

from matinfo.calc import codes
from matinfo.calc.codes._common import resolve_params
from matinfo.calc.codes._kpoints import kppra_grid, resolve_grid
from matinfo.calc.codes._pseudos import find_pseudopotentials
from matinfo.calc.errors import CalcConfigError, CalculationError
from matinfo.errors import MatinfoError, ParameterError, StructureError

from .conftest import cu, si

ALL = sorted(codes.CODES)


def test_registry():
    assert set(codes.CODES) == {"gpaw", "qe", "vasp", "abinit"}
    with pytest.raises(ParameterError, match="unknown code 'siesta'; known: abinit, gpaw, qe, vasp"):
        codes.get("siesta")
    for name in ALL:
        module = codes.get(name)
        for fn in ("check", "write_inputs", "command", "read_results"):
            assert callable(getattr(module, fn))


@pytest.mark.parametrize("code", ALL)
def test_unknown_parameter_names_the_allowed_ones(code, tmp_path, config):
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) 'encut'.*allowed: .*ecut"):
        codes.get(code).write_inputs(si(), "static", {"encut": 500}, tmp_path, config)


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"xc": "B3LYP"}, "parameter 'xc' = 'B3LYP' is not supported; allowed: PBE, LDA"),
        ({"ecut": -1}, "parameter 'ecut' must be a positive number, got -1"),
        ({"kppra": 0}, "parameter 'kppra' must be a positive number"),
        ({"spin": "yes"}, "parameter 'spin' must be true or false"),
        ({"max_steps": 2.5}, "parameter 'max_steps' must be a positive integer"),
        ({"kpts": [4, 4]}, "parameter 'kpts' must be three positive integers"),
        ({"kpts": [4, 0, 4]}, "parameter 'kpts' must be three positive integers"),
    ],
)
@pytest.mark.parametrize("code", ALL)
def test_invalid_values(code, params, pattern, tmp_path, config):
    with pytest.raises(ParameterError, match=pattern):
        codes.get(code).write_inputs(si(), "static", params, tmp_path, config)


@pytest.mark.parametrize("code", ALL)
def test_unknown_task(code, tmp_path, config):
    with pytest.raises(ParameterError, match="task 'md' is not supported; allowed: static, relax, bands"):
        codes.get(code).write_inputs(si(), "md", {}, tmp_path, config)


@pytest.mark.parametrize("code", ALL)
def test_molecule_without_cell_is_a_structure_error(code, tmp_path, config):
    with pytest.raises(StructureError, match="periodic structure with a 3D cell"):
        codes.get(code).write_inputs(
            Atoms("H2", positions=[[0, 0, 0], [0, 0, 0.74]]), "static", {}, tmp_path, config
        )


def test_smearing_not_offered_by_the_code(tmp_path, config):
    with pytest.raises(
        ParameterError, match="'marzari-vanderbilt' is not supported by vasp; allowed: auto, "
    ):
        codes.get("vasp").write_inputs(cu(), "static", {"smearing": "marzari-vanderbilt"}, tmp_path, config)
    with pytest.raises(ParameterError, match="'gaussian' is not supported by gpaw"):
        codes.get("gpaw").write_inputs(cu(), "static", {"smearing": "gaussian"}, tmp_path, config)


def test_auto_smearing_depends_on_metallicity():
    metal = resolve_params(
        "qe", {}, ecut_default=1.0, smearings=["fermi-dirac", "marzari-vanderbilt"], symbols=["Cu"]
    )
    semi = resolve_params("qe", {}, ecut_default=1.0, smearings=["fermi-dirac"], symbols=["Ga", "As"])
    assert (metal["smearing"], metal["smearing_width"]) == ("marzari-vanderbilt", 0.1)
    assert (semi["smearing"], semi["smearing_width"]) == ("fermi-dirac", 0.01)


def test_extra_block_passes_through():
    p = resolve_params("vasp", {"extra": {"algo": "Fast"}}, ecut_default=1.0, smearings=[], symbols=["Cu"])
    assert p["extra"] == {"algo": "Fast"}


def test_setup_errors_carry_the_configuration_key(tmp_path):
    with pytest.raises(CalcConfigError) as err:
        codes.get("qe").write_inputs(si(), "static", {}, tmp_path, {})
    assert err.value.field == "engines.qe.pseudo_dir"
    assert isinstance(err.value, ValueError) and isinstance(err.value, MatinfoError)
    assert issubclass(CalculationError, RuntimeError)


# --- k-points ---------------------------------------------------------------------------------------------


def test_kppra_grid_is_isotropic_for_cubic_cells_and_grows_with_density():
    atoms = si()
    grids = [kppra_grid(atoms.cell, len(atoms), k) for k in (100, 1000, 3000, 10000)]
    assert all(g[0] == g[1] == g[2] for g in grids)
    assert [g[0] for g in grids] == sorted(g[0] for g in grids)
    n = grids[1][0] ** 3 * len(atoms)
    assert 0.5 * 1000 < n < 2 * 1000


def test_kppra_grid_follows_reciprocal_lengths():
    n1, n2, n3 = kppra_grid([[3, 0, 0], [0, 3, 0], [0, 0, 6]], 1, 1000)  # long c: fewer k-points along it
    assert n1 == n2 and abs(n1 - 2 * n3) <= 1


@pytest.mark.parametrize("code", ALL)
def test_check_refuses_bad_kpts_before_anything_runs(code, config):
    config["engines"][code]["command"] = "true"
    config["engines"]["gpaw"]["python"] = "/usr/bin/true"
    with pytest.raises(ParameterError, match="parameter 'kpts' must be three positive integers"):
        codes.get(code).check(si(), {"kpts": [4, 4]}, config)


def test_explicit_kpts_win():
    assert resolve_grid(si(), [3, 2, 1], 1000) == (3, 2, 1)
    with pytest.raises(ParameterError, match="three positive integers"):
        resolve_grid(si(), [2.5, 2, 2], 1000)


# --- pseudopotentials and executables ------------------------------------------------------------------------


def test_pseudo_matching_does_not_confuse_similar_symbols(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    for name in ("S.pbe-n.UPF", "Sn_pbe_v1.uspp.F.UPF", "14-Si.nlcc.UPF", "si.other.upf", "Se.txt"):
        (d / name).write_text("x")
    cfg = {"engines": {"qe": {"pseudo_dir": str(d)}}}
    found = find_pseudopotentials(["Si", "S", "Sn", "Si"], cfg, "qe", (".upf",))
    assert {s: p.name for s, p in found.items()} == {
        "Si": "14-Si.nlcc.UPF",
        "S": "S.pbe-n.UPF",
        "Sn": "Sn_pbe_v1.uspp.F.UPF",
    }
    with pytest.raises(CalcConfigError, match=r"no pseudopotential for element\(s\) Se in .*\.upf"):
        find_pseudopotentials(["Se"], cfg, "qe", (".upf",))


def test_pinned_pseudopotential(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (d / "Si.a.UPF").write_text("x")
    (d / "my-silicon.UPF").write_text("x")
    cfg = {"engines": {"qe": {"pseudo_dir": str(d), "pseudopotentials": {"Si": "my-silicon.UPF"}}}}
    assert find_pseudopotentials(["Si"], cfg, "qe", (".upf",))["Si"].name == "my-silicon.UPF"
    cfg["engines"]["qe"]["pseudopotentials"]["Si"] = "gone.UPF"
    with pytest.raises(
        CalcConfigError, match=r"field 'engines.qe.pseudopotentials.Si', value 'gone.UPF': .*not in"
    ):
        find_pseudopotentials(["Si"], cfg, "qe", (".upf",))


@pytest.mark.parametrize("code", ["qe", "abinit"])
def test_missing_pseudo_dir_says_which_key_to_set(code, tmp_path):
    with pytest.raises(CalcConfigError, match=rf"set \[engines.{code}\] pseudo_dir = "):
        codes.get(code).write_inputs(si(), "static", {}, tmp_path, {})


@pytest.mark.parametrize("code", ["qe", "abinit", "vasp"])
def test_element_without_pseudopotential_is_named(code, tmp_path, config):
    atoms = Atoms("SiGe", scaled_positions=[[0, 0, 0], [0.25, 0.25, 0.25]], cell=si().cell, pbc=True)
    with pytest.raises(CalcConfigError, match=r"Ge") as err:
        codes.get(code).write_inputs(atoms, "static", {}, tmp_path / "w", config)
    assert str(tmp_path / "pseudos") in str(err.value)


def test_vasp_without_potcar_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("VASP_PP_PATH", raising=False)
    with pytest.raises(CalcConfigError, match=r"set \[engines.vasp\] potcar_dir"):
        codes.get("vasp").write_inputs(si(), "static", {}, tmp_path, {})


@pytest.mark.parametrize(("code", "binary"), [("qe", "pw.x"), ("abinit", "abinit"), ("vasp", "vasp_std")])
def test_missing_executable_names_it_and_the_config_key(code, binary, config):
    config["engines"][code]["command"] = "/nonexistent/bin/" + binary
    with pytest.raises(
        CalcConfigError,
        match=rf"executable '/nonexistent/bin/{binary}' not found.*\[engines.{code}\] command =",
    ):
        codes.get(code).check(si(), {}, config)


def test_missing_mpirun_names_the_mpirun_key(config):
    config["engines"]["qe"].update(nprocs=4, mpirun="/nonexistent/mpirun")
    with pytest.raises(CalcConfigError, match=r"'/nonexistent/mpirun' not found.*\[engines.qe\] mpirun ="):
        codes.get("qe").check(si(), {}, config)


def test_gpaw_missing_python(config):
    config["engines"]["gpaw"]["python"] = "/nonexistent/python3"
    with pytest.raises(CalcConfigError, match=r"'/nonexistent/python3' not found.*\[engines.gpaw\] python ="):
        codes.get("gpaw").check(si(), {}, config)


def test_gpaw_element_without_setup(tmp_path, config):
    from .conftest import gpaw_python, skip_or_fail

    if (why := gpaw_python()) is not None:
        skip_or_fail(why)
    setups = tmp_path / "setups"
    setups.mkdir()
    (setups / "Si.PBE.gz").write_bytes(b"")
    config["engines"]["gpaw"]["setup_paths"] = [str(setups)]
    atoms = Atoms("SiLa", scaled_positions=[[0, 0, 0], [0.5, 0.5, 0.5]], cell=[3, 3, 3], pbc=True)
    with pytest.raises(
        CalcConfigError,
        match=rf"no PBE PAW setup for element\(s\) La: looked for '<element>.PBE.gz' in {setups}",
    ):
        codes.get("gpaw").check(atoms, {}, config)
    codes.get("gpaw").check(si(), {}, config)  # Si is there


def test_commands():
    cfg = {
        "engines": {
            "qe": {"nprocs": 2, "mpirun": "srun"},
            "abinit": {"command": ["abinit", "--omp-num-threads", "1"]},
        }
    }
    assert codes.get("qe").command(".", cfg) == ["srun", "-np", "2", "pw.x", "-in", "pw.in"]
    assert codes.get("abinit").command(".", cfg) == ["abinit", "--omp-num-threads", "1", "abinit.abi"]
    assert codes.get("vasp").command(".", {}) == ["vasp_std"]
    assert codes.get("gpaw").command(".", {"engines": {"gpaw": {"python": "/opt/py"}}}) == [
        "/opt/py",
        "run_gpaw.py",
    ]
    with pytest.raises(ParameterError, match=r"\[engines.qe\] nprocs must be a positive integer"):
        codes.get("qe").command(".", {"engines": {"qe": {"nprocs": 0}}})


def test_config_objects_of_the_calc_core_are_understood(tmp_path, pseudo_root):
    from matinfo.calc.config import CalcConfig, EngineConfig

    qe = EngineConfig(
        "qe", command=("mpirun", "-np", "2", "pw.x"), pseudo_dir=pseudo_root / "upf", options={"nprocs": 1}
    )
    assert codes.get("qe").command(tmp_path, qe) == ["mpirun", "-np", "2", "pw.x", "-in", "pw.in"]
    files = codes.get("qe").write_inputs(si(), "static", {}, tmp_path / "a", qe)
    assert f"pseudo_dir       = '{pseudo_root / 'upf'}'" in files[0].read_text()
    whole = CalcConfig(engines={"gpaw": EngineConfig("gpaw", options={"python": "/opt/py", "nprocs": 2})})
    assert codes.get("gpaw").command(tmp_path, whole) == ["mpirun", "-np", "2", "/opt/py", "run_gpaw.py"]
    assert codes.get("vasp").command(tmp_path, CalcConfig()) == ["vasp_std"]


def test_elements_each_configuration_can_treat(config):
    for code in ("qe", "abinit", "vasp"):
        assert codes.get(code).elements(config) == {"Si", "Cu", "Na", "Cl"} | (
            {"S"} if code == "qe" else set()
        )
    if Path("/usr/share/gpaw-setups/Si.PBE.gz").is_file():
        debian = codes.get("gpaw").elements({"engines": {"gpaw": {"setup_paths": "/usr/share/gpaw-setups"}}})
        assert {"Si", "Cu", "O", "Fe"} <= debian and "La" not in debian


def test_gpaw_python_without_gpaw(config):
    import sys

    config["engines"]["gpaw"]["python"] = sys.executable  # matinfo's own Python: no GPAW (NumPy 2)
    with pytest.raises(CalcConfigError, match=r"cannot import gpaw .*apt-get install gpaw gpaw-data") as err:
        codes.get("gpaw").check(si(), {}, config)
    assert err.value.field == "engines.gpaw.python"
