"""Carrying out a search plan chosen by :func:`~matinfo.store._search_plan.plan_search`: the driver plan,
the plain (driverless) query, and the walk in substance-ID order in stretches, handing over to the driver
when a stretch leaves the page short.  Each returns one page of matching substance IDs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, select

from matinfo.store import _search_plan as _plans
from matinfo.store import models as m
from matinfo.store._search_plan import Plan, _Driver, _Terms
from matinfo.store._search_sql import _child_checks, _material_clauses, exists_row

if TYPE_CHECKING:
    from matinfo.store.search import Query


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
        lo, window = (
            hi,
            (_plans.WALK_SAFETY * rest + _plans.WALK_MIN_SPAN if driver is not None else float("inf")),
        )
