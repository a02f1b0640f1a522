"""Valence-orbital occupation of a composition: matminer's ``ValenceOrbital``."""

from __future__ import annotations

import numpy as np

from matinfo.features._citations import WARD_2016
from matinfo.features._composition import (
    CompositionBatch,
    CompositionFeaturizer,
    padded_amounts,
)
from matinfo.features.base import Examples
from matinfo.features.element_stats import _DEML_2016

__all__ = ["ValenceOrbital"]

_ORBITALS = ("s", "p", "d", "f")
_PROPS = ("avg", "frac")


class ValenceOrbital(CompositionFeaturizer):
    """Mean number of s, p, d, f valence electrons per atom, and the fraction of valence electrons in each.

    ``avg X`` = Σ w_i N_X,i / Σ w_i (Magpie ``NsValence`` … ``NfValence``, amounts w_i as weights);
    ``frac X`` = avg X / (Σ w_i N_valence,i / Σ w_i).  Equal to matminer ``ValenceOrbital()``, names
    "avg s valence electrons" … "frac f valence electrons".  Missing Magpie values are imputed with the column
    mean (``impute_nan=True``, matminer's default) or propagate as NaN.

    >>> ValenceOrbital(props=("avg",)).transform(["NaCl"]).tolist()
    [[1.5, 2.5, 0.0, 0.0]]

    Parameters
    ----------
    orbitals : sequence of "s", "p", "d", "f"
    props : sequence of "avg", "frac"
    impute_nan : bool
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "valence_orbital"

    def __init__(
        self,
        *,
        orbitals: tuple[str, ...] = _ORBITALS,
        props: tuple[str, ...] = _PROPS,
        impute_nan: bool = True,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.orbitals = orbitals
        self.props = props
        self.impute_nan = impute_nan
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        bad = [o for o in self.orbitals if o not in _ORBITALS] + [p for p in self.props if p not in _PROPS]
        if bad or not self.orbitals or not self.props:
            raise ValueError(
                f"orbitals must come from {_ORBITALS} and props from {_PROPS}; got {bad or 'nothing'}"
            )
        names = [f"{prop} {orb} valence electrons" for prop in self.props for orb in self.orbitals]
        return names, ["composition"] * len(names)

    def _compute_batch(self, items: CompositionBatch | list[tuple[tuple[str, float], ...]]) -> np.ndarray:
        from matinfo.core.elements import element_table

        table = element_table()
        get = table.imputed if self.impute_nan else table.column
        cols = [f"N{o}Valence" for o in self.orbitals] + ["NValence"]
        lookup = np.vstack([np.column_stack([get(c) for c in cols]), np.zeros((1, len(cols)))])
        idx, amounts = padded_amounts(items)
        mean = np.einsum("nk,nkp->np", amounts, lookup[idx]) / amounts.sum(axis=1, keepdims=True)
        avg, total = mean[:, :-1], mean[:, -1:]
        parts = {"avg": avg, "frac": avg / total}
        return np.hstack([parts[p] for p in self.props])

    def citations(self) -> list[str]:
        return [WARD_2016, _DEML_2016]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=["Li7La3Zr2O12", "LiNbO3", "[Li0.95Nb0.01]NbO3", "CuSO4·5H2O", "Fe", "CeO2"],
            bad=["Xx2O3", "Li1+xAlxTi2-x(PO4)3", ""],
        )
