"""Stoichiometric p-norms of a composition: matminer's ``Stoichiometry``."""

from __future__ import annotations

import numpy as np

from matinfo.features._citations import WARD_2016
from matinfo.features._composition import (
    CompositionBatch,
    CompositionFeaturizer,
    padded_amounts,
)
from matinfo.features.base import Examples

__all__ = ["Stoichiometry"]


class Stoichiometry(CompositionFeaturizer):
    """The p-norms ``(Σ_i x_i^p)^(1/p)`` of the atomic fractions x_i; the 0-norm is the number of elements.

    Equal to matminer ``Stoichiometry()`` (``p_list=(0, 2, 3, 5, 7, 10)``), with its names ("0-norm", "2-norm", …).

    >>> Stoichiometry(p_list=(0, 2)).transform(["Fe2O3"]).round(4).tolist()
    [[2.0, 0.7211]]

    Parameters
    ----------
    p_list : sequence of int
        Norms to compute (p ≥ 0).
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "stoichiometry"

    def __init__(
        self,
        *,
        p_list: tuple[int, ...] = (0, 2, 3, 5, 7, 10),
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ):
        self.p_list = p_list
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        if not len(self.p_list) or any(p < 0 for p in self.p_list):
            raise ValueError(f"p_list={self.p_list!r}: give one or more norms p >= 0")
        names = [f"{int(p)}-norm" for p in self.p_list]
        return names, ["composition"] * len(names)

    def _compute_batch(self, items: CompositionBatch | list[tuple[tuple[str, float], ...]]) -> np.ndarray:
        _, amounts = padded_amounts(items)
        frac = amounts / amounts.sum(axis=1, keepdims=True)
        out = np.empty((len(items), len(self.p_list)))
        for j, p in enumerate(self.p_list):
            if p == 0:
                out[:, j] = (amounts > 0).sum(axis=1)
            else:
                out[:, j] = (frac**p).sum(axis=1) ** (1.0 / p)
        return out

    def citations(self) -> list[str]:
        return [WARD_2016]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=["Li7La3Zr2O12", "LiNbO3", "[Li0.95Nb0.01]NbO3", "CuSO4·5H2O", "Fe"],
            bad=["Xx2O3", "Li1+xAlxTi2-x(PO4)3", ""],
        )
