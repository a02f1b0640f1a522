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


class _ChunkPrepared(_Batched):
    """Prepares the whole chunk at once and records what it was given."""

    def _prepare_batch(self, rows):
        self.seen_ = list(rows)
        items, failures = [], []
        for i, x in enumerate(rows):
            if any(c.isdigit() for c in x):
                failures.append((i, ValueError(f"no digits allowed in {x!r}")))
            else:
                items.append(x)
        return items, failures[::-1]  # any order: the base class sorts them


def test_prepare_batch_errors_name_the_row_as_prepare_does():
    s = pd.Series(["iron", None, "x1", "tin", float("nan"), "y2"], index=list("abcdef"))
    lenient = _ChunkPrepared(on_error="nan")
    out = lenient.transform(s)
    assert lenient.seen_ == ["iron", "x1", "tin", "y2"]  # missing rows never reach _prepare_batch
    assert out[0].tolist() == [4.0, 2.0] and out[3].tolist() == [3.0, 1.0]
    assert np.isnan(out[[1, 2, 4, 5]]).all()
    assert [(e.row, e.value) for e in lenient.report_.errors] == [("c", "x1"), ("f", "y2")]
    assert "no digits allowed in 'x1'" in lenient.report_.errors[0].message
    assert lenient.report_.missing == ["b", "e"]
    with pytest.raises(FeaturizeError) as info:
        _ChunkPrepared().transform(s)
    assert "row c" in str(info.value) and "'x1'" in str(
        info.value
    )  # the first bad row, not the last reported


def test_default_prepare_batch_stops_at_the_first_bad_row_when_raising():
    calls = []

    class _Counting(_Batched):
        def _prepare(self, x):
            calls.append(x)
            return super()._prepare(x)

    with pytest.raises(FeaturizeError, match="row 1"):
        _Counting().transform(["iron", "x1", "tin", "zinc"])
    assert calls == ["iron", "x1"]
    calls.clear()
    out = _Counting(on_error="nan").transform(["iron", "x1", "tin"])
    assert calls == ["iron", "x1", "tin"] and np.isnan(out[1]).all() and out[2].tolist() == [3.0, 1.0]


def test_batch_path_all_missing_and_empty():
    f = _ChunkPrepared(on_error="nan")
    assert np.isnan(f.transform([None, float("nan")])).all() and f.report_.missing == [0, 1]
    assert f.transform([]).shape == (0, 2)


def test_transform_pauses_the_garbage_collector_and_restores_it():
    import gc

    states = []

    class _Watching(_Batched):
        def _compute_batch(self, items):
            states.append(gc.isenabled())
            return super()._compute_batch(items)

    assert gc.isenabled()
    _Watching().transform(["iron"])
    assert states == [False] and gc.isenabled()

    class _NoPause(_Watching):
        pause_gc = False

    _NoPause().transform(["iron"])
    assert states == [False, True]
    gc.disable()
    try:
        _Watching().transform(["iron"])
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_read_compositions_equals_the_row_by_row_reader():
    """The vectorised reader (plain formulas, Compositions) gives exactly composition_items' amounts and errors."""
    import random

    from pymatgen.core import Composition, Species

    from matinfo.features._composition import ELEMENTS, N_ELEMENTS, Z_OF, composition_items, read_compositions

    rng = random.Random(0)
    numbers = ["", "", "2", "11", "0", "0.5", ".25", "1.", "007", "0.0000001", "0.00000001", "1.2.3", "0.95"]
    numbers += ["12345678901234567", "0.1234567890123", "3.14159265358979"]
    pieces = [*ELEMENTS[:100], "Xx", "Uue", "a", "(", ")", "((", "·", " ", "[", "]", "+x", "-"]

    def formula():
        out = []
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.2:
                inner = "".join(
                    rng.choice(ELEMENTS[:90]) + rng.choice(numbers) for _ in range(rng.randint(1, 3))
                )
                out.append(f"({inner}){rng.choice(numbers)}")
            else:
                out.append(rng.choice(pieces if rng.random() < 0.1 else ELEMENTS[:100]) + rng.choice(numbers))
        return "".join(out)

    rows = [formula() for _ in range(3000)]
    rows += [
        "",
        "Fe2O3",
        "F",
        "e2",
        "Fe(",
        "O)2",
        "()",
        "(Fe)0",
        "CH3COOH",
        "Ca(OH)2",
        "(OH)2Ca",
        "CuSO4·5H2O",
    ]
    rows += [Composition("Li7La3Zr2O12"), Composition({Species("Fe", 2): 1, Species("Fe", 3): 2, "O": 4})]
    rows += [Composition({"Fe": 1e-9, "O": 1.0}), {"Fe": 2.0, "O": 3.0}, 3.0, "Fe2O3 ", "Li1+xO"]
    rng.shuffle(rows)
    expected, errors = [], []
    for i, r in enumerate(rows):
        try:
            expected.append([(Z_OF[s] - 1, a) for s, a in composition_items(r)])
        except (ValueError, TypeError) as exc:
            errors.append((i, str(exc)))
    batch, failures = read_compositions(rows)
    assert [(i, str(e)) for i, e in failures] == errors and 0 < len(errors) < len(rows) / 2
    got = [
        [(int(z), float(a)) for z, a in zip(zs, amts, strict=True) if z < N_ELEMENTS]
        for zs, amts in zip(batch.idx, batch.amounts, strict=True)
    ]
    assert got == expected  # exact floats, same element order
    first, only = read_compositions(rows, stop_on_error=True)[1], failures[0]
    assert len(first) == 1 and first[0][0] == only[0]
