"""MoleculeFeatures on the HOPV15 donors, against RDKit's own descriptor and fingerprint functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import FeaturizeError
from matinfo.features import MoleculeFeatures
from matinfo.features.molecules import DEFAULT_DESCRIPTORS
from tests.conftest import shared_data

Chem = pytest.importorskip("rdkit.Chem")
from rdkit import rdBase  # noqa: E402
from rdkit.Chem import Crippen, Lipinski, rdMolDescriptors  # noqa: E402


@pytest.fixture(scope="module")
def smiles() -> list[str]:
    return pd.read_csv(shared_data("hopv15", "hopv.csv"))["smiles"].tolist()


def _reference_descriptors(mol) -> list[float]:
    """The default descriptors through RDKit's calculator functions (not ``Descriptors._descList``)."""
    return [
        rdMolDescriptors._CalcMolWt(mol),
        Crippen.MolLogP(mol),
        rdMolDescriptors.CalcTPSA(mol),
        rdMolDescriptors.CalcNumHBD(mol),
        rdMolDescriptors.CalcNumHBA(mol),
        rdMolDescriptors.CalcNumRotatableBonds(mol),
        rdMolDescriptors.CalcNumRings(mol),
        rdMolDescriptors.CalcNumAromaticRings(mol),
        rdMolDescriptors.CalcFractionCSP3(mol),
        mol.GetNumHeavyAtoms(),
        Lipinski.NumHeteroatoms(mol),
        _valence_electrons(mol),
    ]


def _valence_electrons(mol) -> int:
    """Outer electrons of every atom, its implicit and explicit H included, less the formal charges."""
    table = Chem.GetPeriodicTable()
    return sum(
        table.GetNOuterElecs(a.GetAtomicNum()) - a.GetFormalCharge() + a.GetTotalNumHs()
        for a in mol.GetAtoms()
    )


def test_hopv_donors_match_rdkit(smiles):
    f = MoleculeFeatures(radius=2, n_bits=1024)
    X = f.transform(smiles)
    assert X.shape == (350, 1024 + len(DEFAULT_DESCRIPTORS)) and f.report_.n_failed == 0
    names = list(f.get_feature_names_out())
    assert names[:2] == ["morgan2_0", "morgan2_1"] and names[1024:] == list(DEFAULT_DESCRIPTORS)
    assert set(f.get_feature_categories_out()) == {"molecule"}
    for i in range(0, 350, 7):
        mol = Chem.MolFromSmiles(smiles[i])
        with rdBase.BlockLogs():
            bits = rdMolDescriptors.GetMorganFingerprintAsBitVect(mol, 2, nBits=1024)  # the older API
        expected = np.zeros(1024)
        expected[list(bits.GetOnBits())] = 1
        np.testing.assert_array_equal(X[i, :1024], expected)
        np.testing.assert_allclose(X[i, 1024:], _reference_descriptors(mol), rtol=1e-12)


def test_known_values_of_phenol():
    f = MoleculeFeatures(n_bits=0)
    row = dict(zip(f.get_feature_names_out(), f.transform(["Oc1ccccc1"])[0], strict=True))
    assert row["MolWt"] == pytest.approx(94.113, abs=1e-3)  # C6H6O, g/mol
    assert row["TPSA"] == pytest.approx(20.23)  # Å², one hydroxyl
    assert (row["NumHDonors"], row["NumHAcceptors"], row["RingCount"], row["NumAromaticRings"]) == (
        1,
        1,
        1,
        1,
    )
    assert (row["HeavyAtomCount"], row["FractionCSP3"], row["NumValenceElectrons"]) == (7, 0, 36)


def test_radius_bits_and_descriptor_selection():
    f = MoleculeFeatures(radius=3, n_bits=64, descriptors=("MolWt", "qed"))
    names = list(f.get_feature_names_out())
    assert names[0] == "morgan3_0" and names[-2:] == ["MolWt", "qed"] and len(names) == 66
    X = f.transform(["CCO", "c1ccccc1"])
    assert set(np.unique(X[:, :64])) <= {0.0, 1.0}
    with pytest.raises(ValueError, match="unknown RDKit descriptor 'MolWeight'"):
        MoleculeFeatures(descriptors=["MolWeight"]).transform(["CCO"])
    with pytest.raises(ValueError, match="no features"):
        MoleculeFeatures(n_bits=0, descriptors=()).transform(["CCO"])


def test_mol_objects_are_accepted():
    f = MoleculeFeatures(n_bits=128)
    np.testing.assert_array_equal(f.transform([Chem.MolFromSmiles("CCO")]), f.transform(["CCO"]))


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("C1CC", "invalid SMILES"),
        ("C(C)(C)(C)(C)C", "Explicit valence for atom # 0 C, 5"),
        ("", "empty SMILES"),
        (3.5, "expected a SMILES string, got float"),
    ],
)
def test_invalid_smiles_name_the_row_and_value(smiles, bad, expected):
    rows = pd.Series([smiles[0], bad, smiles[1]], index=["d1", "d2", "d3"])
    with pytest.raises(FeaturizeError) as info:
        MoleculeFeatures(n_bits=32).transform(rows)
    assert info.value.source == "row d2" and info.value.value == bad and expected in info.value.problem
    lenient = MoleculeFeatures(n_bits=32, on_error="nan")
    X = lenient.transform(rows)
    assert np.isnan(X[1]).all() and not np.isnan(X[[0, 2]]).any()
    assert [e.row for e in lenient.report_.errors] == ["d2"]


def test_citations():
    assert any("10.1021/ci100050t" in c for c in MoleculeFeatures().citations())
    assert len(MoleculeFeatures(n_bits=0).citations()) == 1


def test_missing_smiles_give_nan_rows(smiles):
    rows = pd.Series([smiles[0], None, float("nan")], index=["d1", "d2", "d3"])
    f = MoleculeFeatures(n_bits=32)
    X = f.transform(rows)
    assert np.isnan(X[1:]).all() and not np.isnan(X[0]).any()
    assert f.report_.missing == ["d2", "d3"] and f.report_.n_failed == 0
