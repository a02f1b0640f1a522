"""The structure a calculation runs on: a frozen :class:`Cell`, its canonical key, and the checks made on it
before anything runs.

A :class:`Cell` is an ordered periodic structure (lattice vectors in Å as rows, element symbols, fractional
coordinates).  It converts to and from pymatgen ``Structure`` and ASE ``Atoms`` and serialises to plain JSON (no
Python import paths).  Its :attr:`Cell.key` is a SHA-256 of the lattice and of the sorted sites, rounded to
:data:`KEY_DECIMALS` decimals and wrapped into the cell, so the same structure read from a CIF, from POSCAR or from
the store gets the same key whatever the order of its sites.

>>> c = Cell(lattice=((4.0, 0, 0), (0, 4.0, 0), (0, 0, 4.0)), species=("Cu", "Cu"),
...          frac_coords=((0, 0, 0), (0.5, 0.5, 0.5)))
>>> c.formula, c.n_atoms, len(c.key)
('Cu2', 2, 64)
>>> Cell(c.lattice, c.species[::-1], c.frac_coords[::-1]).key == c.key
True
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matinfo.errors import StructureError

__all__ = ["Cell", "MIN_DISTANCE", "KEY_DECIMALS", "check_overlaps", "read_cells"]

#: Two atoms closer than this (Å) are an error: no engine gives a meaningful energy for them.
MIN_DISTANCE = 0.5
#: Decimals of Å (lattice) and of fractional coordinates kept in :attr:`Cell.key`.
KEY_DECIMALS = 5


def _wrap(x: float) -> float:
    y = round(float(x) % 1.0, KEY_DECIMALS)
    return 0.0 if y >= 1.0 else y + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(frozen=True)
class Cell:
    """An ordered periodic structure.

    Attributes
    ----------
    lattice : tuple of 3 tuples of 3 floats
        Lattice vectors as rows, Å.
    species : tuple of str
        Element symbol of each site, shape (n,).
    frac_coords : tuple of n tuples of 3 floats
        Fractional coordinates of each site, shape (n, 3).
    """

    lattice: tuple[tuple[float, float, float], ...]
    species: tuple[str, ...]
    frac_coords: tuple[tuple[float, float, float], ...]

    def __post_init__(self) -> None:
        lat = tuple(tuple(float(x) for x in row) for row in self.lattice)
        coords = tuple(tuple(float(x) for x in row) for row in self.frac_coords)
        species = tuple(str(s) for s in self.species)
        if len(lat) != 3 or any(len(r) != 3 for r in lat):
            raise StructureError("the lattice must be 3 vectors of 3 numbers", field="lattice", value=lat)
        if len(coords) != len(species) or any(len(r) != 3 for r in coords):
            raise StructureError(
                f"{len(species)} species but {len(coords)} coordinate triples",
                field="frac_coords",
                hint="give one (x, y, z) per site",
            )
        if not species:
            raise StructureError("a calculation needs at least one atom", field="species")
        object.__setattr__(self, "lattice", lat)
        object.__setattr__(self, "frac_coords", coords)
        object.__setattr__(self, "species", species)

    # -- identity --------------------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """SHA-256 (hex) of the rounded lattice and the sorted, wrapped, rounded sites."""
        lat = [[round(x, KEY_DECIMALS) + 0.0 for x in row] for row in self.lattice]
        sites = sorted(
            (s, [_wrap(x) for x in xyz]) for s, xyz in zip(self.species, self.frac_coords, strict=True)
        )
        blob = json.dumps({"lattice": lat, "sites": sites}, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    @property
    def n_atoms(self) -> int:
        return len(self.species)

    @property
    def elements(self) -> tuple[str, ...]:
        """The distinct elements, alphabetical."""
        return tuple(sorted(set(self.species)))

    @property
    def formula(self) -> str:
        """Cell formula, elements in alphabetical order (``Cl4Na4``)."""
        counts = Counter(self.species)
        return "".join(f"{el}{n if n != 1 else ''}" for el, n in sorted(counts.items()))

    @property
    def volume(self) -> float:
        """Cell volume, Å^3."""
        import numpy as np

        return float(abs(np.linalg.det(np.array(self.lattice))))

    # -- conversions -----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "lattice": [list(r) for r in self.lattice],
            "species": list(self.species),
            "frac_coords": [list(r) for r in self.frac_coords],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cell:
        try:
            return cls(
                tuple(map(tuple, d["lattice"])), tuple(d["species"]), tuple(map(tuple, d["frac_coords"]))
            )
        except KeyError as e:
            raise StructureError(
                f"a cell needs lattice, species and frac_coords; {e.args[0]!r} is missing"
            ) from None

    @classmethod
    def from_structure(cls, structure: Any, *, source: str | None = None) -> Cell:
        """From a pymatgen ``Structure``; a disordered one (partial occupancy) is refused."""
        if not structure.is_ordered:
            bad = next(i for i, site in enumerate(structure) if not site.is_ordered)
            raise StructureError(
                f"site {bad} ({structure[bad].species_string}) has partial occupancy; a calculation needs an "
                "ordered cell",
                source=source,
                hint="order it first (a supercell with pymatgen's OrderDisorderedStructureTransformation or SQS)",
            )
        return cls(
            tuple(map(tuple, structure.lattice.matrix.tolist())),
            tuple(site.specie.symbol for site in structure),
            tuple(map(tuple, structure.frac_coords.tolist())),
        )

    @classmethod
    def from_atoms(cls, atoms: Any) -> Cell:
        """From an ASE ``Atoms`` (periodic in all three directions)."""
        if not all(atoms.pbc):
            raise StructureError(
                "the ASE Atoms is not periodic in all three directions",
                value=list(map(bool, atoms.pbc)),
                hint="put molecules in a box: atoms.center(vacuum=5); atoms.pbc = True",
            )
        return cls(
            tuple(map(tuple, atoms.cell.array.tolist())),
            tuple(atoms.get_chemical_symbols()),
            tuple(map(tuple, atoms.get_scaled_positions(wrap=False).tolist())),
        )

    def to_structure(self) -> Any:
        from pymatgen.core import Lattice, Structure

        return Structure(Lattice(self.lattice), list(self.species), list(self.frac_coords))

    def to_atoms(self) -> Any:
        from ase import Atoms

        return Atoms(
            symbols=list(self.species), cell=list(self.lattice), scaled_positions=self.frac_coords, pbc=True
        )

    def to_cif(self) -> str:
        from pymatgen.io.cif import CifWriter

        return str(CifWriter(self.to_structure()))


def check_overlaps(cell: Cell, *, min_distance: float = MIN_DISTANCE, source: str | None = None) -> None:
    """Raise :class:`~matinfo.errors.StructureError` naming the closest pair of sites nearer than
    ``min_distance`` Å (periodic images included)."""
    import numpy as np

    s = cell.to_structure()
    if s.volume < 1e-6:
        raise StructureError("the lattice vectors are (nearly) coplanar: zero cell volume", source=source)
    centers, neighbors, _images, dists = s.get_neighbor_list(r=min_distance)
    if len(dists) == 0:
        return
    i = int(np.argmin(dists))
    a, b, d = int(centers[i]), int(neighbors[i]), float(dists[i])
    what = (
        f"sites {a} ({cell.species[a]}) and {b} ({cell.species[b]})" if a != b else f"site {a} and its image"
    )
    raise StructureError(
        f"{what} are {d:.3f} Å apart, closer than {min_distance} Å ({len(dists) // 2 or 1} such pair(s))",
        source=source,
        field="frac_coords",
        hint="remove duplicate sites (CIF symmetry operations applied twice?) or fix the coordinates",
    )


def read_cells(paths: list[str | Path]) -> list[tuple[str, Cell]]:
    """``(source name, Cell)`` for each structure file (CIF, POSCAR, anything pymatgen reads).

    A CIF with several blocks gives one cell per block (``file.cif#2``).
    """
    from pymatgen.core import Structure

    out: list[tuple[str, Cell]] = []
    for p in map(Path, paths):
        if not p.is_file():
            raise StructureError("no such file", source=str(p), hint="check the path")
        try:
            if p.suffix.lower() == ".cif":
                from pymatgen.io.cif import CifParser

                structures = CifParser(p).parse_structures(primitive=False)
            else:
                structures = [Structure.from_file(p)]
        except StructureError:
            raise
        except Exception as e:  # pymatgen raises ValueError, KeyError, ... on broken files
            raise StructureError(
                f"cannot read a structure: {e.__class__.__name__}: {e}", source=str(p)
            ) from None
        for i, s in enumerate(structures):
            name = p.name if len(structures) == 1 else f"{p.name}#{i + 1}"
            out.append((name, Cell.from_structure(s, source=name)))
    return out
