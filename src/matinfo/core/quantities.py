"""The registry of known quantities: properties (band gap, conductivity...) and conditions (temperature...).

Each quantity has one canonical unit, the unit matinfo stores it in (house style: eV, Å, K, GPa, S/cm).
Names are looked up case-, space- and hyphen-insensitively, aliases included:

>>> get_quantity("Ionic conductivity").canonical_unit
'S/cm'
>>> get_quantity("kappa_L").name
'lattice_thermal_conductivity'
>>> to_canonical("ionic_conductivity", 0.1, "mS/cm")
0.0001
>>> to_canonical("temperature", 25, "°C")
298.15
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from matinfo.core import units
from matinfo.errors import QuantityError, UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "QuantityDef",
    "get_quantity",
    "find_quantity",
    "register_quantity",
    "list_quantities",
    "to_canonical",
    "check_unit",
    "quantity_key",
]

Kind = Literal["property", "condition"]
DType = Literal["number", "bool", "text"]
Per = Literal["atom", "formula_unit"]


@dataclass(frozen=True)
class QuantityDef:
    """Definition of one quantity.

    Attributes
    ----------
    name : snake_case identifier, the key stored in the database.
    canonical_unit : the unit values are stored in, in :func:`~matinfo.core.units.format_unit` spelling;
        ``""`` for a dimensionless number, ``None`` for bool and text quantities.
    description : one line for people (what, per what, typical range).
    aliases : other names accepted by :func:`get_quantity` (matched like names).
    kind : ``"property"`` of a material or ``"condition"`` of a measurement or process.
    positive : values below zero are rejected after conversion (zero is allowed: 0 K, an insulator).
    dtype : ``"number"``, ``"bool"`` or ``"text"``.
    per : what an extensive energy is counted per (``"atom"``, ``"formula_unit"``): an input unit counting
        the other thing (``eV/fu`` for a per-atom quantity) is refused.
    """

    name: str
    canonical_unit: str | None
    description: str
    aliases: tuple[str, ...] = ()
    kind: Kind = "property"
    positive: bool = False
    dtype: DType = "number"
    per: Per | None = None

    def __post_init__(self) -> None:
        if quantity_key(self.name) != self.name:
            raise QuantityError(
                "a quantity name must be snake_case",
                value=self.name,
                hint=f"call it {quantity_key(self.name)!r}",
            )
        if self.kind not in ("property", "condition"):
            raise QuantityError("kind must be 'property' or 'condition'", value=self.kind, field="kind")
        if self.dtype not in ("number", "bool", "text"):
            raise QuantityError("dtype must be 'number', 'bool' or 'text'", value=self.dtype, field="dtype")
        if (self.dtype == "number") != (self.canonical_unit is not None):
            raise QuantityError(
                "a number quantity needs a canonical unit ('' if dimensionless); bool and text ones None",
                value=self.canonical_unit,
                field="canonical_unit",
            )
        if isinstance(self.aliases, str):
            raise QuantityError(
                "aliases must be a tuple of names, not one string",
                value=self.aliases,
                field="aliases",
                hint=f"write aliases=({self.aliases!r},)",
            )

    @property
    def dimensionless(self) -> bool:
        """True for a number without unit (``zt``)."""
        return self.canonical_unit == ""

    @property
    def unit(self) -> pint.Unit | None:
        """The canonical unit as a ``pint.Unit`` (``None`` for bool and text quantities)."""
        return None if self.canonical_unit is None else units.parse_unit(self.canonical_unit)


def quantity_key(name: str) -> str:
    """Lookup key of a name: lower case, runs of spaces, hyphens, dots and slashes turned into ``_``.

    >>> quantity_key(" Ionic-conductivity ")
    'ionic_conductivity'
    """
    return re.sub(r"[\s\-./_]+", "_", name.strip().lower()).strip("_")


def _q(name, unit, description, aliases=(), kind="property", positive=False, dtype="number", per=None):
    return QuantityDef(name, unit, description, tuple(aliases), kind, positive, dtype, per)


_COND = "condition"
_BUILTIN = (
    # ---- transport
    _q(
        "ionic_conductivity",
        "S/cm",
        "ionic conductivity",
        ("sigma_ion", "ion_conductivity", "ionic_cond"),
        positive=True,
    ),
    _q(
        "electrical_conductivity",
        "S/cm",
        "electrical (electronic + ionic) conductivity",
        ("electric_conductivity", "sigma_e", "sigma_el", "elec_conductivity"),
        positive=True,
    ),
    _q(
        "electrical_resistivity",
        "Ohm*cm",
        "electrical resistivity",
        ("resistivity", "electric_resistivity", "rho_e"),
        positive=True,
    ),
    _q(
        "seebeck_coefficient",
        "uV/K",
        "Seebeck coefficient (thermopower); negative for n-type",
        ("seebeck", "thermopower", "thermoelectric_power"),
    ),
    _q(
        "thermal_conductivity",
        "W/(m*K)",
        "total thermal conductivity",
        ("kappa", "kappa_total", "total_thermal_conductivity"),
        positive=True,
    ),
    _q(
        "lattice_thermal_conductivity",
        "W/(m*K)",
        "lattice (phonon) thermal conductivity",
        ("kappa_l", "kappa_lat", "kappa_lattice"),
        positive=True,
    ),
    _q(
        "electronic_thermal_conductivity",
        "W/(m*K)",
        "electronic thermal conductivity",
        ("kappa_e", "kappa_el"),
        positive=True,
    ),
    _q("power_factor", "uW/(cm*K^2)", "thermoelectric power factor S^2*sigma", ("pf",), positive=True),
    _q(
        "zt",
        "",
        "thermoelectric figure of merit zT (dimensionless)",
        ("figure_of_merit", "zt_value", "thermoelectric_figure_of_merit"),
        positive=True,
    ),
    # ---- electronic structure and energetics
    _q(
        "band_gap",
        "eV",
        "electronic band gap",
        ("bandgap", "gap", "eg", "e_g", "band_gap_energy"),
        positive=True,
    ),
    _q(
        "formation_energy_per_atom",
        "eV/atom",
        "formation energy per atom (DFT, from elemental references)",
        ("formation_energy", "e_form", "e_f", "delta_e", "formation_energy_pa"),
        per="atom",
    ),
    _q(
        "formation_enthalpy",
        "eV/atom",
        "standard enthalpy of formation per atom",
        ("enthalpy_of_formation", "delta_h_f", "delta_hf", "dhf"),
        per="atom",
    ),
    _q(
        "gibbs_formation_energy",
        "eV",
        "Gibbs energy of formation per formula unit: stored in eV, meaning eV per formula unit (eV/fu)",
        ("gibbs_energy_of_formation", "delta_g_f", "dgf", "gibbs_free_energy_of_formation"),
        per="formula_unit",
    ),
    _q(
        "activation_energy",
        "eV",
        "activation energy (Arrhenius), e.g. of ionic conduction",
        ("ea", "e_a", "activation_barrier"),
        positive=True,
    ),
    # ---- structure and mechanics
    _q("density", "g/cm^3", "mass density", ("mass_density", "rho"), positive=True),
    _q("volume", "Å^3", "unit-cell volume", ("cell_volume", "unit_cell_volume"), positive=True),
    _q(
        "lattice_constant",
        "Å",
        "lattice parameter a (cubic) or the one reported",
        ("lattice_parameter", "a0", "a_lat"),
        positive=True,
    ),
    _q(
        "bulk_modulus",
        "GPa",
        "bulk modulus (K_VRH); may be negative for unstable DFT structures",
        ("k_vrh", "bulk_mod"),
    ),
    _q(
        "shear_modulus",
        "GPa",
        "shear modulus (G_VRH); may be negative for unstable DFT structures",
        ("g_vrh", "shear_mod"),
    ),
    # ---- thermal and electrochemical
    _q(
        "melting_point",
        "K",
        "melting temperature",
        ("melting_temperature", "tm", "t_m", "t_melt"),
        positive=True,
    ),
    _q(
        "boiling_point",
        "K",
        "boiling temperature at 1 atm",
        ("boiling_temperature", "tb", "t_b"),
        positive=True,
    ),
    _q(
        "specific_heat_capacity",
        "J/(g*K)",
        "specific (per mass) heat capacity at constant pressure",
        ("specific_heat", "cp_mass"),
        positive=True,
    ),
    _q(
        "heat_of_fusion",
        "kJ/mol",
        "enthalpy of fusion",
        ("enthalpy_of_fusion", "fusion_enthalpy"),
        positive=True,
    ),
    _q("electronegativity", "", "Pauling electronegativity", ("pauling_electronegativity", "chi")),
    _q(
        "ionization_energy", "eV", "first ionization energy", ("first_ionization_energy", "ie"), positive=True
    ),
    _q(
        "youngs_modulus",
        "GPa",
        "Young's modulus",
        ("young_modulus", "elastic_modulus", "e_modulus"),
        positive=True,
    ),
    _q("molar_volume", "cm^3/mol", "molar volume", ("vm",), positive=True),
    _q(
        "heat_capacity",
        "J/(mol*K)",
        "molar heat capacity at constant pressure, per mole of formula units",
        ("cp", "c_p", "molar_heat_capacity"),
        positive=True,
    ),
    _q(
        "specific_capacity",
        "mAh/g",
        "gravimetric (specific) capacity of an electrode material",
        ("capacity", "gravimetric_capacity", "discharge_capacity"),
        positive=True,
    ),
    _q("is_metal", None, "metallic (no band gap)", ("metallic", "metal"), dtype="bool"),
    _q(
        "glass_forming",
        None,
        "forms a glass (metallic glass forming ability)",
        ("glass_forming_ability", "gfa"),
        dtype="bool",
    ),
    # ---- conditions
    _q("temperature", "K", "measurement temperature", ("t", "temp", "measurement_temperature"), _COND, True),
    _q("pressure", "GPa", "pressure (1 atm = 1.01325e-4 GPa)", ("p",), _COND, True),
    _q("voltage", "V", "applied voltage or electrode potential", ("v", "potential", "bias"), _COND),
    _q("current", "mA", "applied current", ("i",), _COND),
    _q("current_density", "mA/cm^2", "applied current density", ("j",), _COND),
    _q("time", "h", "duration (of a measurement, anneal, cycling...)", ("duration",), _COND, True),
    _q(
        "sintering_temperature",
        "K",
        "sintering or annealing temperature",
        ("t_sinter", "sintering_temp", "annealing_temperature"),
        _COND,
        True,
    ),
    _q(
        "sintering_time",
        "h",
        "sintering or annealing duration",
        ("sintering_duration", "annealing_time"),
        _COND,
        True,
    ),
    _q(
        "atmosphere",
        None,
        "gas atmosphere (Ar, N2, air, vacuum...)",
        ("gas", "environment"),
        _COND,
        dtype="text",
    ),
    _q("frequency", "Hz", "frequency (of impedance measurement, excitation...)", ("f", "freq"), _COND, True),
    _q("thickness", "nm", "film or sample thickness", ("film_thickness",), _COND, True),
    _q(
        "doping",
        None,
        "dopant(s) and level as written (e.g. '2 at.% Al')",
        ("dopant", "dopants"),
        _COND,
        dtype="text",
    ),
)

_by_name: dict[str, QuantityDef] = {}
_by_key: dict[str, str] = {}  # lookup key (name or alias) -> name
_lock = threading.Lock()


def register_quantity(defn: QuantityDef, *, replace: bool = False) -> QuantityDef:
    """Add a quantity to the registry and return it.

    Raises :class:`QuantityError` if its name or an alias is taken by another quantity (pass
    ``replace=True`` to redefine a quantity of the same name) and :class:`UnitError` if its canonical unit
    cannot be parsed.

    >>> mobility = QuantityDef("my_hall_mobility", "cm^2/(V*s)", "Hall mobility", ("my_mu_h",))
    >>> register_quantity(mobility, replace=True)  # doctest: +ELLIPSIS
    QuantityDef(name='my_hall_mobility', canonical_unit='cm^2/(V*s)', ...)
    """
    if not isinstance(defn, QuantityDef):
        raise QuantityError(f"expected a QuantityDef, got {type(defn).__name__}", value=defn)
    if defn.canonical_unit:
        units.parse_unit(defn.canonical_unit, field="canonical_unit")
    return _register(defn, replace)


def _register(defn: QuantityDef, replace: bool = False) -> QuantityDef:
    keys = {quantity_key(defn.name)} | {quantity_key(a) for a in defn.aliases}
    with _lock:
        if defn.name in _by_name and not replace:
            raise QuantityError(
                "quantity already registered", value=defn.name, hint="pass replace=True to redefine it"
            )
        for key in keys:
            owner = _by_key.get(key)
            if owner is not None and owner != defn.name:
                raise QuantityError(
                    f"name {key!r} already refers to quantity {owner!r}",
                    value=defn.name,
                    field="aliases",
                    hint="choose another alias",
                )
        old = _by_name.get(defn.name)
        if old is not None:
            for key in [k for k, v in _by_key.items() if v == old.name]:
                del _by_key[key]
        _by_name[defn.name] = defn
        _by_key.update(dict.fromkeys(keys, defn.name))
    return defn


for _defn in _BUILTIN:  # units checked by the tests, not here: importing must not import pint
    _register(_defn)


def find_quantity(name_or_alias: str) -> QuantityDef | None:
    """The quantity with this name or alias, or ``None``.

    >>> find_quantity("T").name, find_quantity("no such thing")
    ('temperature', None)
    """
    name = _by_key.get(quantity_key(name_or_alias)) if isinstance(name_or_alias, str) else None
    return None if name is None else _by_name[name]


def get_quantity(
    name_or_alias: str | QuantityDef,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> QuantityDef:
    """The quantity with this name or alias; raises :class:`QuantityError` with close matches otherwise.

    >>> get_quantity("ionic-conductivity").name
    'ionic_conductivity'
    >>> get_quantity("ionic_conductance")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.QuantityError: value 'ionic_conductance': unknown quantity — did you mean 'ionic_conduct...
    """
    if isinstance(name_or_alias, QuantityDef):
        return name_or_alias
    found = find_quantity(name_or_alias)
    if found is not None:
        return found
    key = quantity_key(name_or_alias) if isinstance(name_or_alias, str) else ""
    close = difflib.get_close_matches(key, list(_by_key), n=6, cutoff=0.6)
    names = list(dict.fromkeys(_by_key[c] for c in close))[:3]
    hint = f"did you mean {' or '.join(map(repr, names))}? " if names else ""
    hint += "list_quantities() shows the known ones; register_quantity() adds one"
    raise QuantityError(
        "unknown quantity", source=source, line=line, field=field, value=name_or_alias, hint=hint
    )


def list_quantities(kind: Kind | None = None) -> list[QuantityDef]:
    """All registered quantities (of one *kind* if given), sorted by name.

    >>> "temperature" in [q.name for q in list_quantities("condition")]
    True
    """
    return sorted((q for q in _by_name.values() if kind is None or q.kind == kind), key=lambda q: q.name)


def check_unit(
    quantity: str | QuantityDef,
    unit: str | pint.Unit | None,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> QuantityDef:
    """Raise :class:`UnitError` unless *unit* can be converted to the canonical unit of *quantity*."""
    q = get_quantity(quantity, source=source, line=line, field=field)
    where = {"source": source, "line": line, "field": field}
    if q.dtype != "number":
        raise QuantityError(
            f"{q.name} is a {q.dtype} quantity, not a number with a unit",
            value=unit,
            hint="store it as a condition or flag, without unit",
            **where,
        )
    given = "" if unit is None else unit if isinstance(unit, str) else units.format_unit(unit)
    if q.dimensionless:
        if given.strip():
            raise UnitError(
                f"{q.name} is dimensionless and takes no unit",
                value=given,
                hint="leave the unit empty (write 5 % as 0.05)",
                **where,
            )
        return q
    if not given.strip():
        raise UnitError(
            f"{q.name} needs a unit", value=unit, hint=f"give the unit, e.g. {q.canonical_unit!r}", **where
        )
    if q.per is not None:
        try:
            units.check_counting(unit, "atom" if q.per == "atom" else "fu")  # type: ignore[arg-type]
        except UnitError:
            other = {"atom": "atom", "formula_unit": "formula unit"}
            per = [other[n] for n in units.parse_unit(unit)._units if n in other and n != q.per]
            raise UnitError(
                f"{q.name} is per {other[q.per]}, but {given!r} is per {per[0] if per else 'something else'}",
                value=given,
                hint="convert with the composition (atoms per formula unit) first",
                **where,
            ) from None
    try:
        units.convert(1.0, unit, q.canonical_unit)  # type: ignore[arg-type]
    except UnitError as err:
        raise UnitError(
            f"unit does not fit {q.name} (stored in {q.canonical_unit!r}): {err.problem}",
            value=given,
            hint=err.hint,
            **where,
        ) from None
    return q


def to_canonical(
    quantity: str | QuantityDef,
    value: float,
    unit: str | pint.Unit | None,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> float:
    """Convert *value* given in *unit* to the canonical unit of *quantity*, checking dimension and sign.

    Dimensionless quantities accept only ``None`` or ``""`` as unit; all others need a unit.
    Raises :class:`UnitError` (missing or unfitting unit) or :class:`QuantityError` (unknown quantity,
    non-number, negative value of a ``positive`` quantity).

    >>> to_canonical("ionic_conductivity", 0.1, "mS/cm") == to_canonical("ionic_conductivity", 1e-4, "S/cm")
    True
    >>> to_canonical("pressure", 1, "atm")
    0.000101325
    >>> to_canonical("band_gap", 1.1, "S/cm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.UnitError: value 'S/cm': unit does not fit band_gap (stored in 'eV'): cannot convert ...
    """
    q = check_unit(quantity, unit, source=source, line=line, field=field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QuantityError(
            f"{q.name} must be a number",
            source=source,
            line=line,
            field=field,
            value=value,
            hint="parse text with parse_measured() first",
        )
    result = float(value) if q.dimensionless else units.convert(float(value), unit, q.canonical_unit)
    if q.positive and result < 0:
        raise QuantityError(
            f"{q.name} cannot be negative ({result:g} {q.canonical_unit})".replace(" )", ")"),
            source=source,
            line=line,
            field=field,
            value=value,
            hint="check the sign and the unit of the value",
        )
    return result  # type: ignore[return-value]
