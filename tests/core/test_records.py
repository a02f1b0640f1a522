"""``MaterialIn.content_key`` writes its JSON text directly: it must stay the hash of the old construction."""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from matinfo.core.records import MaterialIn, PropertyIn, ReferenceIn, StructureIn, _content_json


def _old_key(rec: MaterialIn, dataset):
    """The construction databases store keys of (before the direct writer): never change it."""
    blob = {
        "dataset": dataset,
        "formula": rec.formula.strip(),
        "name": rec.name,
        "variables": dict(sorted((rec.variables or {}).items())),
        "cif": hashlib.sha256(rec.structure.cif.encode()).hexdigest() if rec.structure else None,
        "sg": rec.space_group,
        "prototype": rec.prototype,
        "ref": rec.reference.key if rec.reference else None,
        "props": [
            [
                p.quantity,
                repr(p.value),
                p.unit,
                p.uncertainty,
                sorted((k, repr(v)) for k, v in p.conditions.items()),
                p.method,
                p.reference.key if p.reference else None,
            ]
            for p in rec.properties
        ],
        "ext": sorted(rec.external_ids),
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


REF = ReferenceIn(doi="https://doi.org/10.1/ABC")
CITE = ReferenceIn(authors=["Müller, J.", "Ørsted, H."], title='"Quoted" \\ title', year=2001)

RECORDS = [
    MaterialIn("Fe2O3"),
    MaterialIn("  LiCoO2 ", name="lithium cobaltate", location="a.csv:3"),
    MaterialIn(
        "Li6.4La3Zr1.4Ta0.6O12",
        name="LLZTO — garnet ☃",
        space_group=230,
        prototype="Garnet",
        reference=REF,
        external_ids=(("mp", "mp-123"), ("icsd", "4711"), ("oqmd", "")),
        properties=(
            PropertyIn("ionic_conductivity", "1.2(3)e-4 S/cm", conditions={"temperature": "25 °C"}),
            PropertyIn("band_gap", 1e-10, "eV", uncertainty=1e-10, method="calculation"),
            PropertyIn("band_gap", math.nan, "eV", uncertainty=math.nan),
            PropertyIn("band_gap", math.inf, uncertainty=-math.inf),
            PropertyIn("band_gap", 3, uncertainty=2, reference=CITE),
            PropertyIn("density", True, conditions={"pressure": (1, "GPa"), "atmosphere": "Ar", "b": None}),
            PropertyIn("x", 1.0000000000000002e300, conditions={"temperature": 300.0, "T2": -0.0}),
            PropertyIn("\u00e9\x00\n\t", "tab\there \ud800", unit="Å^3/atom"),
        ),
    ),
    MaterialIn("NaCl", space_group="F m -3 m", structure=StructureIn("data_x\n_cell_length_a 5.6\n")),
    MaterialIn("NaCl", space_group=225.0),  # float: json.dumps path
    MaterialIn("NaCl", space_group=True),
    MaterialIn("Li1+xO", variables={"x": 0.5}),
    MaterialIn("Li1+xO", variables={}),
    MaterialIn("LiO", name=17, prototype=2.5),
    MaterialIn("LiO", external_ids=(["mp", "mp-1"],)),  # a list, not a tuple: json.dumps path
    MaterialIn("LiO", external_ids=(("mp", 5), ("aa", None))),
    MaterialIn("LiO", properties=(PropertyIn("band_gap", 1.0, conditions={1: "x"}),)),
    MaterialIn("LiO", properties=(PropertyIn("band_gap", 1.0, uncertainty=True),)),
    MaterialIn("LiO", properties=(PropertyIn("band_gap", [1, 2], unit=None, method="prediction"),)),
]


@pytest.mark.parametrize("rec", RECORDS, ids=range(len(RECORDS)))
@pytest.mark.parametrize("dataset", [None, "oqmd", "données ✓"])
def test_content_key_is_the_old_construction(rec, dataset):
    assert rec.content_key(dataset) == _old_key(rec, dataset)


def test_fast_path_covers_usual_records():
    assert _content_json(RECORDS[2], "oqmd") is not None
    assert _content_json(MaterialIn("NaCl", space_group=225.0), "d") is None
    assert _content_json(MaterialIn("Li1+xO", variables={"x": 0.5}), "d") is None


def test_content_key_on_oqmd_like_records():
    import random

    rnd = random.Random(7)
    for i in range(500):
        rec = MaterialIn(
            f"Li{rnd.randint(1, 9)}O{rnd.random():.4f}",
            properties=tuple(
                PropertyIn(q, rnd.uniform(-1e6, 1e6) * 10 ** rnd.randint(-30, 30), u, method="calculation",
                           location=f"f.csv:{i}")
                for q, u in (("band_gap", "eV"), ("volume_per_atom", "Å^3/atom"))
            ),
            location=f"f.csv:{i}",
        )  # fmt: skip
        assert rec.content_key("oqmd") == _old_key(rec, "oqmd")
