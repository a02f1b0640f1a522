"""The REST API, ``/api/v1``: one router module per resource."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from matinfo.web.api import (
    campaigns,
    literature,
    materials,
    properties,
    references,
    structures,
    substances,
    users,
)
from matinfo.web.auth import ANYONE

__all__ = ["api_router"]

api_router = APIRouter()


@api_router.get("", dependencies=[Depends(ANYONE)], summary="What this API serves")
def api_index():
    return {
        "resources": {
            "substances": "/api/v1/substances",
            "materials": "/api/v1/materials",
            "structures": "/api/v1/structures",
            "properties": "/api/v1/properties",
            "references": "/api/v1/references",
            "datasets": "/api/v1/datasets",
            "literature": "/api/v1/literature/records",
            "campaigns": "/api/v1/campaigns",
            "me": "/api/v1/me",
        },
        "docs": "/docs",
        "openapi": "/openapi.json",
        "optimade": "/optimade/v1/info",
    }


for _mod in (substances, materials, structures, properties, references, literature, campaigns, users):
    api_router.include_router(_mod.router)
