"""The table of searchable fields: each filter name, its kind (:mod:`.kinds`), column and value rewriting.

:data:`OPTIMADE_FIELDS` is the public, read-only view of the table; :func:`lookup` finds the field a filter
names, ``_matinfo_<quantity>`` fields included, or says why there is none.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from matinfo.errors import MatinfoError
from matinfo.store.models import Dataset, Material, MaterialElement, Property, Reference, Structure, Substance
from matinfo.store.optimade.kinds import (
    PROVIDER_PREFIX,
    ElementList,
    FeatureList,
    Field,
    FieldType,
    Id,
    OptimadeField,
    QuantityField,
    Scalar,
    element,
)
from matinfo.store.optimade.nodes import Prop, fail, show

__all__ = ["FIELDS", "OPTIMADE_FIELDS", "P", "lookup"]

# --- normalisers for = / != ---------------------------------------------------------------------------------


def _reduced(value: str, prop: Prop) -> str:
    from matinfo.core.keys import reduced_formula

    try:
        return reduced_formula(value)
    except (MatinfoError, ValueError) as e:
        raise fail(
            f"not a chemical formula ({getattr(e, 'problem', e)})",
            prop,
            show(value),
            hint='write e.g. "FeLiO4P" or "LiFePO4"',
        ) from None


_ANON_PART = re.compile(r"([A-Z][a-z]*)(\d+(?:\.\d+)?)?")


#: Distinct elements (all with an electronegativity) to stand for the letters of an anonymous formula.
_DUMMY_ELEMENTS = (
    "Li Be B C N O F Na Mg Al Si P S Cl K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Rb "
    "Sr Y Zr Nb Mo Ru Rh Pd Ag Cd In Sn Sb Te I Cs Ba La"
).split()


def _anonymous(value: str, prop: Prop) -> str:
    from matinfo.core.keys import anonymous_formula

    if not re.fullmatch(rf"(?:{_ANON_PART.pattern})+", value):
        raise fail("not an anonymous formula", prop, show(value), hint='write e.g. "A2B" or "ABC3"')
    counts = [float(n) if n else 1.0 for _, n in _ANON_PART.findall(value)]
    if len(counts) > len(_DUMMY_ELEMENTS):
        raise fail("anonymous formula with too many elements", prop, show(value))
    # the anonymous formula depends on the counts only: give them any distinct elements
    dummy = dict(zip(_DUMMY_ELEMENTS, counts, strict=False))  # fewer counts than dummies
    try:
        return anonymous_formula(dummy)
    except (MatinfoError, ValueError) as e:
        raise fail(f"not an anonymous formula ({getattr(e, 'problem', e)})", prop, show(value)) from None


def _system(value: str, prop: Prop) -> str:
    return "-".join(sorted({element(x.strip(), prop) for x in value.split("-")}))


def _doi(value: str, prop: Prop) -> str:
    from matinfo.core.records import normalize_doi

    return normalize_doi(value) or ""


# --- joins to the child tables ------------------------------------------------------------------------------


def _fk_in(fk: Any, subquery: Any) -> ColumnElement[bool]:
    return and_(fk.is_not(None), fk.in_(subquery))  # two-valued even when the foreign key is NULL


def _via_substance(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    return Material.substance_id.in_(select(Substance.id).where(cond))


def _via_structures(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    return Material.id.in_(select(Structure.material_id).where(cond))


def _via_dataset(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    return _fk_in(Material.dataset_id, select(Dataset.id).where(cond))


def _via_references(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """The references of the material, of its properties and of its structures."""
    refs = select(Reference.id).where(cond)
    return or_(
        _fk_in(Material.reference_id, refs),
        Material.id.in_(select(Property.material_id).where(Property.reference_id.in_(refs))),
        Material.id.in_(select(Structure.material_id).where(Structure.reference_id.in_(refs))),
    )


class _WholeFormula(Scalar):
    """A formula column of which OPTIMADE can express only whole-number proportions: a non-stoichiometric value
    (``Li0.95Nb1.01O3``) is unknown to filters, as it is ``null`` in the served entry."""

    def _where(self, build):
        return and_(build(self.column), self.column.not_like("%.%"))

    def known(self) -> ColumnElement[bool] | None:
        return and_(self.column.is_not(None), self.column.not_like("%.%"))


# --- the table ----------------------------------------------------------------------------------------------


def _f(name: str, type_: FieldType, source: str, description: str) -> OptimadeField:
    return OptimadeField(name, type_, source, description)


#: The prefix of our own fields, ``_matinfo_``.
P = f"_{PROVIDER_PREFIX}_"

#: Every searchable field but the quantities, by filter name.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Id(
            _f("id", "string", "materials.id", 'material ID as a string, e.g. id = "42"'),
            Material.id,
            nullable=False,
        ),
        Scalar(
            _f(
                "last_modified",
                "timestamp",
                "materials.created_at",
                "when the material was stored (records are not edited in place)",
            ),
            Material.created_at,
            nullable=False,
        ),
        ElementList(
            _f("elements", "list", "material_elements.element", "element symbols, dopants included"),
            MaterialElement.element,
        ),
        ElementList(
            _f(
                "elements_ratios",
                "list",
                "material_elements.fraction",
                "atomic fraction of each element; unknown for unresolved formulas",
            ),
            MaterialElement.fraction,
        ),
        Scalar(
            _f("nelements", "integer", "materials.nelements", "number of elements"),
            Material.nelements,
            nullable=False,
        ),
        Scalar(
            _f("chemical_formula_descriptive", "string", "materials.formula", "the formula as reported"),
            Material.formula,
            nullable=False,
        ),
        _WholeFormula(
            _f(
                "chemical_formula_reduced",
                "string",
                "materials.reduced_formula",
                "reduced formula; = accepts the OPTIMADE (FeLiO4P) and the pymatgen (LiFePO4) spelling",
            ),
            Material.reduced_formula,
            normalise=_reduced,
            fuzzy=False,
        ),
        _WholeFormula(
            _f(
                "chemical_formula_anonymous",
                "string",
                "materials.anonymous_formula",
                "anonymous formula; = accepts the OPTIMADE (A2B) and the pymatgen (AB2) spelling",
            ),
            Material.anonymous_formula,
            normalise=_anonymous,
            fuzzy=False,
        ),
        Scalar(
            _f("nsites", "integer", "structures.n_sites", "sites in the cell of any of its structures"),
            Structure.n_sites,
            via=_via_structures,
        ),
        Scalar(
            _f(
                "nperiodic_dimensions",
                "integer",
                "structures.material_id",
                "3 for a material with a crystal structure (periodic in three directions), else unknown",
            ),
            literal_column("3"),
            via=_via_structures,
        ),
        FeatureList(
            _f(
                "structure_features",
                "list",
                "structures.has_partial_occupancy",
                '["disorder"] when a structure of the material has partially occupied sites, else []',
            )
        ),
        Scalar(
            _f(P + "substance_id", "integer", "materials.substance_id", "ID of the substance (phase)"),
            Material.substance_id,
            nullable=False,
        ),
        Scalar(
            _f(
                P + "space_group",
                "integer",
                "materials.space_group_number",
                "space-group number; the substance's (substances.space_group_number) where the material "
                "has none",
            ),
            Material.space_group_number,
            fallback=(Substance.space_group_number, _via_substance),
        ),
        Scalar(
            _f(
                P + "crystal_system",
                "string",
                "substances.crystal_system",
                "crystal system of the substance (cubic, ...), case-insensitive",
            ),
            Substance.crystal_system,
            via=_via_substance,
            lower=True,
        ),
        Scalar(
            _f(P + "prototype", "string", "materials.prototype", "structure prototype label"),
            Material.prototype,
        ),
        Scalar(
            _f(
                P + "chemical_system",
                "string",
                "materials.chemical_system",
                "elements joined by '-', dopants included; = accepts any element order",
            ),
            Material.chemical_system,
            nullable=False,
            normalise=_system,
        ),
        Scalar(_f(P + "name", "string", "materials.name", "sample label or data-set row ID"), Material.name),
        Scalar(
            _f(
                P + "doi",
                "string",
                "refs.doi",
                "DOI of a reference of the material, its properties or structures (case-insensitive)",
            ),
            Reference.doi,
            via=_via_references,
            normalise=_doi,
            lower=True,
        ),
        Scalar(
            _f(P + "year", "integer", "refs.year", "publication year of one of those references"),
            Reference.year,
            via=_via_references,
        ),
        Scalar(
            _f(P + "dataset", "string", "datasets.name", "name of the data set it was imported from"),
            Dataset.name,
            via=_via_dataset,
        ),
    )
}

#: Searchable fields, by filter name.  Property quantities (``_matinfo_<quantity>``) come on top of these.
OPTIMADE_FIELDS: Mapping[str, OptimadeField] = MappingProxyType({k: f.info for k, f in FIELDS.items()})

#: OPTIMADE ``structures`` fields that exist in the standard but that matinfo cannot search.
_NOT_SEARCHABLE = {
    "chemical_formula_hill",
    "dimension_types",
    "lattice_vectors",
    "cartesian_site_positions",
    "species",
    "species_at_sites",
    "assemblies",
    "immutable_id",
    "type",
    "space_group_symmetry_operations_xyz",
    "space_group_symbol_hall",
    "space_group_symbol_hermann_mauguin",
    "space_group_symbol_hermann_mauguin_extended",
    "space_group_it_number",
    "site_coordination",
    "wyckoff_positions",
}


def lookup(prop: Prop) -> Field | None:
    """The field named by ``prop``; ``None`` for another provider's field (unknown by definition)."""
    name = prop.name
    if "." in name:
        raise fail(
            "nested property names (a.b) and relationships are not supported",
            prop,
            hint="filter on a top-level field, e.g. elements or _matinfo_doi",
        )
    if name in FIELDS:
        return FIELDS[name]
    if name.startswith(P):
        return _quantity_field(prop)
    m = re.fullmatch(r"_([a-z0-9]+)_.+", name)
    if m:
        warnings.warn(
            f"field {name!r} belongs to provider {m.group(1)!r}, not {PROVIDER_PREFIX!r}: "
            "it is treated as unknown (no comparison on it matches)",
            UserWarning,
            stacklevel=2,
        )
        return None
    close = difflib.get_close_matches(name, list(FIELDS), n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    hint += f"searchable fields: {', '.join(FIELDS)}, and {P}<quantity> for properties"
    problem = "unknown field"
    if name in _NOT_SEARCHABLE:
        problem = "this OPTIMADE field is not searchable in matinfo"
    raise fail(problem, prop, hint=hint)


def _quantity_field(prop: Prop) -> Field:
    from matinfo.core.quantities import find_quantity, list_quantities

    rest = prop.name[len(P) :]
    q = find_quantity(rest)
    if q is None:
        names = [n[len(P) :] for n in FIELDS if n.startswith(P)] + [q.name for q in list_quantities()]
        close = difflib.get_close_matches(rest, names, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(P + c) for c in close)}? " if close else ""
        own = ", ".join(n for n in FIELDS if n.startswith(P))
        hint += f"{P} fields: {own}, or {P}<quantity> for a quantity of matinfo.core.quantities"
        raise fail("unknown matinfo field or quantity", prop, hint=hint)
    if q.kind != "property":
        raise fail(
            f"{q.name} is a measurement condition, not a property of materials",
            prop,
            hint="OPTIMADE filters search property values; filter conditions with matinfo's own "
            "search (Query.conditions)",
        )
    unit = f" in {q.canonical_unit}" if q.canonical_unit else ""
    type_: FieldType = "float" if q.dtype == "number" else "boolean" if q.dtype == "bool" else "string"
    info = _f(prop.name, type_, f"properties.value of {q.name}{unit}", q.description)
    return QuantityField(info, q.name, q.dtype, q.canonical_unit)
