"""The element data table: one dense ``(118 elements × properties)`` array compiled from maintained sources.

Sources (shipped in :mod:`matinfo.data`, each with its licence and README):

* ``magpie``: the Magpie element tables as shipped in matminer 0.10.1 (``data/magpie/*.table``; Ward et al.,
  npj Comput. Mater. 2, 16028 (2016)).  Column names are the table names (``MeltingT``, ``NValence`` …), exactly as
  matminer's ``MagpieData`` calls them.  Read like matminer reads them: line ``Z`` of the file, a value that is
  not a number (``Missing``, ``None``, ``NA``, several numbers) or a missing line is NaN.
* ``pymatgen``: the pymatgen / WebElements columns of ``data/element_properties/element_properties.csv``
  (``pmg_*`` and ``atomic_mass``; Z ≤ 103, empty cell → NaN).
* ``deml``: the element data of Deml et al., Phys. Rev. B 93, 085142 (2016), as shipped in matminer
  (``data/deml/deml_elementdata.json``); columns ``deml_<name>``.

The table stores what the sources say: a missing value is NaN, never a guess.  How a missing value is filled
when a featurizer asks for it (:meth:`ElementTable.imputed`) is a per-column policy recorded in
:class:`ColumnInfo` and follows matminer's ``impute_nan=True`` (mean over the elements that have a value).
The multi-valued Magpie tables (``OxidationStates``, ``IonizationEnergies``) are in :attr:`ElementTable.lists`.
Everything loads on first use and is cached for the process (about 20 ms).

>>> t = element_table()
>>> t.values.shape[0], float(t.column("MeltingT")[Z_OF["Fe"] - 1])
(118, 1811.0)
>>> t.info["HeatCapacityMass"].unit
'J/(g K)'
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from importlib.resources import files

import numpy as np

__all__ = ["ELEMENTS", "Z_OF", "ColumnInfo", "ElementTable", "element_table", "element_property"]

# fmt: off
#: Element symbols by atomic number (index Z - 1), H … Og.
ELEMENTS: tuple[str, ...] = (
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
    "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",
    "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce",
    "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir",
    "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm",
    "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc",
    "Lv", "Ts", "Og",
)
# fmt: on
#: Symbol → atomic number.
Z_OF: dict[str, int] = {s: i + 1 for i, s in enumerate(ELEMENTS)}
N = len(ELEMENTS)

_MAGPIE_LISTS = ("OxidationStates", "IonizationEnergies")

# pymatgen / WebElements columns of element_properties.csv: name → (unit, description).
_PMG = {
    "atomic_mass": ("u (g/mol)", "Atomic mass (pymatgen)"),
    "pmg_MeltingPoint_K": ("K", "Melting point"),
    "pmg_BoilingPoint_K": ("K", "Boiling point"),
    "pmg_DensitySolid_kg_per_m3": ("kg/m^3", "Density of the solid"),
    "pmg_ThermalConductivity_W_per_mK": ("W/(m K)", "Thermal conductivity"),
    "pmg_LinearThermalExpansion_1e-6_per_K": ("10^-6/K", "Coefficient of linear thermal expansion"),
    "pmg_YoungsModulus_GPa": ("GPa", "Young's modulus"),
    "pmg_BulkModulus_GPa": ("GPa", "Bulk modulus"),
    "pmg_RigidityModulus_GPa": ("GPa", "Rigidity (shear) modulus"),
    "pmg_PoissonsRatio": ("dimensionless", "Poisson's ratio"),
    "pmg_VelocityOfSound_m_per_s": ("m/s", "Velocity of sound"),
    "pmg_ElectricalResistivity_1e-8_Ohm_m": ("10^-8 Ω m", "Electrical resistivity"),
    "pmg_MolarVolume_cm3": ("cm^3/mol", "Molar volume"),
    "pmg_VickersHardness_MN_per_m2": ("MN/m^2", "Vickers hardness"),
    "pmg_BrinellHardness_MN_per_m2": ("MN/m^2", "Brinell hardness"),
    "pmg_MohsHardness": ("dimensionless", "Mohs hardness"),
    "pmg_SuperconductionT_K": ("K", "Superconducting transition temperature"),
}

_MEAN_POLICY = (
    "NaN in the table; imputed: mean over the elements that have a value (matminer impute_nan=True)"
)


@dataclass(frozen=True)
class ColumnInfo:
    """Where a column comes from and what its numbers mean."""

    name: str
    source: str  #: "magpie", "pymatgen" or "deml"
    unit: str
    description: str
    reference: str  #: the original source of the values
    missing: str = _MEAN_POLICY  #: how a missing value is filled by :meth:`ElementTable.imputed`


@dataclass(frozen=True, eq=False)
class ElementTable:
    """Dense element data: ``values[Z - 1, j]`` is column ``columns[j]`` of element Z (NaN where unknown)."""

    symbols: tuple[str, ...]
    columns: tuple[str, ...]
    values: np.ndarray
    info: dict[str, ColumnInfo]
    #: Multi-valued Magpie tables: name → one tuple of numbers per element (empty when unknown).
    lists: dict[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)

    def index(self, name: str) -> int:
        try:
            return self._index[name]
        except KeyError:
            import difflib

            near = difflib.get_close_matches(name, self.columns, n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise KeyError(f"no element property {name!r}{hint} (see element_table().columns)") from None

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {c: j for j, c in enumerate(self.columns)}

    def column(self, name: str) -> np.ndarray:
        """The raw values of one column, shape ``(118,)``, NaN where the source has no value (read-only)."""
        return self.values[:, self.index(name)]

    def imputed(self, name: str) -> np.ndarray:
        """One column with its missing values filled as matminer's ``impute_nan=True`` fills them."""
        return self._imputed[:, self.index(name)]

    @functools.cached_property
    def _imputed(self) -> np.ndarray:
        out = self.values.copy()
        means = np.nanmean(self.values, axis=0)
        for j, name in enumerate(self.columns):
            col = out[:, j]
            if name in _DEML_FILL:
                fill = _DEML_FILL[name](self)
                col[np.isnan(col)] = fill[np.isnan(col)]
            col[np.isnan(col)] = means[j]
        out.setflags(write=False)
        return out

    def to_frame(self):
        """The raw table as a pandas DataFrame indexed by element symbol."""
        import pandas as pd

        return pd.DataFrame(
            self.values, index=pd.Index(self.symbols, name="symbol"), columns=list(self.columns)
        )


# Mass number of the longest-lived isotope of Z = 110 … 118 (pymatgen's Element.atomic_mass for them).
_HEAVY_MASS = {
    110: 281.0,
    111: 282.0,
    112: 285.0,
    113: 286.0,
    114: 289.0,
    115: 290.0,
    116: 293.0,
    117: 294.0,
    118: 294.0,
}


def _row_of_z() -> np.ndarray:
    return 1.0 + np.searchsorted(np.array([2, 10, 18, 36, 54, 86, 118]), np.arange(1, N + 1))


def _mass_fill(table: ElementTable) -> np.ndarray:
    mass = table.column("atomic_mass").copy()
    for z, m in _HEAVY_MASS.items():
        mass[z - 1] = m
    return mass


# deml columns that matminer fills from the element itself (pymatgen's Element.Z / atomic_mass / row), not a mean.
_DEML_FILL = {
    "deml_atom_num": lambda t: np.arange(1.0, N + 1),
    "deml_atom_mass": _mass_fill,
    "deml_row_num": lambda t: _row_of_z(),
}
_DEML_FILL_TEXT = {
    "deml_atom_num": "Z",
    "deml_atom_mass": "pymatgen's atomic mass (column atomic_mass; Z >= 110: mass number of the longest-lived isotope)",
    "deml_row_num": "the period of Z",
}


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _read_magpie() -> tuple[dict[str, np.ndarray], dict[str, tuple], dict[str, ColumnInfo]]:
    root = files("matinfo.data") / "magpie"
    meta = {r["name"]: r for r in csv.DictReader(io.StringIO((root / "columns.csv").read_text("utf-8")))}
    cols: dict[str, np.ndarray] = {}
    lists: dict[str, tuple] = {}
    for name in [*meta, *_MAGPIE_LISTS]:
        with (root / f"{name}.table").open("r", encoding="utf-8") as f:  # universal newlines, like matminer
            lines = f.readlines()
        lines += [""] * (N - len(lines))
        if name in _MAGPIE_LISTS:
            lists[name] = tuple(tuple(_number(t) for t in line.split()) for line in lines[:N])
        else:
            cols[name] = np.array([_number(line) for line in lines[:N]])
    info = {n: ColumnInfo(n, "magpie", r["unit"], r["description"], r["source"]) for n, r in meta.items()}
    return cols, lists, info


def _read_pymatgen() -> tuple[dict[str, np.ndarray], dict[str, ColumnInfo]]:
    text = (files("matinfo.data") / "element_properties" / "element_properties.csv").read_text("utf-8")
    cols = {name: np.full(N, np.nan) for name in _PMG}
    for row in csv.DictReader(io.StringIO(text)):
        z = int(row["Z"])
        for name in _PMG:
            cols[name][z - 1] = _number(row[name]) if row[name] else np.nan
    ref = "pymatgen 2024.6.10 periodic_table.json (mostly WebElements), via element_properties.csv"
    info = {n: ColumnInfo(n, "pymatgen", u, d, ref) for n, (u, d) in _PMG.items()}
    return cols, info


_DEML = {  # key in deml_elementdata.json → (unit, description)
    "atom_num": ("dimensionless", "Atomic number"),
    "atom_mass": ("u (g/mol)", "Atomic mass"),
    "row_num": ("dimensionless", "Row of the periodic table"),
    "col_num": ("dimensionless", "Column of the periodic table"),
    "atom_radius": ("pm", "Atomic radius"),
    "molar_vol": ("cm^3/mol", "Molar volume"),
    "heat_fusion": ("J/mol", "Latent heat of fusion"),
    "melting_point": ("K", "Melting point"),
    "boiling_point": ("K", "Boiling point"),
    "heat_cap": ("J/(mol K)", "Heat capacity at 25 °C, 1 bar (CRC)"),
    "first_ioniz": ("J/mol", "First ionization energy"),
    "electron_affin": ("J/mol", "Electron affinity"),
    "electronegativity": ("dimensionless (Pauling)", "Pauling electronegativity"),
    "electric_pol": ("10^-24 cm^3", "Electric dipole polarizability (CRC)"),
    "GGAU_Etot": ("eV/atom", "GGA+U total energy of the elemental reference phase"),
    "mus_fere": ("eV/atom", "FERE elemental chemical potential"),
    "FERE_correction": ("eV/atom", "mus_fere - GGAU_Etot"),
}


def _read_deml() -> tuple[dict[str, np.ndarray], dict[str, tuple], dict[str, ColumnInfo]]:
    raw = json.loads((files("matinfo.data") / "deml" / "deml_elementdata.json").read_text("utf-8"))
    cols: dict[str, np.ndarray] = {}
    for key in _DEML:
        col = np.full(N, np.nan)
        if key == "first_ioniz":
            for sym, vals in raw["ionization_en"].items():
                col[Z_OF[sym] - 1] = np.nan if vals[0] is None else vals[0]
        elif key == "FERE_correction":
            col = cols["deml_mus_fere"] - cols["deml_GGAU_Etot"]
        else:
            for sym, v in raw[key].items():
                col[Z_OF[sym] - 1] = np.nan if v is None else v
        cols[f"deml_{key}"] = col
    charge = tuple(tuple(float(c) for c in raw["charge_states"].get(s, ())) for s in ELEMENTS)
    ref = "Deml et al., Phys. Rev. B 93, 085142 (2016), via matminer 0.10.1 deml_elementdata.py"
    info = {f"deml_{k}": ColumnInfo(f"deml_{k}", "deml", u, d, ref) for k, (u, d) in _DEML.items()}
    for name, what in _DEML_FILL_TEXT.items():
        info[name] = ColumnInfo(
            name, "deml", info[name].unit, info[name].description, ref, f"NaN in the table; imputed: {what}"
        )
    info["deml_FERE_correction"] = ColumnInfo(
        "deml_FERE_correction",
        "deml",
        "eV/atom",
        _DEML["FERE_correction"][1],
        ref,
        "NaN in the table; imputed: imputed mus_fere - imputed GGAU_Etot (as matminer computes it)",
    )
    return cols, {"deml_charge_states": charge}, info


@functools.cache
def element_table() -> ElementTable:
    """The element data table (loaded on first call, then cached for the process)."""
    magpie, lists, info = _read_magpie()
    pmg, pmg_info = _read_pymatgen()
    deml, deml_lists, deml_info = _read_deml()
    cols = {**magpie, **pmg, **deml}
    values = np.column_stack(list(cols.values()))
    table = ElementTable(
        ELEMENTS, tuple(cols), values, {**info, **pmg_info, **deml_info}, {**lists, **deml_lists}
    )
    values.setflags(write=False)
    # matminer computes the FERE correction from the imputed energies.
    imputed = table._imputed.copy()
    j = table.index("deml_FERE_correction")
    imputed[:, j] = imputed[:, table.index("deml_mus_fere")] - imputed[:, table.index("deml_GGAU_Etot")]
    imputed.setflags(write=False)
    table.__dict__["_imputed"] = imputed  # replaces the cached_property value
    return table


def element_property(element: str | int, name: str, *, imputed: bool = False) -> float:
    """One value of the table: ``element`` as symbol or atomic number, ``name`` a column.

    >>> element_property("Cu", "HeatCapacityMass")
    0.385
    """
    z = element if isinstance(element, int) else Z_OF.get(element)
    if z is None or not 1 <= z <= N:
        raise KeyError(f"unknown element {element!r}")
    table = element_table()
    col = table.imputed(name) if imputed else table.column(name)
    return float(col[z - 1])
