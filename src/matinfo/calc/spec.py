"""A calculation in, a result out: frozen :class:`CalcSpec` and :class:`CalcResult`.

A spec is *what* to compute — engine, task, parameters, structure — and nothing about *where* (that is the
runner's business, :mod:`matinfo.calc.runners`).  Its :attr:`CalcSpec.key`, the SHA-256 of (engine, task,
canonical parameters, structure key), is the job's identity: the same spec submitted twice is the same job.
Parameters are canonical JSON (sorted keys, no whitespace), so ``{"fmax": 0.05, "steps": 100}`` and
``{"steps": 100, "fmax": 0.05}`` are the same parameters; engines fill in their defaults *before* a spec is made
(:func:`matinfo.calc.engines.make_spec`), so leaving a default out or writing it gives the same key too.

Units: energies eV, forces eV/Å, stress GPa (ASE's sign: positive is tensile), lengths Å.

>>> from matinfo.calc.structures import Cell
>>> cell = Cell(((3.6, 0, 0), (0, 3.6, 0), (0, 0, 3.6)), ("Cu",) * 4,
...             ((0, 0, 0), (0, .5, .5), (.5, 0, .5), (.5, .5, 0)))
>>> a = CalcSpec("emt", "static", cell, {"b": 1, "a": 2})
>>> b = CalcSpec("emt", "static", cell, {"a": 2, "b": 1}, label="other name")
>>> a.key == b.key, a.parameter_hash == b.parameter_hash
(True, True)
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from matinfo.calc.structures import Cell
from matinfo.errors import ParameterError

__all__ = ["CalcSpec", "CalcResult", "Dos", "TASKS", "canonical_json", "parameter_hash"]

#: What a calculation does: ``static`` (energy, forces, stress — and a band gap where the engine has electrons)
#: at the given geometry, ``relax`` (positions and cell to a minimum, then the same outputs), or ``bands``
#: (a static DFT calculation on a finer k-grid, for the band gap and the DOS; not for CHGNet and EMT).
TASKS = ("static", "relax", "bands")

#: 1 eV/Å^3 in GPa.
EV_PER_A3_IN_GPA = 160.21766208


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace; floats as Python writes them; tuples as lists.

    >>> canonical_json({"b": (1, 2.5), "a": True})
    '{"a":true,"b":[1,2.5]}'
    """
    try:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ParameterError(
            f"calculation parameters must be JSON values (numbers, strings, booleans, lists, tables): {e}"
        ) from None


def parameter_hash(parameters: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of ``parameters``."""
    return hashlib.sha256(canonical_json(dict(parameters)).encode()).hexdigest()


def _frozen(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return MappingProxyType({str(k): _frozen(v) for k, v in obj.items()})
    if isinstance(obj, list | tuple):
        return tuple(_frozen(v) for v in obj)
    return obj


def _thawed(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _thawed(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return [_thawed(v) for v in obj]
    return obj


@dataclass(frozen=True)
class CalcSpec:
    """What to compute.

    Attributes
    ----------
    engine : str
        Registered engine name (``"chgnet"``, ``"emt"``, ``"gpaw"``, ...).
    task : str
        One of :data:`TASKS`.
    cell : Cell
        The input structure.
    parameters : Mapping
        Engine parameters, complete (defaults filled in); read-only.
    label : str or None
        A name for people (file name, store material); not part of the identity.
    structure_id : int or None
        The store's structure row this cell came from, if any; not part of the identity.
    """

    engine: str
    task: str
    cell: Cell
    parameters: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = field(default=None, compare=False)
    structure_id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ParameterError(f"task {self.task!r} is not one of {', '.join(TASKS)}")
        canonical_json(_thawed(self.parameters))  # JSON-able, or a clear error now
        object.__setattr__(self, "engine", str(self.engine).lower())
        object.__setattr__(self, "parameters", _frozen(self.parameters))

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def parameter_hash(self) -> str:
        return parameter_hash(_thawed(self.parameters))

    @property
    def key(self) -> str:
        """The job identity: SHA-256 of engine, task, parameter hash and structure key."""
        blob = canonical_json([self.engine, self.task, self.parameter_hash, self.cell.key])
        return hashlib.sha256(blob.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "task": self.task,
            "parameters": _thawed(self.parameters),
            "cell": self.cell.to_dict(),
            "label": self.label,
            "structure_id": self.structure_id,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CalcSpec:
        return cls(
            d["engine"],
            d["task"],
            Cell.from_dict(d["cell"]),
            d.get("parameters") or {},
            label=d.get("label"),
            structure_id=d.get("structure_id"),
        )


@dataclass(frozen=True)
class Dos:
    """A density of states: ``energies`` (eV, relative to the Fermi level) and ``dos`` (states/eV per cell)."""

    energies: tuple[float, ...]
    dos: tuple[float, ...]


@dataclass(frozen=True)
class CalcResult:
    """What a calculation gave, with where it came from.

    Attributes
    ----------
    spec_key : the :attr:`CalcSpec.key` of the calculation.
    engine, engine_version, task, parameter_hash : provenance of the numbers.
    energy : total energy of ``cell``, eV.
    forces : per atom, shape (n, 3), eV/Å.
    stress : Voigt (xx, yy, zz, yz, xz, xy), GPa, ASE's sign; None if the engine has none.
    cell : the final structure (relaxed for ``relax``, the input for ``static``).
    converged : the SCF (and, for ``relax``, the relaxation) converged.
    n_steps : relaxation steps taken (0 for ``static``).
    band_gap : eV, None where the engine has no electrons (CHGNet, EMT) or did not compute it.
    dos : :class:`Dos` or None.
    provenance : host, worker, attempt, start and end time (ISO), wall seconds, matinfo version, workdir.
    """

    spec_key: str
    engine: str
    engine_version: str
    task: str
    parameter_hash: str
    energy: float
    forces: tuple[tuple[float, float, float], ...]
    stress: tuple[float, ...] | None
    cell: Cell
    converged: bool
    n_steps: int = 0
    band_gap: float | None = None
    dos: Dos | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "provenance", _frozen(self.provenance))

    @property
    def n_atoms(self) -> int:
        return self.cell.n_atoms

    @property
    def energy_per_atom(self) -> float:
        """eV/atom."""
        return self.energy / self.cell.n_atoms

    @property
    def max_force(self) -> float:
        """Largest force on an atom, eV/Å."""
        return max((math.sqrt(sum(c * c for c in f)) for f in self.forces), default=0.0)

    @property
    def pressure(self) -> float | None:
        """Hydrostatic pressure −trace(stress)/3, GPa (positive: the cell wants to expand)."""
        return None if self.stress is None else -sum(self.stress[:3]) / 3.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec_key": self.spec_key,
            "engine": self.engine,
            "engine_version": self.engine_version,
            "task": self.task,
            "parameter_hash": self.parameter_hash,
            "energy": self.energy,
            "energy_per_atom": self.energy_per_atom,
            "forces": [list(f) for f in self.forces],
            "stress": None if self.stress is None else list(self.stress),
            "cell": self.cell.to_dict(),
            "converged": self.converged,
            "n_steps": self.n_steps,
            "band_gap": self.band_gap,
            "dos": None
            if self.dos is None
            else {"energies": list(self.dos.energies), "dos": list(self.dos.dos)},
            "provenance": _thawed(self.provenance),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CalcResult:
        dos = d.get("dos")
        return cls(
            spec_key=d["spec_key"],
            engine=d["engine"],
            engine_version=d["engine_version"],
            task=d["task"],
            parameter_hash=d["parameter_hash"],
            energy=float(d["energy"]),
            forces=tuple(tuple(map(float, f)) for f in d["forces"]),
            stress=None if d.get("stress") is None else tuple(map(float, d["stress"])),
            cell=Cell.from_dict(d["cell"]),
            converged=bool(d["converged"]),
            n_steps=int(d.get("n_steps") or 0),
            band_gap=None if d.get("band_gap") is None else float(d["band_gap"]),
            dos=None if not dos else Dos(tuple(map(float, dos["energies"])), tuple(map(float, dos["dos"]))),
            provenance=d.get("provenance") or {},
        )
