"""Every route × every role: no restricted record reaches a role without access, no write without the role.

The routes are taken from ``app.routes``, so a new route is covered as soon as it exists, and fails here if
it declares no :class:`~matinfo.web.auth.Role`.  Restricted rows carry the marker ``ZZSECRET`` (members'
data sets) or ``ZZDRAFT`` (unpublished literature records); responses (JSON, CSV, CIF, OPTIMADE, HTML) are
searched for them, counts are compared with what the role may see, and the database is compared before and
after (nothing but a token's last-use time may change).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from matinfo.store.access import ROLES
from matinfo.web.auth import Role
from tests.web.conftest import DRAFT, SECRET


# These tests only read (test_access proves the routes do not write): one seeded store per backend for all.
@pytest.fixture
def seeded(ro_seeded):
    return ro_seeded


@pytest.fixture
def client(ro_client):
    return ro_client


@pytest.fixture
def app(ro_client):
    return ro_client.app_


@dataclass(frozen=True)
class _Route:
    path: str  # the full path, router prefixes included
    methods: frozenset[str]
    route: APIRoute


def route_role(route: _Route) -> str:
    """The role a route declares: its one :class:`Role` dependency."""
    deps = route.route.dependant.dependencies
    roles = [d.call.role for d in deps if isinstance(d.call, Role)]
    assert len(roles) == 1, (
        f"{route.path} {route.methods}: declare exactly one Depends(Role(...)), found {roles}"
    )
    return roles[0]


def _api_routes(app) -> list[_Route]:
    """Every route of the app, included routers flattened (FastAPI >= 0.16x keeps them lazily)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat
        contexts = [(r, r.path, getattr(r, "methods", None)) for r in app.routes]
    else:
        contexts = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    out = []
    for r, path, methods in contexts:
        if isinstance(r, APIRoute):
            out.append(_Route(path, frozenset(methods or ()), r))
        elif isinstance(r, Mount):
            # package files only (Swagger UI, CSS, the vendored 3Dmol.js): no data behind them
            assert path in ("/docs/assets", "/static"), (
                f"unexpected mount {path}: give it an access rule and a test"
            )
        else:  # a plain Starlette route would escape the rules
            pytest.fail(f"route {path or r} is not an APIRoute: it has no access rule")
    return out


def _snapshot(url: str) -> dict:
    """Every row of every table (a token's last use and use count left out)."""
    from sqlalchemy import create_engine, select

    from matinfo.store import models as m

    eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    out = {}
    with eng.connect() as c:
        for t in m.Base.metadata.sorted_tables:
            cols = [col for col in t.columns if col.name not in ("last_used_at", "uses")]
            rows = c.execute(select(*cols).order_by(*t.primary_key.columns)).all()
            out[t.name] = [tuple(map(repr, r)) for r in rows]
    eng.dispose()
    return out


def _candidates(seeded, path: str) -> dict[str, list]:
    """Values to try for each path parameter of ``path``: public, hidden and unknown ones."""
    pub, hid = seeded.public, seeded.hidden
    kinds = {
        "substance_id": "substances",
        "material_id": "materials",
        "structure_id": "structures",
        "property_id": "properties",
        "reference_id": "references",
    }
    out: dict[str, list] = {}
    for name in re.findall(r"{(\w+)}", path):
        if name in kinds:
            k = kinds[name]
            out[name] = [pub[k][0], *hid[k], 987654]
        elif name == "entry_id":
            k = "references" if "/references/" in path else "materials"
            out[name] = [str(pub[k][0]), *map(str, hid[k]), "987654", "x"]
        elif name == "entry":
            out[name] = ["structures", "references", "nope"]
        elif name == "dataset":
            out[name] = ["open-data", f"{SECRET}-lab", "2", "nope"]
        elif name == "record_id":
            out[name] = [
                seeded.records["published"],
                seeded.records["reviewed"],
                seeded.records["draft"],
                987654,
            ]
        elif name == "name":
            out[name] = (
                [seeded.campaign, "member-user", "nope"] if "/users/" in path else [seeded.campaign, "nope"]
            )
        else:
            pytest.fail(f"no test values for path parameter {name!r} of {path}: add them to _candidates")
    return out


#: Extra queries tried on list routes (no path parameters), to reach restricted rows by search.
_LIST_QUERIES = [
    {},
    {"limit": 500},
    {"format": "csv", "limit": 500},
    {"status": "draft"},
    {"dataset": f"{SECRET}-lab"},
    {"elements": "Cs"},
    {"filter": 'elements HAS "Cs" OR elements HAS "Nb"'},
    {"doi": "10.9999/zzsecret.1"},
    {"page_limit": 200},
    {"filter": 'id != "0"', "page_limit": 200},
    {"filter": 'doi CONTAINS "zzsecret"'},
    {"filter": '_matinfo_dataset = "ZZSECRET-lab" OR _matinfo_name CONTAINS "ZZ"'},
    {"filter": 'structure_features HAS "disorder" OR nperiodic_dimensions = 3', "page_limit": 200},
]


def _is_hidden_value(seeded, name: str, value, path: str) -> bool:
    hid = seeded.hidden
    kinds = {
        "substance_id": "substances",
        "material_id": "materials",
        "structure_id": "structures",
        "property_id": "properties",
        "reference_id": "references",
    }
    if name in kinds:
        return value in hid[kinds[name]]
    if name == "entry_id" and value.isdigit():
        k = "references" if "/references/" in path else "materials"
        return int(value) in hid[k]
    if name == "dataset":
        return value in (f"{SECRET}-lab", "2")
    return False


def _without_echo(body: str, given: list) -> str:
    """``body`` without the request's own values (an error message, ``meta.query`` or a page's search form may
    quote them)."""
    import html
    from urllib.parse import quote, quote_plus

    from markupsafe import escape

    for v in sorted(map(str, given), key=len, reverse=True):
        forms = {
            v,
            quote(v),
            quote_plus(v),
            quote(v, safe=""),
            v.replace('"', '\\"'),
            html.escape(v),
            str(escape(v)),
        }
        for form in forms:
            body = body.replace(form, "")
    return body


def test_every_route_declares_a_role_and_writes_need_an_editor(app):
    routes = _api_routes(app)
    assert len(routes) > 25
    for r in routes:
        role = route_role(r)
        if r.methods - {"GET", "HEAD"}:
            assert ROLES.index(role) >= ROLES.index("editor"), f"{r.path} {r.methods} writes with role {role}"


def test_no_restricted_record_reaches_a_role_without_access(client, app, seeded):
    before = _snapshot(seeded.url)
    served = {}
    for route in _api_routes(app):
        if "GET" not in route.methods:
            continue
        need = route_role(route)
        params = _candidates(seeded, route.path)
        combos = [dict(zip(params, vals, strict=True)) for vals in itertools.product(*params.values())]
        queries = _LIST_QUERIES if not params else [{}]
        for role, combo, query in itertools.product(ROLES, combos, queries):
            path = route.path.format(**combo)
            r = client.get(path, params=query, headers=seeded.headers(role))
            where = f"{role} GET {path} {query}: {r.status_code}"
            assert r.status_code < 500, where + " " + r.text[:300]
            if ROLES.index(role) < ROLES.index(need):
                assert r.status_code == (401 if role == "anonymous" else 403), where
                continue
            body = _without_echo(r.text, [*combo.values(), *query.values()])
            if role == "anonymous":
                assert SECRET.lower() not in body.lower(), where + " leaks members' data: " + body[:500]
                if any(_is_hidden_value(seeded, k, v, route.path) for k, v in combo.items()):
                    assert r.status_code == 404, where + " answers for a hidden record"
            if role in ("anonymous", "member"):
                assert DRAFT not in body, where + " leaks an unpublished literature record"
                unpublished = (seeded.records["draft"], seeded.records["reviewed"])
                if combo.get("record_id") in unpublished:
                    assert r.status_code == 404, where + " answers for an unpublished record"
                if query.get("status") == "draft" and "/literature/" in route.path:
                    assert r.status_code in (401, 403), where
            if r.status_code == 200:
                served.setdefault(route.path, set()).add(role)
    # every GET route answered, at least for an admin (the sweep above is not vacuous)
    get_routes = {r.path for r in _api_routes(app) if "GET" in r.methods}
    assert {p for p, roles in served.items() if "admin" in roles} == get_routes
    assert _snapshot(seeded.url) == before, "a GET changed the database"


def test_counts_and_searches_show_only_visible_records(client, seeded):
    anon = client.get("/api/v1/substances", params={"limit": 500}).json()["data"]
    member = client.get("/api/v1/substances", params={"limit": 500}, headers=seeded.headers("member")).json()[
        "data"
    ]
    n_pub, n_hid = len(seeded.public["materials"]), len(seeded.hidden["materials"])
    assert sum(s["n_materials"] for s in anon) == n_pub + 1  # + the published literature record's material
    assert sum(s["n_materials"] for s in member) == n_pub + n_hid + 1
    assert sum(s["n_properties"] for s in anon) == len(seeded.public["properties"]) + 1
    assert {s["substance_id"] for s in anon}.isdisjoint(seeded.hidden["substances"])
    linbo3 = next(s for s in anon if s["reduced_formula"] == "LiNbO3")
    assert linbo3["n_materials"] == 1 and linbo3["formulas"] == ["LiNbO3"]
    page = client.get(f"/api/v1/substances/{linbo3['substance_id']}").json()
    assert [x["formula"] for x in page["materials"]] == ["LiNbO3"]
    assert {r["doi"] for r in page["references"]} == {"10.1000/open.1", "10.1000/shared.1"}
    datasets = client.get("/api/v1/datasets").json()["data"]
    assert {d["name"] for d in datasets} == {"open-data", "literature"}
    opt = client.get("/optimade/v1/references", params={"page_limit": 100}).json()
    assert opt["meta"]["data_available"] == len(seeded.public["references"]) + 1  # + the literature paper


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_every_write_is_refused_below_editor_and_changes_nothing(client, app, seeded, role):
    before = _snapshot(seeded.url)
    n = 0
    for route in _api_routes(app):
        writes = route.methods - {"GET", "HEAD"}
        if not writes:
            continue
        params = _candidates(seeded, route.path)
        for vals in itertools.product(*params.values()):
            path = route.path.format(**dict(zip(params, vals, strict=True)))
            for method in writes:
                for body in (
                    None,
                    {"note": "x", "changes": {"value": 1}, "n": 1, "name": "x", "role": "admin"},
                ):
                    r = client.request(method, path, json=body, headers=seeded.headers(role))
                    assert r.status_code == (401 if role == "anonymous" else 403), (
                        f"{role} {method} {path}: {r.text}"
                    )
                    n += 1
    assert n > 20
    assert _snapshot(seeded.url) == before


def test_admin_routes_refuse_editors(client, seeded):
    for method, path in (
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/users/x/revoke"),
    ):
        assert (
            client.request(method, path, json={"name": "x"}, headers=seeded.headers("editor")).status_code
            == 403
        )
