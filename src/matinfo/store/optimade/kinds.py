"""Kinds of searchable fields: how a comparison on one filter name becomes SQL over ``materials``.

:class:`Field` refuses every operation, naming the field; :class:`Scalar` (one value per material, maybe
through a child table), :class:`Id`, :class:`ElementList` (``elements``, ``elements_ratios``) and
:class:`QuantityField` (``_matinfo_<quantity>``) allow theirs.  Each returns a :data:`~.nodes.Node` whose
``known`` tells whether the material has a value, so that NOT follows the OPTIMADE rule for unknowns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import String, and_, cast, false, func, literal_column, not_, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from matinfo.store.models import Material, MaterialElement, Property, Structure
from matinfo.store.optimade.nodes import FUZZY, OPS, Bool, Leaf, Node, Not, Prop, fail, is_number, show

__all__ = [
    "PROVIDER_PREFIX",
    "ElementList",
    "FeatureList",
    "Field",
    "FieldType",
    "Id",
    "OptimadeField",
    "QuantityField",
    "Scalar",
    "element",
    "set_leaf",
]

#: Our database-provider prefix: our own fields are ``_matinfo_<name>``.
PROVIDER_PREFIX = "matinfo"

FieldType = Literal["string", "integer", "float", "list", "timestamp", "boolean"]

#: Turns a condition on another table into a condition on ``materials``.
Via = Callable[[ColumnElement[bool]], ColumnElement[bool]]


@dataclass(frozen=True)
class OptimadeField:
    """One searchable property of an OPTIMADE ``structures`` entry (a matinfo material)."""

    name: str
    type: FieldType
    #: Where the value comes from: ``table.column``.
    source: str
    description: str


# ------------------------------------------------------------------------------------------------------------
# Portable, case-sensitive string matching


def _like_escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _fuzzy_match(col: Any, kind: str, text: str) -> ColumnElement[bool]:
    """``CONTAINS`` / ``STARTS`` / ``ENDS`` on ``col``, case-sensitive on SQLite and PostgreSQL alike.

    ``LIKE`` (escaped) narrows the rows; SQLite's ``LIKE`` ignores ASCII case, so an exact test follows, with
    functions both databases share (``replace``, ``substr``, ``length``).
    """
    if text == "":
        return col.is_not(None)
    n = len(text)
    esc = _like_escape(text)
    if kind == "CONTAINS":
        pattern, exact = f"%{esc}%", func.replace(col, text, "") != col
    elif kind == "STARTS":
        pattern, exact = f"{esc}%", func.substr(col, 1, literal_column(str(n))) == text
    else:  # ENDS; the LIKE guarantees length(col) >= n, so the start is >= 1
        pattern, exact = f"%{esc}", func.substr(col, func.length(col) - literal_column(str(n - 1))) == text
    return and_(col.like(pattern, escape="/"), exact)


class code_point_order(FunctionElement):
    """A text expression compared by code point (``COLLATE "C"`` on PostgreSQL, ``BINARY`` on SQLite): string
    ``<`` / ``>`` then give the same rows on both databases, whatever the server's collation."""

    name = "code_point_order"
    inherit_cache = True
    type = String()


@compiles(code_point_order)
def _code_point_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.clauses.clauses[0], **kw)} COLLATE "C"'


@compiles(code_point_order, "sqlite")
def _code_point_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.clauses.clauses[0], **kw)} COLLATE BINARY"


# ------------------------------------------------------------------------------------------------------------
# Field kinds


class Field:
    """How one filter name turns into SQL.  Every operation refuses by default, naming the field."""

    def __init__(self, info: OptimadeField) -> None:
        self.info = info

    @property
    def name(self) -> str:
        return self.info.name

    def known(self) -> ColumnElement[bool] | None:
        return None

    def compare(self, op: str, value: Any, prop: Prop) -> Node:
        raise fail(
            f"{self.name} is a list and cannot be compared with {op}",
            prop,
            show(value),
            hint=f"use {self.name} HAS, HAS ALL, HAS ANY, HAS ONLY or LENGTH",
        )

    def fuzzy(self, kind: str, value: Any, prop: Prop) -> Node:
        hint = (
            f"use {self.name} HAS ..."
            if self.info.type == "list"
            else f"compare it with =, !=, <, >, e.g. {self.name} = ..."
        )
        raise fail(
            f"{FUZZY[kind]} applies to text fields; {self.name} is of type {self.info.type}",
            prop,
            show(value),
            hint=hint,
        )

    def has(self, mode: str, items: list[tuple[str, Any]], prop: Prop) -> Node:
        raise fail(
            f"HAS applies to lists; {self.name} is of type {self.info.type}",
            prop,
            hint="HAS, HAS ALL, HAS ANY and HAS ONLY apply to elements and elements_ratios; "
            f"compare {self.name} with = instead",
        )

    def length(self, op: str, n: int, prop: Prop) -> Node:
        raise fail(
            f"LENGTH applies to lists; {self.name} is of type {self.info.type}",
            prop,
            n,
            hint="LENGTH applies to elements and elements_ratios (the same as nelements)",
        )


class Scalar(Field):
    """One value per material: a ``materials`` column, or a column reached through ``via``.

    ``via(cond)`` turns a condition on the column's own table into a condition on ``materials``.
    ``fallback=(column, via)`` is read where the ``materials`` column is NULL (a material reported without a
    space group takes its substance's).  ``normalise`` rewrites the value of ``=`` / ``!=`` (formulas, DOIs);
    ``fuzzy=False`` refuses CONTAINS, STARTS and ENDS; ``lower=True`` lower-cases the value (the column is
    stored lower-case).
    """

    def __init__(
        self,
        info: OptimadeField,
        column: Any,
        *,
        nullable: bool = True,
        via: Via | None = None,
        fallback: tuple[Any, Via] | None = None,
        normalise: Callable[[Any, Prop], Any] | None = None,
        fuzzy: bool = True,
        lower: bool = False,
    ) -> None:
        super().__init__(info)
        if via is not None and fallback is not None:
            raise TypeError("a fallback applies to a column of materials, not to one reached through via")
        self.column, self.nullable, self.via, self.normalise = column, nullable, via, normalise
        self.fallback, self.allow_fuzzy, self.lower = fallback, fuzzy, lower

    def _where(self, build: Callable[[Any], ColumnElement[bool]]) -> ColumnElement[bool]:
        """``build(column)`` as a condition on ``materials``; the fallback's where the column is NULL."""
        cond = build(self.column)
        if self.via is not None:
            return self.via(cond)
        if self.fallback is None:
            return cond
        column, via = self.fallback
        # two-valued where the material has a value: NULL would make ``known AND NOT match`` drop the row
        return or_(and_(self.column.is_not(None), cond), and_(self.column.is_(None), via(build(column))))

    def known(self) -> ColumnElement[bool] | None:
        if self.via is not None:
            return self.via(self.column.is_not(None))
        if self.fallback is not None:
            column, via = self.fallback
            return or_(self.column.is_not(None), via(column.is_not(None)))
        return self.column.is_not(None) if self.nullable else None

    def _check(self, op: str | None, value: Any, prop: Prop) -> Any:
        kind = self.info.type
        if kind in ("integer", "float"):
            if not is_number(value):
                raise fail(
                    f"{self.name} is a number; compare it with a number",
                    prop,
                    show(value),
                    hint=f"write a number without quotes, e.g. {self.name} {op or '='} 3",
                )
            return value
        if not isinstance(value, str):
            example = '"2024-01-31T00:00:00Z"' if kind == "timestamp" else '"..."'
            raise fail(
                f"{self.name} is of type {kind}; compare it with a string",
                prop,
                show(value),
                hint=f"put the value in double quotes, e.g. {self.name} = {example}",
            )
        if kind == "timestamp":
            return _timestamp(value, prop)
        return value.strip().lower() if self.lower else value

    def compare(self, op: str, value: Any, prop: Prop) -> Node:
        value = self._check(op, value, prop)
        if self.normalise is not None:  # the store's spelling, for = and != and for the order of < and >
            value = self.normalise(value, prop)
        if op == "!=":  # NOT (x = v): the same for one value, the documented meaning for several
            return Not(Leaf(self._equal(value), self.known()))
        hint = ("nelements", op, value) if self.column is Material.nelements and self.via is None else None
        if op == "=":
            return Leaf(self._equal(value), self.known(), hint)
        return Leaf(self._where(lambda col: OPS[op](self._ordered(col), value)), self.known(), hint)

    def _equal(self, value: Any) -> ColumnElement[bool]:
        return self._where(lambda col: col == value)

    def _ordered(self, column: Any) -> Any:
        """The column as ``<`` / ``>`` compare it: text by code point (:class:`code_point_order`)."""
        return code_point_order(column) if self.info.type == "string" else column

    def fuzzy(self, kind: str, value: Any, prop: Prop) -> Node:
        if self.info.type != "string":
            return super().fuzzy(kind, value, prop)
        if not self.allow_fuzzy:
            raise fail(
                f"{FUZZY[kind]} is not supported on {self.name}",
                prop,
                show(value),
                hint="the store spells formulas differently from OPTIMADE; use = (any spelling), "
                "chemical_formula_descriptive CONTAINS ... or elements HAS ...",
            )
        value = self._check(None, value, prop)
        return Leaf(self._where(lambda col: _fuzzy_match(self._text(col), kind, value)), self.known())

    def _text(self, column: Any) -> Any:
        return column


class Id(Scalar):
    """``id``: the integer primary key, searched as the string OPTIMADE says IDs are."""

    def _equal(self, value: Any) -> ColumnElement[bool]:
        return self.column == int(value) if re.fullmatch(r"[0-9]{1,18}", value) else false()

    def _text(self, column: Any) -> Any:
        return cast(column, String)

    def _ordered(self, column: Any) -> Any:  # IDs are strings: "10" < "9"
        return code_point_order(cast(column, String))


def _timestamp(value: str, prop: Prop) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(
            "not an RFC 3339 timestamp",
            prop,
            show(value),
            hint='write e.g. "2024-01-31T12:00:00Z" or "2024-01-31"',
        ) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC)


def _exists(*conds: ColumnElement[bool]) -> ColumnElement[bool]:
    """``EXISTS (SELECT 1 ...)``: SQLite answers it from a covering index, without reading the row."""
    return select(literal_column("1")).where(*conds).exists()


def _rows(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """Materials having a ``material_elements`` row that satisfies ``cond``: a correlated ``EXISTS``.

    ``EXISTS`` (not ``IN (SELECT ...)``) so that both databases test one material with one probe of the
    primary key ``(material_id, element)`` wherever the search planner puts the clause, and ``NOT EXISTS`` is
    an anti-join on PostgreSQL (``NOT IN`` cannot be, because of its NULL semantics).
    """
    return _exists(MaterialElement.material_id == Material.id, cond)


class ElementList(Field):
    """``elements`` and ``elements_ratios``: one ``material_elements`` row per element."""

    def __init__(self, info: OptimadeField, column: Any) -> None:
        super().__init__(info)
        self.column = column
        self.is_ratio = column is MaterialElement.fraction

    def known(self) -> ColumnElement[bool] | None:
        # every material has its element rows; fractions are NULL for unresolved (variable) formulas
        return _rows(MaterialElement.fraction.is_not(None)) if self.is_ratio else None

    def item(self, op: str, value: Any, prop: Prop) -> ColumnElement[bool]:
        """Condition on one row for one list item, e.g. ``element = 'Li'`` or ``fraction > 0.3``."""
        if self.is_ratio:
            if not is_number(value):
                raise fail(
                    "elements_ratios holds numbers",
                    prop,
                    show(value),
                    hint='write e.g. elements_ratios HAS > 0.25 or elements:elements_ratios HAS "Li":>0.25',
                )
            return OPS[op](self.column, value)
        if op != "=":
            raise fail(
                f"elements items cannot be compared with {op}",
                prop,
                show(value),
                hint='write elements HAS "Li"; operators inside HAS apply to elements_ratios',
            )
        return self.column == element(value, prop)

    def has(self, mode: str, items: list[tuple[str, Any]], prop: Prop) -> Node:
        items = list(dict.fromkeys(items))
        conds = [self.item(op, v, prop) for op, v in items]
        leaf = set_leaf(mode, conds, self.known(), nullable=self.is_ratio)
        if not self.is_ratio and mode in ("ONE", "ALL", "ANY"):  # element symbols: the planner can count them
            hint = ("any" if mode == "ANY" else "all", tuple(v for _, v in items))
            leaf = Leaf(leaf.match, leaf.known, hint)
        return leaf

    def length(self, op: str, n: int, prop: Prop) -> Node:
        cond = OPS[op](Material.nelements, n)
        known = self.known()
        return Leaf(
            cond if known is None else and_(known, cond),
            known,
            ("nelements", op, n) if known is None else None,
        )


def set_leaf(
    mode: str, conds: list[ColumnElement[bool]], known: ColumnElement[bool] | None, *, nullable: bool
) -> Leaf:
    """HAS (one item), HAS ALL, HAS ANY, HAS ONLY over ``material_elements`` rows."""
    if mode == "ONE":
        return Leaf(_rows(conds[0]), known)
    if mode == "ALL":
        return Leaf(and_(*(_rows(c) for c in conds)), known)
    if mode == "ANY":
        return Leaf(_rows(or_(*conds)), known)
    # ONLY: no row outside the list (a NULL fraction is outside: the ratios are unknown)
    outside = not_(or_(*conds))
    if nullable:
        outside = or_(outside, MaterialElement.fraction.is_(None))
    return Leaf(~_exists(MaterialElement.material_id == Material.id, outside), known)


class FeatureList(Field):
    """``structure_features``: ``["disorder"]`` for a material with a partially occupied structure, else ``[]``.

    The list is always known; the other features of the standard (``implicit_atoms``, ``site_attachments``,
    ``assemblies``) never occur in matinfo, so HAS on them matches nothing.
    """

    FEATURES = ("disorder", "implicit_atoms", "site_attachments", "assemblies")

    def _has(self, feature: Any, prop: Prop) -> ColumnElement[bool]:
        if not isinstance(feature, str):
            raise fail(
                "structure_features holds strings",
                prop,
                show(feature),
                hint='write structure_features HAS "disorder"',
            )
        if feature != "disorder":
            return false()
        return _exists(Structure.material_id == Material.id, Structure.has_partial_occupancy.is_(True))

    def has(self, mode: str, items: list[tuple[str, Any]], prop: Prop) -> Node:
        if any(op != "=" for op, _ in items):
            raise fail("structure_features items cannot be compared with < or >", prop)
        conds = [self._has(v, prop) for _, v in items]
        if mode == "ONLY":  # no feature outside the list: disorder is the only one that occurs
            listed = any(v == "disorder" for _, v in items)
            return Leaf(true() if listed else not_(self._has("disorder", prop)))
        return Leaf(or_(*conds) if mode == "ANY" else and_(*conds))

    def length(self, op: str, n: int, prop: Prop) -> Node:
        disorder = self._has("disorder", prop)
        one, none = bool(OPS[op](1, n)), bool(OPS[op](0, n))  # the list has 1 item or none
        if one and none:
            return Leaf(true())
        return Leaf(disorder if one else not_(disorder) if none else false())


def element(value: Any, prop: Prop) -> str:
    """``value`` checked as an element symbol (case-sensitive)."""
    if not isinstance(value, str):
        raise fail("elements holds element symbols", prop, show(value), hint='write e.g. elements HAS "Li"')
    from pymatgen.core.periodic_table import Element

    if not Element.is_valid_symbol(value):
        fixed = value.strip().capitalize()
        hint = (
            f'symbols are case-sensitive: write "{fixed}"'
            if Element.is_valid_symbol(fixed)
            else "use element symbols such as Li, O, Zr"
        )
        raise fail("not an element symbol", prop, show(value), hint=hint)
    return value


class QuantityField(Field):
    """``_matinfo_<quantity>``: some property row of that quantity satisfies the comparison."""

    def __init__(self, info: OptimadeField, quantity: str, dtype: str, unit: str | None) -> None:
        super().__init__(info)
        self.quantity, self.dtype, self.unit = quantity, dtype, unit

    def _in(self, cond: ColumnElement[bool]) -> ColumnElement[bool]:
        """Some property row of the material, of this quantity, satisfies ``cond`` (correlated ``EXISTS``)."""
        return _exists(Property.material_id == Material.id, Property.quantity == self.quantity, cond)

    def known(self) -> ColumnElement[bool] | None:
        return self._in(or_(Property.value.is_not(None), Property.value_text.is_not(None)))

    def compare(self, op: str, value: Any, prop: Prop) -> Node:
        if op == "!=":
            return Not(self.compare("=", value, prop))
        if self.dtype == "number":
            if not is_number(value):
                unit = f" (in {self.unit})" if self.unit else ""
                raise fail(
                    f"{self.quantity} is a number{unit}",
                    prop,
                    show(value),
                    hint=f"write a number without quotes, e.g. {self.name} {op} 1.5",
                )
            return Leaf(self._in(_bounded(op, value)), self.known())
        if self.dtype == "bool":
            if not isinstance(value, Bool) or op != "=":
                raise fail(
                    f"{self.quantity} is true or false",
                    prop,
                    show(value),
                    hint=f"write {self.name} = TRUE or {self.name} = FALSE",
                )
            return Leaf(self._in(Property.value == (1.0 if value.value else 0.0)), self.known())
        if not isinstance(value, str) or op != "=":
            raise fail(
                f"{self.quantity} is text; compare it with =, != or CONTAINS / STARTS / ENDS",
                prop,
                show(value),
                hint=f'write e.g. {self.name} = "..."',
            )
        return Leaf(self._in(Property.value_text == value), self.known())

    def fuzzy(self, kind: str, value: Any, prop: Prop) -> Node:
        if self.dtype != "text" or not isinstance(value, str):
            return super().fuzzy(kind, value, prop)
        return Leaf(self._in(_fuzzy_match(Property.value_text, kind, value)), self.known())


def _bounded(op: str, c: float) -> ColumnElement[bool]:
    """``value op c`` for the rows where it is certain: exact (or ``~``) values, and bounds that settle it."""
    b = Property.bound
    exact = or_(b.is_(None), b == "~")
    cmp = OPS[op](Property.value, c)
    if op == "=":
        return and_(exact, cmp)
    strict, loose = ("<", "<=") if op in ("<", "<=") else (">", ">=")
    if op in ("<", ">"):  # a strict bound at c settles a strict comparison with c
        return or_(and_(or_(exact, b == loose), cmp), and_(b == strict, OPS[op + "="](Property.value, c)))
    return and_(or_(exact, b.in_((strict, loose))), cmp)
