"""Typed searches over substances, with unit-aware property ranges and measurement conditions.

>>> Query(elements=("Li", "O"), properties=("ionic_conductivity >= 0.1 mS/cm",)).properties[0].value
0.0001

A :class:`Query` combines, with AND, criteria on the reported materials (elements, formula, dataset,
reference, an OPTIMADE filter), on the substance (space group, crystal system, prototype) and on property
records (quantity + range in any unit, + conditions of the same record).  The result is one
:class:`~matinfo.store.views.SubstanceSummary` per matching substance.

The search is split by concern: this module owns the public types (:class:`Query` and its property and
condition filters, parsed from text) and the entry point :func:`run_search`; the SQL clauses of the criteria
are built in :mod:`matinfo.store._search_sql`, the plan is chosen from estimates in
:mod:`matinfo.store._search_plan` and carried out in :mod:`matinfo.store._search_run`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

from matinfo.errors import MatinfoError, QueryError
from matinfo.store import models as m
from matinfo.store._search_plan import (  # noqa: F401 - re-exported: the planner's names, as before the split
    COST,
    COUNT_CAP,
    FORCE_PLAN,
    PG_ESTIMATES_FROM,
    SAMPLE,
    WALK_HOPELESS,
    WALK_MIN_SPAN,
    WALK_MIN_WINDOW,
    WALK_PROBE,
    WALK_SAFETY,
    Plan,
    _terms,
    plan_search,
)
from matinfo.store._search_run import _adaptive_walk, _driven, _driverless
from matinfo.store._search_sql import (  # noqa: F401 - re-exported: export.py uses _material_clauses
    _child_checks,
    _element,
    _formula_key,
    _material_clauses,
    _property_conds,
    exists_row,
)
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
