"""Ionic character of a composition: matminer's ``IonProperty`` (compound possible, max and mean ionic character)."""

from __future__ import annotations

import functools

import numpy as np

from matinfo.features._citations import WARD_2016
from matinfo.features._composition import (
    ELEMENTS,
    CompositionBatch,
    CompositionFeaturizer,
    padded_amounts,
)
from matinfo.features.base import Examples

__all__ = ["IonicProperty", "charge_balanced"]


@functools.cache
def _pymatgen_data() -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """Electronegativity (imputed as matminer's ``PymatgenData`` does) and the oxidation states to try, per Z."""
    import warnings

    from pymatgen.core import Element

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        every = [e.X for e in Element]
        mean_x = float(np.nanmean([x if x else np.nan for x in every]))
        x = np.array([Element(s).X for s in ELEMENTS], dtype=float)
        x = np.where(np.isnan(x) | (x == 0), mean_x, x)
        states = []
        for s in ELEMENTS:
            el = Element(s)
            # matminer passes common_oxidation_states as the override; pymatgen falls back to icsd, then common
            states.append(tuple(el.common_oxidation_states or el.icsd_oxidation_states or ()))
    return x, tuple(states)


@functools.lru_cache(maxsize=65536)
def _balanced(counts: tuple[tuple[int, int], ...]) -> bool:
    _, states = _pymatgen_data()
    total = {0}
    for z, n in counts:
        options = states[z - 1]
        sums = {0}
        for _ in range(n):  # sums of n oxidation states drawn with replacement
            sums = {s + o for s in sums for o in options}
        total = {t + s for t in total for s in sums}
        if not total:
            return False
    return 0 in total


def charge_balanced(amounts: dict[str, float]) -> float:
    """1.0 if common oxidation states can balance the composition, 0.0 if not, NaN for non-integer amounts.

    The same answer as ``len(Composition(...).oxi_state_guesses(oxi_states_override=common states)) > 0`` (what
    matminer's ``IonProperty`` asks pymatgen), found by dynamic programming over the reachable charge sums instead
    of enumerating every combination; cached by composition.

    >>> charge_balanced({"Fe": 3, "O": 4}), charge_balanced({"Na": 1, "Cl": 2}), charge_balanced({"Li": 0.5, "O": 1})
    (1.0, 0.0, nan)
    """
    if len(amounts) == 1:
        return 1.0
    if any(a != int(a) for a in amounts.values()):
        return float("nan")  # pymatgen raises "Charge balance analysis requires integer values"
    from matinfo.features._composition import Z_OF

    return float(_balanced(tuple((Z_OF[s], int(a)) for s, a in amounts.items())))


class IonicProperty(CompositionFeaturizer):
    """Whether a charge-neutral ionic compound is possible, and the maximum and mean ionic character.

    Ionic character of a pair of elements: ``1 - exp(-(X_A - X_B)² / 4)`` (pymatgen Pauling electronegativities X;
    missing X replaced by the mean over all elements, as matminer does); "avg ionic char" is Σ_pairs x_A x_B I_AB with
    atomic fractions x.  "compound possible" is 1 when the common oxidation states can balance the composition
    (see :func:`charge_balanced`).  Equal to matminer ``IonProperty()`` (``fast=False``) on undecorated
    compositions; where matminer raises because the amounts are not integers (pymatgen's oxidation-state guesser
    needs integers) this featurizer gives NaN for "compound possible" and still computes the other two.
    A single element is "possible" with 0 ionic character, as in matminer.

    >>> IonicProperty().transform(["NaCl"]).round(3).tolist()
    [[1.0, 0.712, 0.178]]
    """

    name = "ionic_property"

    def __init__(self, *, on_error: str = "raise", n_jobs: int | None = 1) -> None:
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        names = ["compound possible", "max ionic char", "avg ionic char"]
        return names, ["composition"] * len(names)

    def _compute_batch(self, items: CompositionBatch | list[tuple[tuple[str, float], ...]]) -> np.ndarray:
        x, _ = _pymatgen_data()
        idx, amounts = padded_amounts(items)
        frac = amounts / amounts.sum(axis=1, keepdims=True)
        xs = np.append(x, 0.0)[idx]  # (n, k)
        ionic = 1.0 - np.exp(-0.25 * (xs[:, :, None] - xs[:, None, :]) ** 2)
        k = idx.shape[1]
        present = amounts > 0
        pair = np.triu(np.ones((k, k), dtype=bool), 1)[None] & present[:, :, None] & present[:, None, :]
        out = np.empty((len(items), 3))
        out[:, 0] = [
            charge_balanced({ELEMENTS[z]: a for z, a in zip(zs, amts, strict=True) if a > 0})
            for zs, amts in zip(idx.tolist(), amounts.tolist(), strict=True)
        ]
        out[:, 1] = np.where(pair, ionic, -np.inf).max(axis=(1, 2), initial=-np.inf)
        out[:, 2] = (np.where(pair, ionic, 0.0) * frac[:, :, None] * frac[:, None, :]).sum(axis=(1, 2))
        single = present.sum(axis=1) == 1
        out[single, 1] = 0.0
        out[single, 2] = 0.0
        return out

    def citations(self) -> list[str]:
        return [WARD_2016]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=["Li7La3Zr2O12", "LiNbO3", "[Li0.95Nb0.01]NbO3", "Fe3O4", "Fe", "NaCl2"],
            bad=["Xx2O3", "Li1+xAlxTi2-x(PO4)3", ""],
        )
