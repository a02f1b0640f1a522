"""Assign a structure type (AFLOW prototype) to a crystal structure.

The library is the AFLOW Library of Crystallographic Prototypes, Part 1 (288 structures; M. J. Mehl et al.,
Comput. Mater. Sci. 136, S1-S828 (2017), doi:10.1016/j.commatsci.2017.01.017) as shipped inside pymatgen
(``pymatgen/analysis/prototypes/aflow_prototypes.json.gz``).  It is read once per process.

The matching rule is pymatgen's ``AflowPrototypeMatcher`` (``StructureMatcher.fit_anonymous`` on
Niggli-reduced primitive cells, tolerances shrunk by 0.8 while several prototypes match), but only on
prefiltered candidates:

1. prototypes with the same reduced anonymous formula (``ABC3``) and the same space-group number;
2. if none of those matches: the other prototypes with the same anonymous formula whose primitive cell is no
   larger than the query's (covers a space group found differently at another tolerance);
3. if still none: an *isopointal* match by label — same space group, per element the same reduced count and
   the same Wyckoff letters (up to the space group's Euclidean-normalizer relabelings, pymatgen's
   ``wyckoff-position-relabelings.json.gz``), and a conventional cell of the same shape (axis ratios within
   :data:`LTOL`, angles within :data:`ANGLE_TOL`, which keeps VO2 M1 from being called baddeleyite).
   AFLOW labels ignore free parameters, so this is how AFLOW itself names structure types.  It is needed
   because some library geometries differ from real crystals: pymatgen's anatase entry ``A2B_tI12_141_e_a``
   has O z = 0.2081 in origin-choice-2 coordinates (Ti tetrahedral at 2.05 Å), so a real anatase CIF (TiO6
   octahedra, Ti-O 1.93/1.98 Å) only matches it by label.

``AflowPrototypeMatcher`` itself is not used: it is deprecated in recent pymatgen and reduces all 288
structures when constructed.

Disordered structures are matched through an *ordered approximation*: each site gets its majority occupant,
counting the vacancy (``1 - total occupancy``) as an occupant, so a site that is mostly empty is dropped and a
fully occupied mixed site keeps its majority species.  The approximation is rejected (no prototype, with the
reason) when it keeps fewer than :data:`MIN_RETAINED_FRACTION` of the atoms or when two kept sites are closer
than :data:`MIN_SITE_DISTANCE`.  Minority species may disappear (Li in La-rich (Li,La)TiO3 perovskite); the
assignment's ``reason`` names them.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymatgen.core import Structure

__all__ = [
    "ANGLE_TOL",
    "LTOL",
    "MIN_RETAINED_FRACTION",
    "MIN_SITE_DISTANCE",
    "STOL",
    "PrototypeAssignment",
    "assign_prototype",
    "prototype_library",
]

#: StructureMatcher fractional length tolerance (pymatgen's prototype-matcher default).
LTOL = 0.2
#: StructureMatcher site tolerance (fraction of the average free length per atom).
STOL = 0.3
#: StructureMatcher angle tolerance (degrees).
ANGLE_TOL = 5.0
#: The ordered approximation of a disordered structure must keep at least this fraction of its atoms.
MIN_RETAINED_FRACTION = 0.85
#: Kept sites closer than this (Å) make the ordered approximation unphysical: no prototype is assigned.
MIN_SITE_DISTANCE = 0.5

_LATTICE_POINTS = {"P": 1, "C": 2, "A": 2, "B": 2, "S": 2, "I": 2, "F": 4, "R": 1}


@dataclass(frozen=True)
class PrototypeAssignment:
    """Result of :func:`assign_prototype`.

    Attributes:
        label: AFLOW prototype label (``A2B_tP6_136_f_a``) or None when nothing matched.
        pearson_symbol: Pearson symbol of the prototype (``tP6``).
        strukturbericht: Strukturbericht designation (``C4``) or None if the prototype has none.
        mineral: mineral or structure-type name (``Rutile``) or None.
        ordered_approximation: True when the structure was disordered and its ordered approximation matched.
        candidates: number of prototypes compared with ``StructureMatcher``.
        method: ``"structure_matcher"`` (geometry match), ``"wyckoff_label"`` (isopointal: same space
            group and Wyckoff letters) or None.
        reason: why no prototype was assigned, or a note on how it was; None for a plain match.
    """

    label: str | None
    pearson_symbol: str | None = None
    strukturbericht: str | None = None
    mineral: str | None = None
    ordered_approximation: bool = False
    candidates: int = 0
    method: str | None = None
    reason: str | None = None

    @property
    def matched(self) -> bool:
        """True when a prototype was assigned."""
        return self.label is not None


@dataclass
class _Prototype:
    label: str
    pearson: str
    strukturbericht: str | None
    mineral: str | None
    structure: Structure
    anonymous_formula: str
    space_group_number: int
    n_primitive: int
    _reduced: Structure | None = None
    _shape: tuple[float, ...] | None = None

    def reduced(self) -> Structure:
        if self._reduced is None:
            self._reduced = _reduce(self.structure)
        return self._reduced

    def shape(self) -> tuple[float, ...]:
        if self._shape is None:
            from matinfo.io.structure_info import find_symmetry

            self._shape = _cell_shape(find_symmetry(self.structure)[0])
        return self._shape


def _reduce(structure: Structure) -> Structure:
    return structure.get_reduced_structure(reduction_algo="niggli").get_primitive_structure()


def _n_primitive(pearson: str) -> int:
    """Sites in the primitive cell from a Pearson symbol (hR already counts the rhombohedral cell)."""
    return int(pearson[2:]) // _LATTICE_POINTS[pearson[1]]


def _library_path() -> Path:
    spec = importlib.util.find_spec("pymatgen.analysis")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pymatgen is not installed; it is needed for prototype matching")
    for folder in spec.submodule_search_locations:
        for name in ("prototypes/aflow_prototypes.json.gz", "aflow_prototypes.json"):
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    raise FileNotFoundError("pymatgen's AFLOW prototype library (aflow_prototypes.json[.gz]) was not found")


@functools.cache
def prototype_library() -> tuple[_Prototype, ...]:
    """The 288 AFLOW prototypes, read from pymatgen's data file once per process (about 0.1 s)."""
    from pymatgen.core import Composition, Structure

    path = _library_path()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    library = []
    for item in raw:
        tags = item["tags"]
        structure = Structure.from_dict(item["snl"])
        label = tags["aflow"]
        library.append(
            _Prototype(
                label=label,
                pearson=tags["pearson"],
                strukturbericht=None
                if tags.get("strukturbericht") in (None, "", "None")
                else tags["strukturbericht"],
                mineral=tags.get("mineral") or None,
                structure=structure,
                anonymous_formula=Composition(structure.composition).anonymized_formula,
                space_group_number=int(label.split("_")[2]),
                n_primitive=_n_primitive(tags["pearson"]),
            )
        )
    return tuple(library)


@functools.cache
def _relabelings() -> dict[int, tuple[dict[str, str], ...]]:
    """Wyckoff-letter relabelings of each space group (Euclidean normalizer), from pymatgen's data file."""
    path = _library_path().parent / "wyckoff-position-relabelings.json.gz"
    if not path.is_file():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    return {int(k): tuple({chr(int(o)): v for o, v in m.items()} for m in maps) for k, maps in raw.items()}


_Signature = tuple[tuple[int, tuple[str, ...]], ...]


def _label_signature(label: str) -> _Signature | None:
    """Per element (reduced count, sorted Wyckoff letters) of an AFLOW label, sorted; None if irregular."""
    formula, _, _, *groups = label.split("_")
    counts = [int(n or 1) for _, n in re.findall(r"([A-Z])(\d*)", formula)]
    letters = [tuple(sorted(ch for n, ch in re.findall(r"(\d*)([a-zA-Z])", g) for _ in range(int(n or 1))))
               for g in groups]  # fmt: skip
    if len(counts) != len(letters):  # e.g. "sigma_tP30_136_bf2ij" lists sites, not elements
        return None
    return tuple(sorted(zip(counts, letters, strict=True)))


def _cell_shape(dataset: Any) -> tuple[float, ...]:
    """(b/a, c/a, alpha, beta, gamma) of spglib's conventional standard cell."""
    from matinfo.io.structure_info import LatticeParameters

    p = LatticeParameters.from_matrix(dataset.std_lattice)
    return (p.b / p.a, p.c / p.a, p.alpha, p.beta, p.gamma)


def _same_shape(one: tuple[float, ...], other: tuple[float, ...]) -> bool:
    """Conventional cells alike within LTOL (axis ratios) and ANGLE_TOL (degrees)."""
    ratios = all(abs(x / y - 1) <= LTOL for x, y in zip(one[:2], other[:2], strict=True))
    return ratios and all(abs(x - y) <= ANGLE_TOL for x, y in zip(one[2:], other[2:], strict=True))


def _structure_signatures(structure: Structure, dataset: Any) -> set[_Signature]:
    """The structure's label signature under every Wyckoff relabeling of its space group."""
    from math import gcd

    letters: dict[str, list[str]] = {}
    for i in sorted(set(int(e) for e in dataset.equivalent_atoms)):
        site = structure[i]
        letters.setdefault(getattr(site.specie, "symbol", site.species_string), []).append(
            dataset.wyckoffs[i]
        )
    amounts = {el: int(round(n)) for el, n in structure.composition.get_el_amt_dict().items()}
    divisor = functools.reduce(gcd, amounts.values())
    maps = _relabelings().get(int(dataset.number)) or ({},)
    return {
        tuple(
            sorted(
                (amounts[el] // divisor, tuple(sorted(m.get(ch, ch) for ch in chs)))
                for el, chs in letters.items()
            )
        )
        for m in maps
    }


def _ordered_approximation(structure: Structure) -> tuple[Structure | None, str]:
    """Majority-occupant ordered copy of a disordered structure: ``(copy, note)`` or ``(None, reason)``."""
    from pymatgen.core import Structure

    species, coords = [], []
    for site in structure:
        sp, occ = max(site.species.items(), key=lambda kv: kv[1])
        if occ >= 1.0 - site.species.num_atoms:  # the vacancy is not the majority occupant
            species.append(getattr(sp, "symbol", str(sp)))
            coords.append(site.frac_coords)
    total = structure.composition.num_atoms
    if not species or len(species) < MIN_RETAINED_FRACTION * total:
        return None, (
            f"the ordered approximation (majority occupant per site) keeps only {len(species)} of "
            f"{total:.4g} "
            f"atoms (< {MIN_RETAINED_FRACTION:.0%}); too much of the structure is disordered for a prototype"
        )
    ordered = Structure(structure.lattice, species, coords)
    centers, _, _, dist = ordered.get_neighbor_list(MIN_SITE_DISTANCE)
    if len(centers):
        return None, (
            "the ordered approximation (majority occupant per site) has sites "
            f"{float(min(dist)):.2f} Å apart "
            f"(< {MIN_SITE_DISTANCE} Å): overlapping partially occupied sites have no single prototype"
        )
    lost = sorted(set(structure.composition.chemical_system.split("-")) - set(species))
    note = "matched through the ordered approximation (majority occupant per site"
    return ordered, note + (f"; {', '.join(lost)} dropped)" if lost else ")")


def _matches(candidates: list[_Prototype], reduced: Structure) -> list[_Prototype]:
    from pymatgen.analysis.structure_matcher import StructureMatcher

    sm = StructureMatcher(ltol=LTOL, stol=STOL, angle_tol=ANGLE_TOL, primitive_cell=True)

    def fit(protos: list[_Prototype]) -> list[_Prototype]:
        return [p for p in protos if sm.fit_anonymous(p.reduced(), reduced, skip_structure_reduction=True)]

    found = fit(candidates)
    while len({p.label for p in found}) > 1 and sm.ltol >= 0.01:
        sm.ltol, sm.stol, sm.angle_tol = sm.ltol * 0.8, sm.stol * 0.8, sm.angle_tol * 0.8
        tighter = fit(found)
        if not tighter:
            break
        found = tighter
    return found


def assign_prototype(
    structure: Structure,
    *,
    symprec: float | None = None,
) -> PrototypeAssignment:
    """Find the AFLOW prototype (structure type) of ``structure``.

    Args:
        structure: pymatgen ``Structure``, ordered or disordered (see module docstring).
        symprec: first spglib tolerance for the space-group prefilter (default :data:`matinfo.io.SYMPREC`,
            then its looser ladder).

    Returns:
        A :class:`PrototypeAssignment`; ``label`` is None when no prototype matched (``reason`` says why).

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> rutile = Structure.from_spacegroup(
        ...     136, Lattice.tetragonal(4.594, 2.959), ["Ti", "O"], [[0, 0, 0], [0.3048, 0.3048, 0]])
        >>> assign_prototype(rutile).label
        'A2B_tP6_136_f_a'
    """
    from matinfo.io.structure_info import SYMPREC, find_symmetry, pearson_symbol

    approx = False
    target = structure
    note: str | None = None
    if not structure.is_ordered:
        ordered, note = _ordered_approximation(structure)
        if ordered is None:
            return PrototypeAssignment(None, ordered_approximation=True, reason=note)
        target, approx = ordered, True
    anonymous = target.composition.anonymized_formula
    library = prototype_library()
    same_formula = [p for p in library if p.anonymous_formula == anonymous]
    if not same_formula:
        return PrototypeAssignment(
            None, ordered_approximation=approx,
            reason=f"no AFLOW part-1 prototype has the anonymous formula {anonymous}",
        )  # fmt: skip
    dataset, _ = find_symmetry(target, symprec=symprec or SYMPREC)
    space_group_number = int(dataset.number)
    pearson = pearson_symbol(dataset)
    n_prim = _n_primitive(pearson)
    first = [p for p in same_formula if p.space_group_number == space_group_number]
    second = [
        p for p in same_formula
        if p.space_group_number != space_group_number
        and p.n_primitive <= n_prim and n_prim % p.n_primitive == 0
    ]  # fmt: skip
    reduced = _reduce(target)
    found: list[_Prototype] = []
    checked = 0
    for stage in (first, second):
        if stage:
            checked += len(stage)
            found = _matches(stage, reduced)
            if found:
                break
    method = "structure_matcher"
    if not found and first:
        signatures, shape = _structure_signatures(target, dataset), _cell_shape(dataset)
        found = [
            p for p in first if _label_signature(p.label) in signatures and _same_shape(shape, p.shape())
        ]
        method = "wyckoff_label"
    if method == "wyckoff_label" and found:
        note = (
            f"{note + '; ' if note else ''}isopointal match by label only (same space group and Wyckoff "
            "positions); the library geometry did not match with StructureMatcher"
        )
    if not found:
        if checked:
            why = f"none of the {checked} AFLOW part-1 prototypes with formula {anonymous} and a compatible "
            why += "cell matches"
        else:
            why = f"no AFLOW part-1 prototype with formula {anonymous} has a compatible space group or cell"
        why += f" (space group {space_group_number}, {pearson}{', ordered approximation' if approx else ''})"
        return PrototypeAssignment(None, ordered_approximation=approx, candidates=checked, reason=why)
    best = found[0]
    if len({p.label for p in found}) > 1:
        others = ", ".join(sorted({p.label for p in found[1:]} - {best.label}))
        note = f"{note + '; ' if note else ''}also matches {others}"
    return PrototypeAssignment(
        label=best.label, pearson_symbol=best.pearson, strukturbericht=best.strukturbericht,
        mineral=best.mineral,
        ordered_approximation=approx, candidates=checked, method=method, reason=note,
    )  # fmt: skip
