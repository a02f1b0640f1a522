"""The web face of matinfo: ``create_app(settings)`` → a FastAPI app with the REST API (``/api/v1``), the
OPTIMADE API (``/optimade/v1``), server-rendered pages and access control.  Nothing below imports it.

>>> from matinfo.web import create_app, Settings  # doctest: +SKIP
>>> app = create_app(Settings(db_url="sqlite:///demo.db"))  # doctest: +SKIP
"""

from matinfo.web.app import create_app
from matinfo.web.settings import Settings

__all__ = ["create_app", "Settings"]
