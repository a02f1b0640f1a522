"""Typed searches over substances, with unit-aware property ranges and measurement conditions.

>>> Query(elements=("Li", "O"), properties=("ionic_conductivity >= 0.1 mS/cm",)).properties[0].value
0.0001

A :class:`Query` combines, with AND, criteria on the reported materials (elements, formula, dataset,
reference, an OPTIMADE filter), on the substance (space group, crystal system, prototype) and on property
records (quantity + range in any unit, + conditions of the same record).  The result is one
:class:`~matinfo.store.views.SubstanceSummary` per matching substance.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from matinfo.errors import MatinfoError, QueryError
from matinfo.store import models as m
from matinfo.store.views import SubstanceSummary

__all__ = ["Query", "PropertyFilter", "ConditionFilter", "run_search", "OPERATORS"]

OPERATORS = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_CMP = re.compile(
    rf"^\s*(?P<name>[A-Za-z_][\w ]*?)\s*(?P<op>>=|<=|!=|==|=|>|<)\s*(?P<val>{_NUM})\s*(?P<unit>.*?)\s*$"
)
_RANGE = re.compile(
    rf"^\s*(?P<name>[A-Za-z_][\w ]*?)\s*(?:=|in|:)?\s*(?P<lo>{_NUM})\s*\.\.\s*(?P<hi>{_NUM})\s*(?P<unit>.*?)\s*$"
)
_TEXT = re.compile(r"^\s*(?P<name>[A-Za-z_][\w ]*?)\s*(?P<op>!=|==|=)\s*(?P<val>\S.*?)\s*$")
_HINT = (
    "write 'quantity OP number [unit]' (OP one of >= <= > < = !=), 'quantity lo..hi [unit]' "
    "or 'quantity = text', e.g. 'ionic_conductivity >= 0.1 mS/cm'"
)


def _parse_comparison(text: str, what: str) -> tuple[str, str, Any, Any, str | None]:
    """(name, op, value, value2, unit); op 'range' for lo..hi; text values for '= word'."""
    mt = _RANGE.match(text)
    if mt:
        return mt["name"].strip(), "range", float(mt["lo"]), float(mt["hi"]), mt["unit"] or None
    mt = _CMP.match(text)
    if mt:
        return mt["name"].strip(), mt["op"], float(mt["val"]), None, mt["unit"] or None
    mt = _TEXT.match(text)
    if mt:
        return mt["name"].strip(), mt["op"], mt["val"], None, None
    raise QueryError(f"cannot read this {what} filter", field=what, value=text, hint=_HINT)


@dataclass(frozen=True)
class PropertyFilter:
    """``quantity op value [unit]``; ``value`` is kept in the quantity's canonical unit."""

    quantity: str
    op: str
    value: float | str | bool
    value2: float | None = None  # upper end when op == "range"

    @classmethod
    def parse(cls, text: str) -> PropertyFilter:
        from matinfo.core.quantities import get_quantity, to_canonical

        name, op, v, v2, unit = _parse_comparison(text, "property")
        try:
            q = get_quantity(name)
        except MatinfoError as e:
            raise QueryError(str(e), field="property", value=text) from None
        if isinstance(v, str):
            low = v.lower()
            if low in ("true", "false", "yes", "no"):
                return cls(q.name, op, low in ("true", "yes"))
            return cls(q.name, op, v)
        unit = unit or q.canonical_unit or None  # a bare number is in the quantity's canonical unit
        try:
            v = to_canonical(q.name, v, unit)
            v2 = to_canonical(q.name, v2, unit) if v2 is not None else None
        except MatinfoError as e:
            raise QueryError(str(e), field="property", value=text) from None
        return cls(q.name, op, v, v2)

    def clause(self) -> ColumnElement[bool]:
        return and_(
            m.Property.quantity == self.quantity,
            _compare(m.Property.value, m.Property.value_text, self.op, self.value, self.value2),
        )


@dataclass(frozen=True)
class ConditionFilter:
    """A condition of the same property record, e.g. ``temperature <= 310 K`` or ``atmosphere = Ar``."""

    key: str
    op: str
    value: float | str | bool
    value2: float | None = None

    @classmethod
    def parse(cls, text: str) -> ConditionFilter:
        from matinfo.core.quantities import get_quantity, to_canonical

        name, op, v, v2, unit = _parse_comparison(text, "condition")
        key = name.strip().lower().replace(" ", "_").replace("-", "_")
        try:
            q = get_quantity(name)
            key = q.name
        except MatinfoError:
            q = None
        if isinstance(v, str):
            return cls(key, op, v)
        if q is not None:
            unit = unit or q.canonical_unit or None
            try:
                v = to_canonical(q.name, v, unit)
                v2 = to_canonical(q.name, v2, unit) if v2 is not None else None
            except MatinfoError as e:
                raise QueryError(str(e), field="condition", value=text) from None
        return cls(key, op, v, v2)

    def clause(self) -> ColumnElement[bool]:
        if self.key == "temperature" and not isinstance(self.value, str):
            return _compare(m.Property.temperature_K, None, self.op, self.value, self.value2)
        entry = m.Property.conditions[self.key]
        if isinstance(self.value, str):
            return _compare(None, entry.as_string(), self.op, self.value, None)
        if isinstance(self.value, bool):
            return entry.as_boolean() == self.value
        return _compare(entry.as_float(), None, self.op, self.value, self.value2)


def _compare(num_col, text_col, op: str, value, value2) -> ColumnElement[bool]:
    if op == "range":
        return num_col.between(min(value, value2), max(value, value2))
    if isinstance(value, bool):
        return OPERATORS[op](m.Property.value, 1.0 if value else 0.0)
    if isinstance(value, str):
        if text_col is None:
            raise QueryError("this field has numbers, not text", value=value, hint=_HINT)
        return OPERATORS[op](func.lower(text_col), value.lower())
    return OPERATORS[op](num_col, value)


def _as_tuple(v) -> tuple:
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(x.strip() for x in re.split(r"[,\s]+", v) if x.strip())
    return tuple(v)


@dataclass(frozen=True)
class Query:
    """Search criteria, ANDed.  String forms are accepted for properties and conditions."""

    elements: Sequence[str] = ()  # all of them
    elements_any: Sequence[str] = ()
    elements_none: Sequence[str] = ()
    nelements: int | tuple[int, int] | None = None
    formula: str | None = None  # any notation, any scale; compared by exact atomic fractions
    reduced_formula: str | None = None
    chemical_system: str | None = None
    space_group: int | str | None = None
    crystal_system: str | None = None
    prototype: str | None = None
    properties: Sequence[PropertyFilter | str] = ()
    conditions: Sequence[ConditionFilter | str] = ()
    method: str | None = None
    doi: str | None = None
    year: int | tuple[int, int] | None = None
    author: str | None = None
    dataset: str | None = None
    filter: str | None = None  # OPTIMADE filter string
    limit: int | None = 100
    offset: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("elements", "elements_any", "elements_none"):
            set_(self, name, tuple(_element(e) for e in _as_tuple(getattr(self, name))))
        set_(
            self,
            "properties",
            tuple(p if isinstance(p, PropertyFilter) else PropertyFilter.parse(p) for p in self.properties),
        )
        set_(
            self,
            "conditions",
            tuple(c if isinstance(c, ConditionFilter) else ConditionFilter.parse(c) for c in self.conditions),
        )


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


def _child(material_id_col, conds: list, correlated: bool, negate: bool = False) -> ColumnElement[bool]:
    """ "The material has a row in a child table meeting ``conds``", as ``IN (SELECT ...)`` or correlated EXISTS."""
    if correlated or negate:  # NOT IN would make PostgreSQL scan every material (NULL semantics)
        e = exists().where(material_id_col == m.Material.id, *conds)
        return ~e if negate else e
    return m.Material.id.in_(select(material_id_col).where(*conds))


def _material_clauses(q: Query, *, correlated: bool = False) -> list[ColumnElement[bool]]:
    """The material-level criteria of ``q``; ``correlated`` gives EXISTS forms (see :func:`run_search`)."""
    from matinfo.store.prepare import space_group_number

    c: list[ColumnElement[bool]] = []
    el = m.MaterialElement
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
        system = "-".join(sorted(_element(x) for x in q.chemical_system.split("-")))
        c.append(m.Material.chemical_system == system)
    if q.dataset:
        c.append(m.Material.dataset_id.in_(select(m.Dataset.id).where(m.Dataset.name == q.dataset)))
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
    for pf in q.properties:
        pc = [pf.clause(), *(cf.clause() for cf in q.conditions)]
        if q.method:
            pc.append(m.Property.method == q.method)
        c.append(_child(m.Property.material_id, pc, correlated))
    if not q.properties and (q.conditions or q.method):
        pc = [cf.clause() for cf in q.conditions]
        if q.method:
            pc.append(m.Property.method == q.method)
        c.append(_child(m.Property.material_id, pc, correlated))
    if q.filter:
        from matinfo.store.optimade import optimade_clause

        c.append(optimade_clause(q.filter))
    if q.space_group is not None:
        sg = space_group_number(q.space_group, field="space_group")
        c.append(
            m.Material.substance_id.in_(select(m.Substance.id).where(m.Substance.space_group_number == sg))
        )
    return c


#: How many substances (in ID order) the first, "dense" search plan scans before it gives up for the second.
SCAN_WINDOW = 5_000


def run_search(s: Session, q: Query) -> list[SubstanceSummary]:
    """Run ``q``: one page of substances in ID order, with counts.

    Two plans, because no single SQL shape is fast for both kinds of search on SQLite:

    * **dense** (many matches, e.g. "oxides with ΔHf < −1 eV/atom"): walk substances in ID order and test each
      with correlated EXISTS until the page is full — stops after a few hundred rows;
    * **sparse** (few matches, e.g. "LiCoO2" or "Li and Ti and a gap"): build the set of matching materials from
      the indexes (``IN (SELECT ...)``) and take its first page.

    The dense plan runs first on the first :data:`SCAN_WINDOW` substances only; if that fills the page, the page
    is exactly the first page of the full result (IDs are scanned in order).  Otherwise the sparse plan runs.
    """
    sub_c: list[ColumnElement[bool]] = []
    if q.crystal_system:
        sub_c.append(func.lower(m.Substance.crystal_system) == q.crystal_system.lower())
    if q.prototype:
        sub_c.append(m.Substance.prototype == q.prototype)
    mat_c = _material_clauses(q)
    if mat_c and q.limit is not None and not q.filter and _walk_by_nelements(s, q):
        return _summaries(s, _nelements_walk(s, q, sub_c))
    # The OPTIMADE translation is made of IN sub-queries, which SQLite re-runs per row inside EXISTS.
    if mat_c and q.limit is not None and not q.filter:
        bound = s.scalar(select(m.Substance.id).order_by(m.Substance.id).offset(SCAN_WINDOW).limit(1))
        dense = select(m.Substance).where(
            exists().where(m.Material.substance_id == m.Substance.id, *_material_clauses(q, correlated=True)),
            *sub_c,
        )
        if bound is not None:
            dense = dense.where(m.Substance.id < bound)
        subs = list(s.scalars(dense.order_by(m.Substance.id).offset(q.offset).limit(q.limit)))
        if len(subs) == q.limit or bound is None:
            return _summaries(s, subs)
    stmt = select(m.Substance)
    if mat_c:
        stmt = stmt.where(m.Substance.id.in_(select(m.Material.substance_id).where(*mat_c)))
    stmt = stmt.where(*sub_c).order_by(m.Substance.id).offset(q.offset)
    if q.limit is not None:
        stmt = stmt.limit(q.limit)
    subs = list(s.scalars(stmt))
    return _summaries(s, subs)


#: Most materials the ``nelements`` walk may expect to test before its page is full.
WALK_BUDGET = 25_000
#: Counts stop here: beyond it an element is "common" and the exact number does not change the choice.
_COUNT_CAP = 200_000


def _capped_count(s: Session, stmt) -> int:
    return s.scalar(select(func.count()).select_from(stmt.limit(_COUNT_CAP).subquery())) or 0


def _walk_by_nelements(s: Session, q: Query) -> bool:
    """Whether the page is best found by walking the materials with ``nelements = n`` in substance order.

    The index ``(nelements, substance_id)`` gives them in the order of the result, so the walk stops once the
    page is full, after about ``(offset + limit) / density`` materials, the density of the other criteria
    estimated from the element counts (one capped index count each, < 1 ms) as if the elements were
    independent.  That under-estimates compounds of elements that go together (Li and O), so it errs towards
    the other plans.  Criteria without a cheap estimate (properties, formulas) leave the walk out.
    """
    if not isinstance(q.nelements, int) or isinstance(q.nelements, bool):
        return False
    if q.properties or q.conditions or q.method or q.formula or q.reduced_formula or q.chemical_system:
        return False
    el = m.MaterialElement
    total = s.scalar(select(func.max(m.Material.id))) or 0
    if not total:
        return False
    density = 1.0
    for e in q.elements:
        density *= _capped_count(s, select(el.material_id).where(el.element == e)) / total
    if q.elements_any:
        density *= min(
            1.0, _capped_count(s, select(el.material_id).where(el.element.in_(q.elements_any))) / total
        )
    need = q.offset + (q.limit or 0)
    expected = need / density if density > 0 else float("inf")
    if expected <= WALK_BUDGET:
        return True
    walk = select(m.Material.id).where(m.Material.nelements == q.nelements).limit(WALK_BUDGET + 1)
    return (s.scalar(select(func.count()).select_from(walk.subquery())) or 0) <= WALK_BUDGET


def _nelements_walk(s: Session, q: Query, sub_c: list[ColumnElement[bool]]) -> list[m.Substance]:
    """The page from the materials with ``nelements = n``, walked in substance order (see above)."""
    ids_q = (
        select(m.Material.substance_id)
        .where(*_material_clauses(q, correlated=True))
        .distinct()
        .order_by(m.Material.substance_id)
    )
    if sub_c:
        ids_q = ids_q.where(m.Material.substance_id.in_(select(m.Substance.id).where(*sub_c)))
    ids = list(s.scalars(ids_q.offset(q.offset).limit(q.limit)))
    if not ids:
        return []
    return list(s.scalars(select(m.Substance).where(m.Substance.id.in_(ids)).order_by(m.Substance.id)))


def _summaries(s: Session, subs: list[m.Substance]) -> list[SubstanceSummary]:
    if not subs:
        return []
    ids = [x.id for x in subs]
    counts: dict[str, dict[int, int]] = {}
    for name, model in (("materials", m.Material), ("structures", m.Structure), ("properties", m.Property)):
        counts[name] = dict(
            s.execute(
                select(model.substance_id, func.count())
                .where(model.substance_id.in_(ids))
                .group_by(model.substance_id)
            ).all()
        )
    formulas: dict[int, list[str]] = {}
    for sid, f in s.execute(
        select(m.Material.substance_id, m.Material.formula)
        .where(m.Material.substance_id.in_(ids))
        .distinct()
        .order_by(m.Material.substance_id, m.Material.formula)
    ):
        lst = formulas.setdefault(sid, [])
        if len(lst) < 5:
            lst.append(f)
    return [
        SubstanceSummary(
            x.id,
            x.reduced_formula,
            x.chemical_system,
            x.space_group_number,
            x.crystal_system,
            x.prototype,
            counts["materials"].get(x.id, 0),
            counts["structures"].get(x.id, 0),
            counts["properties"].get(x.id, 0),
            formulas.get(x.id, []),
        )
        for x in subs
    ]
