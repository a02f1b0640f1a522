"""Structure featurizers: equal to matminer where it has the same descriptor; occupancy numbers read off CIFs."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import (
    SOAP,
    CoordinationStats,
    RadialDistribution,
    SiteOccupancy,
    StructureBasics,
    SymmetryFeatures,
)
from matinfo.features._structure import BAD_STRUCTURE_EXAMPLES, DATA, as_structure

CIFS = sorted((DATA / "crystal_structures").glob("*/*.cif"))
OBELIX = DATA / "obelix" / "cifs"


@pytest.fixture(scope="module")
def structures():
    return [as_structure(p) for p in CIFS[::5]]  # 75 real structures, AFLOW prototypes and COD


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def test_structure_basics_equal_matminer_density_features(structures):
    from matminer.featurizers.structure import DensityFeatures

    X = StructureBasics().transform(structures)
    compared = 0
    for s, row in zip(structures, X, strict=True):
        try:
            ref = DensityFeatures().featurize(s)
        except TypeError:  # an element without atomic radius: matminer fails, we give NaN
            assert np.isnan(row[2])
            continue
        np.testing.assert_allclose(row[:3], ref, rtol=1e-12, atol=0)
        compared += 1
    assert compared >= 70
    s = structures[0]
    np.testing.assert_allclose(X[0, 3:], [len(s), *s.lattice.abc, *s.lattice.angles, s.volume])


def test_structure_basics_count_atoms_by_occupancy():
    s = as_structure(OBELIX / "e6b.cif")  # Li4GeS4 cell: Li16 Ge4 S16 on 40 sites (8 Li sites half occupied)
    row = StructureBasics().transform([s])[0]
    assert row[3] == 40
    assert row[1] == pytest.approx(670.4699907 / 36, rel=1e-6)


def test_symmetry_equals_matminer_global_symmetry(structures):
    from matminer.featurizers.structure import GlobalSymmetryFeatures

    f = SymmetryFeatures(symprec=0.01)  # matminer's (pymatgen's) tolerance
    X = f.transform(structures)
    names = list(f.get_feature_names_out())
    for s, row in zip(structures, X, strict=True):
        number, system, _, centro, n_ops = _quiet(GlobalSymmetryFeatures().featurize, s)
        assert row[0] == number
        assert row[names.index(f"crystal_system_{system}")] == 1 and row[1:8].sum() == 1
        assert row[8] == centro and row[9] == n_ops


def test_rdf_equals_matminer(structures):
    from matminer.featurizers.structure import RadialDistributionFunction

    for cutoff, bin_size in ((6.0, 0.1), (5.0, 0.25)):
        f = RadialDistribution(cutoff=cutoff, bin_size=bin_size)
        ref = RadialDistributionFunction(cutoff=cutoff, bin_size=bin_size)
        X = f.transform(structures[:30])
        Y = np.array([ref.featurize(s) for s in structures[:30]])
        assert X.shape == Y.shape
        np.testing.assert_array_equal(X, Y)
        assert list(f.get_feature_names_out()) == ref.feature_labels()


@pytest.mark.parametrize("method", ["voronoi", "crystalnn"])
def test_coordination_equals_matminer_site_stats(structures, method):
    from matminer.featurizers.site import CoordinationNumber
    from matminer.featurizers.structure import SiteStatsFingerprint
    from pymatgen.analysis.local_env import CrystalNN, VoronoiNN

    subset = [s for s in structures if len(s) <= 8][:: 3 if method == "voronoi" else 6]
    nn = VoronoiNN() if method == "voronoi" else CrystalNN()
    ref = SiteStatsFingerprint(CoordinationNumber(nn), stats=("mean", "std_dev", "minimum", "maximum"))
    X = CoordinationStats(method=method).transform(subset)
    Y = np.array([_quiet(ref.featurize, s) for s in subset])
    np.testing.assert_allclose(X, Y, rtol=0, atol=1e-12)


def _li_sites_from_cif_text(path):
    """(multiplicity, occupancy) of every Li row of the atom-site loop, and Z, read straight off the CIF text."""
    text = path.read_text()
    rows = [line.split() for line in text.splitlines() if re.match(r"\s+Li\s+Li\d+\s", line)]
    z = float(re.search(r"_cell_formula_units_Z\s+(\S+)", text).group(1))
    volume = float(re.search(r"_cell_volume\s+(\S+)", text).group(1))
    return [(int(r[2]), float(r[6])) for r in rows], z, volume


@pytest.mark.parametrize("name", ["jqc.cif", "e6b.cif", "2t8.cif", "pwr.cif", "00x.cif"])
def test_site_occupancy_matches_obelix_cif_text(name):
    sites, z, volume = _li_sites_from_cif_text(OBELIX / name)
    occ = np.repeat([o for _, o in sites], [m for m, _ in sites])
    f = SiteOccupancy(elements=("Li",))
    row = dict(zip(f.get_feature_names_out(), f.transform([OBELIX / name])[0], strict=True))
    assert row["Li occupancy_mean"] == pytest.approx(occ.mean())
    assert row["Li occupancy_min"] == pytest.approx(occ.min())
    assert row["Li occupancy_max"] == pytest.approx(occ.max())
    assert row["Li sites_per_formula_unit"] == pytest.approx(occ.size / z)
    assert row["Li partial_site_fraction"] == pytest.approx(np.mean(occ < 0.999))
    assert row["Li atoms_per_A3"] == pytest.approx(occ.sum() / volume, rel=1e-6)


def test_site_occupancy_known_values_and_absent_element():
    # jqc: Li7BiO6, Z = 1, four Li rows of multiplicity 2 at occupancy 0.875
    f = SiteOccupancy(elements=("Li", "Na"))
    row = f.transform([OBELIX / "jqc.cif"])[0]
    np.testing.assert_allclose(row[:6], [0.875, 0.875, 0.875, 8.0, 1.0, 7 / 133.95911623], rtol=1e-7)
    assert np.isnan(row[6:9]).all() and row[9] == 0 and np.isnan(row[10]) and row[11] == 0


def test_inputs_path_text_and_structure_agree():
    path = CIFS[3]
    text = path.read_text()
    X = StructureBasics().transform([path, str(path), text, as_structure(path), as_structure(path).as_dict()])
    assert np.allclose(X, X[0])


def test_broken_cif_is_a_row_error_naming_row_and_field():
    good = as_structure(CIFS[0])
    with pytest.raises(FeaturizeError) as info:
        StructureBasics().transform([good, BAD_STRUCTURE_EXAMPLES[0], good])
    err = info.value
    assert err.source == "row 1"
    assert "_cell_length_b" in str(err) and "'four'" in str(err)
    assert err.value == "data_broken …"
    f = SymmetryFeatures(on_error="nan")
    out = f.transform([good, "no/such/file.cif", good])
    assert np.isnan(out[1]).all() and f.report_.errors[0].row == 1
    assert "no such CIF file" in f.report_.errors[0].message


def test_ordered_only_featurizers_reject_partial_occupancy():
    with pytest.raises(FeaturizeError, match="ordered structure"):
        RadialDistribution().transform([OBELIX / "e6b.cif"])
    with pytest.raises(FeaturizeError, match="ordered structure"):
        CoordinationStats(method="crystalnn").transform([OBELIX / "e6b.cif"])
    # Voronoi is geometric: disordered structures are accepted
    assert np.isfinite(CoordinationStats(method="voronoi").transform([OBELIX / "e6b.cif"])).all()


@pytest.fixture(scope="module")
def pair():
    pytest.importorskip("dscribe")
    return as_structure(CIFS[0]), as_structure(CIFS[1])


class TestSOAP:
    def test_rotation_translation_and_supercell_invariance(self, pair):
        from pymatgen.core import Lattice, Structure
        from scipy.spatial.transform import Rotation

        s = pair[0]
        rot = Rotation.from_euler("xyz", [31, -47, 112], degrees=True).as_matrix()
        turned = Structure(
            Lattice(s.lattice.matrix @ rot.T),
            s.species,
            s.cart_coords @ rot.T + 0.37,
            coords_are_cartesian=True,
        )
        species = tuple(sorted(el.symbol for el in s.composition.elements))
        f = SOAP(species=species, r_cut=4.0, n_max=4, l_max=4)
        X = f.transform([s, turned, s * (2, 1, 1), s.copy()])
        np.testing.assert_allclose(X[1], X[0], rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(X[2], X[0], rtol=1e-7, atol=1e-9)
        np.testing.assert_array_equal(X[3], X[0])

    def test_species_learned_in_fit(self, pair):
        from sklearn.exceptions import NotFittedError

        f = SOAP(r_cut=4.0, n_max=2, l_max=2)
        with pytest.raises(NotFittedError):
            f.transform([pair[0]])
        f.fit(list(pair))
        assert set(f.species_) == {el.symbol for s in pair for el in s.composition.elements}
        assert f.transform(list(pair)).shape == (2, len(f.get_feature_names_out()))
        other = as_structure(DATA / "crystal_structures" / "cod_crystals_pkg" / "Cr.cif")
        with pytest.raises(FeaturizeError, match="not among the SOAP species"):
            f.transform([pair[0], other])

    def test_missing_dscribe_says_how_to_install(self, monkeypatch):
        import sys

        from matinfo.features import soap

        monkeypatch.setitem(sys.modules, "dscribe.descriptors", None)
        soap._descriptor.cache_clear()
        with pytest.raises(ImportError, match=r"pip install matinfo\[soap\]"):
            SOAP(species=("Cr",)).get_feature_names_out()
        soap._descriptor.cache_clear()
