"""matinfo.screen: multi-model consensus screening of large candidate spaces.

Candidate spaces stream in chunks (A|B pairs, composition grids, element substitution on prototypes, tables,
CSV files, store searches); several saved models score every candidate; each model's top N, their overlaps
(in all / in at least k models), rank aggregates and an UpSet figure come out, and the predictions can go back
into the store marked as predictions.  The same screen runs in this process or on a Dask cluster.

>>> from matinfo.screen import GridSpace
>>> len(GridSpace("Bi-Sb-Te", step=0.05))
231

Names load on first use.
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.screen.spaces": ("CandidateSpace", "PairSpace", "GridSpace"),
    "matinfo.screen.substitution": ("SubstitutionSpace", "find_prototype"),
    "matinfo.screen.sources": ("TableSpace", "CsvSpace", "StoreSpace", "crabnet_unlabelled"),
    "matinfo.screen.filters": ("Elements", "ChargeBalanced", "KnownPhases", "NoSharedElements", "Predicate"),
    "matinfo.screen.models": ("ScreenModel", "load_models", "Ranking"),
    "matinfo.screen.consensus": (
        "overlap_counts",
        "borda",
        "mean_rank",
        "reciprocal_rank",
        "mean_zscore",
    ),
    "matinfo.screen.run": ("screen",),
    "matinfo.screen.result": ("ScreenResult",),
    "matinfo.screen.writeback": ("write_predictions",),
    "matinfo.screen.spec": ("parse_candidates",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
