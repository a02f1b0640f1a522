"""Radial distribution function of a crystal structure as a histogram (matminer's ``RadialDistributionFunction``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.features._structure import (
    as_structure,
    require_ordered,
    structure_examples,
)
from matinfo.features.base import Examples, Featurizer

__all__ = ["RadialDistribution", "radial_distribution"]

_SCHUTT_2014 = """@article{schutt_2014,
  author = {Sch{\\"u}tt, K. T. and Glawe, H. and Brockherde, F. and Sanna, A. and M{\\"u}ller, K. R. and
            Gross, E. K. U.},
  title = {How to represent crystal structures for machine learning: Towards fast prediction of electronic
           properties},
  journal = {Physical Review B}, volume = {89}, number = {20}, pages = {205118}, year = {2014},
  doi = {10.1103/PhysRevB.89.205118}
}"""


def _edges(cutoff: float, bin_size: float) -> np.ndarray:
    # the same floating-point arange as matminer (its last edge may land a hair past the cutoff)
    return np.arange(0, cutoff + bin_size, bin_size)


def radial_distribution(structure: Any, cutoff: float = 20.0, bin_size: float = 0.1) -> np.ndarray:
    """RDF histogram of an ordered structure: pair counts per shell / shell volume / number density.

    Every site's neighbours within ``cutoff`` Å (periodic images included, the site itself excluded) are binned
    by distance in bins of ``bin_size`` Å from 0; each count is divided by the shell volume
    ``4/3 π (r_hi^3 - r_lo^3)`` and by the number density ``n_sites / V``.  As in matminer the counts are summed
    over sites and not divided by their number, so the value at large ``r`` tends to ``n_sites``.
    """
    require_ordered(structure, "RadialDistribution")
    _, _, _, distances = structure.get_neighbor_list(cutoff)
    edges = _edges(cutoff, bin_size)
    counts, edges = np.histogram(distances, bins=edges)
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    return counts / shell / (len(structure) / structure.volume)


class RadialDistribution(Featurizer):
    """Radial distribution function histogram (equal to matminer's ``RadialDistributionFunction``).

    Features ``rdf [r_lo - r_hi]A`` (matminer's labels), one per bin of ``bin_size`` Å up to ``cutoff`` Å; values
    are pair densities normalised by the shell volume and the number density (see
    :func:`radial_distribution`).  Ordered structures only: matminer refuses disordered ones, and so does this.

    >>> f = RadialDistribution(cutoff=4.0, bin_size=0.5)
    >>> from matinfo.features._structure import example_structures
    >>> X = f.transform(example_structures("crystal_structures/cod_crystals_pkg/Cr.cif"))
    >>> f.get_feature_names_out()[4], round(float(X[0, 4]), 3)  # bcc Cr: 8 neighbours at 2.497 Å
    ('rdf [2.00000 - 2.50000]A', 6.008)

    Parameters
    ----------
    cutoff : float
        Largest distance (Å).
    bin_size : float
        Bin width (Å).
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "radial_distribution"

    def __init__(
        self, *, cutoff: float = 20.0, bin_size: float = 0.1, on_error: str = "raise", n_jobs: int | None = 1
    ) -> None:
        self.cutoff = cutoff
        self.bin_size = bin_size
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        cutoff, size = float(self.cutoff), float(self.bin_size)
        if not (cutoff > 0 and 0 < size <= cutoff):
            raise ValueError(
                f"cutoff={self.cutoff!r}, bin_size={self.bin_size!r}: use 0 < bin_size <= cutoff (Å)"
            )
        starts = np.arange(0, cutoff, size)
        ends = np.append(starts, cutoff)[1:]
        names = [f"rdf [{lo:.5f} - {hi:.5f}]A" for lo, hi in zip(starts, ends, strict=True)]
        n_bins = len(_edges(cutoff, size)) - 1
        if n_bins != len(names):  # matminer's arange quirk: one more bin than labels; name it too
            names += [f"rdf [{cutoff:.5f} - {_edges(cutoff, size)[-1]:.5f}]A"] * (n_bins - len(names))
        return names, ["structure"] * len(names)

    def _prepare(self, x: Any) -> Any:
        s = as_structure(x)
        require_ordered(s, "RadialDistribution")
        return s

    def _compute_one(self, s: Any) -> np.ndarray:
        return radial_distribution(s, float(self.cutoff), float(self.bin_size))

    def citations(self) -> list[str]:
        return [_SCHUTT_2014]

    @classmethod
    def _examples(cls) -> Examples:
        return structure_examples(cutoff=8.0, bin_size=0.2)
