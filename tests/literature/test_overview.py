"""Formula frequencies and greedy paper selection (matinfo.literature.overview)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from matinfo.errors import ParameterError
from matinfo.literature.overview import formula_frequencies, normalise_formula, select_papers

SYSTEM = Path(__file__).resolve().parents[2] / "src/matinfo/data/thermoelectrics/sysTEm_dataset.csv.gz"


@pytest.fixture(scope="module")
def systeme() -> pd.DataFrame:
    d = pd.read_csv(SYSTEM).rename(columns={"Source Paper": "doi", "Pretty Formula": "formula"})
    return d.melt(
        id_vars=["doi", "formula"],
        value_vars=["zT", "Seebeck Coefficient (µV/K)", "Total Thermal Conductivity (W/mK)"],
        var_name="property",
    ).dropna()


def test_normalise_formula_merges_orderings_and_multiples_and_keeps_families():
    assert normalise_formula("La3Li7O12Zr2") == normalise_formula("Li14La6Zr4O24") == "Li7La3Zr2O12"
    assert normalise_formula(" Li7-xLa3Zr2-xTaxO12 ") == "Li7-xLa3Zr2-xTaxO12"
    assert normalise_formula("LLZO") is None
    assert normalise_formula(float("nan")) is None


def test_frequencies_count_papers_once_and_sum_to_all_mentions(systeme):
    f = formula_frequencies(systeme)
    assert int(f["mentions"].sum()) == len(systeme)
    assert f["cumulative_mentions"].iloc[-1] == pytest.approx(1.0)
    assert f["papers"].is_monotonic_decreasing
    # GeTe is reported by the most papers of the thermoelectrics data set
    top = f.iloc[0]
    assert top["formula"] == "GeTe"
    assert top["papers"] == systeme[systeme["formula"] == "GeTe"]["doi"].nunique()


def test_missing_column_names_the_columns():
    with pytest.raises(ParameterError, match="'paper_id'"):
        formula_frequencies(pd.DataFrame({"formula": ["LiCoO2"]}), paper="paper_id")


def _brute_force_min_papers(pairs_of: dict[str, set]) -> int:
    universe = set().union(*pairs_of.values())
    for k in range(1, len(pairs_of) + 1):
        for combo in itertools.combinations(pairs_of, k):
            if set().union(*(pairs_of[p] for p in combo)) == universe:
                return k
    raise AssertionError


def test_greedy_covers_everything_and_is_near_optimal_on_small_random_instances():
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(20):
        rows = []
        for paper in range(8):
            for _ in range(rng.integers(1, 5)):
                rows.append({"doi": f"p{paper}", "formula": f"A{rng.integers(1, 6)}B", "property": "x"})
        t = pd.DataFrame(rows)
        sel = select_papers(t)
        assert sel.steps[-1].coverage == pytest.approx(1.0)
        assert not sel.uncovered
        pairs_of = {p: set(g["formula"]) for p, g in t.groupby("doi")}
        # greedy set cover is within H(max set size) of optimal; on these sizes it is within +1
        assert len(sel.steps) <= _brute_force_min_papers(pairs_of) + 1


def test_selection_on_real_data_reads_few_papers_for_most_pairs(systeme):
    sel = select_papers(systeme)
    assert sel.n_papers == systeme["doi"].nunique()
    assert sel.steps[-1].covered == sel.n_pairs
    gains = [s.new_pairs for s in sel.steps]
    assert gains == sorted(gains, reverse=True)  # greedy with uniform weights never gains more later
    assert sel.papers_for(0.5) < 0.35 * sel.n_papers


def test_rarity_weighting_prefers_rare_pairs_and_stopping_rules():
    t = pd.DataFrame(
        {
            "doi": ["big"] * 3 + ["rare"] * 2 + ["x", "y", "z"],
            "formula": ["LiCoO2", "LiFePO4", "LiMn2O4", "Li3PS4", "Li6PS5Cl", "LiFePO4", "LiMn2O4", "LiCoO2"],
            "property": ["capacity"] * 8,
        }
    )
    # uniform: big adds 3 pairs, rare 2; rarity: big 3 x 1/2 (each pair also in x, y or z) < rare 2 x 1
    assert select_papers(t).papers[0] == "big"
    assert select_papers(t, weighting="rarity").papers[0] == "rare"
    assert select_papers(t, max_papers=1).papers == ["big"]
    assert len(select_papers(t, target_coverage=0.5).steps) == 1
    with pytest.raises(ParameterError, match="weighting"):
        select_papers(t, weighting="popular")
