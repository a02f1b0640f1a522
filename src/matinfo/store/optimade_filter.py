"""OPTIMADE filter strings → one SQLAlchemy boolean clause over :class:`~matinfo.store.models.Material`.

A matinfo *material* is served as an OPTIMADE ``structures`` entry.  :func:`optimade_clause` parses a filter
with the grammar shipped by the ``optimade`` package (its newest version) and returns a clause for
``select(Material.id).where(clause)``: plain columns of ``materials`` and ``IN`` sub-queries on the child
tables, nothing dialect-specific, so SQLite and PostgreSQL return the same rows.

>>> str(optimade_clause("nelements >= 3"))
'materials.nelements >= :nelements_1'
>>> optimade_clause("nelement > 3")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
matinfo.errors.QueryError: field 'nelement': unknown field — did you mean 'nelements'...

Fields (:data:`OPTIMADE_FIELDS` holds the same list for programs, e.g. an ``/info/structures`` endpoint)

================================  =========  ==============================================================
``id``                            string     ``materials.id`` as a string: ``id = "42"``
``last_modified``                 timestamp  ``materials.created_at`` (RFC 3339 string; no offset = UTC)
``elements``                      list       ``material_elements.element``: HAS, HAS ALL / ANY / ONLY, LENGTH
``elements_ratios``               list       ``material_elements.fraction``, atomic fractions (unknown for
                                             unresolved formulas): ``HAS > 0.3``,
                                             ``elements:elements_ratios HAS "Li":>0.3``
``nelements``                     integer    ``materials.nelements`` (the same as ``elements LENGTH``)
``chemical_formula_descriptive``  string     ``materials.formula``, the string as reported
``chemical_formula_reduced``      string     ``materials.reduced_formula``, see below
``chemical_formula_anonymous``    string     ``materials.anonymous_formula``, see below
``nsites``                        integer    ``structures.n_sites`` of any structure of the material
``_matinfo_substance_id``         integer    ``materials.substance_id``
``_matinfo_space_group``          integer    ``materials.space_group_number``
``_matinfo_crystal_system``       string     ``substances.crystal_system`` (case-insensitive)
``_matinfo_prototype``            string     ``materials.prototype``
``_matinfo_chemical_system``      string     ``materials.chemical_system`` (``"O-Li"`` = ``"Li-O"``)
``_matinfo_name``                 string     ``materials.name`` (sample label / data-set row ID)
``_matinfo_doi``                  string     ``refs.doi`` (case-insensitive, ``https://doi.org/`` dropped)
``_matinfo_year``                 integer    ``refs.year``
``_matinfo_dataset``              string     ``datasets.name``
``_matinfo_<quantity>``           float      ``properties.value`` of that quantity: any name or alias of
                                             :func:`matinfo.core.quantities.list_quantities`
================================  =========  ==============================================================

Semantics worth knowing

* **Formulas.**  OPTIMADE writes reduced formulas alphabetically (``FeLiO4P``) and anonymous ones with the
  largest count first (``A2B``); the store keeps pymatgen's spelling (``LiFePO4``, ``AB2``).  For ``=`` and
  ``!=`` the filter value is rewritten with the functions the store itself uses
  (:func:`matinfo.core.keys.reduced_formula`, :func:`~matinfo.core.keys.anonymous_formula`), so both spellings
  match.  ``CONTAINS``/``STARTS``/``ENDS`` are refused on these two fields (the spellings differ); use them on
  ``chemical_formula_descriptive`` or search by ``elements``.
* **Several values per material.**  ``nsites``, ``_matinfo_doi``/``_matinfo_year`` (the references of the
  material, its properties and its structures) and the property fields can have several values: a comparison
  matches when *some* value satisfies it, and ``x != v`` means ``NOT x = v`` (known, and no value equals v).
* **Properties.**  ``_matinfo_band_gap > 1.5`` compares the stored value in the quantity's canonical unit (eV
  here; S/cm for ionic conductivity...), under any conditions.  Bounds only match when they settle the
  comparison: ``"<1e-8"`` matches ``< 1e-6`` but not ``> 1e-10`` and not ``=``; ``"~"`` values count as exact.
  Text quantities compare ``properties.value_text``; boolean ones take ``TRUE``/``FALSE``.
* **Unknown values** follow the OPTIMADE rule: a comparison on an unknown (NULL / absent) value never matches,
  negated or not; only ``IS UNKNOWN`` and ``NOT ... IS KNOWN`` do.  ``NOT`` is pushed down to the comparisons,
  where ``NOT c`` becomes ``c IS KNOWN AND NOT c``.
* **Strings** compare case-sensitively on both databases (``Co`` is not ``CO``), ``LIKE`` with ``%``/``_``
  escaped plus an exact test, because SQLite's ``LIKE`` ignores case.  ``<``/``>`` on strings are refused:
  their order would depend on the database collation.
* Other providers' fields (``_mp_...``) are unknown, as the specification demands: a warning, no error.

Not supported (a :class:`~matinfo.errors.QueryError` says so): comparing two properties, nested names
(``a.b``), relationships (``references.id``), correlated ``HAS`` other than ``elements:elements_ratios``,
``chemical_formula_hill`` and the other geometric OPTIMADE fields, ordering comparisons on strings.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, VisitError
from sqlalchemy import String, and_, cast, false, func, literal_column, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from matinfo.errors import MatinfoError, QueryError
from matinfo.store.models import Dataset, Material, MaterialElement, Property, Reference, Structure, Substance

__all__ = ["optimade_clause", "OPTIMADE_FIELDS", "OptimadeField", "PROVIDER_PREFIX"]

#: Our database-provider prefix: our own fields are ``_matinfo_<name>``.
PROVIDER_PREFIX = "matinfo"

FieldType = Literal["string", "integer", "float", "list", "timestamp", "boolean"]


@dataclass(frozen=True)
class OptimadeField:
    """One searchable property of an OPTIMADE ``structures`` entry (a matinfo material)."""

    name: str
    type: FieldType
    #: Where the value comes from: ``table.column``.
    source: str
    description: str


# ------------------------------------------------------------------------------------------------------------
# Intermediate tree: comparisons (leaves) joined by AND / OR / NOT; compiled with NOT pushed to the leaves.


@dataclass(frozen=True)
class _Leaf:
    #: True exactly when the comparison holds (NULL / false otherwise).
    match: ColumnElement[bool]
    #: True when the field has a value for the material; ``None`` when it always has one.
    known: ColumnElement[bool] | None = None


@dataclass(frozen=True)
class _Not:
    part: _Node


@dataclass(frozen=True)
class _Junction:
    op: Literal["and", "or"]
    parts: tuple[_Node, ...]


_Node = _Leaf | _Not | _Junction


def _sql(node: _Node, negate: bool = False) -> ColumnElement[bool]:
    """Compile ``node``; De Morgan holds in the 3-valued logic of OPTIMADE, so NOT is pushed to the leaves."""
    if isinstance(node, _Not):
        return _sql(node.part, not negate)
    if isinstance(node, _Junction):
        parts = [_sql(p, negate) for p in node.parts]
        return and_(*parts) if (node.op == "and") != negate else or_(*parts)
    if not negate:
        return node.match
    return not_(node.match) if node.known is None else and_(node.known, not_(node.match))


# ------------------------------------------------------------------------------------------------------------
# Values as the transformer hands them over


@dataclass(frozen=True)
class _Prop:
    name: str


@dataclass(frozen=True)
class _Bool:
    value: bool


_OPS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge,
}
_REVERSED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
_FUZZY = {"CONTAINS": "CONTAINS", "STARTS": "STARTS WITH", "ENDS": "ENDS WITH"}


def _fail(problem: str, prop: _Prop | None = None, value: object = None,
          hint: str | None = None) -> QueryError:
    return QueryError(problem, field=prop.name if prop else None, value=value, hint=hint)


def _show(value: object) -> str:
    """A value as it is written in a filter."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, _Bool):
        return "TRUE" if value.value else "FALSE"
    if isinstance(value, _Prop):
        return value.name
    return repr(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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


# ------------------------------------------------------------------------------------------------------------
# Fields


class _Field:
    """How one filter name turns into SQL.  Every operation refuses by default, naming the field."""

    def __init__(self, info: OptimadeField) -> None:
        self.info = info

    @property
    def name(self) -> str:
        return self.info.name

    def known(self) -> ColumnElement[bool] | None:
        return None

    def compare(self, op: str, value: Any, prop: _Prop) -> _Node:
        raise _fail(f"{self.name} is a list and cannot be compared with {op}", prop, _show(value),
                    hint=f'use {self.name} HAS, HAS ALL, HAS ANY, HAS ONLY or LENGTH')

    def fuzzy(self, kind: str, value: Any, prop: _Prop) -> _Node:
        hint = (f"use {self.name} HAS ..." if self.info.type == "list"
                else f"compare it with =, !=, <, >, e.g. {self.name} = ...")
        raise _fail(f"{_FUZZY[kind]} applies to text fields; {self.name} is of type {self.info.type}", prop,
                    _show(value), hint=hint)

    def has(self, mode: str, items: list[tuple[str, Any]], prop: _Prop) -> _Node:
        raise _fail(f"HAS applies to lists; {self.name} is of type {self.info.type}", prop,
                    hint="HAS, HAS ALL, HAS ANY and HAS ONLY apply to elements and elements_ratios; "
                         f"compare {self.name} with = instead")

    def length(self, op: str, n: int, prop: _Prop) -> _Node:
        raise _fail(f"LENGTH applies to lists; {self.name} is of type {self.info.type}", prop, n,
                    hint="LENGTH applies to elements and elements_ratios (the same as nelements)")


class _Scalar(_Field):
    """One value per material: a ``materials`` column, or a column reached through ``via``.

    ``via(cond)`` turns a condition on the column's own table into a condition on ``materials``.
    ``normalise`` rewrites the value of ``=`` / ``!=`` (formulas, DOIs); ``fuzzy=False`` refuses CONTAINS,
    STARTS and ENDS; ``lower=True`` lower-cases the value (the column is stored lower-case).
    """

    def __init__(self, info: OptimadeField, column: Any, *, nullable: bool = True,
                 via: Callable[[ColumnElement[bool]], ColumnElement[bool]] | None = None,
                 normalise: Callable[[Any, _Prop], Any] | None = None,
                 fuzzy: bool = True, lower: bool = False) -> None:
        super().__init__(info)
        self.column, self.nullable, self.via, self.normalise = column, nullable, via, normalise
        self.allow_fuzzy, self.lower = fuzzy, lower

    def _wrap(self, cond: ColumnElement[bool]) -> ColumnElement[bool]:
        return cond if self.via is None else self.via(cond)

    def known(self) -> ColumnElement[bool] | None:
        if self.via is not None:
            return self.via(self.column.is_not(None))
        return self.column.is_not(None) if self.nullable else None

    def _check(self, op: str | None, value: Any, prop: _Prop) -> Any:
        kind = self.info.type
        if kind in ("integer", "float"):
            if not _is_number(value):
                raise _fail(f"{self.name} is a number; compare it with a number", prop, _show(value),
                            hint=f"write a number without quotes, e.g. {self.name} {op or '='} 3")
            return value
        if not isinstance(value, str):
            example = '"2024-01-31T00:00:00Z"' if kind == "timestamp" else '"..."'
            raise _fail(f"{self.name} is of type {kind}; compare it with a string", prop, _show(value),
                        hint=f"put the value in double quotes, e.g. {self.name} = {example}")
        if kind == "timestamp":
            return _timestamp(value, prop)
        if op in ("<", "<=", ">", ">="):
            raise _fail(f"ordering comparisons ({op}) on the text field {self.name} are not supported", prop,
                        _show(value), hint="its order would depend on the database collation; use =, != or "
                                           "CONTAINS / STARTS WITH / ENDS WITH")
        return value.strip().lower() if self.lower else value

    def compare(self, op: str, value: Any, prop: _Prop) -> _Node:
        value = self._check(op, value, prop)
        if op in ("=", "!=") and self.normalise is not None:
            value = self.normalise(value, prop)
        if op == "!=":  # NOT (x = v): the same for one value, the documented meaning for several
            return _Not(_Leaf(self._equal(value), self.known()))
        if op == "=":
            return _Leaf(self._equal(value), self.known())
        return _Leaf(self._wrap(_OPS[op](self.column, value)), self.known())

    def _equal(self, value: Any) -> ColumnElement[bool]:
        return self._wrap(self.column == value)

    def fuzzy(self, kind: str, value: Any, prop: _Prop) -> _Node:
        if self.info.type != "string":
            return super().fuzzy(kind, value, prop)
        if not self.allow_fuzzy:
            raise _fail(f"{_FUZZY[kind]} is not supported on {self.name}", prop, _show(value),
                        hint="the store spells formulas differently from OPTIMADE; use = (any spelling), "
                             "chemical_formula_descriptive CONTAINS ... or elements HAS ...")
        value = self._check(None, value, prop)
        return _Leaf(self._wrap(_fuzzy_match(self._text_column(), kind, value)), self.known())

    def _text_column(self) -> Any:
        return self.column


class _Id(_Scalar):
    """``id``: the integer primary key, searched as the string OPTIMADE says IDs are."""

    def _equal(self, value: Any) -> ColumnElement[bool]:
        return Material.id == int(value) if re.fullmatch(r"[0-9]+", value) else false()

    def _text_column(self) -> Any:
        return cast(Material.id, String)


def _timestamp(value: str, prop: _Prop) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail("not an RFC 3339 timestamp", prop, _show(value),
                    hint='write e.g. "2024-01-31T12:00:00Z" or "2024-01-31"') from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC)


def _rows(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """Materials having a ``material_elements`` row that satisfies ``cond``."""
    return Material.id.in_(select(MaterialElement.material_id).where(cond))


class _ElementList(_Field):
    """``elements`` and ``elements_ratios``: one ``material_elements`` row per element."""

    def __init__(self, info: OptimadeField, column: Any) -> None:
        super().__init__(info)
        self.column = column
        self.is_ratio = column is MaterialElement.fraction

    def known(self) -> ColumnElement[bool] | None:
        # every material has its element rows; fractions are NULL for unresolved (variable) formulas
        return _rows(MaterialElement.fraction.is_not(None)) if self.is_ratio else None

    def item(self, op: str, value: Any, prop: _Prop) -> ColumnElement[bool]:
        """Condition on one row for one list item, e.g. ``element = 'Li'`` or ``fraction > 0.3``."""
        if self.is_ratio:
            if not _is_number(value):
                raise _fail("elements_ratios holds numbers", prop, _show(value),
                            hint='write e.g. elements_ratios HAS > 0.25 or '
                                 'elements:elements_ratios HAS "Li":>0.25')
            return _OPS[op](self.column, value)
        if op != "=":
            raise _fail(f"elements items cannot be compared with {op}", prop, _show(value),
                        hint='write elements HAS "Li"; operators inside HAS apply to elements_ratios')
        return self.column == _element(value, prop)

    def has(self, mode: str, items: list[tuple[str, Any]], prop: _Prop) -> _Node:
        conds = [self.item(op, v, prop) for op, v in dict.fromkeys(items)]
        return _set_leaf(mode, conds, self.known(), nullable=self.is_ratio)

    def length(self, op: str, n: int, prop: _Prop) -> _Node:
        cond = _OPS[op](Material.nelements, n)
        known = self.known()
        return _Leaf(cond if known is None else and_(known, cond), known)


def _set_leaf(mode: str, conds: list[ColumnElement[bool]], known: ColumnElement[bool] | None,
              *, nullable: bool) -> _Leaf:
    """HAS (one item), HAS ALL, HAS ANY, HAS ONLY over ``material_elements`` rows."""
    if mode == "ONE":
        return _Leaf(_rows(conds[0]), known)
    if mode == "ALL":
        return _Leaf(and_(*(_rows(c) for c in conds)), known)
    if mode == "ANY":
        return _Leaf(_rows(or_(*conds)), known)
    # ONLY: no row outside the list (a NULL fraction is outside: the ratios are unknown)
    outside = not_(or_(*conds))
    if nullable:
        outside = or_(outside, MaterialElement.fraction.is_(None))
    return _Leaf(Material.id.not_in(select(MaterialElement.material_id).where(outside)), known)


def _element(value: Any, prop: _Prop) -> str:
    if not isinstance(value, str):
        raise _fail("elements holds element symbols", prop, _show(value), hint='write e.g. elements HAS "Li"')
    from pymatgen.core.periodic_table import Element

    if not Element.is_valid_symbol(value):
        fixed = value.strip().capitalize()
        hint = (f'symbols are case-sensitive: write "{fixed}"' if Element.is_valid_symbol(fixed)
                else "use element symbols such as Li, O, Zr")
        raise _fail("not an element symbol", prop, _show(value), hint=hint)
    return value


class _QuantityField(_Field):
    """``_matinfo_<quantity>``: some property row of that quantity satisfies the comparison."""

    def __init__(self, info: OptimadeField, quantity: str, dtype: str, unit: str | None) -> None:
        super().__init__(info)
        self.quantity, self.dtype, self.unit = quantity, dtype, unit

    def _in(self, cond: ColumnElement[bool]) -> ColumnElement[bool]:
        return Material.id.in_(select(Property.material_id).where(Property.quantity == self.quantity, cond))

    def known(self) -> ColumnElement[bool] | None:
        return self._in(or_(Property.value.is_not(None), Property.value_text.is_not(None)))

    def compare(self, op: str, value: Any, prop: _Prop) -> _Node:
        if op == "!=":
            return _Not(self.compare("=", value, prop))
        if self.dtype == "number":
            if not _is_number(value):
                unit = f" (in {self.unit})" if self.unit else ""
                raise _fail(f"{self.quantity} is a number{unit}", prop, _show(value),
                            hint=f"write a number without quotes, e.g. {self.name} {op} 1.5")
            return _Leaf(self._in(_bounded(op, value)), self.known())
        if self.dtype == "bool":
            if not isinstance(value, _Bool) or op != "=":
                raise _fail(f"{self.quantity} is true or false", prop, _show(value),
                            hint=f"write {self.name} = TRUE or {self.name} = FALSE")
            return _Leaf(self._in(Property.value == (1.0 if value.value else 0.0)), self.known())
        if not isinstance(value, str) or op != "=":
            raise _fail(f"{self.quantity} is text; compare it with =, != or CONTAINS / STARTS / ENDS", prop,
                        _show(value), hint=f'write e.g. {self.name} = "..."')
        return _Leaf(self._in(Property.value_text == value), self.known())

    def fuzzy(self, kind: str, value: Any, prop: _Prop) -> _Node:
        if self.dtype != "text" or not isinstance(value, str):
            return super().fuzzy(kind, value, prop)
        return _Leaf(self._in(_fuzzy_match(Property.value_text, kind, value)), self.known())


def _bounded(op: str, c: float) -> ColumnElement[bool]:
    """``value op c`` for the rows where it is certain: exact (or ``~``) values, and bounds that settle it."""
    b = Property.bound
    exact = or_(b.is_(None), b == "~")
    cmp = _OPS[op](Property.value, c)
    if op == "=":
        return and_(exact, cmp)
    strict, loose = ("<", "<=") if op in ("<", "<=") else (">", ">=")
    if op in ("<", ">"):  # a strict bound at c settles a strict comparison with c
        return or_(and_(or_(exact, b == loose), cmp), and_(b == strict, _OPS[op + "="](Property.value, c)))
    return and_(or_(exact, b.in_((strict, loose))), cmp)


# --- normalisers for = / != ---------------------------------------------------------------------------------


def _reduced(value: str, prop: _Prop) -> str:
    from matinfo.core.keys import reduced_formula

    try:
        return reduced_formula(value)
    except (MatinfoError, ValueError) as e:
        raise _fail(f"not a chemical formula ({getattr(e, 'problem', e)})", prop, _show(value),
                    hint='write e.g. "FeLiO4P" or "LiFePO4"') from None


_ANON_PART = re.compile(r"([A-Z][a-z]*)(\d+(?:\.\d+)?)?")


#: Distinct elements (all with an electronegativity) to stand for the letters of an anonymous formula.
_DUMMY_ELEMENTS = ("Li Be B C N O F Na Mg Al Si P S Cl K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Rb "
                   "Sr Y Zr Nb Mo Ru Rh Pd Ag Cd In Sn Sb Te I Cs Ba La").split()


def _anonymous(value: str, prop: _Prop) -> str:
    from matinfo.core.keys import anonymous_formula

    if not re.fullmatch(rf"(?:{_ANON_PART.pattern})+", value):
        raise _fail("not an anonymous formula", prop, _show(value), hint='write e.g. "A2B" or "ABC3"')
    counts = [float(n) if n else 1.0 for _, n in _ANON_PART.findall(value)]
    if len(counts) > len(_DUMMY_ELEMENTS):
        raise _fail("anonymous formula with too many elements", prop, _show(value))
    # the anonymous formula depends on the counts only: give them any distinct elements
    dummy = dict(zip(_DUMMY_ELEMENTS, counts))
    try:
        return anonymous_formula(dummy)
    except (MatinfoError, ValueError) as e:
        raise _fail(f"not an anonymous formula ({getattr(e, 'problem', e)})", prop, _show(value)) from None


def _system(value: str, prop: _Prop) -> str:
    return "-".join(sorted({_element(x.strip(), prop) for x in value.split("-")}))


def _doi(value: str, prop: _Prop) -> str:
    from matinfo.core.records import normalize_doi

    return normalize_doi(value) or ""


# --- the table ----------------------------------------------------------------------------------------------


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


def _f(name: str, type_: FieldType, source: str, description: str) -> OptimadeField:
    return OptimadeField(name, type_, source, description)


_P = f"_{PROVIDER_PREFIX}_"
_FIELDS: dict[str, _Field] = {
    f.name: f
    for f in (
        _Id(_f("id", "string", "materials.id", 'material ID as a string, e.g. id = "42"'),
            Material.id, nullable=False),
        _Scalar(_f("last_modified", "timestamp", "materials.created_at",
                   "when the material was stored (records are not edited in place)"),
                Material.created_at, nullable=False),
        _ElementList(_f("elements", "list", "material_elements.element",
                        "element symbols, dopants included"), MaterialElement.element),
        _ElementList(_f("elements_ratios", "list", "material_elements.fraction",
                        "atomic fraction of each element; unknown for unresolved formulas"),
                     MaterialElement.fraction),
        _Scalar(_f("nelements", "integer", "materials.nelements", "number of elements"),
                Material.nelements, nullable=False),
        _Scalar(_f("chemical_formula_descriptive", "string", "materials.formula", "the formula as reported"),
                Material.formula, nullable=False),
        _Scalar(_f("chemical_formula_reduced", "string", "materials.reduced_formula",
                   "reduced formula; = accepts the OPTIMADE (FeLiO4P) and the pymatgen (LiFePO4) spelling"),
                Material.reduced_formula, normalise=_reduced, fuzzy=False),
        _Scalar(_f("chemical_formula_anonymous", "string", "materials.anonymous_formula",
                   "anonymous formula; = accepts the OPTIMADE (A2B) and the pymatgen (AB2) spelling"),
                Material.anonymous_formula, normalise=_anonymous, fuzzy=False),
        _Scalar(_f("nsites", "integer", "structures.n_sites", "sites in the cell of any of its structures"),
                Structure.n_sites, via=_via_structures),
        _Scalar(_f(_P + "substance_id", "integer", "materials.substance_id", "ID of the substance (phase)"),
                Material.substance_id, nullable=False),
        _Scalar(_f(_P + "space_group", "integer", "materials.space_group_number", "space-group number"),
                Material.space_group_number),
        _Scalar(_f(_P + "crystal_system", "string", "substances.crystal_system",
                   "crystal system of the substance (cubic, ...), case-insensitive"),
                Substance.crystal_system, via=_via_substance, lower=True),
        _Scalar(_f(_P + "prototype", "string", "materials.prototype", "structure prototype label"),
                Material.prototype),
        _Scalar(_f(_P + "chemical_system", "string", "materials.chemical_system",
                   "elements joined by '-', dopants included; = accepts any element order"),
                Material.chemical_system, nullable=False, normalise=_system),
        _Scalar(_f(_P + "name", "string", "materials.name", "sample label or data-set row ID"),
                Material.name),
        _Scalar(_f(_P + "doi", "string", "refs.doi",
                   "DOI of a reference of the material, its properties or structures (case-insensitive)"),
                Reference.doi, via=_via_references, normalise=_doi, lower=True),
        _Scalar(_f(_P + "year", "integer", "refs.year", "publication year of one of those references"),
                Reference.year, via=_via_references),
        _Scalar(_f(_P + "dataset", "string", "datasets.name", "name of the data set it was imported from"),
                Dataset.name, via=_via_dataset),
    )
}

#: Searchable fields, by filter name.  Property quantities (``_matinfo_<quantity>``) come on top of these.
OPTIMADE_FIELDS: Mapping[str, OptimadeField] = MappingProxyType({k: f.info for k, f in _FIELDS.items()})

#: OPTIMADE ``structures`` fields that exist in the standard but that matinfo cannot search.
_NOT_SEARCHABLE = {
    "chemical_formula_hill", "dimension_types", "nperiodic_dimensions", "lattice_vectors",
    "cartesian_site_positions", "species", "species_at_sites", "assemblies", "structure_features",
    "immutable_id", "type", "space_group_symmetry_operations_xyz", "space_group_symbol_hall",
    "space_group_symbol_hermann_mauguin", "space_group_symbol_hermann_mauguin_extended",
    "space_group_it_number", "site_coordination", "wyckoff_positions",
}


def _field(prop: _Prop) -> _Field | None:
    """The field named by ``prop``; ``None`` for another provider's field (unknown by definition)."""
    name = prop.name
    if "." in name:
        raise _fail("nested property names (a.b) and relationships are not supported", prop,
                    hint="filter on a top-level field, e.g. elements or _matinfo_doi")
    if name in _FIELDS:
        return _FIELDS[name]
    if name.startswith(_P):
        return _quantity_field(prop)
    m = re.fullmatch(r"_([a-z0-9]+)_.+", name)
    if m:
        warnings.warn(f"field {name!r} belongs to provider {m.group(1)!r}, not {PROVIDER_PREFIX!r}: "
                      "it is treated as unknown (no comparison on it matches)", UserWarning, stacklevel=2)
        return None
    close = difflib.get_close_matches(name, list(_FIELDS), n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    hint += f"searchable fields: {', '.join(_FIELDS)}, and {_P}<quantity> for properties"
    problem = "unknown field"
    if name in _NOT_SEARCHABLE:
        problem = "this OPTIMADE field is not searchable in matinfo"
    raise _fail(problem, prop, hint=hint)


def _quantity_field(prop: _Prop) -> _Field:
    from matinfo.core.quantities import find_quantity, list_quantities

    rest = prop.name[len(_P):]
    q = find_quantity(rest)
    if q is None:
        names = [n[len(_P):] for n in _FIELDS if n.startswith(_P)] + [q.name for q in list_quantities()]
        close = difflib.get_close_matches(rest, names, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(_P + c) for c in close)}? " if close else ""
        own = ", ".join(n for n in _FIELDS if n.startswith(_P))
        hint += f"{_P} fields: {own}, or {_P}<quantity> for a quantity of matinfo.core.quantities"
        raise _fail("unknown matinfo field or quantity", prop, hint=hint)
    if q.kind != "property":
        raise _fail(f"{q.name} is a measurement condition, not a property of materials", prop,
                    hint="OPTIMADE filters search property values; filter conditions with matinfo's own "
                         "search (Query.conditions)")
    unit = f" in {q.canonical_unit}" if q.canonical_unit else ""
    type_: FieldType = "float" if q.dtype == "number" else "boolean" if q.dtype == "bool" else "string"
    info = _f(prop.name, type_, f"properties.value of {q.name}{unit}", q.description)
    return _QuantityField(info, q.name, q.dtype, q.canonical_unit)


# ------------------------------------------------------------------------------------------------------------
# Parse tree → intermediate tree


_UNKNOWN = _Leaf(false(), false())  # another provider's field: unknown everywhere


class _ToNodes(Transformer):
    """Turns the lark tree of an OPTIMADE filter into :data:`_Node` objects (``MongoTransformer``'s role)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    # -- values
    def string(self, c):
        return re.sub(r"\\(.)", r"\1", str(c[0])[1:-1], flags=re.S)

    def number(self, c):
        tok = c[0]
        return int(tok) if tok.type == "SIGNED_INT" else float(tok)

    def signed_int(self, c):
        return int(c[0])

    @v_args(meta=True)
    def bool(self, meta, c):  # the grammar's TRUE / FALSE are anonymous tokens: read the source
        return _Bool(self.text[meta.start_pos:meta.end_pos].strip() == "TRUE")

    def property(self, c):
        return _Prop(".".join(str(t) for t in c))

    def constant(self, c):
        return c[0]

    value = non_string_value = not_implemented_string = constant

    def value_list(self, c):
        items, op = [], "="
        for x in c:
            if isinstance(x, Token) and x.type == "OPERATOR":
                op = str(x)
            else:
                items.append((op, x))
                op = "="
        return items

    def value_zip(self, c):
        return self.value_list(c)

    def value_zip_list(self, c):
        return list(c)

    def property_zip_addon(self, c):
        return list(c)

    # -- right-hand sides
    def value_op_rhs(self, c):
        return ("cmp", str(c[0]), c[1])

    def known_op_rhs(self, c):
        return ("known", c[1].type == "KNOWN")

    def fuzzy_string_op_rhs(self, c):
        return ("fuzzy", c[0].type, c[-1])

    def set_op_rhs(self, c):
        first = c[1]
        if isinstance(first, Token) and first.type in ("ALL", "ANY", "ONLY"):
            return ("has", first.type, c[2])
        if isinstance(first, Token) and first.type == "OPERATOR":
            return ("has", "ONE", [(str(first), c[2])])
        return ("has", "ONE", [("=", first)])

    def length_op_rhs(self, c):
        return ("length", str(c[1]) if len(c) == 3 else "=", c[-1])

    def set_zip_op_rhs(self, c):
        props = c[0]
        if isinstance(c[2], Token):  # ALL / ANY / ONLY value_zip_list
            return ("zip", props, c[2].type, c[3])
        return ("zip", props, "ONE", [c[2]])

    # -- comparisons
    def property_first_comparison(self, c):
        prop, rhs = c
        return _comparison(prop, rhs)

    def constant_first_comparison(self, c):
        const, op, other = c
        if not isinstance(other, _Prop):
            raise _fail(f"a comparison needs a property: {_show(const)} {op} {_show(other)} compares two "
                        "constants", value=_show(const),
                        hint="write property OPERATOR value, e.g. nelements > 3")
        return _comparison(other, ("cmp", _REVERSED[str(op)], const))

    def comparison(self, c):
        return c[0]

    # -- logic
    def expression_phrase(self, c):
        return _Not(c[1]) if len(c) == 2 else c[0]

    def expression_clause(self, c):
        return c[0] if len(c) == 1 else _Junction("and", tuple(c))

    def expression(self, c):
        return c[0] if len(c) == 1 else _Junction("or", tuple(c))

    def filter(self, c):
        return c[0] if c else None

    def __default__(self, data, children, meta):
        raise _fail(f"the filter construct {data!r} is not supported")


def _comparison(prop: _Prop, rhs: tuple) -> _Node:
    kind = rhs[0]
    if kind == "cmp" and isinstance(rhs[2], _Prop):
        raise _fail(f"comparing two properties ({prop.name} {rhs[1]} {rhs[2].name}) is not supported", prop,
                    hint="compare each property with a constant")
    field = _field(prop)
    if kind == "zip":
        return _zip(prop, rhs[1], rhs[2], rhs[3])
    if field is None:
        if kind == "known":
            return _Leaf(false() if rhs[1] else true())
        return _UNKNOWN
    if kind == "cmp":
        return field.compare(rhs[1], rhs[2], prop)
    if kind == "known":
        known = field.known()
        if known is None:
            return _Leaf(true() if rhs[1] else false())
        return _Leaf(known if rhs[1] else not_(known))
    if kind == "fuzzy":
        return field.fuzzy(rhs[1], rhs[2], prop)
    if kind == "has":
        return field.has(rhs[1], rhs[2], prop)
    return field.length(rhs[1], rhs[2], prop)


def _zip(prop: _Prop, others: list[_Prop], mode: str, zips: list[list[tuple[str, Any]]]) -> _Node:
    """``elements:elements_ratios HAS "Li":>0.3``: one ``material_elements`` row satisfies every part."""
    props = [prop, *others]
    names = [p.name for p in props]
    fields = [f for f in (_FIELDS.get(n) for n in names) if isinstance(f, _ElementList)]
    if len(fields) != len(props) or len(set(names)) != len(names):
        raise _fail(f"correlated HAS on {':'.join(names)} is not supported", prop,
                    hint='only elements:elements_ratios is, e.g. elements:elements_ratios HAS "Li":>0.3')
    conds = []
    for z in zips:
        if len(z) != len(fields):
            raise _fail(f"{':'.join(names)} needs {len(fields)} values per item, got {len(z)}", prop,
                        value=":".join(_show(v) for _, v in z))
        conds.append(and_(*(f.item(op, v, p) for f, p, (op, v) in zip(fields, props, z, strict=True))))
    ratio = next((f for f in fields if f.is_ratio), None)
    return _set_leaf(mode, conds, ratio.known() if ratio else None, nullable=ratio is not None)


# ------------------------------------------------------------------------------------------------------------
# Parsing


@lru_cache(maxsize=1)
def _parser():
    """Lark parser of the newest filter grammar shipped with ``optimade`` (with positions, for TRUE/FALSE)."""
    from lark import Lark
    from optimade.filterparser import LarkParser

    grammar = LarkParser().lark.source_grammar
    return Lark(grammar, maybe_placeholders=False, propagate_positions=True)


_KEYWORDS = ("AND", "OR", "NOT", "HAS", "ALL", "ANY", "ONLY", "IS", "KNOWN", "UNKNOWN", "CONTAINS", "STARTS",
             "ENDS", "WITH", "LENGTH")


def _syntax_error(text: str, err: UnexpectedInput) -> QueryError:
    if isinstance(err, UnexpectedEOF) or getattr(err, "pos_in_stream", -1) in (None, -1):
        pos, where, what = len(text), f"column {len(text) + 1}", "end of the filter"
    else:
        pos = err.pos_in_stream
        where = f"column {err.column}" if err.line == 1 else f"line {err.line}, column {err.column}"
        what = repr(text[pos:pos + 12] + ("..." if len(text) > pos + 12 else ""))
    return QueryError(f"syntax error at {where}: unexpected {what}", value=text, hint=_syntax_hint(text, pos))


def _syntax_hint(text: str, pos: int) -> str:
    rest = text[pos:]
    outside = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)  # keywords inside strings do not count
    lower_kw = [w for w in re.findall(r"\b[a-z]+\b", outside) if w.upper() in _KEYWORDS and w not in _FIELDS]
    word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", rest)
    if pos >= len(text):
        return ("the filter ends too early: a value, a closing parenthesis or a comparison after AND/OR "
                "is missing")
    if rest.startswith("'"):
        return "strings take double quotes: \"Li\""
    if rest.startswith('"'):
        return 'a string is not closed: add the closing "'
    if rest.startswith("==") or (rest.startswith("=") and text[:pos].rstrip().endswith(("=", "!", "<", ">"))):
        return "use = for equality and != for inequality"
    if rest[:1] in "&|":
        return "write AND, OR, NOT"
    if lower_kw:
        return f"keywords are upper case: write {lower_kw[0].upper()}, not {lower_kw[0]}"
    if word and word.group(0)[0].isupper() and word.group(0) not in _KEYWORDS:
        w = word.group(0)
        if w.lower() in _FIELDS or w.lower().startswith(_P):
            return f"property names are lower case: {w.lower()}"
        return f'put string values in double quotes: "{w}"'
    return 'a filter compares properties with values, e.g. elements HAS ALL "Li","O" AND nelements <= 3'


def optimade_clause(filter_string: str) -> ColumnElement[bool]:
    """Translate an OPTIMADE filter into a boolean clause over :class:`~matinfo.store.models.Material`.

    Use it as ``select(Material.id).where(optimade_clause('elements HAS "Li" AND nelements <= 3'))``; the
    clause refers to ``materials`` and uses ``IN`` sub-queries on the child tables.  An empty filter matches
    every material.  The fields and their meaning are listed in the module documentation and in
    :data:`OPTIMADE_FIELDS`.

    Raises :class:`~matinfo.errors.QueryError` (a ``ValueError``) for a syntax error (with its column and a
    hint), an unknown field (with the closest names), a value of the wrong type, or an unsupported construct.
    """
    if not isinstance(filter_string, str):
        raise QueryError(f"an OPTIMADE filter is a string, not {type(filter_string).__name__}",
                         value=filter_string)
    try:
        tree = _parser().parse(filter_string)
    except UnexpectedInput as e:
        raise _syntax_error(filter_string, e) from None
    except Exception as e:  # any other lark failure: still a bad filter, never a lark exception
        raise QueryError(f"cannot parse the filter ({e})", value=filter_string,
                         hint='write e.g. elements HAS "Li" AND nelements <= 3') from None
    try:
        node = _ToNodes(filter_string).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, MatinfoError):
            raise e.orig_exc from None
        raise e.orig_exc from e
    return true() if node is None else _sql(node)
