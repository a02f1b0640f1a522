"""CSV import with a TOML column mapping: parsing, end-to-end reading, every error path."""

from __future__ import annotations

import gzip
import io
import warnings
from pathlib import Path

import pytest

from matinfo.errors import ImportDataError, MappingError
from matinfo.io.tabular import (
    ImportDataWarning,
    Mapping,
    iter_rows,
    load_mapping,
    parse_cell,
    read_header,
    read_table,
)

DATA = Path(__file__).parent / "data"
CSV = DATA / "tab_materials.csv"
TOML = DATA / "tab_mapping.toml"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def mapping_error(tmp_path: Path, toml: str) -> MappingError:
    path = write(tmp_path / "m.toml", toml)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert "m.toml" in str(info.value)
    return info.value


MINIMAL = '[material]\nformula = "f"\n'


# ----------------------------------------------------------------------------------------------- mapping
def test_load_mapping_fixture():
    m = load_mapping(TOML)
    assert m.formula == "Composition" and m.name == "ID" and m.space_group == "Space group #"
    assert m.reference == {"doi": "DOI", "year": "Year"}
    assert m.reference_constants == {"journal": "J. Test."}
    assert [p.quantity for p in m.properties] == ["ionic_conductivity", "band_gap"]
    cond = {c.name: c for c in m.properties[0].conditions}
    assert cond["temperature"].column == "T (K)" and cond["temperature"].unit == "K"
    assert cond["atmosphere"].value == "Ar"
    assert m.properties[1].unit_column == "gap unit"
    assert m.external_ids[0].source == "icsd"
    assert m.dataset.name == "tab-test" and m.dataset.license == "CC0-1.0"
    assert m.source.endswith("tab_mapping.toml")
    assert ("property[2].unit_column", "gap unit") in m.columns()


def test_mapping_from_dict_defaults():
    m = Mapping.from_dict({"material": {"formula": "f"}})
    assert m.properties == () and m.delimiter == "," and m.encoding == "utf-8-sig" and m.dataset is None


def test_mapping_file_not_found(tmp_path):
    with pytest.raises(MappingError, match="not found") as info:
        load_mapping(tmp_path / "nope.toml")
    assert "nope.toml" in str(info.value)


def test_mapping_not_toml(tmp_path):
    err = mapping_error(tmp_path, "[material\nformula = 'x'")
    assert "not valid TOML" in str(err) and "line 1" in str(err)


@pytest.mark.parametrize(
    ("toml", "field", "value", "hint"),
    [
        ("[materail]\nformula = 'f'\n", "materail", "materail", "did you mean 'material'"),
        ("[material]\nname = 'n'\n", "material.formula", None, "add [material] with formula"),
        ("[material]\nformula = 3\n", "material.formula", 3, "column name"),
        ("[material]\nformula = 'f'\nformla = 'g'\n", "material.formla", "formla", "did you mean 'formula'"),
        (
            MINIMAL + "[[property]]\nvalue = 'v'\n",
            "property[1].quantity",
            None,
            'quantity = "ionic_conductivity"',
        ),
        (MINIMAL + "[[property]]\nquantity = 'band_gap'\n", "property[1].value", None, "add value"),
        (
            MINIMAL + "[[property]]\nquantity='q'\nvalue='v'\nunit='eV'\nunit_column='u'\n",
            "property[1].unit_column",
            "u",
            "either",
        ),
        (
            MINIMAL + "[[property]]\nquantity='q'\nvalue='v'\nmethod='experimnt'\n",
            "property[1].method",
            "experimnt",
            "did you mean 'experiment'",
        ),
        (
            MINIMAL + "[[property]]\nquantity='q'\nvalue='v'\nvalues='w'\n",
            "property[1].values",
            "values",
            "did you mean 'value'",
        ),
        (
            MINIMAL + "[[property]]\nquantity='q'\nvalue='v'\n[[property]]\nquantity='q2'\nvalue=''\n",
            "property[2].value",
            "",
            "column name",
        ),
        (
            MINIMAL
            + "[[property]]\nquantity='q'\nvalue='v'\n[property.conditions]\nT = { value = 3, column = 'c' }\n",
            "property[1].conditions.T",
            {"value": 3, "column": "c"},
            "exactly one",
        ),
        (
            MINIMAL + "[[property]]\nquantity='q'\nvalue='v'\n[property.conditions]\nT = [1, 2]\n",
            "property[1].conditions.T",
            [1, 2],
            "value = 298.15",
        ),
        (
            MINIMAL
            + "[[property]]\nquantity='q'\nvalue='v'\n[property.conditions]\nT = { column = 'c', units = 'K' }\n",
            "property[1].conditions.T.units",
            "units",
            "did you mean 'unit'",
        ),
        (
            MINIMAL + "[[property]]\nquantity='q'\nvalue='v'\nconditions = 5\n",
            "property[1].conditions",
            5,
            "section",
        ),
        ("property = 5\n" + MINIMAL, "property", 5, "[[property]]"),
        (MINIMAL + "[[external_id]]\ncolumn = 'c'\n", "external_id[1].source", None, 'source = "icsd"'),
        (MINIMAL + "[[external_id]]\nsource = 'icsd'\n", "external_id[1].column", None, "add column"),
        (MINIMAL + "[dataset]\nlicense = 'MIT'\n", "dataset.name", None, "give the data set a name"),
        (
            MINIMAL + "[dataset]\nname = 'x'\nlicence = 'MIT'\n",
            "dataset.licence",
            "licence",
            "did you mean 'license'",
        ),
        (MINIMAL + "[reference]\ndoi = { text = 'x' }\n", "reference.doi.text", "text", "allowed: value"),
        (MINIMAL + "[reference]\nisbn = 'x'\n", "reference.isbn", "isbn", "allowed"),
        (MINIMAL + "[csv]\ndelimiter = ';;'\n", "csv.delimiter", ";;", "one character"),
        (MINIMAL + "[csv]\nencoding = 'utf-99'\n", "csv.encoding", "utf-99", "latin-1"),
        (MINIMAL + "[csv]\nna_values = 'NA'\n", "csv.na_values", "NA", "list"),
        ("material = 'x'\n", "material", "x", "[material]"),
    ],
)
def test_mapping_errors(tmp_path, toml, field, value, hint):
    err = mapping_error(tmp_path, toml)
    assert err.field == field
    assert err.value == value
    assert hint in str(err), str(err)
    assert err.source.endswith("m.toml")


def test_mapping_error_is_value_error(tmp_path):
    with pytest.raises(ValueError):
        load_mapping(write(tmp_path / "m.toml", "[material]\n"))


# ----------------------------------------------------------------------------------------------- reading
def test_read_table_fixture_end_to_end():
    recs = list(read_table(CSV, load_mapping(TOML)))
    assert len(recs) == 3
    llzo, latp, lnb = recs
    # locations are physical lines; the quoted two-line cell pushes the third row to line 5
    assert [r.location for r in recs] == ["tab_materials.csv:2", "tab_materials.csv:3", "tab_materials.csv:5"]
    assert llzo.formula == "Li7La3Zr2O12" and llzo.name == "LLZO" and llzo.space_group == 230
    assert lnb.name is None and lnb.space_group == "R3c"
    (ic,) = llzo.properties
    assert ic.quantity == "ionic_conductivity" and ic.value == 3.0e-4 and ic.unit == "S/cm"
    assert ic.uncertainty == 0.5e-4
    assert ic.conditions == {"temperature": (298.0, "K"), "atmosphere": "Ar"}
    assert ic.location == "tab_materials.csv:2" and ic.method == "experiment"
    assert latp.properties[0].value == "<1E-8"  # censored value passed through as text
    assert latp.properties[0].uncertainty is None
    assert latp.properties[0].conditions["temperature"] == (373.0, "K")
    (gap,) = lnb.properties  # empty conductivity cell: property left out
    assert (gap.quantity, gap.value, gap.unit) == ("band_gap", 3.9, "eV")
    assert gap.conditions == {"temperature": (300, "K")}
    assert llzo.external_ids == (("icsd", "422259"),) and latp.external_ids == ()
    assert llzo.reference.doi == "10.1002/anie.200701144" and llzo.reference.year == 2007
    assert llzo.reference.journal == "J. Test."
    assert latp.reference.doi is None and latp.reference.year == 2010
    assert lnb.reference.journal == "J. Test." and lnb.reference.year is None


def test_read_table_is_streamed(tmp_path):
    path = write(tmp_path / "d.csv", "f,v\nGaAs,1\nSi,x\n,3\n")
    m = Mapping.from_dict({"material": {"formula": "f"}})
    it = read_table(path, m)
    assert next(it).formula == "GaAs"  # the bad third row has not been read yet
    assert next(it).formula == "Si"
    with pytest.raises(ImportDataError):
        next(it)


def test_source_override_and_stream_input():
    m = Mapping.from_dict({"material": {"formula": "f"}})
    (rec,) = read_table(io.StringIO("f\nNaCl\n"), m, source="upload.csv")
    assert rec.location == "upload.csv:2"


def test_bom_blank_lines_and_custom_delimiter(tmp_path):
    path = write(tmp_path / "bom.csv", "\ufefff;g\n\nNaCl;1.5\n", encoding="utf-8")
    m = Mapping.from_dict(
        {
            "material": {"formula": "f"},
            "csv": {"delimiter": ";"},
            "property": [{"quantity": "band_gap", "value": "g", "unit": "eV"}],
        }
    )
    (rec,) = read_table(path, m)
    assert rec.formula == "NaCl" and rec.location == "bom.csv:3" and rec.properties[0].value == 1.5


def test_latin1_encoding(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes("f,name\nNaCl,Sel gemme – é\n".encode("cp1252"))
    m = Mapping.from_dict({"material": {"formula": "f", "name": "name"}, "csv": {"encoding": "cp1252"}})
    assert next(read_table(path, m)).name == "Sel gemme – é"


def test_wrong_encoding_is_reported(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes("f,name\nNaCl,\xe9t\xe9\n".encode("latin-1"))
    m = Mapping.from_dict({"material": {"formula": "f", "name": "name"}})
    with pytest.raises(ImportDataError, match="encoding") as info:
        list(read_table(path, m))
    assert "l.csv" in str(info.value)


def test_gzip_csv(tmp_path):
    path = tmp_path / "d.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("f\nNaCl\nKCl\n")
    m = Mapping.from_dict({"material": {"formula": "f"}})
    assert [r.location for r in read_table(path, m)] == ["d.csv.gz:2", "d.csv.gz:3"]


def test_na_values_and_bool_cells(tmp_path):
    path = write(tmp_path / "d.csv", "f,metal\nCu,True\nNaCl,false\nX2,-\n")
    m = Mapping.from_dict(
        {
            "material": {"formula": "f"},
            "csv": {"na_values": ["", "-"]},
            "property": [{"quantity": "is_metal", "value": "metal"}],
        }
    )
    values = [r.properties[0].value if r.properties else None for r in read_table(path, m)]
    assert values == [True, False, None]


def test_cif_column(tmp_path):
    (tmp_path / "cifs").mkdir()
    write(tmp_path / "cifs" / "nacl.cif", "data_NaCl\n_cell_length_a 5.64\n")
    path = write(tmp_path / "d.csv", "f,cif\nNaCl,cifs/nacl.cif\nKCl,\n")
    m = Mapping.from_dict({"material": {"formula": "f", "cif": "cif"}})
    a, b = read_table(path, m)
    assert a.structure.cif.startswith("data_NaCl") and a.structure.source == "cifs/nacl.cif"
    assert b.structure is None


def test_unreadable_cif_path(tmp_path):
    path = write(tmp_path / "d.csv", "f,cif\nNaCl,cifs/missing.cif\n")
    m = Mapping.from_dict({"material": {"formula": "f", "cif": "cif"}})
    with pytest.raises(ImportDataError) as info:
        list(read_table(path, m))
    err = info.value
    assert (err.source, err.line, err.field, err.value) == ("d.csv", 2, "cif", "cifs/missing.cif")
    assert "relative to the CSV" in str(err) and "d.csv:2" in str(err)


def test_empty_formula(tmp_path):
    path = write(tmp_path / "d.csv", "Composition,x\nNaCl,1\n  ,2\n")
    m = Mapping.from_dict({"material": {"formula": "Composition"}})
    with pytest.raises(ImportDataError, match="empty formula") as info:
        list(read_table(path, m))
    assert (info.value.source, info.value.line, info.value.field) == ("d.csv", 3, "Composition")
    assert "d.csv:3" in str(info.value) and "fill the cell" in str(info.value)


def test_column_not_in_header_lists_columns_and_closest():
    m = load_mapping(TOML)
    bad = Mapping.from_dict(
        {
            "material": {"formula": "Composition"},
            "property": [
                {"quantity": "ionic_conductivity", "value": "Ionic conductivty (S/cm)", "unit": "S/cm"}
            ],
        },
        source="my_mapping.toml",
    )
    assert m  # the fixture mapping fits the fixture CSV
    with pytest.raises(MappingError) as info:
        next(read_table(CSV, bad))
    err = info.value
    msg = str(err)
    assert err.source == "my_mapping.toml" and err.field == "property[1].value"
    assert err.value == "Ionic conductivty (S/cm)"
    assert "tab_materials.csv" in msg and "did you mean 'Ionic conductivity (S cm-1)'" in msg
    assert "Space group #" in msg  # the header's columns are listed


def test_several_missing_columns_named(tmp_path):
    path = write(tmp_path / "d.csv", "a,b\n1,2\n")
    m = Mapping.from_dict({"material": {"formula": "f", "name": "n"}}, source="m.toml")
    with pytest.raises(MappingError, match="also missing: 'n'"):
        next(read_table(path, m))


@pytest.mark.parametrize(
    ("csv_text", "field", "value", "problem"),
    [
        ("f,u\nNaCl,big\n", "u", "big", "uncertainty"),
        ("f,u\nNaCl,-1\n", "u", "-1", "uncertainty"),
        ("f,y\nNaCl,MMXX\n", "y", "MMXX", "year"),
        ("f,sg\nNaCl,231\n", "sg", "231", "space group"),
        ("f,sg\nNaCl,12.5\n", "sg", "12.5", "space group"),
    ],
)
def test_bad_cells(tmp_path, csv_text, field, value, problem):
    path = write(tmp_path / "d.csv", csv_text)
    m = Mapping.from_dict(
        {
            "material": {"formula": "f", **({"space_group": "sg"} if field == "sg" else {})},
            "reference": {"year": "y"} if field == "y" else {},
            "property": [
                {
                    "quantity": "band_gap",
                    "value": "f",
                    "unit": "eV",
                    **({"uncertainty": "u"} if field == "u" else {}),
                }
            ],
        }
    )
    with pytest.raises(ImportDataError, match=problem) as info:
        list(read_table(path, m))
    assert (info.value.source, info.value.line, info.value.field, info.value.value) == (
        "d.csv",
        2,
        field,
        value,
    )


def test_too_many_cells(tmp_path):
    path = write(tmp_path / "d.csv", "f,g\nNaCl,1,2\n")
    m = Mapping.from_dict({"material": {"formula": "f"}})
    with pytest.raises(ImportDataError, match="3 cells but the header has 2") as info:
        list(read_table(path, m))
    assert info.value.line == 2 and "quote" in str(info.value)


def test_on_error_warn_and_skip(tmp_path):
    path = write(tmp_path / "d.csv", "f,g\nNaCl,1\n,2\nKCl,1,9\nLiF,3\n")
    m = Mapping.from_dict({"material": {"formula": "f"}})
    with pytest.warns(ImportDataWarning) as record:
        recs = list(read_table(path, m, on_error="warn"))
    assert [r.formula for r in recs] == ["NaCl", "LiF"]
    assert len(record) == 2 and "d.csv:3" in str(record[0].message) and "d.csv:4" in str(record[1].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [r.formula for r in read_table(path, m, on_error="skip")] == ["NaCl", "LiF"]
    with pytest.raises(ValueError, match="on_error"):
        list(read_table(path, m, on_error="ignore"))


def test_missing_and_empty_csv(tmp_path):
    m = Mapping.from_dict({"material": {"formula": "f"}})
    with pytest.raises(ImportDataError, match="not found") as info:
        list(read_table(tmp_path / "nope.csv", m))
    assert "nope.csv" in str(info.value)
    with pytest.raises(ImportDataError, match="empty") as info:
        list(read_table(write(tmp_path / "e.csv", "\n\n"), m))
    assert info.value.source == "e.csv"


def test_iter_rows_and_header(tmp_path):
    path = write(tmp_path / "d.csv", 'a,b\n1,"x\ny"\n\n2\n')
    assert read_header(path) == ["a", "b"]
    assert list(iter_rows(path)) == [(2, {"a": "1", "b": "x\ny"}), (5, {"a": "2", "b": ""})]


def test_parse_cell():
    assert parse_cell(" 1e3 ") == 1000.0 and parse_cell("-.5") == -0.5
    assert parse_cell("NaN") is None and parse_cell("") is None and parse_cell(None) is None
    assert parse_cell("1.2(3)") == "1.2(3)" and parse_cell("3e-4 S/cm") == "3e-4 S/cm"
    assert parse_cell("FALSE") is False


def test_ids_are_kept_as_written(tmp_path):
    path = write(tmp_path / "d.csv", "f,id\nNaCl,019\nKCl,1e9\nLiF,155950.0\nLiCl,mp-22\n")
    m = Mapping.from_dict({"material": {"formula": "f"}, "external_id": [{"source": "x", "column": "id"}]})
    assert [r.external_ids[0][1] for r in read_table(path, m)] == ["019", "1e9", "155950", "mp-22"]
