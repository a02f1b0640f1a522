"""Server-rendered pages: search form and results, substance page (structures, values kept apart by method),
reference page; errors rendered as pages that name the parameter."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import SECRET


def _substance_of(client, formula: str) -> int:
    r = client.get("/api/v1/substances", params={"formula": formula})
    assert r.status_code == 200, r.text
    return r.json()["data"][0]["substance_id"]


def test_search_form_and_results(client):
    empty = client.get("/search")
    assert empty.status_code == 200 and 'id="search-form"' in empty.text and 'id="results"' not in empty.text
    r = client.get("/search", params={"elements": "Li", "property": "band_gap >= 3 eV"})
    assert r.status_code == 200
    linked = re.findall(r'href="/substances/(\d+)"', r.text)
    assert linked == [str(_substance_of(client, "LiNbO3"))]  # Li2O has no band gap; members' rows are hidden
    assert 'value="band_gap &gt;= 3 eV"' in r.text  # the form keeps what was asked, escaped
    assert "/api/v1/substances?" in r.text and "format=csv" in r.text
    # what a browser sends: every field of the form, most of them blank
    blank = dict.fromkeys(("elements_none", "nelements", "formula", "filter", "condition"), "")
    r = client.get("/search", params={**blank, "elements": "Mg", "property": ["", ""]})
    assert r.status_code == 200 and re.findall(r'href="/substances/(\d+)"', r.text) == [
        str(_substance_of(client, "MgO"))
    ]


def test_search_pages_through_results(client):
    r = client.get("/search", params={"nelements": "1..5", "limit": 2})
    assert r.status_code == 200 and len(re.findall(r'href="/substances/\d+"', r.text)) == 2
    assert 'rel="next"' in r.text and 'rel="prev"' not in r.text
    r2 = client.get("/search", params={"nelements": "1..5", "limit": 2, "offset": 2})
    assert 'rel="prev"' in r2.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"property": "band_gap >= 3 eV/xx"}, "property"),
        ({"nelements": "three"}, "nelements"),
        ({"filter": 'elements HAS "Li" AND AND'}, "filter"),
    ],
)
def test_bad_search_input_is_a_400_page_naming_the_parameter(client, params, parameter):
    r = client.get("/search", params=params)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    (msg,) = re.findall(r'id="search-error">(.*?)</p>', r.text, flags=re.S)
    assert msg.startswith(f"{parameter}:")


def test_substance_page_keeps_predictions_apart_from_measurements(client):
    sid = _substance_of(client, "LiNbO3")
    r = client.get(f"/substances/{sid}")
    assert r.status_code == 200
    sections = {
        key: re.search(rf'<table class="properties {key}">(.*?)</table>', r.text, flags=re.S)
        for key in ("measurements", "calculations", "predictions")
    }
    assert all(sections.values()), sections
    assert "3.7 eV" in sections["measurements"][1] and "temperature = 300 K" in sections["measurements"][1]
    assert "3.4 eV" in sections["calculations"][1] and "dft-pbe" in sections["calculations"][1]
    assert "3.6 eV" in sections["predictions"][1] and "model-lgbm-1" in sections["predictions"][1]
    assert "predicted" in sections["predictions"][1] and "3.6 eV" not in sections["measurements"][1]
    assert "Model predictions — not measurements" in r.text
    assert SECRET not in r.text  # the members' material of this substance is not shown to anonymous


def test_substance_page_draws_structures_and_links_their_cif(client):
    sid = _substance_of(client, "MgO")
    r = client.get(f"/substances/{sid}")
    (cif_url,) = re.findall(r'class="viewer3d" id="viewer-\d+" data-cif-url="([^"]+)"', r.text)
    assert '<script src="/static/vendor/3dmol/3Dmol-min.js"' in r.text
    cif = client.get(cif_url)
    assert cif.status_code == 200 and "_cell_length_a" in cif.text
    js = client.get("/static/vendor/3dmol/3Dmol-min.js")
    assert js.status_code == 200 and len(js.content) > 100_000


def test_reference_page_lists_what_cites_it(client):
    r = client.get("/api/v1/references", params={"limit": 50})
    ref = next(x for x in r.json()["data"] if x["doi"] == "10.1000/open.1")
    page = client.get(f"/references/{ref['id']}")
    assert (
        page.status_code == 200
        and "Open paper" in page.text
        and "https://doi.org/10.1000/open.1" in page.text
    )
    assert "LiNbO3" in page.text and "TiO2" in page.text


def test_missing_pages_are_404_pages(client):
    for url in ("/substances/987654", "/references/987654"):
        r = client.get(url)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), url
