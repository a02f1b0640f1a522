"""matinfo.core: formulas, canonical keys, substance identity, units and quantities.

Pure and light: no files, no network, no heavy frameworks (pint and pymatgen load on first use).
"""

from matinfo.core.formula import ParsedFormula, parse_formula
from matinfo.core.identity import (
    COMPOSITION_TOLERANCE,
    DOPANT_FRACTION,
    UNKNOWN_STRUCTURE_TOLERANCE,
    StructureType,
    find_match,
    fraction_distance,
    host_system,
)
from matinfo.core.keys import anonymous_formula, atomic_fractions, chemical_system, composition_distance, reduced_formula
from matinfo.core.records import DatasetIn, MaterialIn, PhaseDiagramIn, PropertyIn, ReferenceIn, StructureIn

__all__ = [
    "parse_formula",
    "ParsedFormula",
    "reduced_formula",
    "chemical_system",
    "anonymous_formula",
    "atomic_fractions",
    "composition_distance",
    "StructureType",
    "find_match",
    "fraction_distance",
    "host_system",
    "COMPOSITION_TOLERANCE",
    "UNKNOWN_STRUCTURE_TOLERANCE",
    "DOPANT_FRACTION",
    "MaterialIn",
    "PropertyIn",
    "StructureIn",
    "ReferenceIn",
    "DatasetIn",
    "PhaseDiagramIn",
]
