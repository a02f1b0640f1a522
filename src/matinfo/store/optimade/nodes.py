"""The intermediate tree of a filter: comparisons (leaves) joined by AND / OR / NOT, and the values in it.

The transformer (:mod:`.translate`) builds it from the lark tree, the fields (:mod:`.kinds`) make its leaves,
and :func:`to_sql` compiles it with NOT pushed down to the leaves.  The helpers shared by both sides (operator
tables, :func:`fail`, :func:`show`) live here too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from matinfo.errors import QueryError

__all__ = [
    "FUZZY",
    "OPS",
    "REVERSED",
    "Bool",
    "Junction",
    "Leaf",
    "Node",
    "Not",
    "Prop",
    "fail",
    "is_number",
    "show",
    "to_sql",
]


@dataclass(frozen=True)
class Leaf:
    #: True exactly when the comparison holds (NULL / false otherwise).
    match: ColumnElement[bool]
    #: True when the field has a value for the material; ``None`` when it always has one.
    known: ColumnElement[bool] | None = None
    #: What the search planner may know of the comparison (:func:`~.translate.optimade_plan`):
    #: ``("all", symbols)``, ``("any", symbols)`` or ``("nelements", op, n)``; ``None`` for the others.
    hint: tuple | None = None


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class Junction:
    op: Literal["and", "or"]
    parts: tuple[Node, ...]


Node = Leaf | Not | Junction


def to_sql(node: Node, negate: bool = False) -> ColumnElement[bool]:
    """Compile ``node``; De Morgan holds in the 3-valued logic of OPTIMADE, so NOT is pushed to the leaves."""
    if isinstance(node, Not):
        return to_sql(node.part, not negate)
    if isinstance(node, Junction):
        parts = [to_sql(p, negate) for p in node.parts]
        return and_(*parts) if (node.op == "and") != negate else or_(*parts)
    if not negate:
        return node.match
    return not_(node.match) if node.known is None else and_(node.known, not_(node.match))


# ------------------------------------------------------------------------------------------------------------
# Values as the transformer hands them over


@dataclass(frozen=True)
class Prop:
    """A property name of the filter (dotted names joined by ``.``)."""

    name: str


@dataclass(frozen=True)
class Bool:
    """``TRUE`` / ``FALSE`` of the filter."""

    value: bool


OPS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
#: The operator seen from the other side: ``3 < x`` is ``x > 3``.
REVERSED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
#: Grammar token → the operator as written in a filter, for messages.
FUZZY = {"CONTAINS": "CONTAINS", "STARTS": "STARTS WITH", "ENDS": "ENDS WITH"}


def fail(problem: str, prop: Prop | None = None, value: object = None, hint: str | None = None) -> QueryError:
    """The :class:`~matinfo.errors.QueryError` to raise, naming the field of ``prop``."""
    return QueryError(problem, field=prop.name if prop else None, value=value, hint=hint)


def show(value: object) -> str:
    """A value as it is written in a filter."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Bool):
        return "TRUE" if value.value else "FALSE"
    if isinstance(value, Prop):
        return value.name
    return repr(value)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
