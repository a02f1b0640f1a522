"""Definitions of quantities and the table of built-in ones (the registry is :mod:`matinfo.core.quantities`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from matinfo.core import units
from matinfo.errors import QuantityError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["QuantityDef", "quantity_key", "BUILTIN", "Kind", "DType", "Per"]

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
BUILTIN = (
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
        "energy_per_atom",
        "eV/atom",
        "total energy per atom of a calculation (engine-specific zero: compare only within one engine)",
        ("total_energy_per_atom", "e_per_atom", "energy_pa"),
        per="atom",
    ),
    _q(
        "energy_above_hull",
        "eV/atom",
        "energy above the convex hull of the chemical system (0 on the hull: thermodynamically stable)",
        ("e_above_hull", "ehull", "e_hull", "hull_distance"),
        positive=True,
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
    # ---- battery, fuel-cell and device quantities (reported in papers; matinfo.literature extracts them)
    QuantityDef(
        "coulombic_efficiency",
        "",
        "coulombic (faradaic) efficiency of a cell, as a fraction",
        ("coulombic_eff",),
        positive=True,
    ),
    QuantityDef(
        "energy_density",
        "Wh/kg",
        "gravimetric energy density (specific energy) of a cell or electrode",
        ("specific_energy", "gravimetric_energy_density"),
        positive=True,
    ),
    QuantityDef("volumetric_energy_density", "Wh/l", "volumetric energy density", (), positive=True),
    QuantityDef(
        "power_density",
        "mW/cm^2",
        "areal (peak) power density of a fuel cell",
        ("peak_power_density", "areal_power_density"),
        positive=True,
    ),
    QuantityDef(
        "specific_power", "W/kg", "gravimetric power density", ("gravimetric_power_density",), positive=True
    ),
    QuantityDef(
        "critical_temperature",
        "K",
        "superconducting critical (transition) temperature",
        ("superconducting_transition_temperature",),
        positive=True,
    ),
    QuantityDef("curie_temperature", "K", "Curie (ferro- to paramagnetic) temperature", (), positive=True),
    QuantityDef("open_circuit_voltage", "V", "open-circuit voltage of a cell", ("ocv",)),
    QuantityDef(
        "average_voltage",
        "V",
        "average, plateau or operating voltage of an electrode or cell "
        "(the reference electrode is a condition)",
        ("operating_voltage", "plateau_voltage"),
    ),
    QuantityDef(
        "area_specific_resistance",
        "Ohm*cm^2",
        "area-specific resistance of a cell or electrode",
        ("asr",),
        positive=True,
    ),
    QuantityDef(
        "polarization_resistance",
        "Ohm*cm^2",
        "area-specific polarization resistance of an electrode",
        ("polarisation_resistance",),
        positive=True,
    ),
    QuantityDef(
        "specific_surface_area", "m^2/g", "specific (BET) surface area", ("bet_surface_area",), positive=True
    ),
    QuantityDef(
        "specific_current",
        "mA/g",
        "applied current per electrode mass (charge/discharge rate)",
        (),
        kind="condition",
        positive=True,
    ),
)
