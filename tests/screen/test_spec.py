"""The --candidates SPEC grammar."""

from __future__ import annotations

import pytest

from matinfo.errors import ParameterError
from matinfo.screen.spec import parse_candidates


def test_every_form(tmp_path, db_url):
    subs = tmp_path / "subs.txt"
    subs.write_text("# elements and binaries\nBi\nSi\nGe  # a comment\n\nBi2Te3\n")
    assert parse_candidates(f"pairs:{subs}").describe() == "12 ordered A|B pairs of 4 substances"
    assert len(parse_candidates("pairs:Bi,Si,Ge:unordered,self")) == 6
    csv = tmp_path / "c.csv"
    csv.write_text("name,composition\na,PbTe\nb,SnSe\n")
    assert parse_candidates(f"csv:{csv}").column == "composition"
    assert parse_candidates(f"csv:{csv}:name").column == "name"
    assert len(parse_candidates("grid:Bi-Sb-Te:step=0.1,all")) == 36
    assert len(parse_candidates("grid:Bi-Te:divisions=4")) == 5
    sub = parse_candidates("substitute:Halite+AB_cF8_216_c_a:A=Se,Te/B=Pb,Sn:structures")
    assert len(sub) == 8 and "structure" in sub.columns
    assert len(parse_candidates("substitute:Halite:Na,K,Cl")) == 9
    from matinfo.store import connect

    connect(db_url).add_material("PbTe")
    space = parse_candidates('db:elements HAS "Te"', db=db_url)
    assert [c["formula"].tolist() for c in space.chunks(10)] == [["TePb"]]  # the store's reduced formula


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("grid.Bi-Te", "no kind"),
        ("grid:Bi-Te", "give step=S or divisions=N"),
        ("grid:Bi-Te:step=x", "step needs a number"),
        ("grid:Bi-Te:stride=2", "unknown option 'stride'"),
        ("pairs:Bi,Si:ordered,unordered", "not both"),
        ("pairs:nofile.txt", "neither a file nor a comma-separated list"),
        ("substitute:Halite", "write substitute:PROTOTYPE:ELEMENTS"),
        ("db:", "need the store"),
        ("crabnet:labelled", "crabnet:unlabelled"),
        ("sql:select", "unknown kind 'sql'"),
    ],
)
def test_bad_specs_say_which_forms_exist(spec, message):
    with pytest.raises(ParameterError, match=message) as err:
        parse_candidates(spec)
    assert "forms: csv:PATH" in str(err.value)
