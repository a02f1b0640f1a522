"""OrbitalFieldMatrix equals matminer's on real shipped CIFs (matminer is the reference, imported here only)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import OrbitalFieldMatrix
from matinfo.features._structure import DATA, as_structure
from matinfo.features.ofm import ORBITAL_LABELS, orbital_field_matrix, orbital_vectors

matrix = pytest.importorskip("matminer.featurizers.structure.matrix")
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

CIFS = sorted((DATA / "crystal_structures").glob("*/*.cif"))
# small cells from both collections, plus the awkward ones: Sm.cif (c = 26 Å, 2 sites: Qhull fails on the 13 Å
# cloud, matminer's VoronoiNN doubles its cutoff) and a rhombohedral 2-site cell
QUICK = [p for p in CIFS if p.name in ("Sm.cif", "198_A_hR2_166_c.cif", "Cr.cif", "NaCl.cif")] + CIFS[::40]


def _reference(structure, period_tag):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(matrix.OrbitalFieldMatrix(period_tag=period_tag).featurize(structure.copy()))


def _ordered(paths):
    out = []
    for p in paths:
        s = as_structure(p)
        if s.is_ordered and max(el.Z for el in s.composition.elements) <= 94:
            out.append(s)
    return out


@pytest.mark.parametrize("period_tag", [False, True])
def test_orbital_vectors_equal_matminer(period_tag):
    ref = matrix.OrbitalFieldMatrix(period_tag=period_tag).ohvs
    ours = orbital_vectors(period_tag)
    for z in range(1, 95):
        np.testing.assert_array_equal(np.asarray(ref[z]).ravel(), ours[z], err_msg=f"Z={z}")


@pytest.mark.parametrize("period_tag", [False, True])
def test_ofm_equals_matminer_on_shipped_cifs(period_tag):
    structures = _ordered(QUICK)
    assert len(structures) >= 12
    X = OrbitalFieldMatrix(period_tag=period_tag).transform(structures)
    for s, row in zip(structures, X, strict=True):
        ref = _reference(s, period_tag)
        assert np.abs(ref - row).max() <= 1e-8, s.formula


@pytest.mark.slow
def test_ofm_equals_matminer_on_60_cifs():
    structures = _ordered(CIFS[1::6])
    assert len(structures) >= 60
    X = OrbitalFieldMatrix().transform(structures)
    diffs = [np.abs(_reference(s, False) - row).max() for s, row in zip(structures, X, strict=True)]
    assert max(diffs) <= 1e-8


def test_names_follow_matminer_layout():
    f = OrbitalFieldMatrix()
    names = f.get_feature_names_out()
    ref = matrix.OrbitalFieldMatrix().feature_labels()
    assert len(names) == len(ref) == 1024
    assert names[0] == "ofm s1-s1" and names[33] == "ofm s2-s2"
    # matminer labels "OFM: s^1 - p^3"; ours "ofm s1-p3", same position
    assert [n.replace("ofm ", "") for n in names] == [r[5:].replace("^", "").replace(" - ", "-") for r in ref]
    assert len(OrbitalFieldMatrix(period_tag=True).get_feature_names_out()) == 39 * 39


def test_matrix_orientation_rows_are_neighbours():
    from pymatgen.core import Lattice, Structure

    # CsCl-type NaCl: Na (s1) centres see Cl (s2 p5) neighbours and vice versa
    s = Structure(Lattice.cubic(3.0), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    ofm = orbital_field_matrix(s)
    i = {k: ORBITAL_LABELS.index(k) for k in ("s1", "s2", "p5")}
    assert ofm[i["p5"], i["s1"]] > 0  # Cl p5 neighbour of an Na centre
    assert ofm[i["s1"], i["p5"]] > 0  # Na s1 neighbour of a Cl centre
    np.testing.assert_allclose(ofm, _reference(s, False).reshape(32, 32), atol=1e-12)


def test_disordered_and_heavy_structures_are_row_errors():
    obelix = DATA / "obelix" / "cifs" / "e6b.cif"  # Li4GeS4 with a half-occupied Li site
    good = as_structure(CIFS[0])
    with pytest.raises(FeaturizeError, match="ordered structure") as info:
        OrbitalFieldMatrix().transform([good, obelix])
    assert info.value.source == "row 1"
    with pytest.raises(AttributeError):  # matminer fails on it too
        _reference(as_structure(obelix), False)
    americium = DATA / "crystal_structures" / "cod_crystals_pkg" / "Am.cif"
    with pytest.raises(FeaturizeError, match="Z > 94"):
        OrbitalFieldMatrix().transform([americium])
    out = OrbitalFieldMatrix(on_error="nan").transform([good, americium])
    assert np.isnan(out[1]).all() and not np.isnan(out[0]).any()
