"""The search planner: selectivity estimates of a :class:`~matinfo.store.search.Query`'s criteria and the
choice of plan (walk, walk-nelements, driver, plain), with the planner's tunables.

Owns :func:`plan_search`, :class:`Plan`, the driver of a driver plan (:class:`_Driver`), the countable
terms of a query (:func:`_terms`) and the constants :data:`COUNT_CAP`, :data:`COST`, ``WALK_*``,
:data:`SAMPLE`, :data:`PG_ESTIMATES_FROM` and :data:`FORCE_PLAN` (tests set these here).  The chosen plan
is carried out by :mod:`matinfo.store._search_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from matinfo.store import models as m
from matinfo.store._search_sql import _dataset_ids, _formula_key, _property_conds, _system

if TYPE_CHECKING:
    from matinfo.store.search import PropertyFilter, Query

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
