"""Candidate spaces: exact enumeration (checked against itertools), random access = streaming, errors."""

from __future__ import annotations

import gzip
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import ImportDataError, ParameterError
from matinfo.screen import CsvSpace, GridSpace, PairSpace, StoreSpace, SubstitutionSpace, TableSpace
from matinfo.screen.sources import crabnet_unlabelled

SUBSTANCES = ["Bi", "Si", "Ge", "Bi2Te3", "SiO2", "Al2O3", "GaN"]


def _all(space, chunk_size):
    return pd.concat(list(space.chunks(chunk_size)))


@pytest.mark.parametrize(
    ("ordered", "self_pairs", "expected"),
    [
        (True, False, lambda s: [(a, b) for a, b in itertools.product(s, s) if a != b]),
        (True, True, lambda s: list(itertools.product(s, s))),
        (False, False, lambda s: list(itertools.combinations(s, 2))),
        (False, True, lambda s: list(itertools.combinations_with_replacement(s, 2))),
    ],
)
def test_pairs_enumerate_exactly_what_itertools_does(ordered, self_pairs, expected):
    space = PairSpace(SUBSTANCES, ordered=ordered, self_pairs=self_pairs)
    want = expected(SUBSTANCES)
    for chunk_size in (1, 4, 1000):
        got = _all(space, chunk_size)
        assert list(zip(got["A"], got["B"], strict=True)) == want
        assert got.index.tolist() == list(range(len(want)))
    assert len(space) == len(want)
    assert got["pair"].iloc[0] == f"{want[0][0]}|{want[0][1]}"


def test_pairs_unrank_large_space_exactly():
    """Positions near the end of a large unordered space (float square roots need the integer fix-up)."""
    n = 3000
    space = PairSpace([f"Si{i + 1}" for i in range(n)], ordered=False)
    last = space.chunk(space.n_chunks(7) - 1, 7)
    assert len(space) == n * (n - 1) // 2
    assert last["pair"].iloc[-1] == f"Si{n - 1}|Si{n}"
    a, b = space.indices(len(space) - 3000, len(space))
    assert (a < b).all() and (b < n).all()
    row = np.repeat(np.arange(n), np.arange(n - 1, -1, -1))  # rows of all pairs, in order
    assert np.array_equal(a, row[-3000:])


def test_pair_space_errors_and_duplicates():
    assert PairSpace(["Si", "Si", "Ge"]).substances == ["Si", "Ge"]
    with pytest.raises(ParameterError, match="at least two substances"):
        PairSpace(["Si"])
    with pytest.raises(ParameterError, match=r"item 2 \('Xq2'\) is not a formula"):
        PairSpace(["Si", "Xq2"])
    with pytest.raises(ParameterError, match="past the end"):
        PairSpace(["Si", "Ge"]).chunk(5, 1)


@pytest.mark.parametrize(
    ("elements", "divisions", "all_present"),
    [(["Bi", "Te"], 4, False), (["Bi", "Sb", "Te", "Se"], 10, False), (["Bi", "Sb", "Te"], 7, True)],
)
def test_grid_matches_brute_force(elements, divisions, all_present):
    space = GridSpace(elements, divisions=divisions, all_present=all_present)
    lo = 1 if all_present else 0
    want = [
        c
        for c in itertools.product(range(divisions + 1), repeat=len(elements))
        if sum(c) == divisions and min(c) >= lo
    ]
    got = space.counts(0, len(space))
    assert got.tolist() == [list(c) for c in want]  # lexicographic, first element ascending
    frame = _all(space, 13)
    assert len(frame) == len(space) == len(want)
    fractions = frame[[f"x({e})" for e in elements]].to_numpy()
    assert np.allclose(fractions.sum(axis=1), 1.0)


def test_grid_formulas_are_read_back_as_the_grid_fractions():
    from matinfo.features._composition import composition_items

    space = GridSpace("Bi-Sb-Te", step=0.05)
    chunk = space.chunk(0, 1000)
    for formula, x in zip(chunk["formula"], chunk[["x(Bi)", "x(Sb)", "x(Te)"]].to_numpy(), strict=True):
        amounts = dict(composition_items(formula))
        assert all(
            math.isclose(amounts.get(el, 0.0), xi, abs_tol=1e-12)
            for el, xi in zip("Bi Sb Te".split(), x, strict=True)
        )


def test_grid_size_formula_and_errors():
    assert len(GridSpace("Bi-Sb-Te-Se", step=0.0025)) == math.comb(403, 3)  # 10.8 million, nothing built
    with pytest.raises(ParameterError, match="does not divide 1"):
        GridSpace("Bi-Te", step=0.3)
    with pytest.raises(ParameterError, match="'Xx' is not an element"):
        GridSpace("Bi-Xx", step=0.1)
    with pytest.raises(ParameterError, match="given twice"):
        GridSpace(["Bi", "Bi"], step=0.1)
    with pytest.raises(ParameterError, match="either step"):
        GridSpace("Bi-Te")


def test_substitution_on_rock_salt_drops_repeats_and_swaps():
    space = SubstitutionSpace(["Halite"], ["Na", "K", "Cl"])
    rows = _all(space, 2)
    assert len(space) == 9  # 3 x 3 assignments, before dropping
    # Na on both sites is dropped; A=K B=Na and A=Na B=K are the same composition in the same structure type
    # (the lower atomic number goes on the first site)
    assert sorted(rows["formula"]) == ["ClK", "NaCl", "NaK"]
    assert set(rows["prototype"]) == {"AB_cF8_225_a_b"}
    every = _all(SubstitutionSpace(["Halite"], ["Na", "K", "Cl"], unique_compositions=False), 100)
    assert sorted(every["formula"]) == sorted(["NaK", "NaCl", "KNa", "KCl", "ClNa", "ClK"])


def test_substitution_site_pools_and_structures():
    space = SubstitutionSpace(
        ["AB_cF8_225_a_b", "AB_cF8_216_c_a"], {"A": ["Te", "Se"], "B": ["Pb", "Sn"]}, structures=True
    )
    rows = _all(space, 3)
    assert len(rows) == len(space) == 8
    assert rows["candidate"].iloc[0] == "TePb (AB_cF8_225_a_b)"
    s = rows["structure"].iloc[0]
    assert s.composition.get_el_amt_dict() == {"Te": 1.0, "Pb": 1.0}  # the primitive cell of rock salt
    from matinfo.core.elements import Z_OF, element_table

    vol = element_table().imputed("GSvolume_pa")
    assert s.volume == pytest.approx(sum(vol[Z_OF[site.specie.symbol] - 1] for site in s))
    with pytest.raises(
        ParameterError,
        match="no prototype 'AB_cF8_999_a_b' in the AFLOW library; prototypes with the same formula",
    ):
        SubstitutionSpace(["AB_cF8_999_a_b"], ["Na"])


def test_table_space(tmp_path):
    frame = pd.DataFrame({"composition": ["PbTe", "SnSe", "Bi2Te3"], "T": [300, 400, 500]}, index=[7, 8, 9])
    space = TableSpace(frame)
    assert space.key == "composition" and len(space) == 3
    assert space.chunk(1, 2).index.tolist() == [2]
    with pytest.raises(ImportDataError, match="no composition column"):
        TableSpace(pd.DataFrame({"x": [1]}))


def test_csv_space_streams_and_keeps_formulas_pandas_would_call_missing(tmp_path):
    path = tmp_path / "pool.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("formula,note\nNaN,sodium nitride\nPbTe,\nNA,x\nPbTe,again\n,empty\nSnSe,NA\n")
    space = CsvSpace(path)
    rows = _all(space, 2)
    assert rows["formula"].tolist()[:4] == ["NaN", "PbTe", "NA", "PbTe"]
    assert rows["formula"].isna().tolist() == [False] * 4 + [True, False]
    assert rows["note"].isna().tolist() == [False, True, False, False, False, True]
    assert space.size == 6
    unique = _all(CsvSpace(path, unique=True), 2)
    assert unique["formula"].dropna().tolist() == ["NaN", "PbTe", "NA", "SnSe"]
    with pytest.raises(ImportDataError, match="no column 'formulas'"):
        CsvSpace(path, "formulas")
    with pytest.raises(ImportDataError, match="no such file"):
        CsvSpace(tmp_path / "missing.csv")


def test_store_space_reads_every_substance(db):
    for f in ("PbTe", "SnSe", "Bi2Te3", "Bi2Se3", "SiO2"):
        db.add_material(f)
    from matinfo.store import Query

    space = StoreSpace(db, Query(elements=["Bi"]))
    rows = _all(space, 1)
    assert sorted(rows["formula"]) == ["Bi2Se3", "Bi2Te3"]
    assert rows.index.tolist() == [0, 1]
    assert len(_all(StoreSpace(db), 2)) == 5


def test_crabnet_pool():
    try:
        space = crabnet_unlabelled()
    except ParameterError as exc:
        pytest.skip(str(exc))
    first = next(iter(space.chunks(1000)))
    assert len(first) == first["formula"].nunique() and first["formula"].notna().all()
