"""Element-property statistics of a composition (Magpie, Deml, or physical properties): matminer's ``ElementProperty``.

For every element property ``x`` (a column of :func:`matinfo.core.elements.element_table`) and every composition
with element amounts ``w_i`` (the formula's numbers, not normalised), the statistics are those of matminer's
``PropertyStats`` with the amounts as weights:

* ``minimum``, ``maximum``, ``range`` (maximum - minimum) over the elements present (weights ignored);
* ``mean`` = Σ w_i x_i / Σ w_i;
* ``avg_dev`` = Σ w_i |x_i - mean| / Σ w_i (mean absolute deviation);
* ``std_dev`` = sqrt(β Σ w_i (x_i - mean)²) with β = Σw / ((Σw)² - Σw²) (the unbiased weighted form matminer uses,
  so it depends on the formula's amounts, not only on the fractions); 0 for a single element;
* ``mode`` = the value of the element with the largest amount; amounts within ``numpy.isclose`` of the largest
  (rtol 1e-5, atol 1e-8) tie and the smallest of their values wins.

Missing element data: with ``impute_nan=True`` (the default of the ``magpie`` and ``deml`` presets, as in matminer
``ElementProperty.from_preset``) a missing value is replaced by the column's imputed value
(:meth:`~matinfo.core.elements.ElementTable.imputed`: the mean over the elements that have one).  With
``impute_nan=False`` (default of the ``matinfo`` preset) a missing value propagates as in matminer: ``minimum``,
``maximum``, ``range``, ``mean``, ``avg_dev`` and ``std_dev`` are NaN when any element present lacks the value
(``std_dev`` of a single element stays 0), and ``mode`` is NaN when one of the tied most-abundant elements lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from matinfo.features._citations import ONG_2013, WARD_2016
from matinfo.features._composition import (
    CompositionBatch,
    CompositionFeaturizer,
    padded_amounts,
)
from matinfo.features.base import Examples

__all__ = ["ElementStats", "PRESETS", "STATS", "weighted_stats"]

_CHUNK = 256  # rows per block in weighted_stats
STATS = ("minimum", "maximum", "range", "mean", "avg_dev", "std_dev", "mode")


@dataclass(frozen=True)
class Preset:
    label: str  #: first word of every feature name (matminer's data-source class name)
    properties: tuple[str, ...]  #: element_table() columns
    stats: tuple[str, ...]
    impute_nan: bool


_MAGPIE_PROPS = (
    "Number", "MendeleevNumber", "AtomicWeight", "MeltingT", "Column", "Row", "CovalentRadius", "Electronegativity",
    "NsValence", "NpValence", "NdValence", "NfValence", "NValence", "NsUnfilled", "NpUnfilled", "NdUnfilled",
    "NfUnfilled", "NUnfilled", "GSvolume_pa", "GSbandgap", "GSmagmom", "SpaceGroupNumber",
)  # fmt: skip
_DEML_PROPS = tuple(
    f"deml_{p}"
    for p in (
        "atom_num", "atom_mass", "row_num", "col_num", "atom_radius", "molar_vol", "heat_fusion", "melting_point",
        "boiling_point", "heat_cap", "first_ioniz", "electronegativity", "electric_pol", "GGAU_Etot", "mus_fere",
        "FERE_correction",
    )
)  # fmt: skip
# Physical properties for thermal / mechanical / transport studies (units in docs/explanation/element-data.md).
_MATINFO_PROPS = (
    "AtomicWeight", "Density", "MeltingT", "BoilingT", "HeatCapacityMass", "HeatCapacityMolar", "HeatFusion",
    "ThermalConductivity", "pmg_LinearThermalExpansion_1e-6_per_K", "BulkModulus", "ShearModulus",
    "pmg_YoungsModulus_GPa", "pmg_VelocityOfSound_m_per_s", "pmg_ElectricalResistivity_1e-8_Ohm_m",
    "MolarVolume", "CovalentRadius", "Electronegativity", "FirstIonizationEnergy", "ElectronAffinity", "NValence",
)  # fmt: skip

#: Preset name → its properties, statistics and missing-value policy.
PRESETS: dict[str, Preset] = {
    "magpie": Preset(
        "MagpieData", _MAGPIE_PROPS, ("minimum", "maximum", "range", "mean", "avg_dev", "mode"), True
    ),
    "deml": Preset("DemlData", _DEML_PROPS, ("minimum", "maximum", "range", "mean", "std_dev"), True),
    "matinfo": Preset(
        "ElementData", _MATINFO_PROPS, ("minimum", "maximum", "range", "mean", "avg_dev"), False
    ),
}

_DEML_2016 = """@article{deml_2016,
  author = {Deml, Ann M. and O'Hayre, Ryan and Wolverton, Chris and Stevanovi{\\'c}, Vladan},
  title = {Predicting density functional theory total energies and enthalpies of formation of metal-nonmetal
           compounds by linear regression},
  journal = {Physical Review B}, volume = {93}, pages = {085142}, year = {2016}, doi = {10.1103/PhysRevB.93.085142}
}"""


def _label(column: str) -> str:
    """Property name as matminer writes it in a feature label."""
    if column.startswith("deml_"):
        return column[5:].replace("FERE_correction", "FERE correction")
    return column


def weighted_stats(
    table: np.ndarray, idx: np.ndarray, amounts: np.ndarray, stats: tuple[str, ...] | list[str]
) -> np.ndarray:
    """matminer ``PropertyStats`` of many compositions at once.

    ``table``: ``(m, p)`` property values of m elements; ``idx``: ``(n, k)`` rows of ``table`` present in each of
    n compositions, ``m`` in unused slots; ``amounts``: ``(n, k)`` their amounts (0 in unused slots).
    Returns ``(n, p, len(stats))``.

    >>> t = np.array([[1.0], [3.0]])
    >>> weighted_stats(t, np.array([[0, 1]]), np.array([[1.0, 3.0]]), ["minimum", "mean", "avg_dev", "mode"])[0, 0]
    array([1.  , 2.5 , 0.75, 3.  ])
    """
    bad = set(stats) - set(STATS)
    if bad:
        raise ValueError(f"unknown statistic {sorted(bad)[0]!r}; use one of {STATS}")
    n, p = idx.shape[0], table.shape[1]
    if n == 0:
        return np.empty((0, p, len(stats)))
    counts = (amounts > 0).sum(axis=1)
    # Rows with the same number of elements go together, so that no slot is padding (elements come first in a
    # row), in blocks of _CHUNK rows that stay in the CPU cache; each block is written to its rows at once.
    order = np.argsort(counts, kind="stable")
    sorted_counts = counts[order]
    out = np.empty((n, p, len(stats)))
    block = np.empty((_CHUNK, p, len(stats)))
    bounds = np.flatnonzero(np.diff(sorted_counts)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
        c = int(sorted_counts[lo])
        for a in range(lo, hi, _CHUNK):
            rows = order[a : min(a + _CHUNK, hi)]
            _dense_stats(table, idx[rows, :c], amounts[rows, :c], stats, block[: len(rows)])
            out[rows] = block[: len(rows)]
    return out


def _dense_stats(table: np.ndarray, idx: np.ndarray, amounts: np.ndarray, stats, out: np.ndarray) -> None:
    """:func:`weighted_stats` for rows whose k slots are all present, written into ``out`` (rows, p, stats).

    Sums run over the slots in order (a reduction over the first axis of ``(k, rows, p)`` arrays), as matminer's
    ``np.average`` sums a composition's elements, so that the values are equal, not just close.
    """
    n, k = idx.shape
    pos = {s: i for i, s in enumerate(stats)}
    values = table[idx.T]  # (k, n, p): slot j's property values are one contiguous (n, p) block
    weights = amounts.T[:, :, None]
    total = amounts.sum(axis=1)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.minimum.reduce(values, axis=0) if pos.keys() & {"minimum", "range"} else None
        hi = np.maximum.reduce(values, axis=0) if pos.keys() & {"maximum", "range"} else None
        if "minimum" in pos:
            out[:, :, pos["minimum"]] = lo
        if "maximum" in pos:
            out[:, :, pos["maximum"]] = hi
        if "range" in pos:
            np.subtract(hi, lo, out=out[:, :, pos["range"]])
        if pos.keys() & {"mean", "avg_dev", "std_dev"}:
            tmp = values * weights
            mean = np.add.reduce(tmp, axis=0)
            mean /= total
            if "mean" in pos:
                out[:, :, pos["mean"]] = mean
            if "avg_dev" in pos:
                np.subtract(values, mean, out=tmp)
                np.abs(tmp, out=tmp)
                tmp *= weights
                np.divide(np.add.reduce(tmp, axis=0), total, out=out[:, :, pos["avg_dev"]])
            if "std_dev" in pos:
                if k == 1:
                    out[:, :, pos["std_dev"]] = 0.0
                else:
                    beta = total / (total**2 - (amounts**2).sum(axis=1)[:, None])
                    np.subtract(values, mean, out=tmp)
                    np.square(tmp, out=tmp)
                    tmp *= weights
                    out[:, :, pos["std_dev"]] = np.sqrt(beta * np.add.reduce(tmp, axis=0))
        if "mode" in pos:
            top = amounts.max(axis=1, keepdims=True)
            tied = np.abs(amounts - top) <= 1e-8 + 1e-5 * np.abs(top)
            if tied.sum() == n:  # one most-abundant element per row: its value
                out[:, :, pos["mode"]] = table[idx[tied]]
            else:
                out[:, :, pos["mode"]] = np.minimum.reduce(
                    np.where(tied.T[:, :, None], values, np.inf), axis=0
                )


class ElementStats(CompositionFeaturizer):
    """Statistics of element properties over a composition: matminer ``ElementProperty``, vectorised.

    ``preset="magpie"`` gives the 132 Magpie features (22 properties × minimum, maximum, range, mean, avg_dev,
    mode), equal to ``ElementProperty.from_preset("magpie")`` with the same names ("MagpieData minimum Number", …);
    ``"deml"`` the 80 features of ``from_preset("deml")``; ``"matinfo"`` physical properties (density, melting
    point, heat capacity, thermal conductivity, moduli, …) with NaN where an element lacks the value.

    >>> X = ElementStats(properties=["MeltingT"], stats=["minimum", "mean"]).transform(["Fe2O3"])
    >>> X.round(2).tolist()
    [[54.8, 757.28]]

    Parameters
    ----------
    preset : "magpie" | "deml" | "matinfo"
        Default properties, statistics and missing-value policy (:data:`PRESETS`).
    properties : list of str, optional
        Columns of :func:`matinfo.core.elements.element_table` to use instead of the preset's.
    stats : list of str, optional
        Statistics (:data:`STATS`) instead of the preset's.
    impute_nan : bool, optional
        Fill missing element values with the column's imputed value (True) or let NaN propagate (False);
        default: the preset's policy.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "element_stats"

    def __init__(
        self,
        *,
        preset: str = "magpie",
        properties: list[str] | None = None,
        stats: list[str] | None = None,
        impute_nan: bool | None = None,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.preset = preset
        self.properties = properties
        self.stats = stats
        self.impute_nan = impute_nan
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _settings(self) -> tuple[Preset, tuple[str, ...], tuple[str, ...], bool]:
        if self.preset not in PRESETS:
            raise ValueError(f"preset={self.preset!r}: use one of {sorted(PRESETS)}")
        preset = PRESETS[self.preset]
        props = tuple(self.properties) if self.properties is not None else preset.properties
        stats = tuple(self.stats) if self.stats is not None else preset.stats
        bad = [s for s in stats if s not in STATS]
        if bad:
            raise ValueError(f"unknown statistic {bad[0]!r}; use any of {STATS}")
        if not props or not stats:
            raise ValueError("give at least one property and one statistic")
        impute = preset.impute_nan if self.impute_nan is None else bool(self.impute_nan)
        return preset, props, stats, impute

    def _describe(self) -> tuple[list[str], list[str]]:
        from matinfo.core.elements import element_table

        preset, props, stats, _ = self._settings()
        table = element_table()
        for p in props:
            table.index(p)  # raises KeyError with suggestions for an unknown column
        names = [f"{preset.label} {stat} {_label(p)}" for p in props for stat in stats]
        return names, ["composition"] * len(names)

    def _lookup(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """``(N_ELEMENTS, p)`` property values and the statistics."""
        cache = self.__dict__.get("_lookup_cache")
        key = (self.preset, tuple(self.properties or ()), tuple(self.stats or ()), self.impute_nan)
        if cache is not None and cache[0] == key:
            return cache[1], cache[2]
        from matinfo.core.elements import element_table

        _, props, stats, impute = self._settings()
        table = element_table()
        cols = [table.imputed(p) if impute else table.column(p) for p in props]
        lookup = np.column_stack(cols)
        self.__dict__["_lookup_cache"] = (key, lookup, stats)
        return lookup, stats

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lookup_cache", None)
        return state

    def _compute_batch(self, items: CompositionBatch | list[tuple[tuple[str, float], ...]]) -> np.ndarray:
        lookup, stats = self._lookup()
        idx, amounts = padded_amounts(items)
        out = weighted_stats(lookup, idx, amounts, stats)
        return out.reshape(len(items), -1)

    def citations(self) -> list[str]:
        _, props, _, _ = self._settings()
        from matinfo.core.elements import element_table

        sources = {element_table().info[p].source for p in props}
        cites = []
        if "magpie" in sources:
            cites.append(WARD_2016)
        if "deml" in sources:
            cites.append(_DEML_2016)
        if "pymatgen" in sources:
            cites.append(ONG_2013)
        return cites

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=["Li7La3Zr2O12", "LiNbO3", "[Li0.95Nb0.01]NbO3", "CuSO4·5H2O", "Fe", "Bi2Te3"],
            bad=["Xx2O3", "Li1+xAlxTi2-x(PO4)3", ""],
        )
