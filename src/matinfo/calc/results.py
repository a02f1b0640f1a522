"""From an engine's plain results dict to a frozen :class:`~matinfo.calc.spec.CalcResult`.

Engines return what is natural to their code (see :mod:`matinfo.calc.engines`); this is the one place where it
is checked and put into matinfo's units: stress from eV/Å³ (a Voigt 6-vector or a 3×3 matrix) to GPa, the final
structure from ASE ``Atoms``, pymatgen ``Structure`` or a cell dict to a :class:`~matinfo.calc.structures.Cell`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from matinfo.calc.errors import CalculationError
from matinfo.calc.spec import EV_PER_A3_IN_GPA, CalcResult, CalcSpec, Dos
from matinfo.calc.structures import Cell

__all__ = ["normalise"]


def _cell(obj: Any, fallback: Cell) -> Cell:
    if obj is None:
        return fallback
    if isinstance(obj, Cell):
        return obj
    if isinstance(obj, Mapping):
        if "frac_coords" in obj:
            return Cell.from_dict(obj)
        if "positions" in obj and "cell" in obj:  # ASE-like dict: Cartesian positions
            import numpy as np

            lat = np.asarray(obj["cell"], dtype=float)
            frac = np.linalg.solve(lat.T, np.asarray(obj["positions"], dtype=float).T).T
            symbols = obj.get("symbols") or obj.get("species")
            if symbols is None and "numbers" in obj:
                from ase.data import chemical_symbols

                symbols = [chemical_symbols[int(z)] for z in obj["numbers"]]
            return Cell(tuple(map(tuple, lat.tolist())), tuple(symbols), tuple(map(tuple, frac.tolist())))
    if hasattr(obj, "get_scaled_positions"):
        return Cell.from_atoms(obj)
    if hasattr(obj, "frac_coords"):
        return Cell.from_structure(obj)
    raise CalculationError(f"cannot read the final structure from a {type(obj).__name__}")


def _stress_gpa(stress: Any) -> tuple[float, ...] | None:
    if stress is None:
        return None
    import numpy as np

    s = np.asarray(stress, dtype=float)
    if s.shape == (3, 3):
        s = np.array([s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])
    if s.shape != (6,):
        raise CalculationError(f"stress must be a Voigt 6-vector or a 3x3 matrix, not of shape {s.shape}")
    return tuple(float(x) * EV_PER_A3_IN_GPA for x in s)


def _finite(name: str, x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise CalculationError(f"the engine gave no number for {name}: {x!r}") from None
    if not math.isfinite(v):
        raise CalculationError(f"the engine gave {v} for {name}")
    return v


def normalise(
    raw: Mapping[str, Any], spec: CalcSpec, *, provenance: Mapping[str, Any] | None = None
) -> CalcResult:
    """A :class:`CalcResult` of ``spec`` from the engine's results dict ``raw``."""
    if "energy" not in raw or raw["energy"] is None:
        raise CalculationError(f"{spec.engine} gave no energy (keys: {', '.join(sorted(raw))})")
    cell = _cell(raw.get("structure"), spec.cell)
    forces = raw.get("forces")
    if forces is None:
        forces = [[0.0, 0.0, 0.0]] * cell.n_atoms
    forces = tuple(tuple(float(c) for c in f) for f in forces)
    if len(forces) != cell.n_atoms:
        raise CalculationError(
            f"{spec.engine} gave forces on {len(forces)} atoms for a cell of {cell.n_atoms}"
        )
    dos = raw.get("dos")
    if dos is not None:
        energies, values = dos["energies"], dos["dos"]
        dos = Dos(tuple(map(float, energies)), tuple(map(float, values)))
    gap = raw.get("band_gap")
    return CalcResult(
        spec_key=spec.key,
        engine=spec.engine,
        engine_version=str(raw.get("version") or "unknown"),
        task=spec.task,
        parameter_hash=spec.parameter_hash,
        energy=_finite("energy", raw["energy"]),
        forces=forces,
        stress=_stress_gpa(raw.get("stress")),
        cell=cell,
        converged=bool(raw.get("converged", True)),
        n_steps=int(raw.get("n_steps") or 0),
        band_gap=None if gap is None else _finite("band_gap", gap),
        dos=dos,
        provenance=dict(provenance or {}),
    )
