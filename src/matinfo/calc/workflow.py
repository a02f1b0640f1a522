"""The relax → static (→ bands) → properties workflow, as jobs of the queue.

:func:`submit_workflow` queues, for each structure, a ``relax`` job and — for the formation energy and the
energy above the convex hull — one ``relax`` job per element of its elemental reference
(:func:`~matinfo.calc.references.reference_cell`) with the same engine and parameters (shared by every
structure that has the element: the same spec is the same job).  When the relax job completes, the same
transaction queues a ``static`` job on the relaxed cell that *requires* the reference jobs; when that one
completes, its record gets ``formation_energy_per_atom`` (from the references' energies per atom) and
``energy_above_hull`` (pymatgen ``PhaseDiagram`` over the references and every static result of the same engine
and parameters in the chemical system).  Engines with a ``bands`` task (the DFT codes) then run it on the same
cell: band gap and DOS on a finer k-grid.  Each step is an idempotent job, so a workflow resumes after a crash
at the step it had reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from matinfo.calc.config import CalcConfig
from matinfo.calc.engines import check_spec, get_engine, make_spec
from matinfo.calc.jobs import Job, JobQueue, insert_job
from matinfo.calc.references import competing_cells, reference_cell
from matinfo.calc.spec import CalcResult, CalcSpec
from matinfo.calc.structures import Cell

__all__ = ["submit_workflow", "next_steps", "derived_properties", "REFERENCE_PRIORITY"]

#: References run before compounds: every static job waits for them.
REFERENCE_PRIORITY = 10


def submit_workflow(
    queue: JobQueue,
    cells: Iterable[tuple[str | None, Cell, int | None]],
    *,
    engine: str,
    parameters: Mapping[str, Any] | None = None,
    config: CalcConfig | None = None,
    hull: bool = True,
    competitors: bool = True,
    tag: str | None = None,
) -> list[tuple[Job, bool]]:
    """Queue relax → static (→ formation energy, hull) for each ``(label, cell, structure_id)``; elemental
    references from :func:`~matinfo.calc.references.reference_cell`, the queue's store included.

    With ``competitors`` the ordered structures the store holds in the chemical system (its binaries, ternaries
    …; :func:`~matinfo.calc.references.competing_cells`) are relaxed too, so that the hull has more than the
    elements; those the engine cannot treat are left out.  Every spec is checked first (overlaps, elements,
    executables): one bad structure queues nothing.  Returns ``(job, created)`` of each structure's relax job.
    """
    config = config or CalcConfig()
    eng = get_engine(engine, config)
    params = dict(parameters or {})
    bands = "bands" in eng.tasks
    # the follow-up steps' parameters, complete (defaults filled in), as their specs will carry them
    static_params: dict[str, Any] = {}
    bands_params: dict[str, Any] = {}
    plans: list[tuple[CalcSpec, dict[str, CalcSpec], list[CalcSpec]]] = []
    for label, cell, sid in cells:
        spec = make_spec(engine, "relax", cell, params, label=label, structure_id=sid, config=config)
        check_spec(spec, config)
        given = {k: v for k, v in params.items() if k in eng.defaults("static")}
        static_params = make_spec(engine, "static", cell, given, config=config).to_dict()["parameters"]
        if bands:
            given = {k: v for k, v in params.items() if k in eng.defaults("bands")}
            bands_params = make_spec(engine, "bands", cell, given, config=config).to_dict()["parameters"]
        refs: dict[str, CalcSpec] = {}
        if hull:
            for el in cell.elements:
                rs = make_spec(
                    engine,
                    "relax",
                    reference_cell(el, config, db=queue.db),
                    params,
                    label=f"reference {el}",
                    config=config,
                )
                check_spec(rs, config)
                refs[el] = rs
        rivals = _competitors(queue.db, cell, engine, params, config) if hull and competitors else []
        plans.append((spec, refs, rivals))
    out = []
    for spec, refs, rivals in plans:
        ref_keys = {}
        for el, rs in refs.items():
            job, _ = queue.submit(rs, priority=REFERENCE_PRIORITY, tag=tag, workflow={"reference": el})
            ref_keys[el] = job.key
        rival_keys = [
            queue.submit(r, priority=REFERENCE_PRIORITY, tag=tag, workflow={"competitor": True})[0].key
            for r in rivals
        ]
        wf = {
            "then": "static",
            "static_parameters": static_params,
            "hull": hull,
            "references": ref_keys,
            "competitors": rival_keys,
        }
        if bands:
            wf["bands_parameters"] = bands_params
        job, created = queue.submit(spec, tag=tag, workflow=wf)
        if not created and not (job.workflow or {}).get("then"):
            job = _attach(queue, job.id, wf)
        out.append((job, created))
    return out


def _attach(queue: JobQueue, job_id: int, wf: dict[str, Any]) -> Job:
    """Give an existing relax job (submitted before without a workflow) the workflow ``wf``; if it is done
    already, queue its next step now."""
    from matinfo.calc.job_record import job_from_row
    from matinfo.store import models as m

    with queue.db.session() as s:
        row = s.get(m.CalcJob, job_id)
        if (row.workflow or {}).get("then"):  # another process attached one meanwhile
            return job_from_row(row)
        row.workflow = {**(row.workflow or {}), **wf}
        if row.state == "done" and row.result is not None:
            next_steps(s, row, CalcResult.from_dict(row.result), max_attempts=queue.max_attempts)
        s.flush()
        return job_from_row(row)


def next_steps(s: Any, row: Any, result: CalcResult, *, max_attempts: int = 3) -> None:
    """In the completing transaction ``s``: queue what follows job ``row`` in its workflow."""
    wf = row.workflow or {}
    if wf.get("then") == "bands":
        spec = CalcSpec(
            row.engine,
            "bands",
            result.cell,
            wf["bands_parameters"],
            label=row.label,
            structure_id=row.structure_id,
        )
        insert_job(s, spec, priority=row.priority, tag=row.tag, max_attempts=max_attempts)
        return
    if wf.get("then") != "static":
        return
    spec = CalcSpec(
        row.engine,
        "static",
        result.cell,
        wf.get("static_parameters") or {},
        label=row.label,
        structure_id=row.structure_id,
    )
    refs = dict(wf.get("references") or {})
    follow: dict[str, Any] = {
        "hull": bool(wf.get("hull")),
        "references": refs,
        "relax_parameter_hash": row.parameter_hash,
    }
    if "bands_parameters" in wf:
        follow.update(then="bands", bands_parameters=wf["bands_parameters"])
    insert_job(
        s,
        spec,
        priority=row.priority,
        requires=sorted(refs.values()),
        after=list(wf.get("competitors") or ()),
        workflow=follow,
        tag=row.tag,
        max_attempts=max_attempts,
    )


def _reference_energies(s: Any, refs: Mapping[str, str]) -> dict[str, float] | None:
    from sqlalchemy import select

    from matinfo.store import models as m

    rows = s.execute(
        select(m.CalcJob.key, m.CalcJob.result).where(m.CalcJob.key.in_(list(refs.values())))
    ).all()
    by_key = {k: r for k, r in rows if r is not None}
    if any(k not in by_key for k in refs.values()):
        return None
    return {el: float(by_key[k]["energy_per_atom"]) for el, k in refs.items()}


def derived_properties(s: Any, row: Any, result: CalcResult) -> dict[str, float]:
    """``formation_energy_per_atom`` and ``energy_above_hull`` (eV/atom) of a workflow's static result."""
    wf = row.workflow or {}
    if row.task != "static" or not wf.get("hull"):
        return {}
    refs = dict(wf.get("references") or {})
    mu = _reference_energies(s, refs)
    if mu is None or set(mu) != set(result.cell.elements):
        return {}
    from collections import Counter

    counts = Counter(result.cell.species)
    n = result.cell.n_atoms
    formation = (result.energy - sum(c * mu[el] for el, c in counts.items())) / n
    return {"formation_energy_per_atom": formation, "energy_above_hull": _e_above_hull(s, row, result, mu)}


def _e_above_hull(s: Any, row: Any, result: CalcResult, mu: Mapping[str, float]) -> float:
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
    from pymatgen.core import Composition
    from sqlalchemy import and_, or_, select

    from matinfo.store import models as m

    system = set(result.cell.elements)
    entries = [PDEntry(Composition({el: 1}), e) for el, e in mu.items()]
    J = m.CalcJob
    same_settings = or_(
        and_(J.task == "static", J.parameter_hash == row.parameter_hash),
        and_(J.task == "relax", J.parameter_hash == (row.workflow or {}).get("relax_parameter_hash")),
    )
    rows = s.execute(
        select(J.id, J.result).where(J.engine == row.engine, J.state == "done", J.id != row.id, same_settings)
    ).all()
    for _, r in rows:
        if not r:
            continue
        other = Cell.from_dict(r["cell"])
        if set(other.elements) <= system:
            entries.append(PDEntry(Composition(other.formula), float(r["energy"])))
    me = PDEntry(Composition(result.cell.formula), result.energy)
    entries.append(me)
    pd = PhaseDiagram(entries)
    return max(0.0, float(pd.get_e_above_hull(me, allow_negative=True)))


def _competitors(
    db: Any, cell: Cell, engine: str, params: Mapping[str, Any], config: CalcConfig
) -> list[CalcSpec]:
    """Relax specs of the stored phases competing with ``cell`` that the engine can treat."""
    from matinfo.errors import MatinfoError

    out = []
    for label, other, sid in competing_cells(db, cell.elements):
        if other.key == cell.key:
            continue
        spec = make_spec(engine, "relax", other, params, label=label, structure_id=sid, config=config)
        try:
            check_spec(spec, config)
        except MatinfoError:
            continue
        out.append(spec)
    return out
