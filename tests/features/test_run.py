"""featurize(): chunks, progress, checkpoints (resume), and the Dask executor give the same table."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import FeaturizeError, MatinfoError
from matinfo.features import CombinedFeatures, ElementFraction, featurize
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def formulas() -> pd.Series:
    df = pd.read_csv(shared_data("matbench_v0.1", "matbench_expt_gap.csv"))
    return df["composition"].iloc[:600]


def test_chunks_and_progress_equal_one_transform(formulas):
    seen = []
    res = featurize(ElementFraction(), formulas, chunk_size=128, progress=seen.append)
    assert seen == [128, 128, 128, 128, 88]
    assert np.array_equal(res.values, ElementFraction().transform(formulas))
    frame = res.to_frame()
    assert list(frame.index) == list(formulas.index) and frame.shape == (600, 118)
    assert res.category_counts() == {"composition": 118}


def test_checkpoint_resumes_and_refuses_other_runs(formulas, tmp_path):
    ckpt = tmp_path / "ckpt"
    first = featurize(ElementFraction(), formulas, chunk_size=200, checkpoint=ckpt)
    assert len(list(ckpt.glob("chunk-*.npz"))) == 3
    # Simulate an interrupted run: one chunk is missing; the rerun computes only that one.
    (ckpt / "chunk-000001.npz").unlink()
    seen = []
    again = featurize(ElementFraction(), formulas, chunk_size=200, checkpoint=ckpt, progress=seen.append)
    assert np.array_equal(first.values, again.values) and sum(seen) == 600
    with pytest.raises(MatinfoError, match="different run"):
        featurize(ElementFraction(max_z=100), formulas, chunk_size=200, checkpoint=ckpt)


def test_errors_name_the_callers_row_label_across_chunks(formulas):
    bad = formulas.copy()
    bad.iloc[450] = "Xx2O3"
    with pytest.raises(FeaturizeError, match=f"row {bad.index[450]}"):
        featurize(ElementFraction(), bad, chunk_size=100)
    res = featurize(ElementFraction(on_error="nan"), bad, chunk_size=100)
    assert [e.row for e in res.report.errors] == [bad.index[450]]
    assert np.isnan(res.values[450]).all() and not np.isnan(res.values[449]).any()


def test_located_errors_survive_pickling():
    err = FeaturizeError("unknown element 'Xx'", source="row 7", value="Xx2", hint="fix it")
    back = pickle.loads(pickle.dumps(err))
    assert (back.source, back.value, str(back)) == ("row 7", "Xx2", str(err))


def test_combined_features_keep_names_and_categories(formulas):
    both = CombinedFeatures([ElementFraction(max_z=10), ElementFraction(max_z=118)])
    with pytest.raises(ValueError, match="more than one part"):
        both.transform(formulas[:3])


@pytest.mark.slow
def test_dask_executor_gives_the_same_values(formulas):
    local = featurize(ElementFraction(), formulas, chunk_size=150)
    seen = []
    dist = featurize(
        ElementFraction(), formulas, chunk_size=150, executor="dask", n_workers=2, progress=seen.append
    )
    assert np.array_equal(local.values, dist.values) and sum(seen) == 600
