"""Atomic fraction of every element: the plainest composition descriptor (matminer's ``ElementFraction``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.features._citations import WARD_2016
from matinfo.features._composition import ELEMENTS, composition_amounts, fraction_matrix
from matinfo.features.base import Examples, Featurizer

__all__ = ["ElementFraction"]


class ElementFraction(Featurizer):
    """Atomic fraction of each element H … ``max_z`` (default 118, Og: the columns of matminer's ``ElementFraction``).

    >>> ElementFraction(max_z=8).transform(["Li2O"]).round(3).tolist()
    [[0.0, 0.0, 0.667, 0.0, 0.0, 0.0, 0.0, 0.333]]

    Parameters
    ----------
    max_z : int
        Last atomic number given a column; a composition with a heavier element is a bad row.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "element_fraction"

    def __init__(self, *, max_z: int = 118, on_error: str = "raise", n_jobs: int | None = 1) -> None:
        self.max_z = max_z
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        if not 1 <= int(self.max_z) <= len(ELEMENTS):
            raise ValueError(f"max_z={self.max_z!r}: use 1..{len(ELEMENTS)}")
        names = list(ELEMENTS[: self.max_z])
        return names, ["composition"] * len(names)

    def _prepare(self, x: Any) -> dict[str, float]:
        amounts = composition_amounts(x)
        heavy = [s for s in amounts if ELEMENTS.index(s) >= self.max_z]
        if heavy:
            raise ValueError(f"element {heavy[0]} is beyond max_z={self.max_z}; raise max_z to include it")
        return amounts

    def _compute_batch(self, items: list[dict[str, float]]) -> np.ndarray:
        return fraction_matrix(items)[:, : self.max_z]

    def citations(self) -> list[str]:
        return [WARD_2016]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=["Li7La3Zr2O12", "LiNbO3", "[Li0.95Nb0.01]NbO3", "CuSO4·5H2O", "Fe"],
            bad=["Xx2O3", "Li1+xAlxTi2-x(PO4)3", ""],
        )
