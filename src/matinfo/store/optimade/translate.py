"""Lark tree of a filter → :data:`~.nodes.Node` tree → one SQLAlchemy clause: :func:`optimade_clause`."""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Transformer, v_args
from lark.exceptions import VisitError
from sqlalchemy import and_, false, not_, true
from sqlalchemy.sql.elements import ColumnElement

from matinfo.errors import MatinfoError, QueryError
from matinfo.store.optimade.fields import FIELDS, lookup
from matinfo.store.optimade.kinds import ElementList, set_leaf
from matinfo.store.optimade.nodes import REVERSED, Bool, Junction, Leaf, Node, Not, Prop, fail, show, to_sql
from matinfo.store.optimade.parse import parse

__all__ = ["optimade_clause", "optimade_plan"]


def optimade_clause(filter_string: str, *, entry: str = "structures") -> ColumnElement[bool]:
    """Translate an OPTIMADE filter into a boolean clause over :class:`~matinfo.store.models.Material`.

    Use it as ``select(Material.id).where(optimade_clause('elements HAS "Li" AND nelements <= 3'))``; the
    clause refers to ``materials`` and uses correlated ``EXISTS`` sub-queries on the child tables.  An empty filter matches
    every material.  The fields and their meaning are listed in the documentation of
    :mod:`matinfo.store.optimade` and in :data:`~matinfo.store.optimade.OPTIMADE_FIELDS`.

    Raises :class:`~matinfo.errors.QueryError` (a ``ValueError``) for a syntax error (with its column and a
    hint), an unknown field (with the closest names), a value of the wrong type, or an unsupported construct.

    ``entry="references"`` translates a filter on OPTIMADE ``references`` entries instead: a clause over
    :class:`~matinfo.store.models.Reference` (fields in :mod:`.references`).
    """
    return optimade_plan(filter_string, entry=entry)[0]


def optimade_plan(
    filter_string: str, *, entry: str = "structures"
) -> tuple[ColumnElement[bool], list[tuple]]:
    """:func:`optimade_clause` and what the search planner may use of the filter: the hints of its top-level
    AND terms, ``("all", symbols)``, ``("any", symbols)``, ``("none", symbols)`` (``NOT elements HAS ...``)
    and ``("nelements", op, n)``.  Each hint is implied by the clause, so a plan built on them (counted
    elements, a driving index) gives the same rows as the clause alone."""
    if not isinstance(filter_string, str):
        raise QueryError(
            f"an OPTIMADE filter is a string, not {type(filter_string).__name__}", value=filter_string
        )
    if entry == "structures":
        find = lookup
    elif entry == "references":
        from matinfo.store.optimade.references import lookup_reference as find
    else:
        raise QueryError(f"no OPTIMADE filter fields for entry type {entry!r}", value=entry)
    tree = parse(filter_string)
    try:
        node = _ToNodes(filter_string, find).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, MatinfoError):
            raise e.orig_exc from None
        raise e.orig_exc from e
    if node is None:
        return true(), []
    return to_sql(node), _hints(node)


def _hints(node: Node, negate: bool = False) -> list[tuple]:
    """Hints of the terms ANDed at the top of ``node`` (NOT pushed down as :func:`~.nodes.to_sql` does)."""
    if isinstance(node, Not):
        return _hints(node.part, not negate)
    if isinstance(node, Junction):
        if (node.op == "and") == negate:  # an OR: no term is implied
            return []
        return [h for part in node.parts for h in _hints(part, negate)]
    hint = node.hint
    if hint is None:
        return []
    if not negate:
        return [hint]
    # NOT HAS "O" / NOT HAS ANY "O","S": none of them (element lists are always known)
    if hint[0] == "any" or (hint[0] == "all" and len(hint[1]) == 1):
        return [("none", hint[1])]
    return []


_UNKNOWN = Leaf(false(), false())  # another provider's field: unknown everywhere


class _ToNodes(Transformer):
    """Turns the lark tree of a filter into :data:`~.nodes.Node` objects (``MongoTransformer``'s role)."""

    def __init__(self, text: str, find: Any = lookup) -> None:
        super().__init__()
        self.text = text
        self.find = find

    # -- values
    def string(self, c):
        return re.sub(r"\\(.)", r"\1", str(c[0])[1:-1], flags=re.DOTALL)

    def number(self, c):
        tok = c[0]
        return int(tok) if tok.type == "SIGNED_INT" else float(tok)

    def signed_int(self, c):
        return int(c[0])

    @v_args(meta=True)
    def bool(self, meta, c):  # the grammar's TRUE / FALSE are anonymous tokens: read the source
        return Bool(self.text[meta.start_pos : meta.end_pos].strip() == "TRUE")

    def property(self, c):
        return Prop(".".join(str(t) for t in c))

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
        return _comparison(prop, rhs, self.find)

    def constant_first_comparison(self, c):
        const, op, other = c
        if not isinstance(other, Prop):
            raise fail(
                f"a comparison needs a property: {show(const)} {op} {show(other)} compares two constants",
                value=show(const),
                hint="write property OPERATOR value, e.g. nelements > 3",
            )
        return _comparison(other, ("cmp", REVERSED[str(op)], const), self.find)

    def comparison(self, c):
        return c[0]

    # -- logic
    def expression_phrase(self, c):
        return Not(c[1]) if len(c) == 2 else c[0]

    def expression_clause(self, c):
        return c[0] if len(c) == 1 else Junction("and", tuple(c))

    def expression(self, c):
        return c[0] if len(c) == 1 else Junction("or", tuple(c))

    def filter(self, c):
        return c[0] if c else None

    def __default__(self, data, children, meta):
        raise fail(f"the filter construct {data!r} is not supported")


def _comparison(prop: Prop, rhs: tuple, find: Any = lookup) -> Node:
    kind = rhs[0]
    if kind == "cmp" and isinstance(rhs[2], Prop):
        raise fail(
            f"comparing two properties ({prop.name} {rhs[1]} {rhs[2].name}) is not supported",
            prop,
            hint="compare each property with a constant",
        )
    field = find(prop)
    if kind == "zip" and find is not lookup:
        raise fail("correlated HAS is not supported on this entry type", prop)
    if kind == "zip":
        return _zip(prop, rhs[1], rhs[2], rhs[3])
    if field is None:
        if kind == "known":
            return Leaf(false() if rhs[1] else true())
        return _UNKNOWN
    if kind == "cmp":
        return field.compare(rhs[1], rhs[2], prop)
    if kind == "known":
        known = field.known()
        if known is None:
            return Leaf(true() if rhs[1] else false())
        return Leaf(known if rhs[1] else not_(known))
    if kind == "fuzzy":
        return field.fuzzy(rhs[1], rhs[2], prop)
    if kind == "has":
        return field.has(rhs[1], rhs[2], prop)
    return field.length(rhs[1], rhs[2], prop)


def _zip(prop: Prop, others: list[Prop], mode: str, zips: list[list[tuple[str, Any]]]) -> Node:
    """``elements:elements_ratios HAS "Li":>0.3``: one ``material_elements`` row satisfies every part."""
    props = [prop, *others]
    names = [p.name for p in props]
    fields = [f for f in (FIELDS.get(n) for n in names) if isinstance(f, ElementList)]
    if len(fields) != len(props) or len(set(names)) != len(names):
        raise fail(
            f"correlated HAS on {':'.join(names)} is not supported",
            prop,
            hint='only elements:elements_ratios is, e.g. elements:elements_ratios HAS "Li":>0.3',
        )
    conds = []
    for z in zips:
        if len(z) != len(fields):
            raise fail(
                f"{':'.join(names)} needs {len(fields)} values per item, got {len(z)}",
                prop,
                value=":".join(show(v) for _, v in z),
            )
        conds.append(and_(*(f.item(op, v, p) for f, p, (op, v) in zip(fields, props, z, strict=True))))
    ratio = next((f for f in fields if f.is_ratio), None)
    return set_leaf(mode, conds, ratio.known() if ratio else None, nullable=ratio is not None)
