from __future__ import annotations

import pytest

from tests.screen._models import train_models


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory):
    """Folders of three saved models (LightGBM, SVR, GP) of κ(composition, T) on real sysTEm rows."""
    return train_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def models(model_dirs):
    from matinfo.screen import load_models

    return load_models(list(model_dirs.values()))
