"""The calculation functions a notebook uses: :func:`calculate` one structure now, :func:`submit` many to the job
queue of a store, and the structures to run on, from files (:func:`cells_from_files`) or from a store search
(:func:`cells_from_store`).

>>> from ase.build import bulk
>>> r = calculate(bulk("Cu", cubic=True), engine="emt")      # doctest: +SKIP
>>> round(r.energy_per_atom, 4)                               # doctest: +SKIP
-0.0057
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matinfo.calc.config import CalcConfig
from matinfo.calc.engines import DEFAULT_ENGINE, check_spec, make_spec
from matinfo.calc.jobs import Job, JobQueue
from matinfo.calc.spec import CalcResult
from matinfo.calc.structures import Cell, read_cells
from matinfo.errors import ParameterError

__all__ = ["calculate", "submit", "as_cell", "cells_from_files", "cells_from_store", "cells_from_substances"]

Target = tuple[str | None, Cell, int | None]


def as_cell(structure: Any) -> Cell:
    """A :class:`Cell` from a Cell, a pymatgen ``Structure``, an ASE ``Atoms`` or a structure file path."""
    if isinstance(structure, Cell):
        return structure
    if isinstance(structure, str | Path):
        return read_cells([structure])[0][1]
    if hasattr(structure, "get_scaled_positions"):
        return Cell.from_atoms(structure)
    if hasattr(structure, "frac_coords") and hasattr(structure, "lattice"):
        return Cell.from_structure(structure)
    raise ParameterError(
        f"cannot calculate a {type(structure).__name__}: give a pymatgen Structure, an ASE Atoms or a CIF path"
    )


def calculate(
    structure: Any,
    *,
    engine: str = DEFAULT_ENGINE,
    task: str = "static",
    parameters: Mapping[str, Any] | None = None,
    config: CalcConfig | None = None,
    workdir: str | Path | None = None,
) -> CalcResult:
    """Run one calculation now, without a store (the job queue is for many, resumable ones)."""
    from matinfo.calc.runners import execute

    config = config or CalcConfig()
    spec = make_spec(engine, task, as_cell(structure), parameters, config=config)
    return execute(spec, config=config, workdir=workdir)


def cells_from_files(paths: Sequence[str | Path]) -> list[Target]:
    """``(label, cell, None)`` of each structure in the files."""
    return [(name, cell, None) for name, cell in read_cells(list(paths))]


def cells_from_store(
    db: Any, query: Any = None, *, all_structures: bool = False, **criteria: Any
) -> list[Target]:
    """``(label, cell, structure_id)`` of the structures of the substances a store search finds.

    One ordered structure per substance (the first stored) unless ``all_structures``; disordered structures
    (partial occupancy) are left out — order them first.
    """
    from sqlalchemy import select

    from matinfo.store import models as m

    hits = db.search(query, **criteria)
    ids = [h.substance_id for h in hits]
    out: list[Target] = []
    if not ids:
        return out
    with db.session() as s:
        rows = s.execute(
            select(
                m.Structure.id,
                m.Structure.substance_id,
                m.Structure.cif,
                m.Structure.formula,
                m.Structure.source,
            )
            .where(m.Structure.substance_id.in_(ids), m.Structure.has_partial_occupancy.is_(False))
            .order_by(m.Structure.substance_id, m.Structure.id)
        ).all()
    seen: set[int] = set()
    for r in rows:
        if not all_structures and r.substance_id in seen:
            continue
        seen.add(r.substance_id)
        from pymatgen.core import Structure

        structure = Structure.from_str(r.cif, fmt="cif")
        label = f"structure {r.id} ({r.formula or structure.composition.reduced_formula})"
        out.append((label, Cell.from_structure(structure, source=label), int(r.id)))
    return out


def cells_from_substances(db: Any, substance_ids: Iterable[int], *, limit: int | None = None) -> list[Target]:
    """``(label, cell, structure_id)`` of the first ordered structure of each substance, in the order given;
    substances without one are skipped; at most ``limit`` of them."""
    from pymatgen.core import Structure
    from sqlalchemy import select

    from matinfo.store import models as m

    out: list[Target] = []
    with db.session() as s:
        for sid in substance_ids:
            if limit is not None and len(out) >= limit:
                break
            row = s.execute(
                select(m.Structure.id, m.Structure.cif, m.Structure.formula)
                .where(m.Structure.substance_id == int(sid), m.Structure.has_partial_occupancy.is_(False))
                .order_by(m.Structure.id)
                .limit(1)
            ).first()
            if row is None:
                continue
            structure = Structure.from_str(row.cif, fmt="cif")
            label = f"structure {row.id} ({row.formula or structure.composition.reduced_formula})"
            out.append((label, Cell.from_structure(structure, source=label), int(row.id)))
    return out


def submit(
    db: Any,
    targets: Iterable[Target],
    *,
    engine: str = DEFAULT_ENGINE,
    task: str = "relax",
    parameters: Mapping[str, Any] | None = None,
    config: CalcConfig | None = None,
    workflow: bool = False,
    hull: bool = True,
    competitors: bool = True,
    tag: str | None = None,
) -> list[tuple[Job, bool]]:
    """Queue a calculation of each ``(label, cell, structure_id)``; with ``workflow`` relax → static → properties.

    Every spec is checked before any is queued (point 7 of the design: overlapping atoms, unsupported elements,
    missing executables or pseudopotentials fail here, naming the structure).  Returns ``(job, created)``
    pairs; submitting the same spec again returns its existing job with ``created`` False.
    """
    from matinfo.calc.workflow import submit_workflow
    from matinfo.store import Database, connect

    config = config or CalcConfig()
    store = db if isinstance(db, Database) else connect(str(db))
    queue = JobQueue(store, max_attempts=config.runner.max_attempts)
    targets = list(targets)
    if not targets:
        raise ParameterError("no structures to calculate")
    if workflow:
        return submit_workflow(
            queue, targets, engine=engine, parameters=parameters, config=config, hull=hull,
            competitors=competitors, tag=tag,
        )  # fmt: skip
    specs = []
    for label, cell, sid in targets:
        spec = make_spec(engine, task, cell, parameters, label=label, structure_id=sid, config=config)
        check_spec(spec, config)
        specs.append(spec)
    return [queue.submit(spec, tag=tag) for spec in specs]
