"""matinfo.core: formulas, canonical keys, substance identity, units, quantities and input records.

Pure and light: no files, no network.  Names load on first use, so ``import matinfo.core.records`` (which every
reader needs) does not pull in pymatgen, scipy or pint.

>>> from matinfo.core import parse_formula
>>> parse_formula("Li1+xAlxTi2-x(PO4)3", variables={"x": 0.3}).composition.formula
'Li1.3 Ti1.7 Al0.3 P3 O12'
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS = {
    "matinfo.core.formula": ("parse_formula", "ParsedFormula"),
    "matinfo.core._affine": ("Amount",),
    "matinfo.core.keys": (
        "reduced_formula",
        "chemical_system",
        "anonymous_formula",
        "atomic_fractions",
        "composition_distance",
        "formula_hash",
    ),
    "matinfo.core.identity": (
        "StructureType",
        "find_match",
        "fraction_distance",
        "host_system",
        "COMPOSITION_TOLERANCE",
        "UNKNOWN_STRUCTURE_TOLERANCE",
        "DOPANT_FRACTION",
    ),
    "matinfo.core.elements": ("element_table", "element_property", "ElementTable", "ColumnInfo"),
    "matinfo.core.units": ("parse_unit", "format_unit", "convert", "convert_difference", "get_registry"),
    "matinfo.core.quantities": (
        "QuantityDef",
        "get_quantity",
        "find_quantity",
        "register_quantity",
        "list_quantities",
        "to_canonical",
    ),
    "matinfo.core.values": ("Measured", "parse_measured", "Condition", "parse_condition"),
    "matinfo.core.records": (
        "MaterialIn",
        "PropertyIn",
        "StructureIn",
        "ReferenceIn",
        "DatasetIn",
        "PhaseDiagramIn",
        "BadRecord",
    ),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
