"""Elemental reference structures for formation energies.

The reference of an element is, in order: the CIF of ``[references] El = "path"`` in the calc configuration;
for the diatomic gases (H, N, O, F, Cl, Br, I) the molecule in a periodic box of :data:`BOX` Å; the element's
reference crystal in ASE (``ase.data.reference_states``: fcc, bcc, hcp, diamond, simple cubic, with ASE's
experimental lattice constants); the smallest ordered structure of the pure element in the store (the demo store
has the AFLOW prototypes: alpha-S, alpha-Ga, beta-Sn ...).  Otherwise (B, Mn, P ... in a store without them) the
error says before anything runs which CIF to configure.  References are relaxed with the same engine and parameters as the
compounds, so their errors largely cancel in the formation energy.

>>> reference_cell("Cu").formula, reference_cell("O").formula
('Cu', 'O2')
"""

from __future__ import annotations

from typing import Any

from matinfo.calc.config import CalcConfig
from matinfo.calc.errors import CalcConfigError
from matinfo.calc.structures import Cell, read_cells

__all__ = ["reference_cell", "competing_cells", "BOX", "DIATOMIC", "MAX_STORED_ATOMS", "MAX_COMPETITORS"]

#: Edge of the cubic box around a diatomic molecule, Å.
BOX = 10.0
#: Elements whose standard state is a diatomic molecule (gas, or a molecular crystal).
DIATOMIC = {"H": 0.74, "N": 1.10, "O": 1.21, "F": 1.42, "Cl": 1.99, "Br": 2.28, "I": 2.67}

_CRYSTALS = ("fcc", "bcc", "hcp", "diamond", "sc")


def reference_cell(element: str, config: CalcConfig | None = None, *, db: Any = None) -> Cell:
    """The reference structure of ``element`` (see the module docstring); ``db``, a store, is searched for a
    pure-element structure when neither the configuration nor ASE has one."""
    config = config or CalcConfig()
    if element in config.references:
        cells = read_cells([config.references[element]])
        cell = cells[0][1]
        if set(cell.species) != {element}:
            raise CalcConfigError(
                f"the reference of {element} is {cell.formula}, not the pure element",
                source=config.where(),
                field=f"references.{element}",
                value=str(config.references[element]),
            )
        return cell
    if element in DIATOMIC:
        d = DIATOMIC[element] / BOX / 2
        box = ((BOX, 0.0, 0.0), (0.0, BOX, 0.0), (0.0, 0.0, BOX))
        return Cell(box, (element, element), ((0.5 - d, 0.5, 0.5), (0.5 + d, 0.5, 0.5)))
    from ase.build import bulk
    from ase.data import atomic_numbers, reference_states

    z = atomic_numbers.get(element)
    state = reference_states[z] if z is not None and z < len(reference_states) else None
    if state and state.get("symmetry") in _CRYSTALS:
        return Cell.from_atoms(bulk(element))
    stored = _from_store(db, element) if db is not None else None
    if stored is not None:
        return stored
    raise CalcConfigError(
        f"no built-in reference structure for {element} (its ground state is "
        f"{(state or {}).get('symmetry', 'unknown')})",
        source=config.where(),
        field=f"references.{element}",
        hint=f'add [references] {element} = "/path/to/{element}.cif" to the calc configuration',
    )


#: Stored elemental structures larger than this (primitive cell, atoms) are not used as references.
MAX_STORED_ATOMS = 64


def _from_store(db: Any, element: str) -> Cell | None:
    """The smallest ordered pure-``element`` structure of the store (primitive cell), or None."""
    from pymatgen.core import Structure
    from sqlalchemy import select

    from matinfo.store import models as m

    with db.session() as s:
        rows = s.execute(
            select(m.Structure.cif)
            .join(m.Material, m.Material.id == m.Structure.material_id)
            .where(m.Material.chemical_system == element, m.Structure.has_partial_occupancy.is_(False))
            .order_by(m.Structure.n_sites, m.Structure.id)
            .limit(10)
        ).all()
    best = None
    for (cif,) in rows:
        try:
            prim = Structure.from_str(cif, fmt="cif").get_primitive_structure()
        except Exception:  # noqa: BLE001 - a stored CIF pymatgen cannot read is simply not a candidate
            continue
        if {sp.symbol for sp in prim.composition.elements} == {element} and len(prim) <= MAX_STORED_ATOMS:
            if best is None or len(prim) < len(best):
                best = prim
    return Cell.from_structure(best) if best is not None else None


#: Competing phases taken from the store per chemical system, at most (the smallest cells first).
MAX_COMPETITORS = 12


def competing_cells(
    db: Any, elements: tuple[str, ...], *, max_atoms: int = MAX_STORED_ATOMS, limit: int = MAX_COMPETITORS
) -> list[tuple[str, Cell, int]]:
    """``(label, primitive cell, structure_id)`` of the ordered compounds of the store whose elements are a
    subset of ``elements`` (two or more of them): the phases a convex hull of that system is made of.  One
    structure per substance, smallest cells first, cells of at most ``max_atoms`` atoms; results of calculations
    (dataset ``calculations``) are not among them — their jobs are on the hull already."""
    from itertools import combinations

    from pymatgen.core import Structure
    from sqlalchemy import or_, select

    from matinfo.store import models as m

    systems = ["-".join(c) for k in range(2, len(elements) + 1) for c in combinations(sorted(elements), k)]
    if not systems:
        return []
    from matinfo.calc.publish import DATASET

    with db.session() as s:
        rows = s.execute(
            select(m.Structure.id, m.Structure.substance_id, m.Structure.cif, m.Structure.n_sites)
            .join(m.Material, m.Material.id == m.Structure.material_id)
            .outerjoin(m.Dataset, m.Dataset.id == m.Material.dataset_id)
            .where(
                m.Material.chemical_system.in_(systems),
                m.Structure.has_partial_occupancy.is_(False),
                or_(m.Dataset.name.is_(None), m.Dataset.name != DATASET),  # not our own results
            )
            .order_by(m.Structure.n_sites, m.Structure.id)
        ).all()
    out: list[tuple[str, Cell, int]] = []
    seen: set[int] = set()
    for r in rows:
        if len(out) >= limit:
            break
        if r.substance_id in seen:
            continue
        try:
            prim = Structure.from_str(r.cif, fmt="cif").get_primitive_structure()
        except Exception:  # noqa: BLE001 - a stored CIF pymatgen cannot read is simply not a candidate
            continue
        if len(prim) > max_atoms:
            continue
        seen.add(r.substance_id)
        label = f"competing phase {prim.composition.reduced_formula} (structure {r.id})"
        out.append((label, Cell.from_structure(prim), int(r.id)))
    return out
