"""Coordination-number statistics over the sites of a structure (CrystalNN or Voronoi neighbours)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from matinfo.features._structure import (
    as_structure,
    require_ordered,
    structure_examples,
)
from matinfo.features.base import Examples, Featurizer

__all__ = ["CoordinationStats", "coordination_numbers"]

_METHODS = ("crystalnn", "voronoi")

_CRYSTALNN = """@article{pan_2021,
  author = {Pan, Hillary and Ganose, Alex M. and Horton, Matthew and Aykol, Muratahan and Persson, Kristin A. and
            Zimmermann, Nils E. R. and Jain, Anubhav},
  title = {Benchmarking Coordination Number Prediction Algorithms on Inorganic Crystal Structures},
  journal = {Inorganic Chemistry}, volume = {60}, number = {3}, pages = {1590--1603}, year = {2021},
  doi = {10.1021/acs.inorgchem.0c02996}
}"""
_VORONOI = """@article{okeeffe_1979,
  author = {O'Keeffe, M.},
  title = {A proposed rigorous definition of coordination number},
  journal = {Acta Crystallographica Section A}, volume = {35}, number = {5}, pages = {772--775}, year = {1979},
  doi = {10.1107/S0567739479001765}
}"""


def coordination_numbers(structure: Any, method: str = "crystalnn") -> np.ndarray:
    """Coordination number of every site, ``(n_sites,)``.

    ``"crystalnn"``: pymatgen ``CrystalNN()`` with its defaults (integer CN).  ``"voronoi"``: the number of
    faces of the site's Voronoi cell (every face with a positive solid angle, as pymatgen ``VoronoiNN()``
    counts neighbours), computed with the exact-cell tessellation of :mod:`matinfo.features.ofm`.
    """
    if method == "crystalnn":
        from pymatgen.analysis.local_env import CrystalNN

        require_ordered(structure, "CoordinationStats(method='crystalnn')")
        nn = CrystalNN()
        with (
            warnings.catch_warnings()
        ):  # CrystalNN warns on every site of a structure without oxidation states
            warnings.filterwarnings(
                "ignore", message=".*(oxidation states|appropriate radius).*", category=UserWarning
            )
            cn = [nn.get_cn(structure, i, use_weights=False) for i in range(len(structure))]
        return np.array(cn, dtype=float)
    if method == "voronoi":
        from matinfo.features.ofm import VORONOI_CUTOFF, _site_faces

        start = 2.0 * (structure.volume / len(structure)) ** (1 / 3)
        corners = np.array([[1, 1, 1], [-1, 1, 1], [1, -1, 1], [1, 1, -1]]) @ structure.lattice.matrix
        cloud = [VORONOI_CUTOFF, float(np.linalg.norm(corners, axis=1).max()) + 0.01]
        return np.array(
            [np.count_nonzero(_site_faces(structure, i, start, cloud)[2] > 0) for i in range(len(structure))],
            dtype=float,
        )
    raise ValueError(f"method={method!r}: use one of {_METHODS}")


class CoordinationStats(Featurizer):
    """Mean, standard deviation, minimum and maximum of the coordination number over all sites.

    Features ``cn_mean``, ``cn_std`` (population standard deviation), ``cn_min``, ``cn_max``; every site counts
    once (no weighting by occupancy).  The same numbers as matminer's
    ``SiteStatsFingerprint(CoordinationNumber(nn), stats=("mean", "std_dev", "minimum", "maximum"))`` with
    ``nn = CrystalNN()`` or ``VoronoiNN()``.

    Disordered structures: CrystalNN compares the electronegativities of a site and its neighbours, which a
    mixed or partially occupied site does not have, so ``method="crystalnn"`` rejects them (a row error, as
    matminer fails).  ``method="voronoi"`` is purely geometric and takes them: each site is a point whatever its
    occupancy, so overlapping partially occupied sites (common in Li conductors) are neighbours of each other
    and inflate the count; read such numbers as "sites around a site", not bonds.

    >>> from matinfo.features._structure import example_structures
    >>> X = CoordinationStats(method="voronoi").transform(example_structures("crystal_structures/cod_crystals_pkg/Cr.cif"))
    >>> X.tolist()   # bcc: 8 + 6 faces
    [[14.0, 0.0, 14.0, 14.0]]

    Parameters
    ----------
    method : {"crystalnn", "voronoi"}
        Neighbour finder.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "coordination_stats"

    def __init__(self, *, method: str = "crystalnn", on_error: str = "raise", n_jobs: int | None = 1) -> None:
        self.method = method
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        if self.method not in _METHODS:
            raise ValueError(f"method={self.method!r}: use one of {_METHODS}")
        names = ["cn_mean", "cn_std", "cn_min", "cn_max"]
        return names, ["structure"] * len(names)

    def _prepare(self, x: Any) -> Any:
        s = as_structure(x)
        if self.method == "crystalnn":
            require_ordered(s, "CoordinationStats(method='crystalnn')")
        return s

    def _compute_one(self, s: Any) -> np.ndarray:
        cn = coordination_numbers(s, self.method)
        return np.array([cn.mean(), cn.std(), cn.min(), cn.max()])

    def citations(self) -> list[str]:
        return [_CRYSTALNN if self.method == "crystalnn" else _VORONOI]

    @classmethod
    def _examples(cls) -> Examples:
        return structure_examples()
