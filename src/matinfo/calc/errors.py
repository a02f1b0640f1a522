"""Errors of :mod:`matinfo.calc`; both belong to the one hierarchy of :mod:`matinfo.errors`.

Bad input found *before* anything runs (overlapping atoms, an element the engine cannot treat, a missing
executable or pseudopotential) raises :class:`~matinfo.errors.StructureError` or :class:`CalcConfigError`;
a calculation that ran and failed raises :class:`CalculationError`.
"""

from __future__ import annotations

from matinfo.errors import LocatedError, MatinfoError

__all__ = ["CalcConfigError", "CalculationError"]


class CalcConfigError(LocatedError, ValueError):
    """The calculation configuration (TOML file, engine settings) is wrong or incomplete.

    ``source`` is the configuration file, ``field`` the key (``engines.qe.pseudo_dir``), ``value`` what it says,
    ``hint`` how to fix it.
    """


class CalculationError(MatinfoError, RuntimeError):
    """A calculation ran and failed (non-zero exit, no results, killed); the message names its work folder."""
