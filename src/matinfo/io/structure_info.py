"""Describe a crystal structure's type: space group, crystal system, Pearson symbol, lattice, prototype.

Symmetry comes from spglib.  spglib needs one atom type per site, so a partially occupied structure is given
to it as an *ordered site-type approximation*: each site's type is its full ``(species, occupancy)`` tuple
(occupancies rounded to :data:`OCCUPANCY_DECIMALS`), so two sites are symmetry-equivalent only when they carry
the same mixed occupancy.  Overlapping partially occupied sites stay separate sites of their own type.

Noisy positions (OBELiX adds small random displacements) are handled by a tolerance ladder: spglib is tried at
``symprec`` and then at each looser value of :data:`SYMPREC_LADDER` until it returns a symmetry dataset;
``StructureInfo.symprec_used`` records which one worked.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from matinfo.errors import StructureError
from matinfo.io.prototypes import assign_prototype

if TYPE_CHECKING:
    from pymatgen.core import Structure

__all__ = [
    "ANGLE_TOLERANCE",
    "OCCUPANCY_DECIMALS",
    "SYMPREC",
    "SYMPREC_LADDER",
    "LatticeParameters",
    "StructureInfo",
    "crystal_system",
    "find_symmetry",
    "pearson_symbol",
    "structure_info",
]

#: Default spglib distance tolerance (Å).
SYMPREC = 1e-3
#: Looser tolerances tried in turn when spglib finds no symmetry at the requested one (Å).
SYMPREC_LADDER = (1e-3, 1e-2, 1e-1)
#: spglib angle tolerance (degrees); -1 lets spglib derive it from symprec.
ANGLE_TOLERANCE = -1.0
#: Occupancies are rounded to this many decimals when building site types for spglib.
OCCUPANCY_DECIMALS = 4

_CENTERING_LETTER = {"P": "P", "A": "C", "B": "C", "C": "C", "I": "I", "F": "F", "R": "R"}
_FAMILY_LETTER = {
    "triclinic": "a", "monoclinic": "m", "orthorhombic": "o", "tetragonal": "t",
    "trigonal": "h", "hexagonal": "h", "cubic": "c",
}  # fmt: skip


@dataclass(frozen=True)
class LatticeParameters:
    """Cell lengths ``a, b, c`` (Å), angles ``alpha, beta, gamma`` (degrees) and ``volume`` (Å^3)."""

    a: float
    b: float
    c: float
    alpha: float
    beta: float
    gamma: float
    volume: float

    @classmethod
    def from_matrix(cls, matrix: Any) -> LatticeParameters:
        """Parameters of a 3x3 matrix whose rows are the cell vectors (Å)."""
        import numpy as np

        m = np.asarray(matrix, dtype=float)
        lengths = np.linalg.norm(m, axis=1)

        def angle(i: int, j: int) -> float:
            cos = float(np.dot(m[i], m[j]) / (lengths[i] * lengths[j]))
            return math.degrees(math.acos(max(-1.0, min(1.0, cos))))

        a, b, c = (float(x) for x in lengths)
        return cls(a, b, c, angle(1, 2), angle(0, 2), angle(0, 1), abs(float(np.linalg.det(m))))


@dataclass(frozen=True)
class StructureInfo:
    """What kind of structure this is.

    Attributes:
        space_group_number: international number, 1-230.
        space_group_symbol: Hermann-Mauguin symbol as spglib writes it (e.g. ``R3c``).
        crystal_system: ``triclinic`` ... ``cubic`` (trigonal and hexagonal kept apart).
        pearson_symbol: crystal family + centering + number of sites in the conventional standard cell (for
            ``hR``, in the rhombohedral primitive cell), e.g. ``hR10`` for LiNbO3.  For a partially occupied
            structure this counts *sites*, not atoms (a site of occupancy 0.5 counts as one).
        lattice: parameters of spglib's conventional standard cell (hexagonal axes for ``hR``).
        input_lattice: parameters of the cell as given.
        n_sites: number of sites in the given cell.
        density: g/cm^3 (partial occupancies weighted).
        has_partial_occupancy: True when any site is not fully occupied by one species.
        formula: reduced formula (pymatgen ``reduced_formula``; non-integer for partial occupancy).
        prototype: AFLOW prototype label (e.g. ``A2B_tP6_136_f_a``) or None.
        strukturbericht: Strukturbericht designation of the prototype (e.g. ``C4``) or None.
        mineral: mineral / structure-type name of the prototype (e.g. ``Rutile``) or None.
        prototype_note: why no prototype was assigned, or how it was (ordered approximation); None otherwise.
        symprec_used: the spglib tolerance (Å) at which symmetry was found.
    """

    space_group_number: int
    space_group_symbol: str
    crystal_system: str
    pearson_symbol: str
    lattice: LatticeParameters
    input_lattice: LatticeParameters
    n_sites: int
    density: float
    has_partial_occupancy: bool
    formula: str
    prototype: str | None
    strukturbericht: str | None
    mineral: str | None
    prototype_note: str | None
    symprec_used: float


def crystal_system(space_group_number: int) -> str:
    """Crystal system of a space group number (``trigonal`` for 143-167, ``hexagonal`` for 168-194)."""
    n = int(space_group_number)
    if not 1 <= n <= 230:
        raise ValueError(f"space group number must be 1-230, not {n}")
    for upper, name in ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"), (142, "tetragonal"),
                        (167, "trigonal"), (194, "hexagonal"), (230, "cubic")):  # fmt: skip
        if n <= upper:
            return name
    raise AssertionError("unreachable")


def _site_types(structure: Structure) -> list[int]:
    """One integer per site; equal integers for equal ``(species, occupancy)`` tuples."""
    keys = [
        tuple(sorted((str(sp), round(float(occ), OCCUPANCY_DECIMALS)) for sp, occ in site.species.items()))
        for site in structure
    ]
    index = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    return [index[k] + 1 for k in keys]


def _check_structure(structure: Any) -> None:
    from pymatgen.core import IStructure

    if not isinstance(structure, IStructure):
        raise StructureError(
            f"expected a pymatgen Structure, got {type(structure).__name__}",
            hint="read a file with matinfo.io.read_cif / read_structures, or build a pymatgen Structure",
        )
    if len(structure) == 0:
        raise StructureError("structure has no sites", hint="a crystal structure needs at least one atom")
    import numpy as np

    if not (np.all(np.isfinite(structure.lattice.matrix)) and np.all(np.isfinite(structure.frac_coords))):
        raise StructureError(
            "structure has NaN or infinite lattice or coordinates", hint="check the input file"
        )
    if not structure.volume > 1e-6:
        raise StructureError(
            "cell volume is zero",
            value=structure.volume,
            hint="the three lattice vectors must not be coplanar",
        )


def find_symmetry(
    structure: Structure, *, symprec: float = SYMPREC, angle_tolerance: float = ANGLE_TOLERANCE
):
    """spglib symmetry dataset of ``structure`` (site-type approximation), with the tolerance ladder.

    Returns:
        ``(dataset, symprec_used)``.

    Raises:
        StructureError: spglib finds no symmetry even at the loosest tolerance (e.g. overlapping atoms).
    """
    import spglib

    _check_structure(structure)
    cell = (structure.lattice.matrix, structure.frac_coords, _site_types(structure))
    ladder = [symprec, *(s for s in SYMPREC_LADDER if s > symprec)]
    last = "unknown error"
    for tol in ladder:
        with warnings.catch_warnings():  # spglib 2.5+ warns about its old error handling on every call
            warnings.filterwarnings("ignore", message=".*OLD_ERROR_HANDLING.*", category=DeprecationWarning)
            try:
                dataset = spglib.get_symmetry_dataset(cell, symprec=tol, angle_tolerance=angle_tolerance)
                if dataset is None:
                    last = spglib.get_error_message() or last
            except Exception as exc:  # newer spglib raises SpglibError instead of returning None
                dataset, last = None, str(exc)
        if dataset is not None:
            return dataset, tol
    raise StructureError(
        f"spglib found no space group at symprec {ladder} ({last})",
        hint="check for overlapping atoms of the same species or a degenerate cell",
    )


def pearson_symbol(dataset: Any) -> str:
    """Pearson symbol from an spglib dataset: family + centering + sites in the conventional cell."""
    centering = _CENTERING_LETTER[dataset.international[0]]
    n = len(dataset.std_types)
    if centering == "R":  # spglib's conventional R cell uses hexagonal axes (3 lattice points)
        n //= 3
    return f"{_FAMILY_LETTER[crystal_system(dataset.number)]}{centering}{n}"


def structure_info(
    structure: Structure,
    *,
    symprec: float = SYMPREC,
    angle_tolerance: float = ANGLE_TOLERANCE,
    prototype: bool = True,
) -> StructureInfo:
    """Space group, Pearson symbol, lattice, density and prototype of a structure.

    Args:
        structure: pymatgen ``Structure``; may be partially occupied (see module docstring).
        symprec: first spglib distance tolerance (Å); the looser ones of :data:`SYMPREC_LADDER` follow if
            spglib fails at it.
        angle_tolerance: spglib angle tolerance (degrees).
        prototype: match against the AFLOW prototype library (:func:`matinfo.io.assign_prototype`);
            False skips it (the prototype fields are then None).

    Raises:
        StructureError: not a structure, no sites, zero volume, or no symmetry found at any tolerance.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> info = structure_info(nacl)
        >>> info.space_group_number, info.pearson_symbol, info.prototype, info.strukturbericht
        (225, 'cF8', 'AB_cF8_225_a_b', 'B1')
    """
    dataset, used = find_symmetry(structure, symprec=symprec, angle_tolerance=angle_tolerance)
    partial = not structure.is_ordered
    proto_label = strukturbericht = mineral = note = None
    if prototype:
        result = assign_prototype(structure, symprec=used)
        proto_label, strukturbericht, mineral = result.label, result.strukturbericht, result.mineral
        note = result.reason
    return StructureInfo(
        space_group_number=int(dataset.number),
        space_group_symbol=str(dataset.international),
        crystal_system=crystal_system(dataset.number),
        pearson_symbol=pearson_symbol(dataset),
        lattice=LatticeParameters.from_matrix(dataset.std_lattice),
        input_lattice=LatticeParameters.from_matrix(structure.lattice.matrix),
        n_sites=len(structure),
        density=float(structure.density),
        has_partial_occupancy=partial,
        formula=structure.composition.reduced_formula,
        prototype=proto_label,
        strukturbericht=strukturbericht,
        mineral=mineral,
        prototype_note=note,
        symprec_used=used,
    )
