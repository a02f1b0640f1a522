"""Calculation results into the store as properties, through the one writer path
(:func:`matinfo.store.writer.write_records`).

A done job becomes one reported material: the final structure (the relaxed one after ``relax``), its formula,
and one property per number — ``energy_per_atom`` always, ``band_gap`` when the engine computed one,
``formation_energy_per_atom`` and ``energy_above_hull`` when the workflow had its elemental references.  Every
property has method ``calculation``, ``produced_by`` ``"<engine version> params:<hash[:12]>"`` and conditions
``engine``, ``engine_version``, ``task`` and ``parameter_hash`` (``"sha256:…"``), so that `matinfo db show`
tells a CHGNet number from a GPAW one and from a measurement.  The store links the material to its substance
as it links any other; the job row points to it (``calc_jobs.material_id``), the material to the job (external
ID ``calc-job``).  Writing the same result twice adds nothing (the store deduplicates records).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matinfo.calc.spec import CalcResult

__all__ = ["result_record", "publish_result", "DATASET", "EXTERNAL_ID_SOURCE"]

#: Dataset calculation results are filed under.
DATASET = "calculations"
#: ``external_ids.source`` of the link from a published material to its job key.
EXTERNAL_ID_SOURCE = "calc-job"


def _conditions(result: CalcResult) -> dict[str, Any]:
    return {
        "engine": result.engine,
        "engine_version": result.engine_version,
        "task": result.task,
        "parameter_hash": f"sha256:{result.parameter_hash}",
    }


def result_record(
    result: CalcResult, *, derived: Mapping[str, float] | None = None, label: str | None = None
) -> Any:
    """The :class:`~matinfo.core.records.MaterialIn` of ``result``; ``derived`` adds quantities computed from
    several jobs (``formation_energy_per_atom``, ``energy_above_hull``, eV/atom)."""
    from matinfo.core.records import MaterialIn, PropertyIn, StructureIn

    conds = _conditions(result)
    common = {
        "conditions": conds,
        "method": "calculation",
        "produced_by": f"{result.engine_version} params:{result.parameter_hash[:12]}",
        "location": f"calc job {result.spec_key[:16]}",
    }
    props = [PropertyIn(quantity="energy_per_atom", value=result.energy_per_atom, unit="eV/atom", **common)]
    if result.band_gap is not None:
        props.append(PropertyIn(quantity="band_gap", value=max(0.0, result.band_gap), unit="eV", **common))
    for q, v in (derived or {}).items():
        if v is not None:
            props.append(PropertyIn(quantity=q, value=float(v), unit="eV/atom", **common))
    structure = result.cell.to_structure()
    return MaterialIn(
        formula=structure.composition.reduced_formula,
        name=label,
        structure=StructureIn(
            cif=result.cell.to_cif(), source=f"calc {result.engine} {result.task}", structure=structure
        ),
        properties=tuple(props),
        external_ids=((EXTERNAL_ID_SOURCE, result.spec_key),),
        location=f"calc job {result.spec_key[:16]}",
    )


def publish_result(
    session: Any, result: CalcResult, *, derived: Mapping[str, float] | None = None, label: str | None = None
) -> int:
    """Write ``result`` in the current transaction of ``session``; returns the material ID."""
    from sqlalchemy import select

    from matinfo.core.records import DatasetIn
    from matinfo.store import models as m
    from matinfo.store.writer import write_records

    rec = result_record(result, derived=derived, label=label)
    dataset = DatasetIn(
        DATASET, description="energies and properties computed by matinfo.calc (CHGNet, GPAW, EMT, ...)"
    )
    write_records(session, [rec], dataset=dataset)
    mid = session.scalar(select(m.Material.id).where(m.Material.record_key == rec.content_key(DATASET)))
    return int(mid)
