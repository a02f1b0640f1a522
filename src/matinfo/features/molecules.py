"""Molecules from SMILES: Morgan (ECFP-like) fingerprint bits and RDKit 2D descriptors.

Needs RDKit, the optional extra ``matinfo[molecules]``; it is imported on first use.

>>> f = MoleculeFeatures(n_bits=0, descriptors=("HeavyAtomCount", "NumAromaticRings"))
>>> f.transform(["c1ccccc1O", "CCO"]).tolist()
[[7.0, 1.0], [3.0, 0.0]]
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from matinfo.errors import FeaturizeError
from matinfo.features.base import Examples, Featurizer

__all__ = ["MoleculeFeatures", "DEFAULT_DESCRIPTORS"]

#: RDKit 2D descriptors computed by default (names as in ``rdkit.Chem.Descriptors``): molar mass (g/mol),
#: Crippen logP, topological polar surface area (Å²), H-bond donors/acceptors, rotatable bonds, rings, aromatic
#: rings, fraction of sp3 carbons, heavy atoms, heteroatoms, valence electrons.
DEFAULT_DESCRIPTORS: tuple[str, ...] = (
    "MolWt",
    "MolLogP",
    "TPSA",
    "NumHDonors",
    "NumHAcceptors",
    "NumRotatableBonds",
    "RingCount",
    "NumAromaticRings",
    "FractionCSP3",
    "HeavyAtomCount",
    "NumHeteroatoms",
    "NumValenceElectrons",
)


def _rdkit():
    """The RDKit modules, or an ImportError that names the extra to install."""
    try:
        from rdkit import Chem, rdBase
        from rdkit.Chem import Descriptors, rdFingerprintGenerator
    except ImportError as exc:  # pragma: no cover - rdkit is installed in the test environment
        raise ImportError(
            "MoleculeFeatures needs RDKit; install it with: pip install 'matinfo[molecules]'"
        ) from exc
    return Chem, rdBase, Descriptors, rdFingerprintGenerator


@functools.lru_cache(maxsize=16)
def _morgan_generator(radius: int, n_bits: int):
    """One generator per (radius, n_bits) and process (RDKit generators cannot be pickled)."""
    return _rdkit()[3].GetMorganGenerator(radius=radius, fpSize=n_bits)


@functools.cache
def _descriptor_functions() -> dict[str, Any]:
    return dict(_rdkit()[2]._descList)


class MoleculeFeatures(Featurizer):
    """Morgan fingerprint bits and RDKit 2D descriptors of molecules given as SMILES.

    Columns: ``morgan{radius}_{i}`` for ``i`` in ``0 .. n_bits-1`` (1 when an atom environment of radius ≤
    ``radius`` hashes to bit ``i``; ECFP4 for radius 2, Rogers & Hahn 2010), then one column per descriptor name
    (units: ``MolWt`` g/mol, ``TPSA`` Å², the rest counts, fractions or logP).  All in category ``molecule``.

    Parameters
    ----------
    radius : int
        Morgan radius (2 ≈ ECFP4).
    n_bits : int
        Fingerprint length; 0 leaves the fingerprint out.
    descriptors : sequence of str or None
        Names from ``rdkit.Chem.Descriptors.descList``; ``None`` means :data:`DEFAULT_DESCRIPTORS`, ``()`` none.
    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.

    Input rows are SMILES strings (or RDKit ``Mol`` objects).  A SMILES that RDKit cannot read, or that breaks
    valence rules, is a bad row; its error names the SMILES and RDKit's reason.
    """

    name = "molecules"

    def __init__(
        self,
        *,
        radius: int = 2,
        n_bits: int = 2048,
        descriptors: Sequence[str] | None = None,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.radius = radius
        self.n_bits = n_bits
        self.descriptors = descriptors
        self.on_error = on_error
        self.n_jobs = n_jobs

    def _descriptor_names(self) -> list[str]:
        names = list(DEFAULT_DESCRIPTORS if self.descriptors is None else self.descriptors)
        known = _descriptor_functions()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(
                f"unknown RDKit descriptor {unknown[0]!r}; see rdkit.Chem.Descriptors.descList, e.g. {sorted(known)[:5]}"
            )
        return names

    def _describe(self) -> tuple[list[str], list[str]]:
        if not isinstance(self.radius, int) or self.radius < 0:
            raise ValueError(f"radius={self.radius!r}: use a whole number ≥ 0")
        if not isinstance(self.n_bits, int) or self.n_bits < 0:
            raise ValueError(f"n_bits={self.n_bits!r}: use a whole number ≥ 0 (0: no fingerprint)")
        names = [f"morgan{self.radius}_{i}" for i in range(self.n_bits)] + self._descriptor_names()
        if not names:
            raise ValueError("MoleculeFeatures with n_bits=0 and no descriptors has no features")
        return names, ["molecule"] * len(names)

    def _prepare(self, x: Any) -> Any:
        Chem, rdBase, _, _ = _rdkit()
        if isinstance(x, Chem.Mol):
            return x
        if not isinstance(x, str):
            raise FeaturizeError(
                f"expected a SMILES string, got {type(x).__name__}",
                value=x,
                hint="give the molecule as SMILES",
            )
        text = x.strip()
        if not text:
            raise FeaturizeError("empty SMILES", value=x, hint="fill in the SMILES or drop the row")
        with rdBase.BlockLogs():
            mol = Chem.MolFromSmiles(text)
            if mol is None:
                raw = Chem.MolFromSmiles(text, sanitize=False)
                problems = [] if raw is None else [p.Message() for p in Chem.DetectChemistryProblems(raw)]
        if mol is None:
            reason = (
                "; ".join(problems)
                if problems
                else "RDKit cannot parse it (check brackets and ring closures)"
            )
            raise FeaturizeError(f"invalid SMILES: {reason}", value=x, hint="check the SMILES")
        if mol.GetNumAtoms() == 0:
            raise FeaturizeError("SMILES has no atoms", value=x, hint="check the SMILES")
        return mol

    def _compute_one(self, mol: Any) -> np.ndarray:
        parts = []
        if self.n_bits:
            parts.append(_morgan_generator(self.radius, self.n_bits).GetFingerprintAsNumPy(mol).astype(float))
        funcs = _descriptor_functions()
        parts.append(np.array([float(funcs[n](mol)) for n in self._descriptor_names()]))
        return np.concatenate(parts)

    def citations(self) -> list[str]:
        return [_RDKIT, _ROGERS_HAHN_2010] if self.n_bits else [_RDKIT]

    @classmethod
    def _examples(cls) -> Examples:
        # Donors from HOPV15 (Lopez et al., Sci. Data 3, 160086 (2016)) and two small molecules.
        return Examples(
            good=[
                "CN1c2ccccc2C(=C2c3ccc(-c4cccs4)cc3N(C)C2=O)C1=O",
                "N#CC(=Cc1ccc(-c2ccc(-c3ccc(N(c4ccccc4)c4ccccc4)cc3)s2)s1)C(=O)O",
                "c1ccccc1O",
                "CCO",
            ],
            bad=["C1CC", "C(C)(C)(C)(C)C", "", "not a smiles"],
            params={"n_bits": 256},
        )


_RDKIT = """@misc{rdkit,
  author = {{RDKit contributors}},
  title = {{RDKit}: Open-source cheminformatics},
  howpublished = {\\url{https://www.rdkit.org}},
  doi = {10.5281/zenodo.591637}
}"""

_ROGERS_HAHN_2010 = """@article{rogers_hahn_2010,
  author = {Rogers, David and Hahn, Mathew},
  title = {Extended-Connectivity Fingerprints},
  journal = {Journal of Chemical Information and Modeling}, volume = {50}, number = {5}, pages = {742--754},
  year = {2010}, doi = {10.1021/ci100050t}
}"""
