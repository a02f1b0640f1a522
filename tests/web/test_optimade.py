"""The OPTIMADE API passes the ``optimade`` package's own validator, and filters see only visible rows."""

from __future__ import annotations

import pytest

from tests.web.conftest import SECRET


# These tests only read (test_access proves the routes do not write): one seeded store per backend for all.
@pytest.fixture
def seeded(ro_seeded):
    return ro_seeded


@pytest.fixture
def client(ro_client):
    return ro_client


class _ValidatorClient:
    """What :class:`optimade.validator.ImplementationValidator` needs of a client: ``base_url`` and ``get``."""

    def __init__(self, client, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.client, self.base_url, self.headers = client, base_url, headers or {}

    def get(self, request: str):
        url = request if request.startswith("http") else f"{self.base_url.rstrip('/')}/{request.lstrip('/')}"
        return self.client.get(url, headers=self.headers)


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_optimade_validator_passes(client, seeded, role, capsys):
    from optimade.validator import ImplementationValidator

    v = ImplementationValidator(
        client=_ValidatorClient(client, "http://testserver/optimade/v1", seeded.headers(role)),
        verbosity=0,
        run_optional_tests=True,
        fail_fast=False,
        page_limit=3,
    )
    v.validate_implementation()
    res = v.results
    report = "\n".join(f"{a}: {b}" for a, b in res.failure_messages + res.internal_failure_messages)
    assert res.failure_count == 0, report
    assert res.internal_failure_count == 0, report
    assert v.valid
    assert res.success_count >= 40  # varies with the entry the validator picks at random
    out = capsys.readouterr().out
    assert "Passed" in out


def test_optimade_filters_and_visibility(client, seeded):
    r = client.get("/optimade/v1/structures", params={"filter": 'elements HAS "Cs"'})
    assert r.status_code == 200 and r.json()["data"] == [] and r.json()["meta"]["data_returned"] == 0
    r = client.get(
        "/optimade/v1/structures", params={"filter": 'elements HAS "Cs"'}, headers=seeded.headers("member")
    )
    assert [e["attributes"]["chemical_formula_reduced"] for e in r.json()["data"]] == ["AuCs"]
    anon = client.get("/optimade/v1/structures", params={"page_limit": 100}).json()
    assert SECRET not in str(anon)
    assert (
        anon["meta"]["data_available"] == len(seeded.public["materials"]) + 1
    )  # + the published literature one
    member = client.get(
        "/optimade/v1/structures", params={"page_limit": 100}, headers=seeded.headers("member")
    )
    assert member.json()["meta"]["data_available"] == anon["meta"]["data_available"] + len(
        seeded.hidden["materials"]
    )
    hidden_id = seeded.hidden["materials"][0]
    assert client.get(f"/optimade/v1/structures/{hidden_id}").status_code == 404
    assert (
        client.get(f"/optimade/v1/structures/{hidden_id}", headers=seeded.headers("member")).status_code
        == 200
    )


def test_optimade_structure_entries(client, seeded):
    r = client.get(
        "/optimade/v1/structures", params={"filter": 'chemical_formula_descriptive = "Na0.5K0.5Cl"'}
    )
    (entry,) = r.json()["data"]
    a = entry["attributes"]
    assert a["structure_features"] == ["disorder"]
    assert a["nsites"] == len(a["cartesian_site_positions"]) == len(a["species_at_sites"]) == 2
    assert any(len(sp["chemical_symbols"]) == 2 for sp in a["species"])
    # a non-stoichiometric formula has no OPTIMADE reduced form: null, and unknown to filters alike
    assert a["chemical_formula_reduced"] is None and a["chemical_formula_anonymous"] is None
    r = client.get("/optimade/v1/structures", params={"filter": 'chemical_formula_reduced != "LiNbO3"'})
    assert entry["id"] not in {e["id"] for e in r.json()["data"]}
    r = client.get("/optimade/v1/structures", params={"filter": 'chemical_formula_reduced = "Li3N"'})
    (lit,) = r.json()["data"]
    assert lit["attributes"]["chemical_formula_anonymous"] == "A3B"
    r = client.get("/optimade/v1/structures", params={"filter": 'structure_features HAS "disorder"'})
    assert [e["id"] for e in r.json()["data"]] == [entry["id"]]
    r = client.get(
        "/optimade/v1/structures", params={"filter": "nperiodic_dimensions = 3", "response_fields": "nsites"}
    )
    assert {tuple(e["attributes"]) for e in r.json()["data"]} == {("nsites",)}
    assert r.json()["meta"]["data_returned"] == len(seeded.public["structures"])


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"filter": "nelements >"}, 400, "filter"),
        ({"filter": "crazyfield = 2"}, 400, "filter"),
        ({"filter": 'chemical_formula_hill = "H2O"'}, 501, "filter"),
        ({"page_limit": "-1"}, 400, "page_limit"),
        ({"page_limit": "abc"}, 400, "page_limit"),
        ({"page_limit": "100000"}, 400, "page_limit"),
        ({"response_format": "xml"}, 400, "response_format"),
        ({"sort": "nelements"}, 501, "sort"),
    ],
)
def test_optimade_errors_name_the_parameter(client, params, status, parameter):
    r = client.get("/optimade/v1/structures", params=params)
    assert r.status_code == status, r.text
    body = r.json()
    (err,) = body["errors"]
    assert err["status"] == str(status) and err["source"]["parameter"] == parameter
    assert body["meta"]["api_version"].startswith("1.")


def test_unknown_provider_field_is_a_warning(client):
    r = client.get("/optimade/v1/structures", params={"filter": "_other_x = 2"})
    assert r.status_code == 200 and r.json()["data"] == []
    assert "other" in r.json()["meta"]["warnings"][0]["detail"]


def test_every_entry_validates_against_the_optimade_models(client, seeded):
    import warnings

    from optimade.models import ReferenceResource, StructureResource

    for kind, model in (("structures", StructureResource), ("references", ReferenceResource)):
        r = client.get(f"/optimade/v1/{kind}", params={"page_limit": 200}, headers=seeded.headers("editor"))
        data = r.json()["data"]
        assert data and not r.json()["meta"]["more_data_available"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the models' own deprecation warnings
            for entry in data:
                model(**entry)
