"""The screen driver on real models of κ(composition, T): exact top lists, executors, rankings, errors, memory."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import MatinfoError, NotFoundError, ParameterError
from matinfo.screen import CsvSpace, Elements, GridSpace, PairSpace, Ranking, TableSpace, load_models, screen
from matinfo.screen._chunk import _groups
from tests.screen._models import TEMPERATURE

T300 = {TEMPERATURE: 300.0}


def brute_force(models, frame, *, ranking=Ranking(), top):
    """Every candidate predicted at once (predict_table), sorted: the lists a screen must find."""
    from matinfo.learn.train import predict_table

    out = {}
    for m in models:
        pred = predict_table(m.pipeline, m.card, frame.assign(**T300))
        std = pred["uncertainty"].to_numpy() if ranking.needs_std else None
        scores = ranking.scores(pred["prediction"].to_numpy(), std, m.goal, m.log_target)
        order = np.lexsort((np.arange(len(frame)), scores))[:top]
        out[m.name] = frame["formula"].to_numpy()[order].tolist()
    return out


@pytest.fixture(scope="module")
def grid():
    return GridSpace("Bi-Sb-Te-Se", step=0.05)  # 1,771 compositions


def test_top_lists_are_exactly_those_of_predicting_everything(models, grid):
    res = screen(grid, models, top=25, constants=T300, chunk_size=97)
    everything = grid.chunk(0, len(grid))
    assert res.top_lists() == brute_force(models, everything, top=25)
    assert res.n_candidates == res.n_scored == len(grid) == 1771
    hits = res.hits()
    assert set(hits["candidate"]) == {f for lst in res.top_lists().values() for f in lst}
    # the hit list shows every model's prediction, in target units (W/mK), also for the models that missed it
    from matinfo.learn.train import predict_table

    some = hits.iloc[:5]
    for m in models:
        want = predict_table(
            m.pipeline, m.card, some[["candidate"]].rename(columns={"candidate": "formula"}).assign(**T300)
        )
        assert np.allclose(some[f"{m.name}_prediction"], want["prediction_linear"], rtol=1e-12)
    assert (hits["n_models"] == hits[[f"in_{m.name}" for m in models]].sum(axis=1)).all()
    assert hits["n_models"].is_monotonic_decreasing


def test_chunking_and_shared_featurization(models, grid):
    assert len(_groups(models)) == 1  # three models, one featurizer: candidates are featurized once
    a = screen(grid, models, top=10, constants=T300, chunk_size=50)
    b = screen(grid, models, top=10, constants=T300, chunk_size=10_000)
    pd.testing.assert_frame_equal(a.hits(), b.hits())
    assert a.overlap() == b.overlap()
    for (n1, m1, s1), (n2, m2, s2) in zip(a.score_stats, b.score_stats, strict=True):
        assert (
            n1 == n2 == len(grid) and m1 == pytest.approx(m2, rel=1e-12) and s1 == pytest.approx(s2, rel=1e-9)
        )


def test_dask_client_gives_the_same_lists(models, grid):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as client:
        remote = screen(grid, models, top=10, constants=T300, chunk_size=200, executor=client)
        streamed = screen(
            TableSpace(grid.chunk(0, len(grid))),
            models,
            top=10,
            constants=T300,
            chunk_size=300,
            executor=client,
        )
    local = screen(grid, models, top=10, constants=T300)
    pd.testing.assert_frame_equal(remote.hits(), local.hits())
    pd.testing.assert_frame_equal(streamed.hits(), local.hits())
    assert remote.executor.startswith("dask")


def test_threads_give_the_same_lists_and_counts(models, grid):
    local = screen(grid, models, top=10, constants=T300)
    threaded = screen(grid, models, top=10, constants=T300, chunk_size=150, executor="threads", n_workers=3)
    streamed = screen(
        TableSpace(grid.chunk(0, len(grid))),
        models,
        top=10,
        constants=T300,
        chunk_size=300,
        executor="threads",
        n_workers=2,
    )
    assert threaded.executor == "threads (3)" and streamed.executor == "threads (2)"
    for res in (threaded, streamed):
        pd.testing.assert_frame_equal(res.hits(), local.hits())
        assert res.overlap() == local.overlap() and res.n_scored == local.n_scored == len(grid)
    # each thread featurizes with its own copy of the models: failures are counted once, for the right rows
    frame = pd.DataFrame(
        {"composition": ["Bi2Te3", "Xx2Te", "SnSe", "Qq3", "Ag2Se", "PbTe"] * 50, "T": 300.0}
    )
    kw = {"top": 2, "columns": {"formula": "composition", TEMPERATURE: "T"}}
    one = screen(TableSpace(frame), models, **kw)
    many = screen(TableSpace(frame), models, chunk_size=7, executor="threads", n_workers=4, **kw)
    assert many.n_failed == one.n_failed == 100 and many.n_scored == one.n_scored == 200
    assert {f[1] for f in many.failed} == {"Xx2Te", "Qq3"}
    with pytest.raises(ParameterError, match="n_workers=0"):
        screen(grid, models, constants=T300, executor="threads", n_workers=0)
    with pytest.raises(ParameterError, match="use 'local', 'threads', 'dask'"):
        screen(grid, models, constants=T300, executor="spark")


@pytest.mark.slow
def test_local_dask_cluster_of_processes(models, grid):
    pytest.importorskip("dask.distributed")
    res = screen(grid, models, top=10, constants=T300, chunk_size=400, executor="dask", n_workers=2)
    assert res.executor == "dask (2 workers)"
    pd.testing.assert_frame_equal(res.hits(), screen(grid, models, top=10, constants=T300).hits())


def test_uncertainty_aware_rankings(models, grid):
    gp = [m for m in models if m.name == "gp"]
    everything = grid.chunk(0, len(grid))
    for ranking in (
        Ranking("optimistic", kappa=2.0),
        Ranking("conservative"),
        Ranking("probability", threshold=0.6),
    ):
        res = screen(grid, gp, top=15, ranking=ranking, constants=T300)
        assert res.top_lists() == brute_force(gp, everything, ranking=ranking, top=15)
        assert "gp_log10_std" in res.hits().columns
    opt = screen(grid, gp, top=15, ranking=Ranking("optimistic", kappa=2.0), constants=T300).top_lists()["gp"]
    cons = screen(grid, gp, top=15, ranking=Ranking("conservative", kappa=2.0), constants=T300).top_lists()[
        "gp"
    ]
    assert opt != cons  # the band changes the order
    with pytest.raises(ParameterError, match="needs an uncertainty, and model 'lgbm'"):
        screen(grid, models, ranking="optimistic", constants=T300)


def test_goal_max_and_per_model_goals(models, grid):
    low = screen(grid, models, top=5, constants=T300)
    high = screen(grid, models, top=5, constants=T300, goal="max")
    both = screen(grid, models, top=5, constants=T300, goal={"svm": "max"})
    for m in models:
        lo, hi = low.hits(), high.hits()
        assert (
            lo[f"{m.name}_prediction"][lo[f"in_{m.name}"]].max()
            < hi[f"{m.name}_prediction"][hi[f"in_{m.name}"]].min()
        )
    assert (
        both.top_lists()["svm"] == high.top_lists()["svm"] and both.top_lists()["gp"] == low.top_lists()["gp"]
    )
    with pytest.raises(ParameterError, match="goal='best'"):
        screen(grid, models, goal="best", constants=T300)


def test_filters_bad_rows_and_column_mapping(models):
    frame = pd.DataFrame(
        {"composition": ["Bi2Te3", "PbTe", "Xx2Te", None, "SnSe", "CdTe", "Ag2Se"], "T": 300.0}
    )
    res = screen(
        TableSpace(frame),
        models,
        top=2,
        filters=[Elements(exclude=["Pb", "Cd"])],
        columns={"formula": "composition", TEMPERATURE: "T"},
    )
    assert res.n_candidates == 7 and res.n_failed == 1 and res.n_scored == 3
    assert res.filtered == {"elements: without Pb,Cd": 2, "empty candidate cell": 1}
    assert res.failed[0][1] == "Xx2Te" and "unknown element 'Xx'" in res.failed[0][2]
    assert set(res.hits()["candidate"]) <= {"Bi2Te3", "SnSe", "Ag2Se"}
    with pytest.raises(ParameterError, match="no candidate could be scored: 7 read"):
        screen(
            TableSpace(frame),
            models,
            filters=[Elements(required=["U"])],
            columns={"formula": "composition", TEMPERATURE: "T"},
        )


def test_errors_say_what_to_do(models, model_dirs, tmp_path):
    grid = GridSpace("Bi-Te", step=0.5)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ParameterError, match="top="):
            screen(grid, models, top=bad, constants=T300)
    with pytest.raises(ParameterError, match="depth=5: keep at least top=10"):
        screen(grid, models, top=10, depth=5, constants=T300)
    with pytest.raises(
        ParameterError, match=r"reads column 'Temperature \(K\)'.*--set 'Temperature \(K\)=VALUE'"
    ):
        screen(grid, models)
    with pytest.raises(ParameterError, match="the candidate space is empty"):
        screen(TableSpace(pd.DataFrame({"formula": []})), models, constants=T300)
    (tmp_path / "empty.csv").write_text("formula\n")
    with pytest.raises(ParameterError, match="the candidate space is empty: rows of empty.csv"):
        screen(CsvSpace(tmp_path / "empty.csv"), models, constants=T300)
    with pytest.raises(NotFoundError, match="not a saved matinfo model"):
        load_models([tmp_path])
    with pytest.raises(ParameterError, match="at least one model"):
        screen(grid, [], constants=T300)
    with pytest.raises(ParameterError, match="model names must differ"):
        screen(grid, [models[0], models[0]], constants=T300)
    assert isinstance(ParameterError("x"), MatinfoError)


def test_result_files_are_written_atomically(models, grid, tmp_path):
    res = screen(grid, models, top=10, constants=T300, uncertainty=True)
    paths = res.save(tmp_path / "out", figure=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "hits.csv",
        "overlap.html",
        "overlap.json",
        "overlap.png",
    ]
    hits = pd.read_csv(paths["hits"])
    assert len(hits) == res.overlap()["union"] and {"gp_log10_std", "borda", "mean_zscore"} <= set(
        hits.columns
    )
    doc = json.loads(paths["overlap"].read_text())
    assert doc["in_all"] == res.overlap()["in_all"] and doc["in_at_least"]["2"] >= doc["in_all"]
    assert doc["model_info"]["gp"]["model_id"].startswith("gp:") and doc["constants"] == {TEMPERATURE: 300.0}
    assert doc["candidates"]["read"] == len(grid)
    ranked = res.ranking_table("reciprocal_rank", n=5)
    assert ranked["reciprocal_rank"].is_monotonic_decreasing and len(ranked) == 5


def test_pairs_are_screened_with_pair_columns(models):
    """A composition model can score one side of a pair: map its formula input to column A."""
    space = PairSpace(["Bi", "Si", "Ge", "Bi2Te3", "PbTe", "SnSe"], ordered=False)
    res = screen(space, models, top=3, constants=T300, columns={"formula": "A"})
    assert res.hits()["candidate"].str.contains("|", regex=False).all()
    assert {"A", "B"} <= set(res.hits().columns)


def test_memory_stays_flat_as_the_space_grows(models):
    """Peak traced memory of a 50,000-candidate screen is about that of a 5,000-candidate one."""
    lgbm = [m for m in models if m.name == "lgbm"]

    def peak(n_divisions):
        space = GridSpace("Bi-Sb-Te", divisions=n_divisions)
        tracemalloc.start()
        screen(space, lgbm, top=20, constants=T300, chunk_size=2000)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return len(space), top

    (n_small, small), (n_big, big) = peak(99), peak(315)
    assert n_big > 9 * n_small
    assert big < 1.5 * small
