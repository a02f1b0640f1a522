"""Plain structure descriptors: density, volume per atom, packing fraction, cell; space group and crystal system.

``StructureBasics`` gives matminer's ``DensityFeatures`` (equal values on ordered structures) plus the cell;
``SymmetryFeatures`` gives the space-group number, the crystal system one-hot and inversion symmetry, as
matminer's ``GlobalSymmetryFeatures``, using the spglib settings of :mod:`matinfo.io.structure_info`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from matinfo.features._citations import ONG_2013
from matinfo.features._composition import Z_OF
from matinfo.features._structure import BAD_STRUCTURE_EXAMPLES, as_structure, example_structures
from matinfo.features.base import Examples, Featurizer
from matinfo.io.structure_info import SYMPREC, crystal_system, find_symmetry

__all__ = ["StructureBasics", "SymmetryFeatures", "CRYSTAL_SYSTEMS"]

#: Crystal systems, in the order of the one-hot columns of :class:`SymmetryFeatures`.
CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")

_EXAMPLE_CIFS = (
    "crystal_structures/aflow_prototypes_part1/001_AB2_tI6_139_a_e.cif",
    "crystal_structures/cod_crystals_pkg/Cr.cif",
    "crystal_structures/aflow_prototypes_part1/000_AB_hP6_154_a_b.cif",
    "obelix/cifs/e6b.cif",  # Li4GeS4 with a half-occupied Li site
)

_SPGLIB = """@article{togo_2024,
  author = {Togo, Atsushi and Shinohara, Kohei and Tanaka, Isao},
  title = {Spglib: a software library for crystal symmetry search},
  journal = {Science and Technology of Advanced Materials: Methods}, volume = {4}, number = {1},
  pages = {2384822}, year = {2024}, doi = {10.1080/27660400.2024.2384822}
}"""


@functools.cache
def _atomic_radius_cubed() -> np.ndarray:
    """pymatgen's empirical ``Element.atomic_radius`` cubed (Å^3) by atomic number; NaN where unknown."""
    from pymatgen.core import Element

    table = np.full(len(Z_OF) + 1, np.nan)
    for symbol, z in Z_OF.items():
        radius = Element(symbol).atomic_radius
        if radius is not None:
            table[z] = float(radius) ** 3
    return table


class StructureBasics(Featurizer):
    """Density, volume per atom, packing fraction, number of sites and the unit cell.

    Features: ``density`` (g/cm^3), ``volume_per_atom`` (Å^3), ``packing_fraction`` (volume of atomic spheres
    of pymatgen's empirical atomic radii / cell volume), ``n_sites``, ``a``, ``b``, ``c`` (Å), ``alpha``,
    ``beta``, ``gamma`` (degrees) and ``volume`` (Å^3) of the cell as given (not reduced or standardised).

    For ordered structures the first three equal matminer's ``DensityFeatures``.  matminer refuses disordered
    structures; here they count atoms by occupancy: ``volume_per_atom`` divides by the number of atoms (sum of
    occupancies) and the packing fraction weights each species' sphere by its occupancy.  ``n_sites`` counts
    sites whatever their occupancy.  An element without a tabulated radius gives a NaN packing fraction.

    >>> X = StructureBasics().transform(example_structures("crystal_structures/cod_crystals_pkg/Cr.cif"))
    >>> X.round(3)[0, :4].tolist()
    [7.2, 11.993, 0.958, 2.0]

    Parameters
    ----------
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "structure_basics"

    def __init__(self, *, on_error: str = "raise", n_jobs: int | None = 1) -> None:
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        names = ["density", "volume_per_atom", "packing_fraction", "n_sites"]
        names += ["a", "b", "c", "alpha", "beta", "gamma", "volume"]
        return names, ["structure"] * len(names)

    def _prepare(self, x: Any) -> Any:
        return as_structure(x)

    def _compute_one(self, s: Any) -> np.ndarray:
        amounts = s.composition.get_el_amt_dict()
        n_atoms = sum(amounts.values())
        r3 = _atomic_radius_cubed()
        spheres = sum(amt * r3[Z_OF[el]] for el, amt in amounts.items())
        volume = s.volume
        lat = s.lattice
        return np.array(
            [
                s.density,
                volume / n_atoms,
                4 * np.pi * spheres / (3 * volume),
                len(s),
                *lat.abc,
                *lat.angles,
                volume,
            ],
            dtype=float,
        )

    def citations(self) -> list[str]:
        return [ONG_2013]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(good=example_structures(*_EXAMPLE_CIFS), bad=list(BAD_STRUCTURE_EXAMPLES))


class SymmetryFeatures(Featurizer):
    """Space-group number, crystal system (one-hot), inversion symmetry and number of symmetry operations.

    Features: ``spacegroup_number`` (1-230), ``crystal_system_<name>`` for the seven systems of
    :data:`CRYSTAL_SYSTEMS` (1 for the structure's system, else 0), ``is_centrosymmetric`` (1 when the point
    group holds the inversion, matminer's ``is_laue``), ``n_symmetry_ops`` (operations of the given cell,
    centring translations included, as matminer counts them).

    Symmetry comes from spglib through :func:`matinfo.io.structure_info.find_symmetry`: ``symprec`` (Å,
    default :data:`~matinfo.io.structure_info.SYMPREC`, with looser tolerances tried in turn when spglib fails)
    and partially occupied sites typed by their full occupancy.  matminer uses pymatgen's defaults (0.01 Å,
    5°) and the same spglib; pass ``symprec=0.01`` to compare.

    >>> X = SymmetryFeatures().transform(example_structures("crystal_structures/cod_crystals_pkg/Cr.cif"))
    >>> X[0].astype(int).tolist()
    [229, 0, 0, 0, 0, 0, 0, 1, 1, 96]

    Parameters
    ----------
    symprec : float
        spglib distance tolerance (Å).
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "symmetry"

    def __init__(self, *, symprec: float = SYMPREC, on_error: str = "raise", n_jobs: int | None = 1) -> None:
        self.symprec = symprec
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        if not float(self.symprec) > 0:
            raise ValueError(f"symprec={self.symprec!r}: use a positive distance in Å, e.g. 1e-3")
        names = ["spacegroup_number", *(f"crystal_system_{c}" for c in CRYSTAL_SYSTEMS)]
        names += ["is_centrosymmetric", "n_symmetry_ops"]
        return names, ["structure"] * len(names)

    def _prepare(self, x: Any) -> Any:
        return as_structure(x)

    def _compute_one(self, s: Any) -> np.ndarray:
        dataset, _ = find_symmetry(s, symprec=float(self.symprec))
        number = int(dataset.number)
        onehot = np.zeros(len(CRYSTAL_SYSTEMS))
        onehot[CRYSTAL_SYSTEMS.index(crystal_system(number))] = 1.0
        rotations = np.asarray(dataset.rotations)
        inversion = bool((rotations == -np.eye(3, dtype=int)).all(axis=(1, 2)).any())
        return np.array([number, *onehot, float(inversion), len(rotations)], dtype=float)

    def citations(self) -> list[str]:
        return [_SPGLIB]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(good=example_structures(*_EXAMPLE_CIFS), bad=list(BAD_STRUCTURE_EXAMPLES))
