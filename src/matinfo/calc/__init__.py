"""matinfo.calc: automated calculations from CIF files or store searches, kept as jobs in the store.

A frozen :class:`CalcSpec` (engine, task, parameters, structure) goes through an engine *template* (write the
input, name the command, read the results; :mod:`matinfo.calc.engines`) and a *runner* (a local process, SLURM
or Dask; :mod:`matinfo.calc.runners`) and comes back as a frozen :class:`CalcResult` with its provenance.
Engines: CHGNet (default, offline), EMT (fast tests); file-based DFT codes drop in through the same protocol.

Many calculations go through the :class:`JobQueue` of a store: :func:`submit` is idempotent (same spec → same
job), :func:`work` runs jobs with leases so that a crashed worker's job is taken over and completed exactly
once, and each result is published as properties (method ``calculation``) linked to its substance.  With
``workflow=True`` the queue runs relax → static → formation energy and energy above the convex hull.

Configuration (executables, pseudopotentials, runner, SLURM, Dask): :func:`load_config`, a TOML file.

Names load on first use (torch and chgnet only in the calculation's own process).
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.calc.spec": ("CalcSpec", "CalcResult", "Dos", "TASKS", "parameter_hash"),
    "matinfo.calc.structures": ("Cell", "check_overlaps", "read_cells", "MIN_DISTANCE"),
    "matinfo.calc.config": ("CalcConfig", "EngineConfig", "load_config"),
    "matinfo.calc.engines": (
        "Engine",
        "get_engine",
        "engine_names",
        "register_engine",
        "make_spec",
        "check_spec",
        "DEFAULT_ENGINE",
    ),
    "matinfo.calc.ase_engines": ("ASEEngine", "EMTEngine", "CHGNetEngine"),
    "matinfo.calc.runners": ("LocalRunner", "DaskRunner", "execute"),
    "matinfo.calc.slurm": ("SlurmRunner", "sbatch_script"),
    "matinfo.calc.jobs": ("JobQueue", "Job"),
    "matinfo.calc.work": ("work", "WorkReport"),
    "matinfo.calc.workflow": ("submit_workflow",),
    "matinfo.calc.references": ("reference_cell",),
    "matinfo.calc.api": (
        "calculate",
        "submit",
        "as_cell",
        "cells_from_files",
        "cells_from_store",
        "cells_from_substances",
    ),
    "matinfo.calc.errors": ("CalculationError", "CalcConfigError"),
    "matinfo.calc.conformance": ("check_calc_engine",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
