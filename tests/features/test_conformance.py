"""Every registered featurizer keeps the Featurizer contract (matinfo.testing.check_featurizer)."""

from __future__ import annotations

import pytest

from matinfo.features import registered_featurizers
from matinfo.testing import check_featurizer

REGISTRY = registered_featurizers()


def test_every_kind_of_descriptor_is_registered():
    cats = {c for cls in REGISTRY.values() if cls.stateless for c in _categories(cls)}
    assert {"composition", "structure", "interface", "molecule"} <= cats
    assert {"element_stats", "orbital_field_matrix", "conditions", "pairs", "molecules"} <= set(REGISTRY)


def _categories(cls) -> set[str]:
    try:
        return set(cls().get_feature_categories_out())
    except Exception:  # needs parameters (columns, parts): covered by the conformance check with its examples
        return set()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered_featurizer_conforms(name):
    check_featurizer(REGISTRY[name])  # raises AssertionError naming the broken rule
