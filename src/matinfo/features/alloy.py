"""Classic glass-forming and alloy descriptors of a composition: size mismatch, electronegativity spread, VEC, ….

:class:`AlloyFeatures` computes 53 cheap descriptors from element tables, vectorised over a batch of
compositions.  With atomic fractions x_i (Σ x_i = 1) and an element property p_i, p̄ = Σ x_i p_i:

* ``n_el`` (number of elements), ``smix`` = −Σ x_i ln x_i (ideal mixing entropy in units of R);
* ``frac_0`` … ``frac_2``: fractions of the three majority elements (0 when there are fewer elements);
* for each radius r in ``MiracleRadius``, ``CovalentRadius``, ``MetallicRadius``: the size mismatch
  ``delta_<r>`` = sqrt(Σ x_i (1 − r_i / r̄)²) (Yang & Zhang's δ as a fraction, not in %), ``rratio_<r>`` =
  r_max / r_min and ``rmaj_<r>`` = r_majority / r̄;
* for Pauling (``Electronegativity``) and Allen (``AllenEN``) electronegativity χ: ``dchi_<χ>`` =
  sqrt(Σ x_i (χ_i − χ̄)²) and ``maxdchi_<χ>`` = χ_max − χ_min;
* ``vec`` = Σ x_i VEC_i with Magpie's ``NValence`` as VEC, and its spread ``vec_std`` = sqrt(Σ x_i (VEC_i − vec)²);
* ``frac_IsMetal``, ``frac_IsMetalloid``, ``frac_IsNonmetal``, ``frac_IsDBlock``, ``frac_IsFBlock``,
  ``frac_IsAlkali``: atomic fraction of each Magpie element class (alkali includes alkaline-earth metals);
* ``frac_anion``: atomic fraction of the anion-forming elements :data:`ANION_FORMERS`;
* ``el<i>_<p>`` for the i-th majority element (i = 0, 1, 2; NaN when there are fewer elements) and p in
  Number (Z), MendeleevNumber, MiracleRadius (pm), Electronegativity, NValence, Row, Column, MeltingT (K);
* ``tm_mean`` = Σ x_i Tm_i (K) and ``tm_min_over_mean`` = min Tm_i / tm_mean.

Majority order: larger atomic fraction first; exactly equal fractions are ordered by lower Z (the research
prototype this ports, ``benchmarks/research/custom_feats.py``, sorts by fraction only and keeps formula order
among ties, so ``frac_i`` and all order-free descriptors agree with it always, and ``rmaj_*`` / ``el<i>_*``
whenever the tie rule gives the same order).

Data: Magpie element tables (:func:`matinfo.core.elements.element_table`; Miracle radius and covalent radius in pm,
melting point in K) and, since the table has no metallic radius, the ``metallic_radius`` (Å) of pymatgen's
``periodic_table.json`` (pymatgen 2026.10.24; Z ≤ 103), copied into :data:`METALLIC_RADIUS`.  Radii only enter
as ratios, so their units cancel.

Missing element data are imputed with the mean of the property over the elements that have a value (the
prototype's policy, = :meth:`~matinfo.core.elements.ElementTable.imputed`).  Elements affected (Z ≤ 103):
Miracle radius: H He F Ne Cl Ar Br Kr I Xe At Rn Fr Ra Ac Am Cm Bk Cf Es Fm Md No Lr; covalent radius: Bk … Lr;
Pauling χ: He Ne Ar Rn Lr; Allen χ: Re … Lr (Z 75–103, including Pt, Au, Pb, Bi); melting point: He Fr;
metallic radius: H He B C N O F Ne Si P S Cl Ar Ge As Se Br Kr Sn Sb Te I Xe Pb Bi Po At Rn Fr Ra Ac Fm Md No Lr
and all Z > 103.  Elements past Magpie's Z = 112 take the mean for every property; ``el<i>_Number`` is always Z.

>>> f = AlloyFeatures()
>>> row = dict(zip(f.get_feature_names_out(), f.transform(["Cu50Zr50"])[0], strict=True))
>>> [round(float(row[k]), 4) for k in ("smix", "delta_MiracleRadius", "el0_Number", "el1_Number")]
[0.6931, 0.1127, 29.0, 40.0]
"""

from __future__ import annotations

import numpy as np

from matinfo.features._citations import WARD_2016
from matinfo.features._composition import (
    ELEMENTS,
    N_ELEMENTS,
    CompositionBatch,
    CompositionFeaturizer,
    padded_amounts,
)
from matinfo.features.base import Examples

__all__ = ["AlloyFeatures", "ANION_FORMERS", "METALLIC_RADIUS", "alloy_features"]

#: Metallic radius (Å) from pymatgen's periodic_table.json (``Element.metallic_radius``, pymatgen 2026.10.24).
# fmt: off
METALLIC_RADIUS: dict[str, float] = {
    "Li": 1.52, "Be": 1.12, "Na": 1.86, "Mg": 1.6, "Al": 1.43, "K": 2.27, "Ca": 1.97, "Sc": 1.62, "Ti": 1.47,
    "V": 1.34, "Cr": 1.28, "Mn": 1.27, "Fe": 1.26, "Co": 1.25, "Ni": 1.24, "Cu": 1.28, "Zn": 1.34, "Ga": 1.35,
    "Rb": 2.48, "Sr": 2.15, "Y": 1.8, "Zr": 1.6, "Nb": 1.46, "Mo": 1.39, "Tc": 1.36, "Ru": 1.34, "Rh": 1.34,
    "Pd": 1.37, "Ag": 1.44, "Cd": 1.51, "In": 1.67, "Cs": 2.65, "Ba": 2.22, "La": 1.87, "Ce": 1.818, "Pr": 1.824,
    "Nd": 1.814, "Pm": 1.834, "Sm": 1.804, "Eu": 1.804, "Gd": 1.804, "Tb": 1.773, "Dy": 1.781, "Ho": 1.762,
    "Er": 1.761, "Tm": 1.759, "Yb": 1.76, "Lu": 1.738, "Hf": 1.59, "Ta": 1.46, "W": 1.39, "Re": 1.37, "Os": 1.35,
    "Ir": 1.355, "Pt": 1.385, "Au": 1.44, "Hg": 1.51, "Tl": 1.7, "Th": 1.79, "Pa": 1.63, "U": 1.56, "Np": 1.55,
    "Pu": 1.59, "Am": 1.73, "Cm": 1.74, "Bk": 1.7, "Cf": 1.86, "Es": 1.86,
}
# fmt: on

#: Elements counted as anion formers in ``frac_anion`` (the research prototype's set).
ANION_FORMERS = frozenset(
    ("O", "S", "Se", "Te", "N", "P", "F", "Cl", "Br", "I", "As", "Sb", "C", "H", "B", "Si", "Ge")
)

_RADII = ("MiracleRadius", "CovalentRadius", "MetallicRadius")
_EN = (("Electronegativity", "Electronegativity"), ("AllenEN", "AllenElectronegativity"))  # (name, column)
_CLASSES = ("IsMetal", "IsMetalloid", "IsNonmetal", "IsDBlock", "IsFBlock", "IsAlkali")
_MAJORITY = (
    "Number",
    "MendeleevNumber",
    "MiracleRadius",
    "Electronegativity",
    "NValence",
    "Row",
    "Column",
    "MeltingT",
)
# Lookup columns: every property used, in this order.
_COLUMNS = (
    "MiracleRadius", "CovalentRadius", "MetallicRadius", "Electronegativity", "AllenElectronegativity",
    "NValence", "MendeleevNumber", "Row", "Column", "MeltingT", "Number", *_CLASSES, "IsAnion",
)  # fmt: skip
_COL = {c: j for j, c in enumerate(_COLUMNS)}

_MIRACLE_2010 = """@article{miracle_2010,
  author = {Miracle, D. B. and others},
  title = {An assessment of binary metallic glasses: correlations between structure, glass forming ability and stability},
  journal = {International Materials Reviews}, volume = {55}, number = {4}, pages = {218}, year = {2010},
  doi = {10.1179/095066010X12646898728200}
}"""
_YANG_2012 = """@article{yang_2012,
  author = {Yang, X. and Zhang, Y.},
  title = {Prediction of high-entropy stabilized solid-solution in multi-component alloys},
  journal = {Materials Chemistry and Physics}, volume = {132}, number = {2-3}, pages = {233--238}, year = {2012},
  doi = {10.1016/j.matchemphys.2011.11.021}
}"""


def _feature_names() -> list[str]:
    names = ["n_el", "smix", "frac_0", "frac_1", "frac_2"]
    for r in _RADII:
        names += [f"delta_{r}", f"rratio_{r}", f"rmaj_{r}"]
    for e, _ in _EN:
        names += [f"dchi_{e}", f"maxdchi_{e}"]
    names += ["vec", "vec_std", *(f"frac_{k}" for k in _CLASSES), "frac_anion"]
    names += [f"el{i}_{k}" for i in range(3) for k in _MAJORITY]
    return [*names, "tm_mean", "tm_min_over_mean"]


_NAMES = tuple(_feature_names())


def _lookup_table() -> np.ndarray:
    """``(N_ELEMENTS + 1, len(_COLUMNS))`` imputed element data; the last row (padding slots) is 0."""
    from matinfo.core.elements import element_table

    table = element_table()
    out = np.zeros((N_ELEMENTS + 1, len(_COLUMNS)))
    for j, name in enumerate(_COLUMNS):
        if name == "MetallicRadius":
            col = np.array([METALLIC_RADIUS.get(s, np.nan) for s in ELEMENTS])
            col[np.isnan(col)] = np.nanmean(col)
        elif name == "Number":
            col = np.arange(1.0, N_ELEMENTS + 1)
        elif name == "IsAnion":
            col = np.array([float(s in ANION_FORMERS) for s in ELEMENTS])
        else:
            col = table.imputed(name)
        out[:N_ELEMENTS, j] = col
    out.setflags(write=False)
    return out


_LOOKUP: list[np.ndarray] = []  # filled on first use


def _lookup() -> np.ndarray:
    if not _LOOKUP:
        _LOOKUP.append(_lookup_table())
    return _LOOKUP[0]


def alloy_features(idx: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """The 53 descriptors of padded compositions (``idx``: ``Z - 1``, :data:`N_ELEMENTS` in unused slots;
    ``amounts``: 0 in unused slots), shape ``(n, 53)`` in the order of ``AlloyFeatures().get_feature_names_out()``."""
    n = len(idx)
    if n == 0:
        return np.empty((0, len(_NAMES)))
    frac = amounts / amounts.sum(axis=1, keepdims=True)
    # Majority order: larger fraction first, then lower Z; padding (fraction 0) last.
    order = np.lexsort((idx, -frac), axis=-1)
    idx = np.take_along_axis(idx, order, axis=1)
    x = np.take_along_axis(frac, order, axis=1)
    present = x > 0
    n_el = present.sum(axis=1)
    k = idx.shape[1]
    if k < 3:  # room for three majority elements
        idx = np.pad(idx, ((0, 0), (0, 3 - k)), constant_values=N_ELEMENTS)
        x = np.pad(x, ((0, 0), (0, 3 - k)))
        present = x > 0
    data = _lookup()[idx]  # (n, k, p)

    def mean(p: np.ndarray) -> np.ndarray:
        return (x * p).sum(axis=1)

    def extreme(p: np.ndarray, fn, fill: float) -> np.ndarray:
        return fn(np.where(present, p, fill), axis=1)

    cols: list[np.ndarray] = [n_el.astype(float)]
    with np.errstate(divide="ignore", invalid="ignore"):
        cols.append(0.0 - np.where(present, x * np.log(np.where(present, x, 1.0)), 0.0).sum(axis=1))
    cols += [x[:, 0], x[:, 1], x[:, 2]]
    for r in _RADII:
        rad = data[:, :, _COL[r]]
        rb = mean(rad)
        cols.append(np.sqrt((x * (1 - rad / rb[:, None]) ** 2).sum(axis=1)))
        cols.append(extreme(rad, np.max, -np.inf) / extreme(rad, np.min, np.inf))
        cols.append(rad[:, 0] / rb)
    for _, column in _EN:
        chi = data[:, :, _COL[column]]
        cb = mean(chi)
        cols.append(np.sqrt((x * (chi - cb[:, None]) ** 2).sum(axis=1)))
        cols.append(extreme(chi, np.max, -np.inf) - extreme(chi, np.min, np.inf))
    val = data[:, :, _COL["NValence"]]
    vec = mean(val)
    cols += [vec, np.sqrt((x * (val - vec[:, None]) ** 2).sum(axis=1))]
    cols += [mean(data[:, :, _COL[c]]) for c in (*_CLASSES, "IsAnion")]
    top = data[:, :3, [_COL[c] for c in _MAJORITY]].copy()  # (n, 3, 8)
    top[~present[:, :3]] = np.nan
    cols += list(top.reshape(n, -1).T)
    tm = data[:, :, _COL["MeltingT"]]
    tm_mean = mean(tm)
    cols += [tm_mean, extreme(tm, np.min, np.inf) / tm_mean]
    return np.column_stack(cols)


class AlloyFeatures(CompositionFeaturizer):
    """Glass-forming / alloy descriptors of a composition (53 features; see the module docstring).

    Parameters
    ----------
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    name = "alloy"

    def __init__(self, *, on_error: str = "raise", n_jobs: int | None = 1):
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self) -> tuple[list[str], list[str]]:
        return list(_NAMES), ["composition"] * len(_NAMES)

    def _compute_batch(self, items: CompositionBatch | list[tuple[tuple[str, float], ...]]) -> np.ndarray:
        idx, amounts = padded_amounts(items)
        return alloy_features(idx, amounts)

    def citations(self) -> list[str]:
        return [WARD_2016, _MIRACLE_2010, _YANG_2012]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=[
                "Cu50Zr50",
                "Zr41.2Ti13.8Cu12.5Ni10Be22.5",
                "Pd40Ni40P20",
                "Fe",
                "Li7La3Zr2O12",
                "Al(NiB)2",
            ],
            bad=["Xx2O3", "Li1+xAlxTi2-x(PO4)3", ""],
        )
