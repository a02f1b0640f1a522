"""Re-link materials that were reported without a structure, once structures have arrived.

Linking happens at import time, so a composition imported *before* any structure of its compound founds (or
joins) a substance of unknown structure type.  :func:`relink_unknown` revisits exactly those materials with the
same rules (:func:`matinfo.core.identity.find_match`): each one whose composition now has exactly one known
phase within the tolerance moves there, with its properties and structures, and its link reason says so.
Substances of known structure keep their IDs; unknown-structure substances left empty are deleted.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from matinfo.core.identity import UNKNOWN_STRUCTURE, StructureType
from matinfo.store.linker import Linker
from matinfo.store.models import Material, Property, Structure, Substance

__all__ = ["relink_unknown"]


def relink_unknown(session: Session) -> dict[str, int]:
    """Move materials of unknown-structure substances to the only known phase they fit; returns counts."""
    linker = Linker(session)
    rows = session.execute(
        select(Material.id, Material.substance_id, Material.composition)
        .join(Substance, Substance.id == Material.substance_id)
        .where(Substance.structure_type_key == UNKNOWN_STRUCTURE, Material.composition.is_not(None))
        .order_by(Material.id)
    ).all()
    moved, touched = 0, set()
    for mid, sid, comp in rows:
        total = sum(comp.values())
        fractions = {el: amount / total for el, amount in comp.items()}
        decision = linker.decide(None, fractions, StructureType())
        target = decision.substance_id
        if decision.new or target == sid or not linker.is_known_structure(target):
            continue
        session.execute(
            update(Material)
            .where(Material.id == mid)
            .values(
                substance_id=target,
                link_reason=f"re-linked: {decision.reason}",
                link_distance=decision.distance,
            )
        )
        for model in (Property, Structure):
            session.execute(update(model).where(model.material_id == mid).values(substance_id=target))
        linker.add_member(target, None, fractions)
        touched.add(sid)
        moved += 1
    ranges = linker.dirty_ranges()
    if ranges:
        session.execute(update(Substance), ranges)
    emptied = 0
    if touched:
        still = set(session.scalars(select(Material.substance_id).where(Material.substance_id.in_(touched))))
        gone = sorted(touched - still)
        if gone:
            session.execute(delete(Substance).where(Substance.id.in_(gone)))
            emptied = len(gone)
    return {"examined": len(rows), "moved": moved, "substances_removed": emptied}
