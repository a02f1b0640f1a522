"""Settings of the web server, read from the environment (``MATINFO_`` prefix) when the app is created.

>>> Settings(db_url="sqlite://", page_limit_max=100).page_limit_max
100
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """What :func:`matinfo.web.create_app` needs; every field can come from ``MATINFO_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="MATINFO_", extra="ignore", frozen=True)

    #: Database URL (``sqlite:///file.db``, ``postgresql://...``); ``None``: :func:`matinfo.store.default_url`.
    db_url: str | None = None
    #: Public base URL (``https://example.org``) for absolute links (OPTIMADE ``links``, ``next``); ``None``:
    #: taken from each request.
    base_url: str | None = None
    title: str = "matinfo"
    #: Page size when a request gives none, and the largest one a request may ask for.
    page_limit: int = Field(20, ge=1)
    page_limit_max: int = Field(500, ge=1)
    #: OPTIMADE provider description (``meta.provider`` of every OPTIMADE response).
    provider_name: str = "matinfo"
    provider_description: str = "matinfo open materials-informatics database"
    provider_homepage: str | None = None
