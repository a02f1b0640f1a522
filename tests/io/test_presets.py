"""Import presets: every preset reads its shipped copy, shipped data carries license and citation, user files."""

from __future__ import annotations

import csv
import functools
import gzip
import json
import shutil

import pytest

from matinfo.core.records import MaterialIn, PhaseDiagramIn
from matinfo.errors import ImportDataError, MappingError
from matinfo.io.presets import DATA_DIR, PRESETS, Preset, data_path, get_preset, preset_names
from matinfo.io.presets.crystal_structures import parse_aflow_reference, reduced_formula

#: preset → (materials, properties, materials with a structure, phase diagrams) of the shipped copy
EXPECTED = {
    "crystal-structures": (375, 0, 375, 0),
    "elements": (103, 1125, 0, 0),
    "formation-enthalpies": (2135, 2135, 0, 714),
    "janaf": (703, 11910, 0, 0),
    "matbench-expt-gap": (4604, 4604, 0, 0),
    "matbench-expt-is-metal": (4921, 4921, 0, 0),
    "matbench-glass": (5680, 5680, 0, 0),
    "obelix": (478, 505, 254, 0),
    "thermoelectrics-estm": (912, 26025, 0, 0),
    "thermoelectrics-systeme": (1548, 45858, 0, 0),
}


@functools.cache
def shipped(name: str) -> tuple[list[MaterialIn], list[PhaseDiagramIn]]:
    recs = list(PRESETS[name].read())
    return [r for r in recs if isinstance(r, MaterialIn)], [r for r in recs if isinstance(r, PhaseDiagramIn)]


def test_preset_names():
    assert preset_names() == sorted(EXPECTED)
    assert all(isinstance(p, Preset) and p.name == n for n, p in PRESETS.items())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_copy_counts(name):
    mats, pds = shipped(name)
    n_mat, n_prop, n_struct, n_pd = EXPECTED[name]
    assert len(mats) == n_mat
    assert sum(len(m.properties) for m in mats) == n_prop
    assert sum(m.structure is not None for m in mats) == n_struct
    assert len(pds) == n_pd
    assert all(m.formula.strip() and m.location for m in mats)
    assert all(p.location for m in mats for p in m.properties)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dataset_metadata(name):
    p = PRESETS[name]
    ds = p.dataset
    assert ds.name == name
    assert ds.license and ds.citation and ds.url and ds.description
    assert p.description and p.expects and p.shipped_path.exists()
    assert p.dataset_for() is ds and p.dataset_for("/x/my_data.csv").name == "my_data"


def test_shipped_folders_have_license_and_readme():
    folders = [d for d in DATA_DIR.iterdir() if d.is_dir()]
    assert {d.name for d in folders} >= {
        "crystal_structures",
        "element_properties",
        "formation_enthalpies",
        "janaf",
        "matbench_v0.1",
        "obelix",
        "thermoelectrics",
    }
    for d in folders:
        assert list(d.glob("LICENSE*")), f"{d.name} has no LICENSE file"
        readme = d / "README.md"
        assert readme.is_file(), f"{d.name} has no README.md"
        text = readme.read_text(encoding="utf-8").lower()
        assert "license" in text and "cite" in text and "source" in text, d.name
    for p in PRESETS.values():
        assert (DATA_DIR / p.data_dir).is_dir()


def test_shipped_data_is_small():
    total = sum(f.stat().st_size for f in DATA_DIR.rglob("*") if f.is_file())
    assert total < 8_000_000


def test_unknown_preset():
    with pytest.raises(MappingError, match="did you mean 'obelix'"):
        get_preset("obelx")
    assert get_preset("janaf") is PRESETS["janaf"]


# ----------------------------------------------------------------------------------------------- OBELiX
def test_obelix_records():
    mats, _ = shipped("obelix")
    by_id = {dict(m.external_ids)["obelix"]: m for m in mats}
    first = mats[0]
    assert (first.formula, first.name, first.space_group) == ("Li7BiO6", "hexaoxometalates", 2)
    assert first.location == "obelix_train.csv:2" and first.reference.doi == "10.1002/zaac.200500231"
    assert dict(first.external_ids) == {"obelix": "jqc", "icsd": "155950", "laskowski": "3"}
    (ic,) = first.properties
    assert (ic.quantity, ic.value, ic.unit) == ("ionic_conductivity", 1.58489e-06, "S/cm")
    assert ic.conditions == {"temperature": (298.15, "K")}
    assert by_id["47i"].properties[0].value == "<1E-10"  # censored values pass through
    total, bulk = by_id["0o6"].properties  # IC (Total) = headline, IC (Bulk) differs
    assert total.value == 9.98e-05 and total.conditions["conductivity_kind"] == "total"
    assert bulk.value == 0.00251 and bulk.conditions["conductivity_kind"] == "bulk"
    (only_bulk,) = by_id["vqu"].properties  # only IC (Bulk) given, equal to the headline
    assert only_bulk.conditions["conductivity_kind"] == "bulk"
    assert by_id["ix1"].formula == "Li0.91Hf2.022(PO4)3"  # Reduced Composition, groups kept
    with_cif = [m for m in mats if m.structure]
    assert all(m.structure.source == f"{dict(m.external_ids)['obelix']}.cif" for m in with_cif)
    assert all(m.structure.cif.lstrip().startswith(("#", "data_")) for m in with_cif)


def test_obelix_user_file(tmp_path):
    src = data_path("obelix", "obelix_train.csv")
    with open(src, encoding="utf-8") as fh:
        lines = fh.readlines()[:4]
    (tmp_path / "my_obelix.csv").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "cifs").mkdir()
    shutil.copy(data_path("obelix", "cifs", "jqc.cif"), tmp_path / "cifs" / "jqc.cif")
    mats = list(PRESETS["obelix"].read(tmp_path / "my_obelix.csv"))
    assert [m.location for m in mats] == ["my_obelix.csv:2", "my_obelix.csv:3", "my_obelix.csv:4"]
    assert mats[0].structure is not None and mats[1].structure is None


def test_preset_on_wrong_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Formula,Conductivity\nLiCl,1e-9\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        list(PRESETS["obelix"].read(path))
    msg = str(info.value)
    assert "other.csv" in msg and "Reduced Composition" in msg and "Formula, Conductivity" in msg
    with pytest.raises(ImportDataError, match="not found") as info:
        PRESETS["obelix"].read(tmp_path / "missing.csv")
    assert "missing.csv" in str(info.value) and "obelix" in str(info.value)


# ----------------------------------------------------------------------------------------------- thermoelectrics
def test_systeme_records():
    mats, _ = shipped("thermoelectrics-systeme")
    first = mats[0]
    assert first.formula == "Pb0.975Ga0.025Te" and first.name is None
    assert first.reference.doi == "10.1039/D1EE02986J" and first.reference.year == 2022
    temps = {p.conditions["temperature"] for p in first.properties}
    assert (300.0, "K") in temps and len(temps) > 3
    units = {p.quantity: p.unit for m in mats for p in m.properties}
    assert units == {
        "electrical_conductivity": "S/cm",
        "seebeck_coefficient": "uV/K",
        "power_factor": "uW/(cm*K^2)",
        "zt": None,
        "thermal_conductivity": "W/(m*K)",
        "lattice_thermal_conductivity": "W/(m*K)",
        "electronic_thermal_conductivity": "W/(m*K)",
    }
    mixed = [m for m in mats if m.name and "wt%" in m.name]
    assert mixed and all("wt%" not in m.formula for m in mixed)  # normalised composition as formula
    assert any(m.reference and m.reference.url for m in mats)  # non-DOI sources kept as URL


def test_estm_units_and_grouping():
    mats, _ = shipped("thermoelectrics-estm")
    first = mats[0]
    assert first.formula == "BiSb(Se0.92Br0.08)3" and first.reference.doi == "10.1002/adfm.201806558"
    sigma = next(p for p in first.properties if p.quantity == "electrical_conductivity")
    assert (sigma.value, sigma.unit) == (27766.0, "S/m")  # ESTM σ is in S/m
    pf = next(p for p in first.properties if p.quantity == "power_factor")
    assert pf.unit == "W/(m*K^2)"
    assert len({p.location for p in first.properties}) == len(
        {p.conditions["temperature"] for p in first.properties}
    )


# ----------------------------------------------------------------------------------------------- matbench, janaf
def test_matbench_records():
    gap = shipped("matbench-expt-gap")[0][0]
    assert gap.formula == "Ag(AuS)2" and gap.external_ids == (("matbench", "mb-expt-gap-0001"),)
    assert (gap.properties[0].quantity, gap.properties[0].value, gap.properties[0].unit) == (
        "band_gap",
        0.0,
        "eV",
    )
    metal = shipped("matbench-expt-is-metal")[0][0].properties[0]
    assert (metal.quantity, metal.value, metal.unit) == ("is_metal", True, None)
    glass = shipped("matbench-glass")[0]
    assert {m.properties[0].value for m in glass} == {True, False}
    assert glass[0].properties[0].quantity == "glass_forming" and glass[0].reference.year == 1997


def test_janaf_records(tmp_path):
    mats, _ = shipped("janaf")
    al2o3 = next(m for m in mats if m.formula == "Al2O3")
    p300 = next(p for p in al2o3.properties if p.conditions["temperature"] == (300.0, "K"))
    assert p300.quantity == "gibbs_formation_energy" and p300.unit == "eV/fu"
    assert p300.value == pytest.approx(-16.3931, abs=1e-4)
    assert al2o3.reference.title.startswith("NIST-JANAF")
    short = tmp_path / "janaf_300.csv"
    with gzip.open(data_path("janaf", "nist_janaf_dGf_long.csv.gz"), "rt") as fh:
        assert fh.readline().startswith("formula,T_K")
    short.write_text("formula,dGf_300K_eV_per_formula_unit\nAl2O3,-16.39\nMgO,\n", encoding="utf-8")
    a, b = PRESETS["janaf"].read(short)
    assert a.properties[0].conditions == {"temperature": (300.0, "K")} and b.properties == ()


# ----------------------------------------------------------------------------------------------- structures
def test_crystal_structure_records():
    mats, _ = shipped("crystal-structures")
    aflow = [m for m in mats if m.prototype]
    cod = [m for m in mats if dict(m.external_ids).get("cod")]
    assert len(aflow) == 288 and len(cod) == 87
    cinnabar = aflow[0]
    assert (cinnabar.formula, cinnabar.name, cinnabar.space_group, cinnabar.prototype) == (
        "HgS",
        "Cinnabar",
        154,
        "AB_hP6_154_a_b",
    )
    assert cinnabar.reference.year == 1973 and cinnabar.reference.journal.startswith("Bulletin")
    assert cinnabar.reference.authors == "P. Auvray and F. Genet"
    bto = next(m for m in cod if m.name == "BaTiO3_cubic")
    assert bto.formula == "BaO3Ti" and bto.space_group == "P m -3 m"
    assert bto.reference.doi == "10.1107/S010876819200510X" and "Buttner" in bto.reference.authors
    assert dict(bto.external_ids) == {"cod": "2100862"}
    assert all(m.structure.cif for m in mats)


def test_crystal_structures_from_one_index(tmp_path):
    src = data_path("crystal_structures")
    shutil.copy(src / "cod_crystals_pkg_index.csv", tmp_path)
    shutil.copytree(src / "cod_crystals_pkg", tmp_path / "cod_crystals_pkg")
    assert len(list(PRESETS["crystal-structures"].read(tmp_path / "cod_crystals_pkg_index.csv"))) == 87
    assert len(list(PRESETS["crystal-structures"].read(tmp_path))) == 87
    (tmp_path / "cod_crystals_pkg" / "Ag.cif").unlink()
    with pytest.raises(ImportDataError, match="cannot read the CIF") as info:
        list(PRESETS["crystal-structures"].read(tmp_path))
    assert info.value.value == "Ag.cif" and info.value.line == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A. B and C. D; Title; Journal; 12; 1999",
            {
                "authors": "A. B and C. D",
                "title": "Title",
                "journal": "Journal",
                "volume": "12",
                "year": 1999,
            },
        ),
        (
            "Michael J. Mehl; Hypothetical cP16 Austenite Structure; None; 0; 2008",
            {"authors": "Michael J. Mehl", "title": "Hypothetical cP16 Austenite Structure", "year": 2008},
        ),
        (
            "Brahama D. Sharma and Jerry Donohue; A refinement of the crystal structure of gallium; 117; 1962",
            {
                "authors": "Brahama D. Sharma and Jerry Donohue",
                "title": "A refinement of the crystal structure of gallium",
                "volume": "117",
                "year": 1962,
            },
        ),
        (
            "C. H. Johansson and J. O. Linde; Annalen der Physik; 387; 1927",
            {
                "authors": "C. H. Johansson and J. O. Linde",
                "journal": "Annalen der Physik",
                "volume": "387",
                "year": 1927,
            },
        ),
        ("621; 1995", {"volume": "621", "year": 1995}),
        (
            "Olav Foss and V. J.; X-Ray; of a new form; J. Chem. Soc.; _journal_year",
            {"authors": "Olav Foss and V. J.", "title": "X-Ray; of a new form", "journal": "J. Chem. Soc."},
        ),
        ("None", None),
    ],
)
def test_parse_aflow_reference(text, expected):
    ref = parse_aflow_reference(text)
    if expected is None:
        assert ref is None
    else:
        got = {k: v for k, v in vars(ref).items() if v is not None}
        assert got == expected


def test_reduced_formula():
    assert reduced_formula("Hg3 S3") == "HgS"
    assert reduced_formula("Cr1 Fe11 Mo1 Ni3") == "CrFe11MoNi3"
    assert reduced_formula("Se64") == "Se"
    assert reduced_formula("Ag6 C12 K6 N12") == "AgC2KN2"


# ----------------------------------------------------------------------------------------------- formation enthalpies
def test_formation_enthalpies():
    mats, pds = shipped("formation-enthalpies")
    al2o3 = next(m for m in mats if m.formula == "Al2O3")
    (h,) = al2o3.properties
    assert (h.quantity, h.unit, h.conditions) == (
        "formation_enthalpy",
        "eV/atom",
        {"temperature": (298.15, "K")},
    )
    assert h.value == pytest.approx(-17.289 / 5)  # -3.46 eV/atom; NIST-JANAF: -1675.7 kJ/mol = -3.47 eV/atom
    assert al2o3.external_ids == (("mp", "mp-1143"),) and al2o3.reference.doi == "10.1038/s41598-021-94550-5"
    nacl = next(m for m in mats if m.formula == "NaCl").properties[0]
    assert nacl.value * 2 * 96.485 == pytest.approx(-411.2, abs=0.5)  # kJ/mol per formula unit
    fe_o = next(p for p in pds if p.chemical_system == "Fe-O")
    assert fe_o.diagram_type == "formation-enthalpy convex hull (298 K)" and fe_o.t_min_K == 298.15
    assert set(fe_o.data["stable"]) == {"Fe", "O", "Fe2O3", "Fe3O4"}
    feo = next(e for e in fe_o.data["entries"] if e["formula"] == "FeO")
    assert not feo["stable"] and feo["e_above_hull"] > 0 and set(feo["decomposes_to"]) == {"Fe", "Fe3O4"}
    json.dumps([p.data for p in pds])  # JSON-serialisable
    assert all(len(p.data["entries"]) >= 2 for p in pds)


def test_formation_enthalpies_user_file(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            [
                {"formula": "Li2O", "exp energy": -6.2, "uncertainty": None, "mpid": None},
                {"formula": "Li2O2", "exp energy": -6.6, "uncertainty": 0.1},
            ]
        ),
        encoding="utf-8",
    )
    recs = list(PRESETS["formation-enthalpies"].read(path))
    assert [type(r).__name__ for r in recs] == ["MaterialIn", "MaterialIn", "PhaseDiagramIn"]
    assert recs[1].properties[0].uncertainty == pytest.approx(0.025)
    path.write_text(json.dumps([{"formula": "Li2O", "exp energy": "x"}]), encoding="utf-8")
    with pytest.raises(ImportDataError, match="exp energy") as info:
        list(PRESETS["formation-enthalpies"].read(path))
    assert info.value.field == "[0].exp energy" and "mine.json" in str(info.value)


def test_element_table_shipped():
    path = data_path("element_properties", "element_properties.csv")
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 103 and (rows[0]["Z"], rows[0]["symbol"]) == ("1", "H")
