"""The property lexicon: which words name which quantity, and which units fit it.

Each :class:`PropertyTerm` ties a regular expression for the words papers use (``ionic conductivity``,
``Li-ion conductivity``, ``σ``, ``E_a``, ``band gap``, ``Tc``, ``ZT``, ``ASR``) to a quantity of the registry
(:mod:`matinfo.core.quantities`).  A term applies to a value only when the value's unit converts to the
quantity's canonical unit, so ``σ = 1.2 mS cm−1`` is a conductivity and ``E_a = 0.3 eV`` an activation energy,
and ``capacity`` next to ``0.1 C`` is not linked to the C-rate.  When no term is near, a unit whose dimension
belongs to one property only (``mAh g−1`` → specific capacity, ``S cm−1`` → conductivity) still names it.

Quantities the core registry lacks (coulombic efficiency, energy and power density, critical temperature,
open-circuit and average voltage, area-specific and polarization resistance, specific surface area, specific
current) are added to it by :func:`ensure_quantities`, called before extraction.

>>> [(t.quantity, m.group()) for t, m in find_terms("the Li-ion conductivity and activation energy")]
[('ionic_conductivity', 'Li-ion conductivity'), ('activation_energy', 'activation energy')]
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache

from matinfo.core.quantities import QuantityDef, find_quantity, get_quantity, register_quantity
from matinfo.errors import QuantityError, UnitError

__all__ = [
    "PropertyTerm",
    "TERMS",
    "find_terms",
    "fits",
    "default_property",
    "ensure_quantities",
    "canonical_value",
    "same_dimension",
    "document_conductivity",
    "LITERATURE_QUANTITIES",
]

#: Quantities extraction needs beyond transport and thermal properties; they are defined in the core registry
#: (:mod:`matinfo.core._quantity_defs`, "battery, fuel-cell and device quantities") so that a process that publishes
#: or searches literature records knows them without having run the extractor.
LITERATURE_QUANTITIES: tuple[QuantityDef, ...] = tuple(
    get_quantity(n)
    for n in (
        "coulombic_efficiency", "energy_density", "volumetric_energy_density", "power_density", "specific_power",
        "critical_temperature", "curie_temperature", "open_circuit_voltage", "average_voltage",
        "area_specific_resistance", "polarization_resistance", "specific_surface_area", "specific_current",
    )
)  # fmt: skip

_lock = threading.Lock()
_registered = False


def ensure_quantities() -> None:
    """Register :data:`LITERATURE_QUANTITIES` that the registry does not have yet (once per process)."""
    global _registered
    if _registered:
        return
    with _lock:
        for q in LITERATURE_QUANTITIES:
            if find_quantity(q.name) is None:
                register_quantity(q)
        _registered = True


@dataclass(frozen=True)
class PropertyTerm:
    """Words for one quantity: ``pattern`` (a regex, matched case-insensitively unless ``case``) → ``quantity``."""

    quantity: str
    pattern: str
    case: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern, between word boundaries."""
        return _compile(self.pattern, self.case)


@cache
def _compile(pattern: str, case: bool) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])", 0 if case else re.IGNORECASE)


_ION = r"(?:Li|Na|K|Mg|Zn|Ag|Cu|H|O|oxygen|oxide|proton|lithium|sodium|potassium|magnesium)"
#: Property words; where several match, the leftmost, then the longest wins (``current density`` over ``density``).
TERMS: tuple[PropertyTerm, ...] = (
    PropertyTerm("lattice_thermal_conductivity", r"lattice thermal conductivit(?:y|ies)|κ_?L|kappa_?L"),
    PropertyTerm("thermal_conductivity", r"(?:total )?thermal conductivit(?:y|ies)|κ|kappa"),
    PropertyTerm("ionic_conductivity", rf"(?:{_ION}[\s-]?\+?[\s-]?)?ion(?:ic)?[\s-]conductivit(?:y|ies)|"
                 rf"{_ION}\+? conductivit(?:y|ies)|σ_?(?:ion|i|Li|total|bulk|gb|t)\b|σ_?ion"),
    PropertyTerm("electrical_conductivity", r"(?:electrical|electronic|electric) conductivit(?:y|ies)|σ_?e\b"),
    PropertyTerm("conductivity", r"conductivit(?:y|ies)|σ"),
    PropertyTerm("electrical_resistivity", r"(?:electrical )?resistivit(?:y|ies)|ρ"),
    PropertyTerm("activation_energy", r"activation energ(?:y|ies)|activation barriers?|E_?a\b|Ea\b", True),
    PropertyTerm("activation_energy", r"activation energ(?:y|ies)|activation barriers?"),
    PropertyTerm("band_gap", r"(?:optical |electronic |direct |indirect )?band[\s-]?gaps?(?: energ(?:y|ies))?|"
                 r"optical gaps?"),
    PropertyTerm("band_gap", r"E_?g\b|Eg\b", True),
    PropertyTerm("specific_capacity", r"(?:specific |discharge |charge |reversible |initial |gravimetric |"
                 r"theoretical )*capacit(?:y|ies)"),
    PropertyTerm("coulombic_efficiency", r"coulombic efficienc(?:y|ies)|faradaic efficienc(?:y|ies)"),
    PropertyTerm("coulombic_efficiency", r"CE\b", True),
    PropertyTerm("volumetric_energy_density", r"volumetric energy densit(?:y|ies)"),
    PropertyTerm("energy_density", r"(?:gravimetric |specific )?energy densit(?:y|ies)|specific energ(?:y|ies)"),
    PropertyTerm("power_density", r"(?:peak |maximum |max\. )?power densit(?:y|ies)|power outputs?"),
    PropertyTerm("power_density", r"PPDs?\b|P_?max\b|MPD\b", True),
    PropertyTerm("open_circuit_voltage", r"open[\s-]circuit (?:voltages?|potentials?)"),
    PropertyTerm("open_circuit_voltage", r"OCVs?\b|V_?oc\b|OCP\b", True),
    PropertyTerm("average_voltage", r"(?:average |operating |working |discharge |charge |plateau |redox |"
                 r"cell |nominal )+(?:voltages?|potentials?)|voltage plateaus?|plateaus?"),
    PropertyTerm("area_specific_resistance", r"area[\s-]specific (?:resistances?|resistivit(?:y|ies))"),
    PropertyTerm("area_specific_resistance", r"ASRs?\b", True),
    PropertyTerm("polarization_resistance", r"polari[sz]ation (?:resistances?|losses)|R_?p\b"),
    PropertyTerm("critical_temperature", r"(?:superconducting )?(?:critical|transition) temperatures?|T_?c\b|"
                 r"onset temperatures? of superconductivity"),
    PropertyTerm("curie_temperature", r"Curie (?:temperature|point)s?|T_?C\b"),
    PropertyTerm("seebeck_coefficient", r"Seebeck coefficients?|thermopowers?|thermoelectric powers?"),
    PropertyTerm("seebeck_coefficient", r"S(?=\s?=)|S_?max(?=\s?=)", True),
    PropertyTerm("power_factor", r"power factors?|PF\b"),
    PropertyTerm("zt", r"(?:thermoelectric )?figures? of merit|z?ZT(?:_?max)?\b|zT\b", True),
    PropertyTerm("zt", r"(?:thermoelectric )?figures? of merit"),
    PropertyTerm("specific_surface_area", r"(?:specific |BET )+surface areas?|surface areas?"),
    PropertyTerm("lattice_constant", r"lattice (?:parameters?|constants?)|cell parameters?"),
    PropertyTerm("density", r"(?:bulk |relative |theoretical |pellet )?densit(?:y|ies)"),
    PropertyTerm("melting_point", r"melting (?:points?|temperatures?)"),
    PropertyTerm("bulk_modulus", r"bulk modul(?:us|i)"),
    PropertyTerm("youngs_modulus", r"Young'?s modul(?:us|i)|elastic modul(?:us|i)"),
    PropertyTerm("formation_energy_per_atom", r"formation energ(?:y|ies)"),
    PropertyTerm("thickness", r"thickness(?:es)?|thick"),
    PropertyTerm("current_density", r"(?:limiting |maximum |applied )?current densit(?:y|ies)"),
)  # fmt: skip

#: The quantity a unit names when no word does, by the unit's canonical spelling (only unambiguous ones).
_BY_UNIT = {
    "S/cm": "conductivity",
    "mAh/g": "specific_capacity",
    "Wh/kg": "energy_density",
    "W/(m*K)": "thermal_conductivity",
    "uV/K": "seebeck_coefficient",
    "uW/(cm*K^2)": "power_factor",
    "mW/cm^2": "power_density",
    "Ohm*cm^2": "area_specific_resistance",
    "m^2/g": "specific_surface_area",
}
#: ``conductivity`` without a qualifier: ionic when the sentence speaks of ions, else electrical.
_IONIC_CONTEXT = re.compile(
    r"\bion(?:s|ic)?\b|Li\+|Na\+|proton|oxygen[\s-]ion|oxide[\s-]ion|electrolyte|lithium|sodium", re.I
)


_IONIC_TERM = re.compile(rf"(?:{_ION}[\s-]?\+?[\s-]?)?ion(?:ic)?[\s-]conductivit|{_ION}\+ conductivit", re.I)
_ELECTRONIC_TERM = re.compile(r"(?:electrical|electronic|electric) conductivit", re.I)


def document_conductivity(text: str) -> str | None:
    """Which conductivity a document is about when it does not say: ``ionic_conductivity`` if it names ionic
    conductivity more often than electronic, ``electrical_conductivity`` if the reverse, else None.

    >>> document_conductivity("The Li-ion conductivity of LLZO ... its ionic conductivity ...")
    'ionic_conductivity'
    """
    ionic, electronic = len(_IONIC_TERM.findall(text)), len(_ELECTRONIC_TERM.findall(text))
    if ionic > electronic:
        return "ionic_conductivity"
    if electronic > ionic:
        return "electrical_conductivity"
    return None


def _conductivity(sentence: str, hint: str | None) -> str:
    if _IONIC_CONTEXT.search(sentence):
        return "ionic_conductivity"
    return hint or "electrical_conductivity"


def find_terms(sentence: str, *, conductivity: str | None = None) -> list[tuple[PropertyTerm, re.Match[str]]]:
    """Property words in a sentence, leftmost-longest, without overlaps, in text order.

    ``conductivity`` alone is resolved to ``ionic_conductivity`` when the sentence speaks of ions (ions, Li+,
    protons, electrolytes), else to the document's ``conductivity`` (:func:`document_conductivity`), else to
    ``electrical_conductivity``.
    """
    candidates = [(term, m) for term in TERMS for m in term.regex.finditer(sentence)]
    candidates.sort(key=lambda tm: (tm[1].start(), -(tm[1].end() - tm[1].start())))
    found: list[tuple[PropertyTerm, re.Match[str]]] = []
    for term, m in candidates:
        if not any(m.start() < o.end() and o.start() < m.end() for _, o in found):
            found.append((term, m))
    out = []
    for term, m in found:
        if term.quantity == "conductivity":
            term = PropertyTerm(_conductivity(sentence, conductivity), term.pattern, term.case)
        out.append((term, m))
    return out


@lru_cache(maxsize=4096)
def fits(quantity: str, unit: str) -> bool:
    """Whether a value in ``unit`` can be a ``quantity`` (its unit converts to the canonical one).

    Dimensionless quantities (coulombic efficiency, ZT) fit ``%`` and no unit.

    >>> fits("ionic_conductivity", "mS/cm"), fits("ionic_conductivity", "eV"), fits("activation_energy", "kJ/mol")
    (True, False, True)
    """
    ensure_quantities()
    q = find_quantity(quantity)
    if q is None or q.canonical_unit is None:
        return False
    if q.canonical_unit == "":
        return unit in ("", "%")
    if q.name == "activation_energy" and unit in ("kJ/mol", "kcal/mol", "J/mol"):
        return True
    from matinfo.core.units import convert

    try:
        convert(1.0, unit, q.canonical_unit)
    except (UnitError, QuantityError):
        return False
    return True


def default_property(unit: str, sentence: str, *, conductivity: str | None = None) -> str | None:
    """The quantity a unit names by itself (``mAh/g`` → specific capacity), or None when it names several.

    A conductivity is resolved as in :func:`find_terms`.

    >>> default_property("mS/cm", "the Li+ conductivity"), default_property("nm", "")
    ('ionic_conductivity', None)
    """
    for spelled, quantity in _BY_UNIT.items():
        if same_dimension(unit, spelled):
            return _conductivity(sentence, conductivity) if quantity == "conductivity" else quantity
    return None


@lru_cache(maxsize=4096)
def same_dimension(unit: str, reference: str) -> bool:
    """``unit`` has the dimension of ``reference`` (``mS/cm`` and ``S/cm``)."""
    from matinfo.core.units import parse_unit

    try:
        return parse_unit(unit).dimensionality == parse_unit(reference).dimensionality
    except UnitError:
        return False


def canonical_value(quantity: str, value: float, unit: str) -> float:
    """``value`` in ``unit`` converted to the canonical unit of ``quantity``.

    Percentages of a dimensionless quantity become fractions; an activation energy per mole becomes per
    particle (1 eV = 96.485 kJ/mol).

    >>> canonical_value("coulombic_efficiency", 99.5, "%"), round(canonical_value("activation_energy", 96.485, "kJ/mol"), 4)
    (0.995, 1.0)
    """
    ensure_quantities()
    q = get_quantity(quantity)
    if q.canonical_unit == "":
        return value / 100 if unit == "%" else value
    if q.name == "activation_energy" and unit in ("kJ/mol", "kcal/mol", "J/mol"):
        from matinfo.core.units import convert, tidy

        return tidy(convert(value, unit, "kJ/mol") / _KJ_PER_MOL_PER_EV)
    from matinfo.core.quantities import to_canonical

    return to_canonical(q, value, unit)


#: Faraday constant / 1000: kJ/mol per eV per particle.
_KJ_PER_MOL_PER_EV = 96.48533212
