"""Top-N selection, overlap counts (the seed's "3 in all three lists, 22 in two") and rank aggregation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matinfo.errors import ParameterError
from matinfo.screen import borda, mean_rank, mean_zscore, overlap_counts, reciprocal_rank
from matinfo.screen.consensus import best_rows


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=60),
    st.integers(1, 10),
    st.randoms(use_true_random=False),
)
def test_best_rows_is_independent_of_row_order_and_chunking(values, k, rnd):
    scores = np.asarray(values, dtype=float)  # many ties
    pos = np.arange(len(scores))
    want = pos[np.lexsort((pos, scores))][:k]
    perm = np.arange(len(scores))
    rnd.shuffle(perm)
    got = perm[best_rows(scores[perm], pos[perm], k)]
    assert got.tolist() == want.tolist()
    # merging the best of two halves gives the best of the whole
    half = len(scores) // 2
    a, b = (
        best_rows(scores[:half], pos[:half], k) if half else [],
        best_rows(scores[half:], pos[half:], k) + half,
    )
    both = np.concatenate([np.asarray(a, dtype=int), b])
    assert both[best_rows(scores[both], pos[both], k)].tolist() == want.tolist()


def test_best_rows_skips_nan_and_checks_k():
    assert best_rows(np.array([np.nan, 2.0, np.nan]), np.arange(3), 2).tolist() == [1]
    with pytest.raises(ParameterError, match="at least one"):
        best_rows(np.zeros(3), np.arange(3), 0)


def test_overlap_counts_of_three_top_100_lists_like_the_seed():
    """3 candidates in all three lists and 22 in exactly two, as in the seed's Bi/Si screen."""
    common = [f"all{i}" for i in range(3)]
    two = {("LSBoost", "SVM"): 10, ("LSBoost", "GPR"): 7, ("SVM", "GPR"): 5}
    lists = {"LSBoost": list(common), "SVM": list(common), "GPR": list(common)}
    for (a, b), n in two.items():
        for i in range(n):
            lists[a].append(f"{a}-{b}-{i}")
            lists[b].append(f"{a}-{b}-{i}")
    for name in lists:
        lists[name] += [f"{name}-only-{i}" for i in range(100 - len(lists[name]))]
    c = overlap_counts(lists)
    assert c["sizes"] == {"LSBoost": 100, "SVM": 100, "GPR": 100}
    assert c["in_all"] == 3 and c["exactly"]["2"] == 22 and c["in_at_least"]["2"] == 25
    assert c["union"] == 300 - 22 - 2 * 3
    assert c["pairwise"]["LSBoost & SVM"] == 13
    assert c["combinations"][0] == {"models": ["GPR"], "count": 85}
    assert {"models": ["LSBoost", "SVM", "GPR"], "count": 3} in c["combinations"]
    assert sum(x["count"] for x in c["combinations"]) == c["union"]


def test_aggregations_agree_on_a_clear_winner():
    ranks = np.array([[1, 1, 2], [2, np.nan, 1], [3, 2, np.nan], [np.nan, np.nan, 3]], dtype=float)
    assert borda(ranks, 3).tolist() == [8, 5, 3, 1]
    assert mean_rank(ranks, 3).tolist() == pytest.approx([4 / 3, 7 / 3, 3, 11 / 3])
    rrf = reciprocal_rank(ranks)
    assert np.argmax(rrf) == 0 and rrf[3] == pytest.approx(1 / 63)
    z = mean_zscore(np.array([[0.0, 1.0], [2.0, 1.0]]), means=[1.0, 1.0], stds=[1.0, 0.0])
    assert z.tolist() == [-1.0, 1.0]  # the model with no spread is left out
    with pytest.raises(ParameterError, match="ranks start at 1"):
        borda([[0, 1]], 3)
