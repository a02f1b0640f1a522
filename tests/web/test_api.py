"""The REST API: search with combined conditions, substance page, downloads, paging, curation and campaigns."""

from __future__ import annotations

import csv
import io

from tests.web.test_access import _snapshot as _dump


def test_search_combines_conditions_and_pages_with_link_headers(ro_client):
    r = ro_client.get(
        "/api/v1/substances",
        params={"elements": "Li", "property": "band_gap >= 3 eV", "condition": "temperature 250..350 K"},
    )
    assert r.status_code == 200
    assert [s["reduced_formula"] for s in r.json()["data"]] == ["LiNbO3"]
    r = ro_client.get("/api/v1/substances", params={"property": "ionic_conductivity < 1e-5 mS/cm"})
    assert [s["reduced_formula"] for s in r.json()["data"]] == ["Li2O"]
    first = ro_client.get("/api/v1/substances", params={"limit": 2})
    meta = first.json()["meta"]
    assert meta["returned"] == 2 and meta["more_available"] and "offset=2" in meta["next"]
    assert first.headers["link"] == f'<{meta["next"]}>; rel="next"'
    second = ro_client.get(meta["next"])
    ids1 = {s["substance_id"] for s in first.json()["data"]}
    ids2 = {s["substance_id"] for s in second.json()["data"]}
    assert ids2 and ids1.isdisjoint(ids2)
    everything = ro_client.get("/api/v1/substances", params={"limit": 500}).json()
    assert not everything["meta"]["more_available"] and everything["meta"]["next"] is None


def test_search_csv_and_optimade_filter(ro_client):
    r = ro_client.get("/api/v1/substances", params={"filter": 'elements HAS "Ti"', "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["reduced_formula"] for x in rows] == ["TiO2"]


def test_substance_page_keeps_predictions_apart_from_measurements(ro_client):
    sid = ro_client.get("/api/v1/substances", params={"formula": "LiNbO3"}).json()["data"][0]["substance_id"]
    page = ro_client.get(f"/api/v1/substances/{sid}").json()
    props = page["properties"]
    assert [p["method"] for p in props["measurements"]] == ["experiment"]
    assert [p["method"] for p in props["calculations"]] == ["calculation"]
    assert [p["produced_by"] for p in props["predictions"]] == ["model-lgbm-1"]
    measured = props["measurements"][0]
    assert measured["unit"] == "eV" and measured["conditions"] == {"temperature": 300.0}
    assert measured["reference_id"] in {r["id"] for r in page["references"]}


def test_structure_json_and_cif_download(ro_client, ro_seeded):
    sid = ro_seeded.public["structures"][0]
    meta = ro_client.get(f"/api/v1/structures/{sid}").json()
    assert meta["cif_url"] == f"/api/v1/structures/{sid}/cif" and meta["space_group_number"] == 225
    r = ro_client.get(meta["cif_url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("chemical/x-cif")
    assert "attachment" in r.headers["content-disposition"] and "_cell_length_a" in r.text
    listed = ro_client.get("/api/v1/structures").json()["data"]
    assert all("cif" not in x for x in listed)


def test_properties_csv_has_units_conditions_method_and_references(ro_client):
    r = ro_client.get("/api/v1/properties", params={"quantity": "band gap", "format": "csv", "limit": 100})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {x["method"] for x in rows} == {"experiment", "calculation", "prediction"}
    exp = next(x for x in rows if x["method"] == "experiment" and x["formula"] == "LiNbO3")
    assert (
        exp["unit"] == "eV"
        and exp["doi"] == "10.1000/shared.1"
        and '"temperature": 300.0' in exp["conditions"]
    )


def test_editor_curates_literature_through_the_api(client, seeded):
    ed = seeded.headers("editor")
    draft = seeded.records["draft"]
    queue = client.get("/api/v1/literature/records", params={"status": "draft"}, headers=ed).json()["data"]
    assert [x["id"] for x in queue] == [draft]
    r = client.post(f"/api/v1/literature/records/{draft}/edit", json={"changes": {"value": 4e-9}}, headers=ed)
    assert r.status_code == 200 and r.json()["status"] == "reviewed" and r.json()["data"]["value"] == 4e-9
    r = client.post(f"/api/v1/literature/records/{draft}/publish", headers=ed)
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["material_id"]
    hist = client.get(f"/api/v1/literature/records/{draft}/history", headers=ed).json()
    assert [h["action"] for h in hist] == ["extract", "edit", "publish"]
    assert {h["actor"] for h in hist[1:]} == {"editor-user"}
    # now everyone sees it
    assert client.get(f"/api/v1/literature/records/{draft}").json()["status"] == "published"
    # a wrong transition is a 409, a missing reason a 400
    r = client.post(f"/api/v1/literature/records/{draft}/accept", headers=ed)
    assert r.status_code == 409
    r = client.post(f"/api/v1/literature/records/{seeded.records['reviewed']}/reject", json={}, headers=ed)
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "note"
    r = client.post("/api/v1/literature/publish", json={}, headers=ed)
    assert r.status_code == 200 and r.json()["published"] == [seeded.records["reviewed"]]


def test_campaign_read_for_members_write_for_editors(client, seeded):
    name = seeded.campaign
    st = client.get(f"/api/v1/campaigns/{name}", headers=seeded.headers("member")).json()
    assert st["observed"] == 2 and len(st["pending"]) == 2
    pending = client.get(f"/api/v1/campaigns/{name}/suggestions", headers=seeded.headers("member")).json()[
        "data"
    ]
    assert sorted(p["id"] for p in pending) == sorted(st["pending"])
    ed = seeded.headers("editor")
    r = client.post(
        f"/api/v1/campaigns/{name}/observe",
        json={"candidates": [pending[0]["id"]], "values": [0.4]},
        headers=ed,
    )
    assert r.status_code == 200 and r.json()["observed"] == 3
    r = client.post(f"/api/v1/campaigns/{name}/suggest", json={"n": 1}, headers=ed)
    assert r.status_code == 200 and len(r.json()["data"]) == 1
    hist = client.get(f"/api/v1/campaigns/{name}/history", headers=ed).json()["data"]
    assert len(hist) == 3
    r = client.post(
        f"/api/v1/campaigns/{name}/observe", json={"candidates": ["nope"], "values": [1.0]}, headers=ed
    )
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "candidates"
    assert client.get("/api/v1/campaigns/nope", headers=ed).status_code == 404


def test_admin_adds_a_user_whose_token_works_once_shown(client, seeded):
    r = client.post(
        "/api/v1/users", json={"name": "new-member", "role": "member"}, headers=seeded.headers("admin")
    )
    token = r.json()["token"]
    assert token.startswith("mi_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"name": "new-member", "role": "member"}
    users = client.get("/api/v1/users", headers=seeded.headers("admin")).json()["data"]
    assert token not in str(users) and "new-member" in {u["name"] for u in users}
    r = client.post("/api/v1/users", json={"name": "x", "role": "boss"}, headers=seeded.headers("admin"))
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "role"


def test_index_docs_and_openapi_work_offline(ro_client):
    assert "REST API" in ro_client.get("/").text
    html = ro_client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert ro_client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    spec = ro_client.get("/openapi.json").json()
    assert "/api/v1/substances" in spec["paths"] and "/optimade/v1/structures" in spec["paths"]


def test_curation_refuses_bad_edits_naming_the_field(client, seeded):
    ed = seeded.headers("editor")
    rid = seeded.records["draft"]
    r = client.post(
        f"/api/v1/literature/records/{rid}/edit", json={"changes": {"unit": "furlong"}}, headers=ed
    )
    err = r.json()["error"]
    assert r.status_code == 400 and err["parameter"] == "changes" and "'unit'" in err["detail"]
    r = client.post(f"/api/v1/literature/records/{rid}/edit", json={"changes": {"colour": "red"}}, headers=ed)
    assert r.status_code == 400 and "colour" in r.json()["error"]["detail"]
    r = client.post(f"/api/v1/literature/records/{rid}/edit", json={"changes": "value=1"}, headers=ed)
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "changes"
    assert client.post("/api/v1/literature/records/987654/accept", headers=ed).status_code == 404
    assert client.get(f"/api/v1/literature/records/{rid}", headers=ed).json()["status"] == "draft"


def test_tokens_are_stored_hashed_and_can_be_revoked(client, seeded):
    from matinfo.store import connect
    from matinfo.store.access import hash_token, list_users

    tok = seeded.tokens["editor"]
    dump = str(_dump(seeded.url))
    assert tok not in dump and hash_token(tok) in dump
    assert client.get("/api/v1/me", headers=seeded.headers("editor")).json() == {
        "name": "editor-user",
        "role": "editor",
    }
    r = client.post("/api/v1/users/editor-user/revoke", headers=seeded.headers("admin"))
    assert r.json()["revoked"] == 1
    r = client.get("/api/v1/me", headers=seeded.headers("editor"))
    assert r.status_code == 401 and r.json()["error"]["parameter"] == "Authorization"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mi_wrong"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    db = connect(seeded.url)
    users = {u["name"]: u for u in list_users(db)}
    db.close()
    assert users["editor-user"]["tokens"][0]["revoked_at"] is not None
    assert users["editor-user"]["tokens"][0]["last_used_at"] is not None
    assert tok not in str(users)
