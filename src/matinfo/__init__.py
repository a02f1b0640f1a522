"""matinfo — open materials-informatics platform.

Importing :mod:`matinfo` is cheap: subpackages (``matinfo.core``, ``matinfo.store``...) load on first use.
"""

from __future__ import annotations

from matinfo.errors import MatinfoError

__version__ = "0.1.0"
__all__ = ["MatinfoError", "__version__"]
