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

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, aliased

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

    def clause(self, table: Any = m.Property) -> ColumnElement[bool]:
        """The condition on one row of ``properties`` (or of an alias of it, ``table``)."""
        return and_(
            table.quantity == self.quantity,
            _compare(table.value, table.value_text, self.op, self.value, self.value2),
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

    def clause(self, table: Any = m.Property) -> ColumnElement[bool]:
        if self.key == "temperature" and not isinstance(self.value, str):
            return _compare(table.temperature_K, None, self.op, self.value, self.value2)
        entry = table.conditions[self.key]
        if isinstance(self.value, str):
            return _compare(None, entry.as_string(), self.op, self.value, None)
        if isinstance(self.value, bool):
            return entry.as_boolean() == self.value
        return _compare(entry.as_float(), None, self.op, self.value, self.value2)


def _compare(num_col, text_col, op: str, value, value2) -> ColumnElement[bool]:
    if op == "range":
        return num_col.between(min(value, value2), max(value, value2))
    if isinstance(value, bool):
        return OPERATORS[op](num_col, 1.0 if value else 0.0)
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


# ------------------------------------------------------------------------------------------------------------
# Plans

#: Counts stop here: beyond it a criterion is "common" and the exact number does not change the choice.
COUNT_CAP = 50_000
#: Relative costs (≈ µs on SQLite) the planner compares: reading one row of a driving index, joining one more
#: element to it, one correlated EXISTS probe, reading a driver's survivor from ``materials``, testing one
#: substance ID of a walk, one row of the ``(nelements, substance_id)`` walk.
COST = {"row": 0.3, "join": 0.3, "check": 0.5, "survivor": 0.8, "walk": 1.0, "walk-nelements": 0.4}
#: A walk's first stretch covers this many times the ID span the estimate needs (plus :data:`WALK_MIN_SPAN`)
#: where the estimate says walk; where it says drive, a first stretch costing :data:`WALK_PROBE` times the
#: driver still tries, since independent criteria are a poor guess for criteria that go together.
WALK_SAFETY = 3.0
WALK_MIN_SPAN = 2_000
WALK_PROBE = 0.25
WALK_HOPELESS = 20.0
#: Walks shorter than this (substance IDs) are not worth their round trip: the driver runs.
WALK_MIN_WINDOW = 500
#: Tests set this to "walk", "walk-nelements" or "driver" to force a plan (where it applies).
FORCE_PLAN: str | None = None


@dataclass
class Plan:
    """How :func:`run_search` finds a page: the estimates and the plan they chose."""

    #: ``walk`` (substances in ID order, each tested with correlated EXISTS), ``walk-nelements`` (the index
    #: ``materials (nelements, substance_id)`` in substance order), ``driver`` (the materials of the most
    #: selective indexed criterion, each tested with correlated EXISTS, then sorted), ``plain`` (one query: no
    #: material criteria, or no page limit).
    name: str
    #: The driving criterion of a ``driver`` plan (``elements Li,Ti``, ``band_gap``, ...); for information.
    driver: str | None = None
    #: Estimated rows read by the driver, substance IDs a walk must cover, and the density of the result.
    driver_rows: int | None = None
    walk_span: float | None = None
    #: Substance IDs the first stretch of a walk covers, and the estimated cost of the driver and of a walk
    #: (in µs-like units, see :data:`COST`).
    walk_window: float | None = None
    driver_cost: float | None = None
    walk_cost: float | None = None
    walk_rate: float | None = None
    density: float | None = None
    #: Materials and substances in the store (largest IDs), and the first substance ID.
    materials: int = 0
    substances: int = 0
    first_substance: int = 0

    def __str__(self) -> str:
        parts = [self.name]
        if self.driver:
            parts.append(f"by {self.driver} (~{self.driver_rows:,} rows)")
        if self.density is not None:
            parts.append(f"density ~{self.density:.2g}")
        return ", ".join(parts)


@dataclass
class _Terms:
    """The criteria the planner can count, from the query and the top-level terms of its OPTIMADE filter."""

    all_: list[str]
    anys: list[tuple[str, ...]]
    none: list[str]
    nelements: tuple[int, int] | None  # inclusive range
    optimade: ColumnElement[bool] | None


_NEL_MAX = 10**6


def _terms(q: Query) -> _Terms:
    all_ = list(q.elements)
    anys = [tuple(q.elements_any)] if q.elements_any else []
    none = list(q.elements_none)
    lo, hi = 0, _NEL_MAX
    if q.nelements is not None:
        a, b = q.nelements if isinstance(q.nelements, tuple | list) else (q.nelements, q.nelements)
        lo, hi = max(lo, int(a)), min(hi, int(b))
    clause = None
    if q.filter:
        from matinfo.store.optimade import optimade_plan

        clause, hints = optimade_plan(q.filter)
        for h in hints:
            if h[0] == "all":
                all_ += h[1]
            elif h[0] == "any":
                anys.append(tuple(h[1]))
            elif h[0] == "none":
                none += h[1]
            elif h[0] == "nelements" and isinstance(h[2], int | float):
                op, n = h[1], h[2]
                if op == "=":
                    lo, hi = max(lo, _ceil(n)), min(hi, _floor(n))
                elif op in (">", ">="):
                    lo = max(lo, _floor(n) + 1 if op == ">" else _ceil(n))
                elif op in ("<", "<="):
                    hi = min(hi, _ceil(n) - 1 if op == "<" else _floor(n))
    nel = None if (lo, hi) == (0, _NEL_MAX) else (lo, hi)
    return _Terms(
        list(dict.fromkeys(all_)), list(dict.fromkeys(anys)), list(dict.fromkeys(none)), nel, clause
    )


def _floor(x: float) -> int:
    import math

    return math.floor(x)


def _ceil(x: float) -> int:
    import math

    return math.ceil(x)


def _capped(stmt) -> Any:
    """``min(count(stmt), COUNT_CAP)`` as a scalar sub-query: an index-only count that stops at the cap."""
    return select(func.count()).select_from(stmt.limit(COUNT_CAP).subquery()).scalar_subquery()


#: Size (material IDs) of the sample that stands for a common criterion in the density estimate.
SAMPLE = 5_000
#: PostgreSQL: from this many materials on, the planner's row estimates replace the counts.
PG_ESTIMATES_FROM = 50_000


def _count(stmt) -> Any:
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery()


def _el_sample(cond):
    el = m.MaterialElement
    return lambda mat0, sub0: select(el.material_id).where(
        cond, el.material_id.between(mat0, mat0 + SAMPLE - 1)
    )


def _nel_sample(lo: int, hi: int):
    mat = m.Material
    if hi - lo <= 12:  # a few values: seeks in (nelements, substance_id), over the first SAMPLE substances
        values = list(range(lo, hi + 1))
        return lambda mat0, sub0: select(mat.id).where(
            mat.nelements.in_(values), mat.substance_id.between(sub0, sub0 + SAMPLE - 1)
        )
    return lambda mat0, sub0: select(mat.id).where(
        mat.id.between(mat0, mat0 + SAMPLE - 1), mat.nelements.between(lo, hi)
    )


def _prop_sample(pf: PropertyFilter):
    p = m.Property  # BETWEEN on material_id: the (material_id, quantity, value) index, not the value range
    return lambda mat0, sub0: select(p.material_id).where(
        p.material_id.between(mat0, mat0 + SAMPLE - 1), pf.clause()
    )


def _mat_sample(cond):
    mat = m.Material
    return lambda mat0, sub0: select(mat.id).where(mat.id.between(mat0, mat0 + SAMPLE - 1), cond)


def _pg_estimates(s: Session, crit: list[tuple[str, Any, Any]]) -> dict[str, int] | None:
    """PostgreSQL's own row estimates of the criteria (``EXPLAIN``, no execution: its statistics know the
    element frequencies and value histograms), instead of counting up to 50,000 index entries each; ``None``
    when a criterion cannot be rendered for ``EXPLAIN`` (the caller counts instead)."""
    import json

    conn = s.connection()
    out: dict[str, int] = {}
    try:
        for k, stmt, _ in crit:
            sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql.replace("%", "%%")).scalar()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            out[k] = int(plan[0]["Plan"]["Plan Rows"])
    except Exception:  # noqa: BLE001 - a value without a literal form: count instead
        return None
    return out


def _numeric(pf: PropertyFilter) -> bool:
    return pf.op != "!=" and not isinstance(pf.value, str | bool)


def plan_search(s: Session, q: Query, terms: _Terms | None = None) -> tuple[Plan, _Driver | None]:
    """Choose the plan of ``q`` from cheap estimates; returns the plan and its most selective criterion.

    The estimates come from one round trip of capped index counts (:data:`COUNT_CAP`): the materials of each
    element, element set, property range, element count and formula key of the query (and of the top-level
    AND terms of its OPTIMADE filter), as if the criteria were independent.  Then

    * a **driver** plan reads the materials of its most selective indexed criterion — for elements the index
      ``material_elements (element, material_id)`` joined with itself, rarest element first, index-only — and
      tests each with correlated ``EXISTS`` on the other criteria: cost ≈ the rows of the driver;
    * a **walk** tests substances in ID order until the page is full: cost ≈ page / density, or, with an exact
      element count, walks ``materials (nelements, substance_id)`` (cost ≈ page / density among those).

    The cheaper wins.  Both give the exact page; the estimate only decides how fast.
    """
    t = terms if terms is not None else _terms(q)
    el = m.MaterialElement
    counts: list[tuple[str, Any]] = [
        ("materials", select(func.max(m.Material.id)).scalar_subquery()),
        ("substances", select(func.max(m.Substance.id)).scalar_subquery()),
        ("first", select(func.min(m.Substance.id)).scalar_subquery()),
        ("first_material", select(func.min(m.Material.id)).scalar_subquery()),
    ]
    # per criterion: the rows it selects, and the same rows among the first SAMPLE material IDs (a function of
    # the first material and substance IDs), asked for only when the count reaches the cap
    crit: list[tuple[str, Any, Any]] = []
    for e in t.all_:
        cond = el.element == e
        crit.append((f"all:{e}", select(el.material_id).where(cond), _el_sample(cond)))
    for i, a in enumerate(t.anys):
        cond = el.element.in_(a)
        crit.append((f"any:{i}", select(el.material_id).where(cond), _el_sample(cond)))
    if t.none:
        cond = el.element.in_(t.none)
        crit.append(("none", select(el.material_id).where(cond), _el_sample(cond)))
    if t.nelements is not None:
        lo, hi = t.nelements
        crit.append(
            (
                "nelements",
                select(m.Material.id).where(m.Material.nelements.between(lo, hi)),
                _nel_sample(lo, hi),
            )
        )
    numeric = [pf for pf in q.properties if _numeric(pf)]
    for i, pf in enumerate(numeric):
        crit.append((f"prop:{i}", select(m.Property.material_id).where(pf.clause()), _prop_sample(pf)))
    keyed: list[tuple[str, ColumnElement[bool]]] = []
    if q.formula:
        key = _formula_key(q.formula)
        keyed.append(
            ("formula", m.Material.formula_hash == key if key else m.Material.formula == q.formula.strip())
        )
    if q.reduced_formula:
        keyed.append(("reduced formula", m.Material.reduced_formula == q.reduced_formula.strip()))
    if q.chemical_system:
        keyed.append(("chemical system", m.Material.chemical_system == _system(q.chemical_system)))
    if q.dataset:
        keyed.append(("dataset", m.Material.dataset_id.in_(_dataset_ids(q.dataset))))
    for name, cond in keyed:
        crit.append((f"key:{name}", select(m.Material.id).where(cond), _mat_sample(cond)))
    estimates = None
    if s.get_bind().dialect.name == "postgresql":
        # a large store: PostgreSQL's statistics estimate each criterion without reading it (a small one, maybe
        # never analysed, is counted: that is cheap there)
        ids = s.execute(select(*(c for _, c in counts))).one()
        if (ids[0] or 0) >= PG_ESTIMATES_FROM:
            estimates = _pg_estimates(s, crit)
        if estimates is None:
            counts = [(k, literal_column(str(int(v))) if v is not None else literal_column("NULL"))
                      for (k, _), v in zip(counts, ids, strict=True)]  # fmt: skip
    if estimates is None:
        counts += [(k, _capped(stmt)) for k, stmt, _ in crit]
        row = s.execute(select(*(c for _, c in counts))).one()
    else:
        row = ids
    n = dict(zip((k for k, _ in counts), row, strict=True))
    total, n_sub = int(n.pop("materials") or 0), int(n.pop("substances") or 0)
    first, first_mat = int(n.pop("first") or 0), int(n.pop("first_material") or 0)
    if estimates is not None:
        n.update({k: min(v, COUNT_CAP) for k, v in estimates.items()})
    plan = Plan("plain", materials=total, substances=n_sub, first_substance=first)
    if not total:
        return plan, None

    # density of the result among materials, criteria taken as independent; a criterion whose count reached
    # the cap is common, and its share among the first SAMPLE materials (where a walk starts) stands for it
    share = {k: min(v, total) / total for k, v in (estimates or n).items()}
    capped = [(k, sample) for k, _, sample in crit if n[k] >= COUNT_CAP and estimates is None]
    if capped:
        got = s.execute(select(*(_count(sample(first_mat, first)) for _, sample in capped))).one()
        for (k, _), v in zip(capped, got, strict=True):
            share[k] = max(min(1.0, (v or 0) / SAMPLE), 1.0 / SAMPLE)
    density = 1.0
    for k, sel in share.items():
        density *= 1.0 - sel if k == "none" else sel
    plan.density = density

    # child-table criteria a driver row is tested on (correlated EXISTS), driver aside
    n_el = len(t.all_) + len(t.anys)
    n_props = len(q.properties) + (1 if not q.properties and (q.conditions or q.method) else 0)
    children = n_el + (1 if t.none else 0) + n_props
    survivors = density * total * COST["survivor"]
    drivers: list[_Driver] = []
    if t.all_ or t.anys:
        drivers.append(_element_driver(t, n, children - n_el))
    if t.nelements is not None:
        lo, hi = t.nelements
        rows = n["nelements"]
        cost = rows * (COST["row"] + COST["check"] * children)
        drivers.append(_Driver(rows, "nelements", cond=m.Material.nelements.between(lo, hi), cost=cost))
    for i, pf in enumerate(numeric):
        alias = aliased(m.Property)  # the filter, its conditions and method on the same row
        stmt = select(alias.material_id).where(*_property_conds(q, pf, alias))
        rows = n[f"prop:{i}"]
        cost = rows * (COST["row"] + COST["check"] * (children - 1))
        drivers.append(_Driver(rows, pf.quantity, stmt=stmt, col=alias.material_id, covers=pf, cost=cost))
    for name, cond in keyed:
        rows = n[f"key:{name}"]
        drivers.append(_Driver(rows, name, cond=cond, cost=rows * (COST["row"] + COST["check"] * children)))
    for d in drivers:
        d.cost += survivors
    best = min(drivers, key=lambda d: d.cost) if drivers else None
    if best is not None:
        plan.driver, plan.driver_rows, plan.driver_cost = best.label, best.rows, best.cost

    if q.limit is None:  # every match is wanted: no walk can stop early
        plan.name = "driver" if best is not None else "plain"
        return plan, best
    need = q.offset + q.limit
    per_mat = max(total, 1) / max(n_sub, 1)
    per_sub = min(1.0, density * per_mat)  # a substance matches when one of its materials does
    span = need / per_sub if per_sub > 0 else float("inf")
    plan.walk_span = span
    # cost of walking one substance ID: its materials, tested; the nelements walk reads only the n-element ones
    name, rate = "walk", per_mat * COST["walk"]
    if t.nelements is not None and t.nelements[0] == t.nelements[1]:
        frac = max(min(n["nelements"], total) / total, 0.01)
        name, rate = "walk-nelements", per_mat * frac * COST["walk-nelements"]
    plan.walk_rate, plan.walk_cost = rate, span * rate
    forced = FORCE_PLAN if FORCE_PLAN in ("walk", name, "driver") else None
    if forced == "driver" and best is not None:
        window = 0.0
    elif best is None or forced is not None:
        window = WALK_SAFETY * span + WALK_MIN_SPAN
        name = forced if forced and forced.startswith("walk") else name
    elif span * rate <= best.cost:  # the estimate says walk; the driver takes over if the window falls short
        window = WALK_SAFETY * span + WALK_MIN_SPAN
    elif s.get_bind().dialect.name == "postgresql":
        # PostgreSQL runs a long stretch as hash joins over the whole tables, not as a walk: no trial stretch
        window = 0.0
    else:  # the estimate says drive: a first stretch of walk, a fraction of the driver's cost, tries first
        window = best.cost * WALK_PROBE / rate
        if span > WALK_HOPELESS * window:  # ... unless even a much denser result would not fill it
            window = 0.0
    if window < WALK_MIN_WINDOW and best is not None:
        plan.name = "driver"
    else:
        plan.name, plan.walk_window = name, window
    return plan, best


@dataclass
class _Driver:
    """The most selective criterion of a driver plan: rows it reads, and either a query of material IDs from a
    child table (``stmt``, its material-ID column ``col``) or a condition on ``materials`` (``cond``)."""

    rows: int
    label: str
    stmt: Any = None
    col: Any = None
    cond: ColumnElement[bool] | None = None
    #: The criterion the driver's rows satisfy already (see :func:`_child_checks`).
    covers: Any = None
    #: Estimated cost of reading and testing its rows (:data:`COST` units).
    cost: float = 0.0


def _element_driver(t: _Terms, n: dict[str, int], checks: int) -> _Driver:
    """The materials with every element of ``t.all_`` and one of each set of ``t.anys``: the element index
    joined with itself, from the rarest element (or smallest set) on, index-only.  A material may come more
    than once (two elements of a set); the driver is used as ``IN (...)``."""
    el = m.MaterialElement
    parts: list[tuple[int, str, Any]] = [(n[f"all:{e}"], e, lambda col, e=e: col == e) for e in t.all_]
    parts += [(n[f"any:{i}"], "|".join(a), lambda col, a=a: col.in_(a)) for i, a in enumerate(t.anys)]
    parts.sort(key=lambda p: p[0])
    root = aliased(el)
    stmt = select(root.material_id).where(parts[0][2](root.element))
    for _, _, cond in parts[1:]:
        other = aliased(el)
        stmt = stmt.join(other, and_(other.material_id == root.material_id, cond(other.element)))
    label = "elements " + " & ".join(p[1] for p in parts)
    rows = parts[0][0]
    cost = rows * (COST["row"] + COST["join"] * (len(parts) - 1) + COST["check"] * checks)
    return _Driver(rows, label, stmt=stmt, col=root.material_id, covers="elements", cost=cost)


def run_search(s: Session, q: Query) -> list[SubstanceSummary]:
    """Run ``q``: one page of substances in ID order, with counts.

    The plan (see :func:`plan_search`) is chosen from cheap counts: a *driver* plan (the materials of the most
    selective indexed criterion, tested one by one, then sorted) or a *walk* in substance-ID order that stops
    when the page is full.  A walk first covers :data:`WALK_SAFETY` times the ID span its estimate needs; if
    the page is not full there (criteria that go together less often than independent ones would), the
    driver plan runs instead, or the walk goes on over the rest.
    """
    sub_c: list[ColumnElement[bool]] = []
    if q.crystal_system:
        sub_c.append(func.lower(m.Substance.crystal_system) == q.crystal_system.lower())
    if q.prototype:
        sub_c.append(m.Substance.prototype == q.prototype)
    if s.get_bind().dialect.name == "postgresql":
        # a page of results is a few index probes per candidate: parallel workers cost more to start than they
        # save, and on a busy server they wait for cores (for this transaction only)
        s.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    terms = _terms(q)
    mat_c = _material_clauses(q, correlated=True, optimade=terms.optimade)
    if not mat_c:
        stmt = select(m.Substance).where(*sub_c).order_by(m.Substance.id).offset(q.offset)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        return _summaries(s, list(s.scalars(stmt)))
    plan, driver = plan_search(s, q, terms)
    if plan.name == "plain":
        ids = _driverless(s, q, mat_c, sub_c)
    elif plan.name == "driver":
        ids = _driven(s, q, terms, driver, mat_c, sub_c)
    else:
        ids = _adaptive_walk(s, q, plan, terms, driver, mat_c, sub_c)
    if not ids:
        return []
    subs = list(s.scalars(select(m.Substance).where(m.Substance.id.in_(ids)).order_by(m.Substance.id)))
    return _summaries(s, subs)


def _sub_filter(sub_c: list[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    if not sub_c:
        return []
    return [m.Material.substance_id.in_(select(m.Substance.id).where(*sub_c))]


def _page(stmt, offset: int, limit: int | None):
    stmt = stmt.offset(offset) if offset else stmt
    return stmt.limit(limit) if limit is not None else stmt


def _driven(s, q, terms, driver: _Driver, mat_c, sub_c, *, offset=None, limit=None) -> list[int]:
    """Driver plan: the driver's materials, tested with the correlated criteria, as sorted substance IDs.

    A driver from a child table tests the other child-table criteria on its own material-ID column first
    (index-only probes), so only its survivors are read from ``materials``; a driver on ``materials`` is
    its own condition, put first for the database to pick its index.
    """
    if driver.cond is not None:
        where = [driver.cond, *mat_c]
    else:
        skip = frozenset([driver.covers]) if driver.covers is not None else frozenset()
        ids = driver.stmt.where(*_child_checks(q, driver.col, skip))
        rest = _material_clauses(q, correlated=True, optimade=terms.optimade, children=False)
        where = [m.Material.id.in_(ids), *rest]
    stmt = (
        select(m.Material.substance_id)
        .where(*where, *_sub_filter(sub_c))
        .distinct()
        .order_by(m.Material.substance_id)
    )
    off = q.offset if offset is None else offset
    lim = q.limit if offset is None else limit
    return list(s.scalars(_page(stmt, off, lim)))


def _driverless(s, q, mat_c, sub_c) -> list[int]:
    stmt = (
        select(m.Material.substance_id)
        .where(*mat_c, *_sub_filter(sub_c))
        .distinct()
        .order_by(m.Material.substance_id)
    )
    return list(s.scalars(_page(stmt, q.offset, q.limit)))


def _walk(s, name, terms: _Terms, mat_c, sub_c, need: int, lo: int | None, hi: int | None) -> list[int]:
    """The first ``need`` matching substance IDs in ``[lo, hi)``, walked in ID order."""
    if name == "walk-nelements":
        col = m.Material.substance_id
        stmt = select(col).where(m.Material.nelements == terms.nelements[0], *mat_c, *_sub_filter(sub_c))
        stmt = stmt.distinct()
    else:
        col = m.Substance.id
        stmt = select(col).where(exists_row(m.Material.substance_id == col, *mat_c), *sub_c)
    if lo is not None:
        stmt = stmt.where(col >= lo)
    if hi is not None:
        stmt = stmt.where(col < hi)
    return list(s.scalars(stmt.order_by(col).limit(need)))


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


def _adaptive_walk(s, q: Query, plan: Plan, terms: _Terms, driver, mat_c, sub_c) -> list[int]:
    """A walk in stretches: after each stretch that leaves the page short, the matches found so far tell the
    density, and the walk goes on only while the rest of it is estimated cheaper than the driver."""
    need = q.offset + (q.limit or 0)
    lo, ids = None, []
    window = plan.walk_window or 0.0
    covered = 0.0
    while True:
        hi = None if window == float("inf") else plan.first_substance + int(covered + window)
        if hi is not None and hi > plan.substances:
            hi = None
        ids += _walk(s, plan.name, terms, mat_c, sub_c, need - len(ids), lo, hi)
        if len(ids) >= need or hi is None:
            return ids[q.offset : need]
        covered += window
        rest = (need - len(ids)) * covered / max(len(ids), 0.5)  # IDs still to walk, at the density seen
        pg = s.get_bind().dialect.name == "postgresql"  # see plan_search: no long stretches there
        if driver is not None and (pg or rest * (plan.walk_rate or 0.0) > driver.cost):
            return _driven(s, q, terms, driver, mat_c, sub_c, offset=0, limit=need)[q.offset : need]
        lo, window = hi, (WALK_SAFETY * rest + WALK_MIN_SPAN if driver is not None else float("inf"))
