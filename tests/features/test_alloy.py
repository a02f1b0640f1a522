"""AlloyFeatures against the research prototype (benchmarks/research/custom_feats.py), value for value."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import AlloyFeatures
from matinfo.testing import check_featurizer

DATA = Path("/work/shared/data/matbench_v0.1")
ROOT = Path(__file__).resolve().parents[2]
ANION = {"O", "S", "Se", "Te", "N", "P", "F", "Cl", "Br", "I", "As", "Sb", "C", "H", "B", "Si", "Ge"}


def _compositions() -> list[str]:
    if not DATA.exists():
        pytest.skip(f"{DATA} not available")
    out: list[str] = []
    for task in ("glass", "expt_is_metal"):
        comps = pd.read_csv(DATA / f"matbench_{task}.csv").composition.drop_duplicates()
        out += comps.sample(250, random_state=0).tolist()
    return out


class _Reference:
    """The prototype's ``feats()`` re-implemented inline (pymatgen objects, matminer's Magpie tables, a loop)."""

    def __init__(self) -> None:
        import matminer
        from pymatgen.core import Element

        root = Path(matminer.__file__).parent / "utils/data_files/magpie_elementdata"

        def tab(name):
            v = []
            for line in open(root / f"{name}.table"):
                tok = line.strip().split()[0] if line.strip() else "NA"
                try:
                    v.append(float(tok))
                except ValueError:
                    v.append(np.nan)
            return np.array(v)

        names = ["MiracleRadius", "CovalentRadius", "Electronegativity", "NValence", "MendeleevNumber", "Row"]
        names += ["Column", "MeltingT", "IsMetal", "IsMetalloid", "IsNonmetal", "IsDBlock", "IsFBlock"]
        names += ["IsAlkali", "Number"]
        p = {n: tab(n) for n in names}
        p["AllenEN"] = tab("AllenElectronegativity")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p["MetallicRadius"] = np.array(
                [Element.from_Z(z).metallic_radius or np.nan for z in range(1, 104)]
                + [np.nan] * (len(p["Number"]) - 103),
                float,
            )
        for a in p.values():
            a[np.isnan(a)] = np.nanmean(a)
        self.p = p

    def order(self, c: str) -> list[str]:
        from pymatgen.core import Composition

        comp = Composition(c).fractional_composition
        return [e.symbol for e, _ in sorted(comp.items(), key=lambda kv: -kv[1])]

    def feats(self, c: str) -> dict[str, float]:
        from pymatgen.core import Composition

        p = self.p
        comp = Composition(c).fractional_composition
        els = sorted(comp.items(), key=lambda kv: -kv[1])
        z = np.array([e.Z for e, _ in els]) - 1
        x = np.array([f for _, f in els], float)
        d = {"n_el": len(x), "smix": -(x * np.log(x)).sum()}
        for i in range(3):
            d[f"frac_{i}"] = x[i] if i < len(x) else 0.0
        for rn in ["MiracleRadius", "CovalentRadius", "MetallicRadius"]:
            r = p[rn][z]
            rb = (x * r).sum()
            d[f"delta_{rn}"] = np.sqrt((x * (1 - r / rb) ** 2).sum())
            d[f"rratio_{rn}"] = r.max() / r.min()
            d[f"rmaj_{rn}"] = r[0] / rb
        for en in ["Electronegativity", "AllenEN"]:
            e = p[en][z]
            eb = (x * e).sum()
            d[f"dchi_{en}"] = np.sqrt((x * (e - eb) ** 2).sum())
            d[f"maxdchi_{en}"] = e.max() - e.min()
        v = p["NValence"][z]
        d["vec"] = (x * v).sum()
        d["vec_std"] = np.sqrt((x * (v - d["vec"]) ** 2).sum())
        for k in ["IsMetal", "IsMetalloid", "IsNonmetal", "IsDBlock", "IsFBlock", "IsAlkali"]:
            d[f"frac_{k}"] = (x * p[k][z]).sum()
        d["frac_anion"] = sum(f for e, f in els if e.symbol in ANION)
        for i in range(3):
            for k in [
                "Number",
                "MendeleevNumber",
                "MiracleRadius",
                "Electronegativity",
                "NValence",
                "Row",
                "Column",
            ]:
                d[f"el{i}_{k}"] = p[k][z[i]] if i < len(x) else np.nan
            d[f"el{i}_MeltingT"] = p["MeltingT"][z[i]] if i < len(x) else np.nan
        tm = p["MeltingT"][z]
        d["tm_mean"] = (x * tm).sum()
        d["tm_min_over_mean"] = tm.min() / d["tm_mean"]
        return d


@pytest.fixture(scope="module")
def reference() -> _Reference:
    pytest.importorskip("matminer")
    return _Reference()


def _ours_order(c: str) -> list[str]:
    """Majority order under matinfo's rule: larger fraction first, then lower Z."""
    from pymatgen.core import Composition

    comp = Composition(c).fractional_composition
    return [e.symbol for e, _ in sorted(comp.items(), key=lambda kv: (-kv[1], kv[0].Z))]


def test_equals_prototype_on_matbench(reference):
    comps = _compositions()
    f = AlloyFeatures()
    names = list(f.get_feature_names_out())
    ours = pd.DataFrame(f.transform(comps), columns=names, index=comps)
    ref = pd.DataFrame([reference.feats(c) for c in comps], index=comps)[names]
    agree = np.array([reference.order(c)[:3] == _ours_order(c)[:3] for c in comps])
    assert agree.sum() >= 300
    # Every descriptor where the tie rules give the same three majority elements.
    np.testing.assert_allclose(ours[agree].to_numpy(), ref[agree].to_numpy(), rtol=1e-12, atol=1e-12)
    assert np.array_equal(np.isnan(ours[agree].to_numpy()), np.isnan(ref[agree].to_numpy()))
    # The order-free descriptors everywhere.
    free = [n for n in names if not n.startswith(("el", "rmaj_"))]
    np.testing.assert_allclose(ours[free].to_numpy(), ref[free].to_numpy(), rtol=1e-12, atol=1e-12)


def test_matches_the_prototype_module(reference):
    """The inline reference is the prototype itself (when benchmarks/research is present)."""
    path = ROOT / "benchmarks" / "research"
    if not (path / "custom_feats.py").exists():
        pytest.skip("benchmarks/research/custom_feats.py not present")
    sys.path.insert(0, str(path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import custom_feats
    finally:
        sys.path.remove(str(path))
    for c in ["Cu50Zr50", "Zr41.2Ti13.8Cu12.5Ni10Be22.5", "Pd40Ni10Cu30P20", "Li7La3Zr2O12", "Au", "PtBi2"]:
        want, got = custom_feats.feats(c), reference.feats(c)
        assert want.keys() == got.keys()
        np.testing.assert_array_equal(list(got.values()), list(want.values()))


def test_hand_computed_binary():
    row = dict(
        zip(AlloyFeatures().get_feature_names_out(), AlloyFeatures().transform(["Zr50Cu50"])[0], strict=True)
    )
    r_cu, r_zr = 126.0, 158.0  # Miracle radii (pm)
    rb = (r_cu + r_zr) / 2
    assert row["delta_MiracleRadius"] == pytest.approx(
        np.sqrt(0.5 * (1 - r_cu / rb) ** 2 + 0.5 * (1 - r_zr / rb) ** 2)
    )
    assert row["rratio_MiracleRadius"] == pytest.approx(r_zr / r_cu)
    assert row["smix"] == pytest.approx(np.log(2))
    # Tie: equal fractions, lower Z first, whatever the formula order.
    assert (row["el0_Number"], row["el1_Number"], row["rmaj_MiracleRadius"]) == (
        29.0,
        40.0,
        pytest.approx(r_cu / rb),
    )
    assert np.isnan(row["el2_Number"]) and row["frac_2"] == 0.0
    assert row["vec"] == pytest.approx((11 + 4) / 2) and row["frac_IsDBlock"] == 1.0


def test_batch_equals_rows_and_inputs():
    from pymatgen.core import Composition

    comps = ["Cu46Zr46Al8", "Fe80B20", "Mg65Cu25Y10", "SiO2", "Pt57.5Cu14.7Ni5.3P22.5"]
    f = AlloyFeatures()
    batch = f.transform(comps)
    rows = np.vstack([f.transform([c]) for c in comps])
    np.testing.assert_array_equal(batch, rows)
    np.testing.assert_allclose(f.transform([Composition(c) for c in comps]), batch, rtol=1e-14)
    np.testing.assert_allclose(f.transform([Composition(c).as_dict() for c in comps]), batch, rtol=1e-14)


def test_bad_inputs():
    f = AlloyFeatures()
    with pytest.raises(FeaturizeError, match="row 1"):
        f.transform(["Fe", "Xx2O3"])
    with pytest.raises(FeaturizeError):
        f.transform(["Li1+xAlxTi2-x(PO4)3"])
    lenient = AlloyFeatures(on_error="nan")
    out = lenient.transform(["CuZr", "Qq", None])
    assert np.isfinite(out[0, :5]).all() and np.isnan(out[1:]).all()
    assert lenient.report_.n_failed == 1 and lenient.report_.missing == [2]


def test_conformance_and_citations():
    check_featurizer(AlloyFeatures)
    cites = AlloyFeatures().citations()
    assert any("16028" in c for c in cites) and any("095066010X12646898728200" in c for c in cites)
    assert any("10.1016/j.matchemphys.2011.11.021" in c for c in cites)
    assert set(AlloyFeatures().get_feature_categories_out()) == {"composition"}
    assert len(AlloyFeatures().get_feature_names_out()) == 53
