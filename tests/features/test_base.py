"""The Featurizer base class and the conformance checker, on a minimal featurizer defined here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import Examples, Featurizer
from matinfo.testing import check_featurizer


class _Lengths(Featurizer):
    """Length and vowel count of a string; strings with digits are 'bad'."""

    def __init__(self, *, scale: float = 1.0, on_error: str = "raise", n_jobs: int | None = 1) -> None:
        self.scale = scale
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _describe(self):
        return ["length", "vowels"], ["composition", "measurement"]

    def _prepare(self, x):
        if not isinstance(x, str) or any(c.isdigit() for c in x):
            raise ValueError(f"no digits allowed in {x!r}")
        return x

    def _compute_one(self, item):
        return np.array([len(item) * self.scale, sum(c in "aeiou" for c in item)], dtype=float)

    def citations(self):
        return ["@misc{lengths, title={Counting letters}}"]

    @classmethod
    def _examples(cls):
        return Examples(good=["iron", "copper", "zinc"], bad=["abc1"])


class _Batched(_Lengths):
    def _compute_one(self, item):  # pragma: no cover - the batch path must be used
        raise AssertionError("batch featurizers must not be called row by row")

    def _compute_batch(self, items):
        return np.array([[len(s) * self.scale, sum(c in "aeiou" for c in s)] for s in items], dtype=float)


class _Stateful(_Lengths):
    stateless = False

    def _fit(self, X, y=None):
        self.mean_length_ = float(np.mean([len(s) for s in X]))

    def _compute_one(self, item):
        return np.array([len(item) - self.mean_length_, sum(c in "aeiou" for c in item)], dtype=float)


@pytest.mark.parametrize("cls", [_Lengths, _Batched, _Stateful])
def test_minimal_featurizers_pass_the_conformance_check(cls):
    check_featurizer(cls)


def test_transform_without_fit_for_stateless_and_names():
    f = _Lengths()
    assert f.transform(["iron"]).tolist() == [[4.0, 2.0]]
    assert f.get_feature_names_out().tolist() == ["length", "vowels"]
    assert f.feature_categories() == {"length": "composition", "vowels": "measurement"}


def test_stateful_needs_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        _Stateful().transform(["iron"])


def test_error_names_the_row_label_and_value():
    s = pd.Series(["iron", "Fe2O3"], index=["a", "b"])
    with pytest.raises(FeaturizeError) as info:
        _Lengths().transform(s)
    msg = str(info.value)
    assert "row b" in msg and "'Fe2O3'" in msg and "on_error='nan'" in msg
    assert isinstance(info.value, ValueError)


def test_nan_mode_reports_and_keeps_going():
    f = _Batched(on_error="nan")
    out = f.transform(["iron", "x1", "tin"])
    assert np.isnan(out[1]).all() and out[2].tolist() == [3.0, 1.0]
    assert f.report_.n_failed == 1 and f.report_.errors[0].row == 1
    assert "1 of 3 rows" in str(f.report_)
    assert list(f.report_.to_frame().columns) == ["row", "value", "message"]


def test_pandas_output_keeps_dataframe_index():
    df = pd.DataFrame({"name": ["iron", "tin"]}, index=[10, 11])
    out = _Lengths().set_output(transform="pandas").fit_transform(df)
    assert list(out.index) == [10, 11] and list(out.columns) == ["length", "vowels"]


def test_bad_params_and_inputs_are_explained():
    with pytest.raises(ValueError, match="on_error='skip'"):
        _Lengths(on_error="skip").fit(["iron", "tin"])
    with pytest.raises(TypeError, match="wrap a single input in a list"):
        _Lengths().transform("iron")
    with pytest.raises(ValueError, match="one input column"):
        _Lengths().transform(pd.DataFrame({"a": ["x"], "b": ["y"]}))


def test_checker_catches_a_broken_featurizer():
    class _NoCitations(_Lengths):
        def citations(self):
            return []

    with pytest.raises(AssertionError, match="citations"):
        check_featurizer(_NoCitations)
