"""What the code modules share: tasks, the common parameter vocabulary, configuration look-ups, the errors, and
band gap / DOS from eigenvalues (so every code reports them the same way).

Parameters (``params``) mean the same thing for every code; units are eV, Å and eV/Å:

============== ========================= =======================================================================
name           default                   meaning
============== ========================= =======================================================================
xc             ``"PBE"``                 exchange-correlation functional: ``"PBE"`` or ``"LDA"``
ecut           per code (eV)             plane-wave cutoff: GPAW 400, QE 680 (50 Ry), VASP 520, ABINIT 680
kppra          1000                      k-points per reciprocal atom (Gamma-centred grid, see ``_kpoints``)
kppra_bands    3000                      the same for the ``bands`` task (band gap + DOS need a finer grid)
kpts           ``None``                  an explicit grid ``[n1, n2, n3]``; overrides ``kppra``
smearing       ``"auto"``                ``"auto"``, ``"fermi-dirac"``, ``"gaussian"``, ``"marzari-vanderbilt"``,
                                         ``"methfessel-paxton"`` (each code supports a subset); ``"auto"`` is
                                         Marzari-Vanderbilt (VASP: Methfessel-Paxton) 0.1 eV when every element
                                         is a metal, Fermi-Dirac 0.01 eV otherwise
smearing_width ``None``                  width in eV; ``None`` takes the ``"auto"`` value above
spin           ``False``                 spin polarisation; initial moments from the structure, else 1 μB/atom
nbands         ``None``                  number of bands; ``None`` keeps the code's default (which has empty bands)
scf_tol        1e-6                      SCF energy convergence, eV per cell (GPAW: per valence electron)
fmax           0.05                      relaxation force criterion, eV/Å
relax_cell     ``True``                  ``relax`` also relaxes the cell (stress criterion from the code)
max_steps      100                       at most this many ionic steps in ``relax``
dos_width      0.1                       Gaussian broadening of the DOS, eV
dos_step       0.01                      energy step of the DOS, eV
extra          ``{}``                    code-specific settings passed through as they are (QE:
                                         ``{"system": {"ecutrho": 400}}``; VASP: ``{"algo": "Fast"}``; ABINIT:
                                         ``{"nband": 12}``; GPAW: keyword arguments of ``GPAW(...)``)
============== ========================= =======================================================================
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.calc.errors import CalcConfigError, CalculationError
from matinfo.errors import ParameterError, StructureError

__all__ = [
    "TASKS",
    "CalcConfigError",
    "CalculationError",
    "resolve_params",
    "engine_section",
    "mpi_argv",
    "require_executable",
    "require_command",
    "band_structure_summary",
    "gaussian_dos",
    "check_atoms",
    "is_all_metal",
]

TASKS = ("static", "relax", "bands")
XC_CHOICES = ("PBE", "LDA")
SMEARINGS = ("fermi-dirac", "gaussian", "marzari-vanderbilt", "methfessel-paxton")

# metalloids and non-metals: a structure with any of these gets the insulator smearing under "auto"
_NON_METALS = frozenset("H He B C N O F Ne Si P S Cl Ar Ge As Se Br Kr Sb Te I Xe Po At Rn".split())

_COMMON_DEFAULTS: dict[str, Any] = {
    "xc": "PBE",
    "ecut": None,  # per code
    "kppra": 1000,
    "kppra_bands": 3000,
    "kpts": None,
    "smearing": "auto",
    "smearing_width": None,
    "spin": False,
    "nbands": None,
    "scf_tol": 1e-6,
    "fmax": 0.05,
    "relax_cell": True,
    "max_steps": 100,
    "dos_width": 0.1,
    "dos_step": 0.01,
}


def check_atoms(atoms, code: str) -> None:
    """Plane-wave codes need a periodic structure with a 3D cell and at least one atom."""
    if len(atoms) == 0:
        raise StructureError(
            "the structure has no atoms", field="atoms", hint=f"{code} needs at least one atom"
        )
    if not all(atoms.pbc) or atoms.cell.rank != 3:
        raise StructureError(
            "a plane-wave calculation needs a periodic structure with a 3D cell",
            field="atoms",
            value=f"pbc={list(map(bool, atoms.pbc))}, cell rank {atoms.cell.rank}",
            hint="read the structure from a CIF, or give a vacuum box with pbc=True",
        )


def is_all_metal(symbols: Sequence[str]) -> bool:
    """Whether every element is a metal (the ``"auto"`` smearing rule)."""
    return all(s not in _NON_METALS for s in symbols)


def _positive(name: str, value: Any, *, integer: bool = False) -> Any:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if integer:
        ok = ok and float(value) == int(value)
    if not ok:
        kind = "a positive integer" if integer else "a positive number"
        raise ParameterError(f"parameter {name!r} must be {kind}, got {value!r}")
    return int(value) if integer else float(value)


def defaults(ecut: float) -> dict[str, Any]:
    """Every parameter with its default value (``ecut``: the code's default cutoff, eV)."""
    return {**_COMMON_DEFAULTS, "ecut": ecut, "extra": {}}


def resolve_params(
    code: str,
    params: Mapping[str, Any] | None,
    *,
    ecut_default: float,
    smearings: Sequence[str],
    metal_smearing: str = "marzari-vanderbilt",
    symbols: Sequence[str],
) -> dict[str, Any]:
    """Fill defaults into ``params`` and validate every value; returns a new plain dict.

    ``smearing`` is resolved to a concrete name and ``smearing_width`` to a number (eV); ``extra`` (the
    code-specific settings) comes back as a sorted plain dict.  Unknown names raise :class:`ParameterError`
    listing the allowed ones.
    """
    params = dict(params or {})
    extra = params.pop("extra", None) or {}
    unknown = sorted(set(params) - set(_COMMON_DEFAULTS))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for {code}; allowed: "
            f"{', '.join(sorted(_COMMON_DEFAULTS))} and 'extra' ({code}-specific settings)"
        )
    if not isinstance(extra, Mapping):
        raise ParameterError(f"parameter 'extra' must be a table of {code}-specific settings, got {extra!r}")
    p = {**_COMMON_DEFAULTS, **params}
    if p["xc"] not in XC_CHOICES:
        raise ParameterError(
            f"parameter 'xc' = {p['xc']!r} is not supported; allowed: {', '.join(XC_CHOICES)}"
        )
    p["ecut"] = ecut_default if p["ecut"] is None else _positive("ecut", p["ecut"])
    for name in ("kppra", "kppra_bands", "fmax", "scf_tol", "dos_width", "dos_step"):
        p[name] = _positive(name, p[name])
    p["max_steps"] = _positive("max_steps", p["max_steps"], integer=True)
    if p["nbands"] is not None:
        p["nbands"] = _positive("nbands", p["nbands"], integer=True)
    for name in ("spin", "relax_cell"):
        if not isinstance(p[name], bool):
            raise ParameterError(f"parameter {name!r} must be true or false, got {p[name]!r}")
    if p["kpts"] is not None:
        from matinfo.calc.codes._kpoints import check_kpts

        p["kpts"] = list(check_kpts(p["kpts"]))
    smearing = p["smearing"]
    metal = is_all_metal(symbols)
    if smearing == "auto":
        smearing = metal_smearing if metal else "fermi-dirac"
    elif smearing not in smearings:
        raise ParameterError(
            f"parameter 'smearing' = {smearing!r} is not supported by {code}; allowed: "
            f"auto, {', '.join(smearings)}"
        )
    p["smearing"] = smearing
    if p["smearing_width"] is None:
        p["smearing_width"] = 0.1 if metal else 0.01
    else:
        p["smearing_width"] = _positive("smearing_width", p["smearing_width"])
    p["extra"] = json.loads(json.dumps(dict(extra), sort_keys=True))  # plain, sorted, JSON-able
    return p


def check_task(task: str) -> None:
    if task not in TASKS:
        raise ParameterError(f"task {task!r} is not supported; allowed: {', '.join(TASKS)}")


def engine_section(config: Any, code: str) -> dict[str, Any]:
    """The settings of ``code`` as one flat dict, from any of the configuration shapes matinfo has.

    ``config`` may be ``None``; a mapping with an ``engines`` table (``{"engines": {"qe": {...}}}``, as TOML
    gives); a :class:`matinfo.calc.config.CalcConfig`; or one engine's
    :class:`~matinfo.calc.config.EngineConfig`, whose ``command``, ``pseudo_dir``, ``pseudopotentials`` and
    ``options`` (``nprocs``, ``mpirun``, ``python``, ``setup_paths``, ``potcar_dir``, ...) are merged.

    >>> engine_section({"engines": {"qe": {"pseudo_dir": "/p"}}}, "qe")
    {'pseudo_dir': '/p'}
    """
    if config is None:
        return {}
    if hasattr(config, "engine") and callable(config.engine):  # CalcConfig
        config = config.engine(code)
    if hasattr(config, "options") and hasattr(config, "pseudo_dir"):  # EngineConfig
        section = dict(config.options or {})
        for key in ("command", "pseudo_dir", "pseudopotentials"):
            value = getattr(config, key, None)
            if value:
                section[key] = list(value) if key == "command" else value
        return section
    if not isinstance(config, Mapping):
        raise ParameterError(f"configuration must be a mapping or a CalcConfig, got {type(config).__name__}")
    section = (config.get("engines") or {}).get(code) or {}
    if not isinstance(section, Mapping):
        raise ParameterError(f"configuration [engines.{code}] must be a table, got {section!r}")
    return dict(section)


def _split(value: Any, key: str, code: str) -> list[str]:
    if isinstance(value, str):
        argv = shlex.split(value)
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        argv = list(value)
    else:
        argv = []
    if not argv:
        raise ParameterError(f"configuration [engines.{code}] {key} must be a command line, got {value!r}")
    return argv


def mpi_argv(section: Mapping[str, Any], code: str, default_command: str) -> list[str]:
    """``[mpirun, -np, N] + command`` from ``[engines.<code>]`` keys ``command``, ``nprocs`` and ``mpirun``.

    >>> mpi_argv({"nprocs": 4}, "qe", "pw.x")
    ['mpirun', '-np', '4', 'pw.x']
    >>> mpi_argv({"command": "/opt/qe/bin/pw.x -nk 2"}, "qe", "pw.x")
    ['/opt/qe/bin/pw.x', '-nk', '2']
    """
    argv = _split(section.get("command", default_command), "command", code)
    nprocs = section.get("nprocs", 1)
    if not isinstance(nprocs, int) or isinstance(nprocs, bool) or nprocs < 1:
        raise ParameterError(
            f"configuration [engines.{code}] nprocs must be a positive integer, got {nprocs!r}"
        )
    if nprocs > 1:
        argv = [*_split(section.get("mpirun", "mpirun"), "mpirun", code), "-np", str(nprocs), *argv]
    return argv


_LAUNCHERS = ("mpirun", "mpiexec", "srun", "aprun", "prun")


def require_executable(name: str, code: str, key: str = "command") -> str:
    """The full path of ``name``; :class:`CalcConfigError` naming the configuration key when it is missing."""
    found = shutil.which(name)
    if found is None:
        raise CalcConfigError(
            f"{code}: executable {name!r} not found",
            field=f"engines.{code}.{key}",
            value=name,
            hint=f'install it or set [engines.{code}] {key} = "/path/to/{Path(name).name}" in the configuration',
        )
    return found


def require_command(section: Mapping[str, Any], code: str, default_command: str) -> list[str]:
    """Check every program of the command line (launcher and code); return the full argv."""
    argv = mpi_argv(section, code, default_command)
    own = _split(section.get("command", default_command), "command", code)
    if len(argv) > len(own):  # nprocs > 1 put a launcher in front
        require_executable(argv[0], code, "mpirun")
    for word in own:  # "mpirun -np 4 pw.x" in command: check mpirun and pw.x
        if word.startswith("-") or word.isdigit():
            continue
        require_executable(word, code, "command")
        if not Path(word).name.startswith(_LAUNCHERS):
            break
    return argv


def band_structure_summary(
    eigenvalues: np.ndarray,
    weights: np.ndarray,
    fermi_level: float,
    *,
    dos_width: float,
    dos_step: float,
    with_dos: bool = True,
) -> dict[str, Any]:
    """Band gap (eV, 0 for a metal), whether it is direct, VBM/CBM and the DOS from eigenvalues.

    ``eigenvalues``: shape (nspins, nkpts, nbands), eV; ``weights``: k-point weights (nkpts,), any
    normalisation; ``fermi_level``: eV.  ``dos`` only ``with_dos``: ``energies`` (eV, relative to the Fermi
    level), ``dos`` (states/eV per cell) and ``fermi_level`` (eV, absolute).

    >>> e = np.array([[[-1.0, 1.0], [-0.5, 2.0]]])
    >>> out = band_structure_summary(e, np.array([1.0, 1.0]), 0.0, dos_width=0.1, dos_step=0.5)
    >>> out["band_gap"], out["band_gap_direct"], out["vbm"], out["cbm"]
    (1.5, False, -0.5, 1.0)
    """
    from ase.dft.bandgap import GapInfo

    e = np.asarray(eigenvalues, dtype=float)
    if e.ndim != 3:
        raise ValueError(f"eigenvalues must have shape (nspins, nkpts, nbands), got {e.shape}")
    gap, p1, p2 = GapInfo(e - fermi_level).gap()
    dgap = GapInfo(e - fermi_level).direct_gap()[0]
    out: dict[str, Any] = {"band_gap": float(gap), "fermi_level": float(fermi_level)}
    if gap > 0:
        out["vbm"] = float(e[p1])
        out["cbm"] = float(e[p2])
        out["band_gap_direct"] = bool(abs(dgap - gap) < 1e-6)
    else:
        out["vbm"] = out["cbm"] = None
        out["band_gap_direct"] = None
    if not with_dos:
        return out
    energies, values = gaussian_dos(e, weights, width=dos_width, step=dos_step)
    out["dos"] = {
        "energies": np.round(energies - fermi_level, 8).tolist(),
        "dos": values.tolist(),
        "fermi_level": float(fermi_level),
    }
    return out


def gaussian_dos(
    eigenvalues: np.ndarray, weights: np.ndarray, *, width: float, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian-broadened density of states (states/eV per cell, both spins summed).

    The k-point weights are normalised to 1; a spin-unpolarised band holds two electrons, so the DOS integrates
    to ``2 * nbands`` (one spin channel: ``nbands`` each).
    """
    e = np.asarray(eigenvalues, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    spin_factor = 2.0 / e.shape[0]
    lo, hi = e.min() - 5 * width, e.max() + 5 * width
    energies = np.round(np.arange(np.floor(lo / step) * step, hi + step, step), 10)
    values = np.zeros_like(energies)
    norm = 1.0 / (width * np.sqrt(2 * np.pi))
    for s in range(e.shape[0]):
        for k in range(e.shape[1]):
            d = (energies[:, None] - e[s, k][None, :]) / width
            values += spin_factor * w[k] * norm * np.exp(-0.5 * d * d).sum(axis=1)
    return energies, values


def write_json(path: Path, data: Any) -> Path:
    """Sorted keys, two-space indent, newline at the end: stable files for golden tests."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


RUN_PARAMS = "matinfo_params.json"


def write_run_params(workdir: Path, task: str, p: Mapping[str, Any], **more: Any) -> Path:
    """``matinfo_params.json``: the task and resolved parameters, for ``read_results`` and for people."""
    data = {"task": task, **{k: v for k, v in p.items()}, **more}
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
    return write_json(Path(workdir) / RUN_PARAMS, data)


def read_run_params(workdir: Path) -> dict[str, Any]:
    """What :func:`write_run_params` wrote; the DOS defaults when the file is missing."""
    path = Path(workdir) / RUN_PARAMS
    if not path.is_file():
        return {"dos_width": _COMMON_DEFAULTS["dos_width"], "dos_step": _COMMON_DEFAULTS["dos_step"]}
    return json.loads(path.read_text(encoding="utf-8"))


def fnum(x: float, digits: int = 10) -> float:
    """A plain Python float rounded to ``digits`` decimals (no numpy scalar reprs, no round-off noise)."""
    return float(round(float(x), digits)) + 0.0  # + 0.0 turns -0.0 into 0.0


def structure_dict(atoms) -> dict[str, Any]:
    """A plain-JSON structure: cell and positions in Å, atomic numbers, pbc, initial magnetic moments."""
    return {
        "cell": [[fnum(x) for x in row] for row in np.asarray(atoms.cell)],
        "numbers": [int(z) for z in atoms.numbers],
        "pbc": [bool(p) for p in atoms.pbc],
        "positions": [[fnum(x) for x in row] for row in atoms.positions],
        "magmoms": [fnum(m) for m in atoms.get_initial_magnetic_moments()],
    }


def atoms_from_dict(d: Mapping[str, Any]):
    """The inverse of :func:`structure_dict`."""
    from ase import Atoms

    atoms = Atoms(numbers=d["numbers"], positions=d["positions"], cell=d["cell"], pbc=d["pbc"])
    if d.get("magmoms"):
        atoms.set_initial_magnetic_moments(d["magmoms"])
    return atoms


def initial_magmoms(atoms, spin: bool) -> list[float] | None:
    """Initial moments when ``spin``: the structure's own, else 1 μB per atom; ``None`` when not spin."""
    if not spin:
        return None
    m = atoms.get_initial_magnetic_moments()
    return [fnum(x) for x in m] if np.any(m) else [1.0] * len(atoms)


def results_base(
    code: str, task: str, atoms, energy: float, *, version: str | None, n_steps: int
) -> dict[str, Any]:
    """The keys every ``read_results`` returns (the results dict of :mod:`matinfo.calc.engines`), filled from the
    final structure and energy; codes add forces, stress, band gap, DOS and the rest."""
    return {
        "code": code,
        "task": task,
        "structure": atoms,
        "energy": float(energy),
        "energy_per_atom": float(energy) / len(atoms),
        "version": version,
        "n_steps": int(n_steps),
        "units": {
            "energy": "eV",
            "forces": "eV/Å",
            "stress": "eV/Å^3 (Voigt xx yy zz yz xz xy, positive = tensile, as ASE)",
            "band_gap": "eV",
            "dos": "energies in eV relative to the Fermi level, dos in states/eV per cell",
            "wall_time": "s",
        },
    }


def task_of(workdir: Path, task: str | None) -> str:
    """``task``, or the one ``write_inputs`` recorded in the work folder."""
    if task is not None:
        check_task(task)
        return task
    recorded = read_run_params(workdir).get("task")
    if recorded is None:
        raise CalculationError(f"no task given and none recorded in {Path(workdir) / RUN_PARAMS}")
    return recorded


def run_band_summary(
    eigenvalues: Any, weights: Any, fermi_level: float, workdir: Path, task: str
) -> dict[str, Any]:
    """:func:`band_structure_summary` with the DOS settings this run was written with (``matinfo_params.json``);
    the DOS only for ``task == "bands"``."""
    params = read_run_params(workdir)
    return band_structure_summary(
        np.asarray(eigenvalues),
        np.asarray(weights),
        fermi_level,
        dos_width=params["dos_width"],
        dos_step=params["dos_step"],
        with_dos=task == "bands",
    )


def calculator_band_summary(calc: Any, workdir: Path, task: str) -> dict[str, Any]:
    """:func:`run_band_summary` of the eigenvalues an ASE calculator read back from a code's output."""
    nspins = calc.get_number_of_spins()
    nk = len(calc.get_ibz_k_points())
    eigs = np.array([[calc.get_eigenvalues(kpt=k, spin=sp) for k in range(nk)] for sp in range(nspins)])
    return run_band_summary(eigs, calc.get_k_point_weights(), calc.get_fermi_level(), workdir, task)
