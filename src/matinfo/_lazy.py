"""Lazy public names for subpackages: ``import matinfo.learn`` is instant, names load on first use.

>>> names, getattr_, dir_ = lazy_exports("mypackage", {"json": ("dumps",)})
>>> names, getattr_("dumps")([1])
(['dumps'], '[1]')
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """``(__all__, __getattr__, __dir__)`` for a package whose ``exports`` map module → public names."""
    where = {name: module for module, names in exports.items() for name in names}
    public = sorted(where)

    def __getattr__(name: str) -> object:
        if name in where:
            value = getattr(importlib.import_module(where[name]), name)
            module = sys.modules.get(package)
            if module is not None:
                setattr(module, name, value)  # cached: the next access skips __getattr__
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return public

    return public, __getattr__, __dir__
