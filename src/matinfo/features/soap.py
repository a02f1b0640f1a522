"""Smooth Overlap of Atomic Positions (SOAP) power spectrum averaged over sites, via dscribe (optional extra).

``pip install matinfo[soap]`` installs dscribe; it is imported only when a SOAP vector is computed.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from matinfo.features._composition import Z_OF
from matinfo.features._structure import (
    as_structure,
    require_ordered,
    structure_examples,
)
from matinfo.features.base import Examples, Featurizer

__all__ = ["SOAP"]

_AVERAGES = ("outer", "inner")

_BARTOK_2013 = """@article{bartok_2013,
  author = {Bart{\\'o}k, Albert P. and Kondor, Risi and Cs{\\'a}nyi, G{\\'a}bor},
  title = {On representing chemical environments},
  journal = {Physical Review B}, volume = {87}, number = {18}, pages = {184115}, year = {2013},
  doi = {10.1103/PhysRevB.87.184115}
}"""
_DSCRIBE_2020 = """@article{himanen_2020,
  author = {Himanen, Lauri and J{\\"a}ger, Marc O. J. and Morooka, Eiaki V. and Federici Canova, Filippo and
            Ranawat, Yashasvi S. and Gao, David Z. and Rinke, Patrick and Foster, Adam S.},
  title = {{DScribe}: Library of descriptors for machine learning in materials science},
  journal = {Computer Physics Communications}, volume = {247}, pages = {106949}, year = {2020},
  doi = {10.1016/j.cpc.2019.106949}
}"""


def _import_soap():
    try:
        from dscribe.descriptors import SOAP as DscribeSOAP
    except ImportError as err:
        raise ImportError(
            "the SOAP featurizer needs dscribe, an optional dependency: pip install matinfo[soap]"
        ) from err
    return DscribeSOAP


@functools.lru_cache(maxsize=16)
def _descriptor(species: tuple[str, ...], r_cut: float, n_max: int, l_max: int, sigma: float, average: str):
    return _import_soap()(
        species=list(species), r_cut=r_cut, n_max=n_max, l_max=l_max, sigma=sigma, periodic=True,
        average=average, sparse=False,
    )  # fmt: skip


def _symbols(s: Any) -> set[str]:
    return {el.symbol for el in s.composition.elements}


class SOAP(Featurizer):
    """SOAP power spectrum of a periodic structure, averaged over its sites (dscribe).

    Features ``soap A-B k``: component ``k`` of the block of species pair ``A-B`` (dscribe's layout, species
    sorted by atomic number), ``n_max``, ``l_max`` fixed.  ``average="outer"`` averages the sites' power spectra;
    ``"inner"`` averages the expansion coefficients first (dscribe's two modes).  Invariant under rotations and
    translations of the structure and under the choice of cell.

    ``species``: the elements the vector has room for.  Given, the featurizer is stateless; ``None`` learns them
    in ``fit`` from the training structures (then ``transform`` needs ``fit``).  A structure holding another
    element is a bad row.  Disordered structures are bad rows too (SOAP needs one element per site).

    >>> f = SOAP(species=("Cr",), r_cut=4.0, n_max=2, l_max=2)      # doctest: +SKIP
    >>> f.transform(example_structures("crystal_structures/cod_crystals_pkg/Cr.cif")).shape  # doctest: +SKIP
    (1, 9)

    Parameters
    ----------
    species : tuple of str or None
        Element symbols, or None to learn them in ``fit``.
    r_cut : float
        Cutoff radius (Å).
    n_max, l_max : int
        Number of radial basis functions and maximum spherical-harmonics degree.
    sigma : float
        Width (Å) of the Gaussians on the atoms.
    average : {"outer", "inner"}
        How sites are averaged.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "soap"

    def __init__(
        self,
        *,
        species: tuple[str, ...] | None = None,
        r_cut: float = 5.0,
        n_max: int = 6,
        l_max: int = 4,
        sigma: float = 1.0,
        average: str = "outer",
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.species = species
        self.r_cut = r_cut
        self.n_max = n_max
        self.l_max = l_max
        self.sigma = sigma
        self.average = average
        self.on_error = on_error
        self.n_jobs = n_jobs

    @property
    def stateless(self) -> bool:  # type: ignore[override]
        """True when ``species`` is given (nothing to learn)."""
        return self.species is not None

    def _check_species(self, species: Any) -> tuple[str, ...]:
        species = (species,) if isinstance(species, str) else tuple(species)
        unknown = [s for s in species if s not in Z_OF]
        if not species or unknown:
            raise ValueError(f"species={self.species!r}: give element symbols such as ('Li', 'O')")
        return tuple(sorted(set(species), key=Z_OF.__getitem__))

    def _fit(self, X: Any, y: Any = None) -> None:
        if self.species is not None:
            self.species_ = self._check_species(self.species)
            return
        rows, labels = self._rows(X)
        found: set[str] = set()
        for row, label in zip(rows, labels, strict=True):
            try:
                found |= _symbols(as_structure(row))
            except ValueError as exc:  # FeaturizeError is a ValueError
                raise self._row_error(exc, label, row) from exc
        self.species_ = self._check_species(found)

    def _species(self) -> tuple[str, ...]:
        if self.species is not None:
            return self._check_species(self.species)
        return self.species_

    def _soap(self):
        if self.average not in _AVERAGES:
            raise ValueError(f"average={self.average!r}: use one of {_AVERAGES}")
        return _descriptor(
            self._species(),
            float(self.r_cut),
            int(self.n_max),
            int(self.l_max),
            float(self.sigma),
            self.average,
        )

    def _describe(self) -> tuple[list[str], list[str]]:
        soap = self._soap()
        species = self._species()
        names = [""] * soap.get_number_of_features()
        for i, a in enumerate(species):
            for b in species[i:]:
                block = soap.get_location((a, b))
                for k, j in enumerate(range(block.start, block.stop)):
                    names[j] = f"soap {a}-{b} {k}"
        return names, ["structure"] * len(names)

    def _prepare(self, x: Any) -> Any:
        s = as_structure(x)
        require_ordered(s, "SOAP")
        extra = sorted(_symbols(s) - set(self._species()), key=Z_OF.__getitem__)
        if extra:
            raise ValueError(
                f"structure holds {', '.join(extra)}, not among the SOAP species {self._species()}; "
                "add them to species= (or fit on structures that hold them)"
            )
        return s

    def _compute_one(self, s: Any) -> np.ndarray:
        from pymatgen.io.ase import AseAtomsAdaptor

        atoms = AseAtomsAdaptor.get_atoms(s)
        return np.asarray(self._soap().create(atoms), dtype=float).ravel()

    def citations(self) -> list[str]:
        return [_BARTOK_2013, _DSCRIBE_2020]

    @classmethod
    def _examples(cls) -> Examples:
        return structure_examples(r_cut=4.0, n_max=3, l_max=3)
