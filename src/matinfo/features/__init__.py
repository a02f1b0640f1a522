"""matinfo.features: descriptors as scikit-learn transformers.

Every featurizer follows one contract (:class:`~matinfo.features.base.Featurizer`): ``fit`` / ``transform``,
``get_feature_names_out()``, a category per feature (``composition``, ``structure``, ``processing``,
``measurement``, ``interface``, ``molecule``), ``citations()``, ``on_error="raise" | "nan"`` and ``n_jobs``.
Names load on first use so that ``import matinfo.features`` stays cheap.
"""

from __future__ import annotations

import importlib

from matinfo._lazy import lazy_exports

# module -> public names.  Each featurizer module registers its classes on import.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.features.base": (
        "CATEGORIES",
        "Featurizer",
        "FeaturizeReport",
        "RowError",
        "Examples",
        "registered_featurizers",
    ),
    "matinfo.features.element_fraction": ("ElementFraction",),
    "matinfo.features.structure_basic": ("StructureBasics", "SymmetryFeatures"),
    "matinfo.features.occupancy": ("SiteOccupancy",),
    "matinfo.features.coordination": ("CoordinationStats",),
    "matinfo.features.rdf": ("RadialDistribution",),
    "matinfo.features.ofm": ("OrbitalFieldMatrix",),
    "matinfo.features.soap": ("SOAP",),
    "matinfo.features.element_stats": ("ElementStats",),
    "matinfo.features.stoichiometry": ("Stoichiometry",),
    "matinfo.features.alloy": ("AlloyFeatures",),
    "matinfo.features.orbitals": ("ValenceOrbital",),
    "matinfo.features.ionic": ("IonicProperty",),
    "matinfo.features.conditions": ("ConditionFeatures",),
    "matinfo.features.pairs": ("PairFeatures",),
    "matinfo.features.molecules": ("MoleculeFeatures",),
    "matinfo.features.combine": ("CombinedFeatures", "TableFeatures"),
    "matinfo.features.columns": ("NumericColumns",),
    "matinfo.features.run": ("featurize", "FeaturizeResult"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


def _import_all() -> None:
    """Import every featurizer module so that the registry is complete."""
    for module in _EXPORTS:
        importlib.import_module(module)
