"""SQL clauses of a :class:`~matinfo.store.search.Query`'s criteria: elements, formula, dataset, references,
property records with their conditions and method, space group, the OPTIMADE filter.

Owns the clause builders (``IN (SELECT ...)`` or correlated ``EXISTS`` forms, :func:`_material_clauses`,
:func:`_child_checks`, :func:`_property_conds`) and the normalisation of element symbols and formulas the
clauses compare against (:func:`_element`, :func:`_formula_key`).  Used by the search, its planner and the
export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, literal_column, or_, select

from matinfo.errors import MatinfoError, QueryError
from matinfo.store import models as m

if TYPE_CHECKING:
    from matinfo.store.search import PropertyFilter, Query


def _element(symbol: str) -> str:
    from pymatgen.core.periodic_table import Element

    s = symbol.strip()
    s = s[:1].upper() + s[1:].lower()
    if not Element.is_valid_symbol(s):
        raise QueryError(
            "not an element symbol", field="elements", value=symbol, hint="use symbols such as Li, O, Zr"
        )
    return s


def _formula_key(formula: str) -> str | None:
    from matinfo.core.formula import parse_formula
    from matinfo.core.keys import formula_hash

    try:
        parsed = parse_formula(formula, field="formula")
    except MatinfoError as e:
        raise QueryError(str(e), field="formula", value=formula) from None
    if not parsed.is_resolved:  # a variable formula: match it as printed
        return None
    return formula_hash(parsed.composition)


def _range(col, v) -> ColumnElement[bool]:
    if isinstance(v, tuple | list):
        return col.between(v[0], v[1])
    return col == v


def exists_row(*conds: ColumnElement[bool]) -> ColumnElement[bool]:
    """``EXISTS (SELECT 1 FROM ... WHERE conds)``: ``SELECT 1``, not ``*``, so that SQLite answers from a covering
    index (``material_elements`` primary key, ``properties (material_id, quantity, value)``) without the row."""
    return select(literal_column("1")).where(*conds).exists()


def _child(material_id_col, conds: list, correlated: bool, negate: bool = False) -> ColumnElement[bool]:
    """ "The material has a row in a child table meeting ``conds``", as ``IN (SELECT ...)`` or correlated EXISTS."""
    if correlated or negate:  # NOT IN would make PostgreSQL scan every material (NULL semantics)
        e = exists_row(material_id_col == m.Material.id, *conds)
        return ~e if negate else e
    return m.Material.id.in_(select(material_id_col).where(*conds))


def _child_checks(q: Query, mid: Any, skip: frozenset = frozenset()) -> list[ColumnElement[bool]]:
    """The criteria of ``q`` on child tables (elements, property records) as correlated ``EXISTS`` on the
    material-ID column ``mid``; answered from covering indexes where the criterion allows.  ``skip``: what
    the caller guarantees already (``"elements"``: the all / any element sets; a property filter)."""
    el, p = m.MaterialElement, m.Property
    c: list[ColumnElement[bool]] = []
    if "elements" not in skip:
        c += [exists_row(el.material_id == mid, el.element == e) for e in q.elements]
        if q.elements_any:
            c.append(exists_row(el.material_id == mid, el.element.in_(q.elements_any)))
    if q.elements_none:
        c.append(~exists_row(el.material_id == mid, el.element.in_(q.elements_none)))
    for pf in q.properties:
        if pf not in skip:
            c.append(exists_row(p.material_id == mid, *_property_conds(q, pf)))
    if not q.properties and (q.conditions or q.method):
        c.append(exists_row(p.material_id == mid, *_property_conds(q, None)))
    return c


def _material_clauses(
    q: Query,
    *,
    correlated: bool = False,
    optimade: ColumnElement[bool] | None = None,
    children: bool = True,
) -> list[ColumnElement[bool]]:
    """The material-level criteria of ``q``; ``correlated`` gives EXISTS forms (see :func:`run_search`).

    ``optimade``: the clause of ``q.filter`` when the caller has translated it already; ``children=False``
    leaves out the criteria of :func:`_child_checks` (a driver plan tests them on the driver's rows).
    """
    from matinfo.store.prepare import space_group_number

    c: list[ColumnElement[bool]] = []
    el = m.MaterialElement
    if children:
        for e in q.elements:
            c.append(_child(el.material_id, [el.element == e], correlated))
        if q.elements_any:
            c.append(_child(el.material_id, [el.element.in_(q.elements_any)], correlated))
        if q.elements_none:
            c.append(_child(el.material_id, [el.element.in_(q.elements_none)], correlated, negate=True))
    if q.nelements is not None:
        c.append(_range(m.Material.nelements, q.nelements))
    if q.formula:
        key = _formula_key(q.formula)
        c.append(m.Material.formula_hash == key if key else m.Material.formula == q.formula.strip())
    if q.reduced_formula:
        c.append(m.Material.reduced_formula == q.reduced_formula.strip())
    if q.chemical_system:
        c.append(m.Material.chemical_system == _system(q.chemical_system))
    if q.dataset:
        c.append(m.Material.dataset_id.in_(_dataset_ids(q.dataset)))
    ref_c = []
    if q.doi:
        from matinfo.core.records import normalize_doi

        ref_c.append(m.Reference.doi == normalize_doi(q.doi))
    if q.year is not None:
        ref_c.append(_range(m.Reference.year, q.year))
    if q.author:
        ref_c.append(func.lower(m.Reference.authors).contains(q.author.lower(), autoescape=True))
    if ref_c:
        refs = select(m.Reference.id).where(*ref_c)
        c.append(
            or_(
                m.Material.reference_id.in_(refs),
                _child(m.Property.material_id, [m.Property.reference_id.in_(refs)], correlated),
            )
        )
    if children:
        for pf in q.properties:
            c.append(_child(m.Property.material_id, _property_conds(q, pf), correlated))
        if not q.properties and (q.conditions or q.method):
            c.append(_child(m.Property.material_id, _property_conds(q, None), correlated))
    if q.filter:
        if optimade is None:
            from matinfo.store.optimade import optimade_clause

            optimade = optimade_clause(q.filter)
        c.append(optimade)
    if q.space_group is not None:
        sg = space_group_number(q.space_group, field="space_group")
        c.append(
            m.Material.substance_id.in_(select(m.Substance.id).where(m.Substance.space_group_number == sg))
        )
    return c


def _system(text: str) -> str:
    return "-".join(sorted(_element(x) for x in text.split("-")))


def _dataset_ids(name: str):
    return select(m.Dataset.id).where(m.Dataset.name == name)


def _property_conds(
    q: Query, pf: PropertyFilter | None, table: Any = m.Property
) -> list[ColumnElement[bool]]:
    """Conditions on one property row: the filter, the conditions of the same record, the method."""
    pc = [pf.clause(table)] if pf is not None else []
    pc += [cf.clause(table) for cf in q.conditions]
    if q.method:
        pc.append(table.method == q.method)
    return pc
