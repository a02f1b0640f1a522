"""Site-occupancy statistics of chosen elements in partially occupied structures (e.g. Li in Li-ion conductors).

A structure read from a CIF keeps its partial occupancies (``Li 0.5`` on a site); these statistics describe
how an element is spread over its sites, the "Li-site occupancy" descriptor of ionic-conductivity studies.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.features._composition import Z_OF
from matinfo.features._structure import (
    BAD_STRUCTURE_EXAMPLES,
    FORMULA_UNITS_KEY,
    as_structure,
    example_structures,
)
from matinfo.features.base import Examples, Featurizer

__all__ = ["SiteOccupancy", "FULL_OCCUPANCY_TOL"]

#: An element's occupancy of a site counts as full when it is at least ``1 - FULL_OCCUPANCY_TOL``.
FULL_OCCUPANCY_TOL = 1e-3

_STATS = (
    "occupancy_mean",
    "occupancy_min",
    "occupancy_max",
    "sites_per_formula_unit",
    "partial_site_fraction",
    "atoms_per_A3",
)

_OBELIX_2025 = """@misc{therrien_2025,
  author = {Therrien, F{\\'e}lix and Haibeh, Jamal Abou and Sharma, Divya and Hendley, Rhiannon and
            Hern{\\'a}ndez-Garc{\\'i}a, Alex and Sun, Sun and Tchagang, Alain and Su, Jiang and Huberman, Samuel
            and Bengio, Yoshua and Guo, Hongyu and Shin, Homin},
  title = {{OBELiX}: A Curated Dataset of Crystal Structures and Experimentally Measured Ionic Conductivities
           for Lithium Solid-State Electrolytes},
  year = {2025}, eprint = {2502.14234}, archivePrefix = {arXiv}
}"""


def _formula_units(s: Any) -> float:
    """Formula units per cell: the CIF's ``_cell_formula_units_Z`` when the structure came from a CIF, else
    pymatgen's reduction factor when the cell composition is integral; NaN otherwise."""
    z = s.properties.get(FORMULA_UNITS_KEY) if getattr(s, "properties", None) else None
    if z:
        return float(z)
    amounts = s.composition.get_el_amt_dict().values()
    if all(abs(a - round(a)) < 1e-6 for a in amounts):
        return float(s.composition.get_reduced_composition_and_factor()[1])
    return float("nan")


class SiteOccupancy(Featurizer):
    """How each chosen element occupies its sites: occupancy statistics, site count and carrier density.

    For each element ``E`` of ``elements`` (default Li), over the sites holding ``E`` (its own occupancy of a
    mixed site counts, not the site total):

    * ``E occupancy_mean`` / ``_min`` / ``_max``: occupancy of ``E`` on those sites (NaN when there is no E);
    * ``E sites_per_formula_unit``: number of those sites in the cell / formula units per cell (``Z`` from
      the CIF's ``_cell_formula_units_Z``; for a ``Structure`` not read from a CIF, pymatgen's reduction factor
      when the composition is integral, else NaN);
    * ``E partial_site_fraction``: fraction of those sites where ``E`` is below full occupancy
      (``1 - FULL_OCCUPANCY_TOL``); NaN when there is no E;
    * ``E atoms_per_A3``: atoms of ``E`` (sum of occupancies) per Å^3 of cell, the carrier density.

    The cell is the one written in the CIF (all symmetry-equivalent sites), so e.g. a Wyckoff 8d site of
    occupancy 0.5 counts as eight sites holding four atoms.

    >>> f = SiteOccupancy(elements=("Li",))
    >>> X = f.transform(example_structures("obelix/cifs/e6b.cif"))  # Li4GeS4: Li 8 x 1.0, 8 x 0.5, 4 x 1.0
    >>> dict(zip(f.get_feature_names_out(), X[0].round(4).tolist()))  # doctest: +NORMALIZE_WHITESPACE
    {'Li occupancy_mean': 0.8, 'Li occupancy_min': 0.5, 'Li occupancy_max': 1.0,
     'Li sites_per_formula_unit': 5.0, 'Li partial_site_fraction': 0.4, 'Li atoms_per_A3': 0.0239}

    Parameters
    ----------
    elements : tuple of str
        Element symbols to describe.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "site_occupancy"

    def __init__(
        self, *, elements: tuple[str, ...] = ("Li",), on_error: str = "raise", n_jobs: int | None = 1
    ):
        self.elements = elements
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _elements(self) -> tuple[str, ...]:
        elements = (self.elements,) if isinstance(self.elements, str) else tuple(self.elements)
        unknown = [e for e in elements if e not in Z_OF]
        if not elements or unknown:
            raise ValueError(f"elements={self.elements!r}: give element symbols such as ('Li', 'Na')")
        return elements

    def _describe(self) -> tuple[list[str], list[str]]:
        names = [f"{el} {stat}" for el in self._elements() for stat in _STATS]
        return names, ["structure"] * len(names)

    def _prepare(self, x: Any) -> Any:
        return as_structure(x)

    def _compute_one(self, s: Any) -> np.ndarray:
        elements = self._elements()
        occ = np.zeros((len(s), len(elements)))  # occupancy of each element on each site
        column = {el: k for k, el in enumerate(elements)}
        for i, site in enumerate(s):
            for species, amount in site.species.items():
                k = column.get(getattr(species, "symbol", None) or species.element.symbol)
                if k is not None:
                    occ[i, k] += amount
        z = _formula_units(s)
        out = np.full((len(elements), len(_STATS)), np.nan)
        for k in range(len(elements)):
            held = occ[occ[:, k] > 0, k]
            out[k, 3] = held.size / z
            out[k, 5] = held.sum() / s.volume
            if held.size:
                out[k, :3] = held.mean(), held.min(), held.max()
                out[k, 4] = np.mean(held < 1.0 - FULL_OCCUPANCY_TOL)
        return out.ravel()

    def citations(self) -> list[str]:
        return [_OBELIX_2025]

    @classmethod
    def _examples(cls) -> Examples:
        good = example_structures("obelix/cifs/e6b.cif", "obelix/cifs/jqc.cif", "obelix/cifs/00x.cif")
        return Examples(good=good, bad=list(BAD_STRUCTURE_EXAMPLES))
