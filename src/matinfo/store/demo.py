"""The demo database: real, licensed data shipped inside the package, imported through the public import path.

Order matters for linking (see docs/explanation/substance-identity.md): data with crystal structures come first,
so compositions reported without a structure can link to a known phase.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DEMO_PRESETS", "build_demo"]

#: Presets imported by ``matinfo db init --demo``, in this order.
DEMO_PRESETS: tuple[str, ...] = (
    "crystal-structures",  # 288 AFLOW prototypes + 87 COD structures
    "obelix",  # Li-ion conductivities with 254 CIFs
    "elements",  # Magpie / pymatgen element table
    "formation-enthalpies",  # pymatgen's experimental ΔHf, plus convex-hull phase diagrams
    "janaf",  # NIST-JANAF ΔGf(T)
    "thermoelectrics-systeme",  # sysTEm Seebeck, σ, κ, zT vs T
    "thermoelectrics-estm",  # ESTM
)


def build_demo(db, *, presets: Sequence[str] = DEMO_PRESETS, progress=None) -> list:
    """Import the shipped data sets into ``db``; returns one ImportReport per preset.

    ``progress`` is a Rich ``Progress`` (or anything with ``add_task`` / ``advance`` / ``update``); each preset
    gets a task.  Re-running adds nothing (records are deduplicated).
    """
    from matinfo.io.presets import get_preset

    reports = []
    for name in presets:
        preset = get_preset(name)
        task = progress.add_task(f"demo: {name}", total=None) if progress is not None else None

        def tick(n: int, task=task) -> None:
            if progress is not None:
                progress.advance(task, n)

        report = db.write(preset.read(), dataset=preset.dataset, progress=tick)
        if progress is not None:
            progress.update(task, completed=report.read, total=report.read)
        reports.append(report)
    db.relink()  # compositions imported before a later data set brought their structure
    return reports
