"""A small store with public data, members-only data, literature drafts and a campaign; the app; one token
per role.  Every restricted row carries the marker ``ZZSECRET`` (or is reachable only through such a row), so
a test can grep any response for it.  Runs on SQLite and PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

SECRET = "ZZSECRET"
DRAFT = "ZZDRAFT"
ROLES = ("anonymous", "member", "editor", "admin")


def _structures():
    from pymatgen.core import Lattice, Structure

    mgo = Structure.from_spacegroup("Fm-3m", Lattice.cubic(4.21), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    rutile = Structure.from_spacegroup(
        "P4_2/mnm", Lattice.tetragonal(4.594, 2.959), ["Ti", "O"], [[0, 0, 0], [0.3053, 0.3053, 0]]
    )
    mixed = Structure(Lattice.cubic(5.6), [{"Na": 0.5, "K": 0.5}, "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    csau = Structure.from_spacegroup("Pm-3m", Lattice.cubic(4.26), ["Cs", "Au"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    return mgo, rutile, mixed, csau


@dataclass
class Seeded:
    """What the seed made: IDs of public and hidden rows, and one token per role."""

    url: str
    public: dict[str, list[int]] = field(default_factory=dict)
    hidden: dict[str, list[int]] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    campaign: str = "web-demo"

    def headers(self, role: str) -> dict[str, str]:
        tok = self.tokens.get(role)
        return {"Authorization": f"Bearer {tok}"} if tok else {}


def seed(db) -> dict:
    """Fill ``db``; returns the IDs of public and hidden materials, structures, properties, references."""
    from sqlalchemy import select

    from matinfo.core.records import DatasetIn, PropertyIn, ReferenceIn
    from matinfo.store import models as m

    mgo, rutile, mixed, csau = _structures()
    pub = DatasetIn("open-data", license="CC-BY-4.0", citation="Open data, 2024")
    sec = DatasetIn(f"{SECRET}-lab", description=f"{SECRET} members only", visibility="members")
    ref_pub = ReferenceIn(
        doi="10.1000/open.1", authors="Ann Author; Bob Writer", title="Open paper", year=2020
    )
    ref_sec = ReferenceIn(doi="10.9999/zzsecret.1", title=f"{SECRET} unpublished", year=2025)
    ref_both = ReferenceIn(doi="10.1000/shared.1", title="Shared handbook", year=2010)

    db.add_material(
        "LiNbO3",
        space_group=161,
        dataset=pub,
        reference=ref_pub,
        name="public-linbo3",
        properties=[
            PropertyIn("band_gap", 3.7, "eV", reference=ref_both, conditions={"temperature": 300}),
            PropertyIn("band_gap", 3.4, "eV", method="calculation", produced_by="dft-pbe"),
            PropertyIn("band_gap", 3.6, "eV", method="prediction", produced_by="model-lgbm-1"),
        ],
    )
    db.add_material(
        "MgO", structure=mgo, dataset=pub, name="public-mgo", properties=[("band_gap", 7.8, "eV")]
    )
    db.add_material("TiO2", structure=rutile, dataset=pub, reference=ref_pub, name="public-rutile")
    db.add_material("Na0.5K0.5Cl", structure=mixed, dataset=pub, name="public-mixed")
    db.add_material(
        "Li2O",
        dataset=pub,
        name="public-li2o",
        properties=[PropertyIn("ionic_conductivity", "1e-9", "S/cm", conditions={"temperature": "25 °C"})],
    )
    # members only: a second material of the LiNbO3 substance, and a substance of its own
    db.add_material(
        "[Li0.95Nb0.01]NbO3",
        space_group=161,
        dataset=sec,
        reference=ref_sec,
        name=f"{SECRET}-doped",
        properties=[
            PropertyIn("band_gap", 3.1, "eV", location=f"{SECRET} notebook p.3", reference=ref_both),
            PropertyIn("band_gap", 2.9, "eV", method="prediction", produced_by=f"{SECRET}-model"),
        ],
    )
    db.add_material("CsAu", structure=csau, dataset=sec, reference=ref_sec, name=f"{SECRET}-csau")

    with db.session() as s:
        hidden_ds = s.scalars(select(m.Dataset.id).where(m.Dataset.visibility != "public")).all()

        def ids(model, cond):
            return list(s.scalars(select(model.id).where(cond).order_by(model.id)))

        mat_hidden = m.Material.dataset_id.in_(hidden_ds)
        hidden_mats = ids(m.Material, mat_hidden)
        out = {
            "public": {
                "materials": ids(m.Material, ~mat_hidden),
                "structures": ids(m.Structure, ~m.Structure.material_id.in_(hidden_mats)),
                "properties": ids(m.Property, ~m.Property.material_id.in_(hidden_mats)),
                "references": ids(m.Reference, ~m.Reference.doi.contains("zzsecret")),
                "substances": sorted(set(s.scalars(select(m.Material.substance_id).where(~mat_hidden)))),
            },
            "hidden": {
                "materials": hidden_mats,
                "structures": ids(m.Structure, m.Structure.material_id.in_(hidden_mats)),
                "properties": ids(m.Property, m.Property.material_id.in_(hidden_mats)),
                "references": ids(m.Reference, m.Reference.doi.contains("zzsecret")),
                "substances": sorted(
                    set(s.scalars(select(m.Material.substance_id).where(mat_hidden)))
                    - set(s.scalars(select(m.Material.substance_id).where(~mat_hidden)))
                ),
            },
        }
    return out


def seed_literature(db) -> dict[str, int]:
    from matinfo.literature.curation import Curation

    cur = Curation(db)
    doc = cur.add_document(
        "paper.txt", "Li3N conducts. ZZDRAFT.", doi="10.1000/lit.1", title="Lit paper", year=2021
    )
    base = {"source": "paper.txt", "unit": "S/cm", "conditions": {}, "property": "ionic_conductivity"}
    recs = [
        dict(
            base,
            material="Li3N",
            formula="Li3N",
            value=1e-3,
            raw_value="1e-3 S/cm",
            sentence="Li3N conducts.",
        ),
        dict(
            base,
            material=f"{DRAFT}Li",
            formula="LiCl",
            value=2e-6,
            raw_value="2e-6 S/cm",
            sentence=f"{DRAFT} 1",
        ),
        dict(
            base,
            material=f"{DRAFT}Na",
            formula="NaCl",
            value=3e-9,
            raw_value="3e-9 S/cm",
            sentence=f"{DRAFT} 2",
        ),
    ]
    added = cur.submit(recs, document=doc, extractor="test").added
    cur.accept(added[0], actor="seed")
    cur.publish([added[0]], actor="seed")
    cur.accept(added[1], actor="seed")  # reviewed, not published
    return {"published": added[0], "reviewed": added[1], "draft": added[2]}


def seed_campaign(db, name: str) -> None:
    import pandas as pd

    from matinfo.optimize import Campaign, DiscreteSpace

    pool = pd.DataFrame({"id": [f"c{i}" for i in range(12)], "x": [i / 11 for i in range(12)]})
    camp = Campaign.create(
        db, name, DiscreteSpace.from_frame(pool, features=["x"], id_col="id"), target="y", seed=0
    )
    camp.observe(["c0", "c5"], [0.1, 0.7])
    camp.suggest(2)


def seed_all(url: str) -> Seeded:
    from matinfo.store import connect
    from matinfo.store.access import add_user

    db = connect(url)
    ids = seed(db)
    sd = Seeded(url=url, public=ids["public"], hidden=ids["hidden"])
    sd.records = seed_literature(db)
    seed_campaign(db, sd.campaign)
    sd.tokens = {"anonymous": None}
    for role in ROLES[1:]:
        sd.tokens[role] = add_user(db, f"{role}-user", role)
    db.close()
    return sd


@pytest.fixture
def seeded(db_url):
    """A freshly seeded store for one test (tests that write)."""
    return seed_all(db_url)


# -- one seeded store per session and backend, for tests that only read (they prove it: see test_access) ----


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'shared.db'}"
        return
    import uuid

    import psycopg

    server = request.getfixturevalue("pg_server")
    schema = f"t_web_{uuid.uuid4().hex[:10]}"
    raw = server.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(raw, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    yield f"{server}?options=-csearch_path%3D{schema}"
    with psycopg.connect(raw, autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session")
def ro_seeded(shared_url) -> Seeded:
    """A seeded store shared by the read-only tests of one backend: do not write to it."""
    return seed_all(shared_url)


@pytest.fixture(scope="session")
def ro_client(ro_seeded):
    from fastapi.testclient import TestClient

    from matinfo.web import Settings, create_app

    application = create_app(Settings(db_url=ro_seeded.url))
    with TestClient(application, raise_server_exceptions=False) as c:
        c.app_ = application
        yield c
    application.state.db.close()


@pytest.fixture
def app(seeded):
    from matinfo.web import Settings, create_app

    application = create_app(Settings(db_url=seeded.url))
    yield application
    application.state.db.close()


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
