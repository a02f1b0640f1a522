"""Every registered featurizer keeps the Featurizer contract (matinfo.testing.check_featurizer)."""

from __future__ import annotations

import pytest

from matinfo.features import registered_featurizers
from matinfo.testing import check_featurizer

REGISTRY = registered_featurizers()


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered_featurizer_conforms(name):
    check_featurizer(REGISTRY[name])
