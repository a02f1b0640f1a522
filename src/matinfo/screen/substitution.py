"""Element substitution on prototype structures: every way to put chosen elements on a prototype's sites.

A prototype is an entry of the AFLOW Library of Crystallographic Prototypes shipped with pymatgen
(:func:`matinfo.io.prototypes.prototype_library`), named by its AFLOW label (``AB_cF8_225_a_b``) or its
mineral / structure-type name (``Halite``, ``Perovskite``…).  AFLOW labels give the elements letters A, B, C …
in alphabetical order of the prototype's own elements, and those letters are the *sites* here: rock salt
``AB_cF8_225_a_b`` (Cl, Na) has site A (4a, Cl in NaCl) and site B (4b, Na).

>>> space = SubstitutionSpace(["AB_cF8_225_a_b"], {"A": ["Cl", "Br"], "B": ["Na", "K"]})
>>> space.chunk(0, 10)[["candidate", "sites"]].values.tolist()
[['ClNa (AB_cF8_225_a_b)', 'A=Cl B=Na'], ['ClK (AB_cF8_225_a_b)', 'A=Cl B=K'], ['BrNa (AB_cF8_225_a_b)', 'A=Br B=Na'], ['BrK (AB_cF8_225_a_b)', 'A=Br B=K']]
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.screen.spaces import MAX_SPACE_SIZE, CandidateSpace, _bounds, _frame

__all__ = ["SubstitutionSpace", "find_prototype", "substituted"]


def find_prototype(name: str) -> Any:
    """The library prototype with AFLOW label ``name``, or whose mineral / structure-type name is ``name``
    (case-insensitive, any of its comma-separated names).  The first one when several share the name.

    >>> find_prototype("halite").label
    'AB_cF8_225_a_b'
    """
    from matinfo.io.prototypes import prototype_library

    lib = prototype_library()
    for p in lib:
        if p.label == name:
            return p
    wanted = name.strip().lower()
    for p in lib:
        names = [n.strip().lower() for n in (p.mineral or "").split(",")]
        if wanted and wanted in names:
            return p
    close = sorted({p.label for p in lib if p.label.split("_")[0] == name.split("_")[0]})[:8]
    hint = (
        f"prototypes with the same formula: {', '.join(close)}"
        if close
        else "give an AFLOW label such as AB_cF8_225_a_b or a mineral name such as Halite"
    )
    raise ParameterError(f"no prototype {name!r} in the AFLOW library; {hint}")


def _site_counts(label: str) -> list[int]:
    """Reduced count of each site letter of an AFLOW label (``AB3C_…`` → [1, 3, 1])."""
    return [int(n or 1) for _, n in re.findall(r"([A-Z])(\d*)", label.split("_")[0])]


class SubstitutionSpace(CandidateSpace):
    """Every assignment of elements to the sites of some prototypes (composition + structure type).

    Parameters
    ----------
    prototypes : sequence of str
        AFLOW labels or mineral names (see :func:`find_prototype`).
    elements : sequence of str, or mapping of site letter to sequence of str
        One pool of elements for every site, or a pool per site letter (``{"A": [...], "B": [...]}``; a
        prototype's sites missing from the mapping keep their own element).
    unique_compositions : bool
        Drop assignments that only swap elements between sites with the same count and the same pool (they give
        the same composition in the same structure type).  Default True.
    structures : bool
        Add a ``structure`` column: the prototype with the elements substituted and its volume scaled to the sum
        of the elements' ground-state volumes per atom (Magpie ``GSvolume_pa``) — an unrelaxed first guess, a
        millisecond per row.  Default False.

    Chunks have ``candidate`` (``"ClNa (AB_cF8_225_a_b)"``, the key), ``formula`` (the reduced formula in site
    order), ``prototype`` (AFLOW label) and ``sites`` (``"A=Cl B=Na"``).  Positions enumerate, per prototype,
    the product of the site pools; an assignment that puts one element on two sites (or a swapped copy, see
    ``unique_compositions``) is left out of its chunk, so ``len()`` counts assignments and a chunk may be
    shorter than ``chunk_size``.
    """

    key = "candidate"
    composition_columns = ("formula",)
    random_access = True

    def __init__(
        self,
        prototypes: Sequence[str],
        elements: Sequence[str] | Mapping[str, Sequence[str]],
        *,
        unique_compositions: bool = True,
        structures: bool = False,
    ) -> None:
        from matinfo.core.elements import Z_OF

        if isinstance(prototypes, str):
            prototypes = [prototypes]
        if not prototypes:
            raise ParameterError("give at least one prototype (AFLOW label or mineral name)")
        self.prototypes = tuple(prototypes)
        self.elements = elements
        self.unique_compositions = bool(unique_compositions)
        self.structures = bool(structures)

        def pool(values: Sequence[str], where: str) -> np.ndarray:
            vals = [v.strip() for v in ([values] if isinstance(values, str) else values)]
            bad = [v for v in vals if v not in Z_OF]
            if bad or not vals:
                raise ParameterError(
                    f"{where}: {bad[0]!r} is not an element symbol" if bad else f"{where}: no elements"
                )
            return np.asarray(list(dict.fromkeys(vals)), dtype=object)

        self._plans = []
        for name in self.prototypes:
            proto = find_prototype(name)
            own = sorted({sp.symbol for sp in proto.structure.composition.elements})
            letters = [chr(ord("A") + i) for i in range(len(own))]
            counts = _site_counts(proto.label)
            if isinstance(elements, Mapping):
                unknown = sorted(set(elements) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                if unknown:
                    raise ParameterError(f"elements: site letters are A, B, C …, not {unknown}")
                pools = [
                    pool(elements[s], f"elements[{s!r}]") if s in elements else np.asarray([e], dtype=object)
                    for s, e in zip(letters, own, strict=True)
                ]
            else:
                shared = pool(elements, "elements")
                pools = [shared] * len(own)
            self._plans.append((proto, letters, counts, pools))
        sizes = [math.prod(len(p) for p in plan[3]) for plan in self._plans]
        self._offsets = np.cumsum([0, *sizes]).astype(np.int64)
        if self._offsets[-1] > MAX_SPACE_SIZE:
            raise ParameterError(f"the space has {self._offsets[-1]:.3g} assignments, too many")
        self.columns = ("candidate", "formula", "prototype", "sites", *(("structure",) if structures else ()))

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def _rows(self, plan_no: int, local: np.ndarray) -> dict[str, np.ndarray]:
        from matinfo.core.elements import Z_OF

        proto, letters, counts, pools = self._plans[plan_no]
        digits = []
        rest = local.copy()
        for p in reversed(pools):  # mixed radix, last site fastest
            digits.append(rest % len(p))
            rest //= len(p)
        digits.reverse()
        chosen = [p[d] for p, d in zip(pools, digits, strict=True)]
        z = np.stack([np.vectorize(Z_OF.__getitem__, otypes=[np.int64])(c) for c in chosen], axis=1)
        keep = np.ones(len(local), dtype=bool)
        for a in range(len(pools)):
            for b in range(a + 1, len(pools)):
                keep &= z[:, a] != z[:, b]
                same = counts[a] == counts[b] and np.array_equal(pools[a], pools[b])
                if self.unique_compositions and same:
                    keep &= z[:, a] < z[:, b]
        formula = np.full(len(local), "", dtype=object)
        sites = np.full(len(local), "", dtype=object)
        for j, (c, n) in enumerate(zip(chosen, counts, strict=True)):
            formula = formula + c + ("" if n == 1 else str(n))
            sites = sites + ("" if j == 0 else " ") + letters[j] + "=" + c
        cols = {
            "candidate": formula + f" ({proto.label})",
            "formula": formula,
            "prototype": np.full(len(local), proto.label, dtype=object),
            "sites": sites,
        }
        if self.structures:
            own = sorted({sp.symbol for sp in proto.structure.composition.elements})
            structures = np.empty(
                len(local), dtype=object
            )  # filled one by one: numpy would unpack a Structure
            for i in np.flatnonzero(keep):
                structures[i] = substituted(proto.structure, own, [c[i] for c in chosen])
            cols["structure"] = structures
        return {k: v[keep] for k, v in cols.items()} | {"_keep": keep}

    def chunk(self, i: int, chunk_size: int):
        import pandas as pd

        start, stop = _bounds(i, chunk_size, len(self))
        pos = np.arange(start, stop, dtype=np.int64)
        which = np.searchsorted(self._offsets, pos, side="right") - 1
        parts = []
        for plan_no in np.unique(which):
            sel = pos[which == plan_no]
            cols = self._rows(int(plan_no), sel - self._offsets[plan_no])
            keep = cols.pop("_keep")
            parts.append(_frame(cols, 0, int(keep.sum())).set_axis(sel[keep]))
        return pd.concat(parts) if len(parts) > 1 else parts[0]

    def describe(self) -> str:
        labels = ", ".join(plan[0].label for plan in self._plans)
        return f"{len(self):,} element assignments on {len(self._plans)} prototype(s) ({labels})"


def substituted(structure: Any, own: list[str], new: list[str]) -> Any:
    """``structure`` with element ``own[i]`` replaced by ``new[i]``, scaled to the elements' volumes per atom."""
    from matinfo.core.elements import Z_OF, element_table

    s = structure.copy()
    s.replace_species(dict(zip(own, new, strict=True)))
    vol = element_table().imputed("GSvolume_pa")
    target = sum(vol[Z_OF[site.specie.symbol] - 1] for site in s)
    if np.isfinite(target) and target > 0:
        s.scale_lattice(float(target))
    return s
