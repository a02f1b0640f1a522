"""Substance identity: when do two reported materials belong to the same distinct phase?

A *substance* (AtomWork-Adv's "distinct phase") is a chemical system + a structure type + a composition region.
A reported *material* joins an existing substance when

1. its **structure type** matches (same space-group number, and the same AFLOW prototype label when both
   sides know one), and
2. its **composition** lies inside the substance's region: the total-variation distance between its atomic
   fractions and the nearest member's fractions is at most :data:`COMPOSITION_TOLERANCE`
   (variable formulas such as ``LiyNb1-yTizO2.5-2y+2z`` match when *some* admissible values of the variables
   bring them within the tolerance; the values found are reported).

Dopants do not change the chemical system: elements below :data:`DOPANT_FRACTION` of the atoms are not part of
the *host* system used to find candidates, so ``Li6.4La3Zr1.4Ta0.6O12`` is looked up among Li-La-O-Zr phases.

Materials reported without any structure information link to the *only* known phase within
:data:`UNKNOWN_STRUCTURE_TOLERANCE`; when there is none, or several (rutile and anatase), they join or found a
substance of unknown structure type.  Every decision carries a human-readable reason, which the store keeps.

This module is pure: no database, no files.  The store keeps the candidates and calls :func:`find_match`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "COMPOSITION_TOLERANCE",
    "UNKNOWN_STRUCTURE_TOLERANCE",
    "DOPANT_FRACTION",
    "UNKNOWN_STRUCTURE",
    "StructureType",
    "Candidate",
    "Match",
    "host_system",
    "candidate_host_systems",
    "fraction_distance",
    "find_match",
]

#: Largest total-variation distance (½ Σ|x_a − x_b| over atomic fractions) between a material and the nearest
#: member of a substance of the same structure type for the material to join it.  0.05 admits the usual
#: aliovalent doping of a host (Li6.4La3Zr1.4Ta0.6O12 is 0.042 from Li7La3Zr2O12) and keeps distinct line
#: compounds apart (Li2O vs Li2O2: 0.17).
COMPOSITION_TOLERANCE = 0.05

#: Tolerance used when the material reports no structure at all: only doping-level deviations (Pb0.975Ga0.025Te
#: is 0.0125 from PbTe), so that e.g. Fe3Al and Fe4Al (0.05 apart) without structures stay separate.
UNKNOWN_STRUCTURE_TOLERANCE = 0.02

#: Elements below this atomic fraction count as dopants, not as part of the host chemical system.
DOPANT_FRACTION = 0.03

#: Structure-type key of substances whose structure was never reported.
UNKNOWN_STRUCTURE = "unknown"


@dataclass(frozen=True)
class StructureType:
    """What makes two phases of one chemical system different: space group and prototype."""

    space_group_number: int | None = None
    prototype: str | None = None

    @property
    def known(self) -> bool:
        return self.space_group_number is not None or self.prototype is not None

    @property
    def key(self) -> str:
        """Index key: ``sg161``, or :data:`UNKNOWN_STRUCTURE`.

        The key deliberately ignores the prototype label, so a material whose prototype could not be
        assigned still meets the substances of its space group; :meth:`compatible` then compares prototypes.
        """
        if self.space_group_number is not None:
            return f"sg{self.space_group_number}"
        if self.prototype is not None:
            return f"proto:{self.prototype}"
        return UNKNOWN_STRUCTURE

    def compatible(self, other: StructureType) -> bool:
        if self.key != other.key:
            return False
        if self.prototype and other.prototype:
            return self.prototype == other.prototype
        return True

    def describe(self) -> str:
        parts = []
        if self.space_group_number is not None:
            parts.append(f"space group {self.space_group_number}")
        if self.prototype:
            parts.append(f"prototype {self.prototype}")
        return " and ".join(parts) if parts else "unknown structure type"


@dataclass
class Candidate:
    """A substance as the linker sees it: its structure type and the fractions of its members."""

    substance_id: int
    structure_type: StructureType
    members: list[dict[str, float]] = field(default_factory=list)
    #: Unresolved variable-formula members: objects with ``closest_fractions(target) -> (distance, values)``.
    formulas: list = field(default_factory=list)
    label: str = ""


@dataclass(frozen=True)
class Match:
    substance_id: int
    distance: float
    tolerance: float
    reason: str
    variable_values: Mapping[str, float] | None = None


def fraction_distance(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Total-variation distance ½ Σ|a_i − b_i| between two atomic-fraction maps (each summing to 1).

    >>> fraction_distance({"Ti": 1/3, "O": 2/3}, {"Ti": 1/3, "O": 2/3})
    0.0
    >>> round(fraction_distance({"Li": 0.5, "O": 0.5}, {"Li": 2/3, "O": 1/3}), 4)
    0.1667
    """
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)


def host_system(fractions: Mapping[str, float], dopant_fraction: float = DOPANT_FRACTION) -> str:
    """The chemical system without dopants, e.g. ``La-Li-O-Zr`` for Li6.4La3Zr1.4Ta0.6O12.

    >>> host_system({"Li": 6.4/23.4, "La": 3/23.4, "Zr": 1.4/23.4, "Ta": 0.6/23.4, "O": 12/23.4})
    'La-Li-O-Zr'
    """
    major = sorted(el for el, x in fractions.items() if x >= dopant_fraction)
    if not major:  # everything is "minor" only for absurdly many elements; keep them all
        major = sorted(fractions)
    return "-".join(major)


def candidate_host_systems(
    fractions: Mapping[str, float],
    *,
    tolerance: float = COMPOSITION_TOLERANCE,
    dopant_fraction: float = DOPANT_FRACTION,
    optional: Iterable[str] = (),
) -> list[str]:
    """Host systems a substance within ``tolerance`` of ``fractions`` can have.

    Elements close to the dopant threshold (within ``2 * tolerance``) may be on either side of it in a
    neighbouring composition, so every in/out choice of them is returned (at most 2**4 keys).  ``optional``
    elements (those a variable formula can drop to zero) are toggled too.
    """
    sure = {el for el, x in fractions.items() if x >= dopant_fraction + 2 * tolerance}
    borderline = sorted(
        {el for el, x in fractions.items() if abs(x - dopant_fraction) < 2 * tolerance} | set(optional)
    )
    borderline = [el for el in borderline if el not in sure][:8]
    keys = []
    for r in range(len(borderline) + 1):
        for extra in itertools.combinations(borderline, r):
            els = sorted(sure | set(extra))
            if els:
                keys.append("-".join(els))
    return keys


def _nearest(members: Sequence[Mapping[str, float]], fractions: Mapping[str, float]) -> float:
    return min((fraction_distance(m, fractions) for m in members), default=float("inf"))


def find_match(
    fractions: Mapping[str, float] | None,
    structure_type: StructureType,
    candidates: Iterable[Candidate],
    *,
    closest=None,
    tolerance: float = COMPOSITION_TOLERANCE,
    unknown_tolerance: float = UNKNOWN_STRUCTURE_TOLERANCE,
) -> Match | None:
    """Pick the substance a material belongs to, or ``None`` when it founds a new one.

    Parameters
    ----------
    fractions
        Atomic fractions of the material, or ``None`` for an unresolved variable formula, in which case
        ``closest(target_fractions) -> (distance, variable_values)`` must be given
        (:meth:`matinfo.core.formula.ParsedFormula.closest_fractions`).
    structure_type
        The material's structure type (may be unknown).
    candidates
        Substances that share a candidate host system (see :func:`candidate_host_systems`).
    """
    if fractions is None and closest is None:
        raise ValueError("find_match needs the material's fractions or a closest() function")

    def dist(c: Candidate) -> tuple[float, Mapping[str, float] | None]:
        if fractions is not None:
            best = (_nearest(c.members, fractions), None)
            for f in c.formulas:  # a composition inside a variable formula's range
                d, values = f.closest_fractions(fractions)
                if d < best[0]:
                    best = (d, values)
            return best
        best: tuple[float, Mapping[str, float] | None] = (float("inf"), None)
        for m in c.members:
            d, values = closest(m)
            if d < best[0]:
                best = (d, values)
        return best

    cands = list(candidates)
    if structure_type.known:
        scored = []
        for c in cands:
            if c.structure_type.compatible(structure_type):
                d, values = dist(c)
                if d <= tolerance:
                    scored.append((d, c.substance_id, c, values))
        if not scored:
            return None
        d, _, c, values = min(scored, key=lambda t: (t[0], t[1]))
        return Match(
            c.substance_id,
            d,
            tolerance,
            f"{structure_type.describe()} matched; composition distance {d:.4f} ≤ tolerance {tolerance}"
            + _values_text(values),
            values,
        )

    # No structure reported: the only known phase within the tight tolerance, else the unknown-structure one.
    known, unknown = [], []
    for c in cands:
        d, values = dist(c)
        if d <= unknown_tolerance:
            (known if c.structure_type.known else unknown).append((d, c.substance_id, c, values))
    if len(known) == 1:
        d, _, c, values = known[0]
        return Match(
            c.substance_id,
            d,
            unknown_tolerance,
            f"no structure reported; the only known phase ({c.structure_type.describe()}) within "
            f"composition distance {d:.4f} ≤ {unknown_tolerance}" + _values_text(values),
            values,
        )
    if unknown:
        d, _, c, values = min(unknown, key=lambda t: (t[0], t[1]))
        why = f"{len(known)} known phases match, so the structure is ambiguous; " if known else ""
        return Match(
            c.substance_id,
            d,
            unknown_tolerance,
            f"no structure reported; {why}joined the unknown-structure substance at composition distance "
            f"{d:.4f} ≤ {unknown_tolerance}" + _values_text(values),
            values,
        )
    return None


def _values_text(values: Mapping[str, float] | None) -> str:
    if not values:
        return ""
    return " at " + ", ".join(f"{k}={v:.3g}" for k, v in sorted(values.items()))
