"""JSON records: the documented shape, round trips, errors naming file + index + field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn, StructureIn
from matinfo.errors import ImportDataError
from matinfo.io.jsonio import (
    material_from_dict,
    material_to_dict,
    read_json_dataset,
    read_json_records,
    write_json_records,
)

FIXTURE = Path(__file__).parent / "data" / "json_records.json"


def records() -> list[MaterialIn]:
    return [
        MaterialIn(
            formula="Li7La3Zr2O12",
            name="LLZO",
            space_group=230,
            prototype="Li7La3Zr2O12",
            reference=ReferenceIn(
                doi="10.1002/anie.200701144", authors="R. Murugan et al.", year=2007, volume="46"
            ),
            properties=(
                PropertyIn(
                    "ionic_conductivity",
                    3e-4,
                    "S/cm",
                    uncertainty=5e-5,
                    conditions={"temperature": (298.15, "K"), "atmosphere": "Ar", "pressure": 1e-4},
                    location="x.csv:2",
                ),
                PropertyIn(
                    "ionic_conductivity",
                    "<1e-8",
                    "S/cm",
                    conditions={"temperature": (373.0, "K")},
                    method="literature-extraction",
                    reference=ReferenceIn(doi="10.1/other"),
                    produced_by="extractor-1",
                ),
                PropertyIn("is_metal", False, method="calculation"),
            ),
            structure=StructureIn(cif="data_x\n_cell_length_a 5.1\n", source="x.cif"),
            external_ids=(("icsd", "422259"), ("icsd", "422260")),
            location="x.csv:2",
        ),
        MaterialIn(formula="LixNbO3", variables={"x": 0.95}),
    ]


def test_round_trip(tmp_path):
    path = tmp_path / "out.json"
    assert write_json_records(records(), path) == 2
    back = list(read_json_records(path))
    assert back[0] == records()[0]
    assert back[1] == MaterialIn(formula="LixNbO3", variables={"x": 0.95}, location="out.json:[1]")


def test_round_trip_gz_with_dataset(tmp_path):
    path = tmp_path / "out.json.gz"
    ds = DatasetIn(name="mine", license="CC0-1.0", citation="me")
    write_json_records(records(), path, dataset=ds)
    assert read_json_dataset(path) == ds
    assert [m.formula for m in read_json_records(path)] == ["Li7La3Zr2O12", "LixNbO3"]


def test_shape_is_plain_json():
    d = material_to_dict(records()[0])
    text = json.dumps(d)  # no tuples, no custom objects
    assert json.loads(text)["properties"][0]["conditions"]["temperature"] == {"value": 298.15, "unit": "K"}
    assert d["external_ids"][0] == {"source": "icsd", "id": "422259"}
    assert "variables" not in d and material_to_dict(MaterialIn("Si")) == {"formula": "Si"}


def test_fixture_file():
    ds = read_json_dataset(FIXTURE)
    assert ds == DatasetIn(name="json-test", license="CC0-1.0")
    llzo, lnb = read_json_records(FIXTURE)
    assert llzo.location == "json_records.json:[0]" and llzo.space_group == 230
    ic, censored = llzo.properties
    assert ic.conditions == {"temperature": (298.15, "K"), "atmosphere": "Ar"} and ic.uncertainty == 5e-5
    assert censored.value == "<1e-8" and censored.conditions == {
        "temperature": (373, "K"),
        "pressure": 0.0001,
    }
    assert llzo.external_ids == (("icsd", "422259"),) and llzo.reference.year == 2007
    assert lnb.variables == {"x": 0.95} and lnb.structure.source == "x.cif"
    assert lnb.properties[0].value is False and lnb.properties[0].method == "calculation"
    assert lnb.external_ids == (("mp", "mp-3731"),)


def test_nan_written_as_text(tmp_path):
    path = tmp_path / "n.json"
    write_json_records([MaterialIn("Si", properties=(PropertyIn("band_gap", float("nan"), "eV"),))], path)
    assert next(read_json_records(path)).properties[0].value == "nan"


def bad(tmp_path: Path, doc: object) -> ImportDataError:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportDataError) as info:
        list(read_json_records(path))
    assert info.value.source == "bad.json" and "bad.json" in str(info.value)
    return info.value


OK = {"formula": "NaCl"}


@pytest.mark.parametrize(
    ("doc", "field", "value", "text"),
    [
        ([OK, {"name": "x"}], "[1].formula", None, "missing"),
        ([OK, {"formula": ""}], "[1].formula", "", "non-empty"),
        ([OK, {"formla": "NaCl"}], "[1].formla", "formla", "did you mean 'formula'"),
        ([{"formula": "NaCl", "space_group": 300}], "[0].space_group", 300, "1 to 230"),
        ([{"formula": "NaCl", "space_group": 1.5}], "[0].space_group", 1.5, "number 1-230"),
        ([{"formula": "NaCl", "variables": {"x": "a"}}], "[0].variables.x", "a", "number"),
        ([{"formula": "NaCl", "properties": {"quantity": "q"}}], "[0].properties", {"quantity": "q"}, "list"),
        ([{"formula": "NaCl", "properties": [{"value": 1}]}], "[0].properties[0].quantity", None, "missing"),
        (
            [{"formula": "NaCl", "properties": [{"quantity": "band_gap"}]}],
            "[0].properties[0].value",
            None,
            "missing",
        ),
        (
            [{"formula": "NaCl", "properties": [{"quantity": "q", "value": [1]}]}],
            "[0].properties[0].value",
            [1],
            "number, text or bool",
        ),
        (
            [{"formula": "NaCl", "properties": [{"quantity": "q", "value": 1, "method": "guess"}]}],
            "[0].properties[0].method",
            "guess",
            "experiment",
        ),
        (
            [{"formula": "NaCl", "properties": [{"quantity": "q", "value": 1, "uncertainty": "big"}]}],
            "[0].properties[0].uncertainty",
            "big",
            "number",
        ),
        (
            [
                {
                    "formula": "NaCl",
                    "properties": [{"quantity": "q", "value": 1, "conditions": {"T": [1, 2, 3]}}],
                }
            ],
            "[0].properties[0].conditions.T",
            [1, 2, 3],
            "[value, unit]",
        ),
        (
            [
                {
                    "formula": "NaCl",
                    "properties": [{"quantity": "q", "value": 1, "conditions": {"T": {"unit": "K"}}}],
                }
            ],
            "[0].properties[0].conditions.T",
            {"unit": "K"},
            "needs 'value'",
        ),
        ([{"formula": "NaCl", "reference": {"year": "MMXX"}}], "[0].reference.year", "MMXX", "integer year"),
        (
            [{"formula": "NaCl", "reference": {"dio": "10.1/x"}}],
            "[0].reference.dio",
            "dio",
            "did you mean 'doi'",
        ),
        ([{"formula": "NaCl", "structure": {"source": "x.cif"}}], "[0].structure.cif", None, "missing"),
        (
            [{"formula": "NaCl", "external_ids": [{"source": "icsd"}]}],
            "[0].external_ids[0]",
            {"source": "icsd"},
            "source",
        ),
        ([OK, "NaCl"], "[1]", "NaCl", "object"),
    ],
)
def test_errors_name_index_and_field(tmp_path, doc, field, value, text):
    err = bad(tmp_path, doc)
    assert err.field == field
    assert err.value == value
    assert text in str(err)


def test_unknown_keys_from_exports_are_ignored():
    m = material_from_dict({"formula": "NaCl", "substance_id": 3, "id": 9, "created_at": "2024"})
    assert m.formula == "NaCl"


def test_whole_file_errors(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"formula": "NaCl"},\n {"formula": }]', encoding="utf-8")
    with pytest.raises(ImportDataError, match="not valid JSON") as info:
        list(read_json_records(path))
    assert info.value.line == 2 and "broken.json:2" in str(info.value)
    path.write_text('{"formula": "NaCl"}', encoding="utf-8")
    with pytest.raises(ImportDataError, match="materials"):
        list(read_json_records(path))
    with pytest.raises(ImportDataError, match="not found"):
        list(read_json_records(tmp_path / "nope.json"))


def test_strict_objects_refuse_unknown_keys(tmp_path):
    err = bad(tmp_path, [{"formula": "NaCl", "reference": {"isbn": "123"}}])
    assert err.field == "[0].reference.isbn" and "allowed: doi" in str(err)
    err = bad(tmp_path, [{"formula": "NaCl", "properties": [{"quantity": "q", "value": 1, "valeu": 2}]}])
    assert err.field == "[0].properties[0].valeu" and "did you mean 'value'" in str(err)
