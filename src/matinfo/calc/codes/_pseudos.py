"""Finding one pseudopotential file per element in a configured folder (Quantum ESPRESSO, ABINIT).

A file belongs to element ``X`` when its name is ``X`` (any case) followed by ``.``, ``_`` or ``-`` and ends with
one of the code's extensions, e.g. ``Si.pbe-n-rrkjus_psl.1.0.0.UPF``, ``si_pbe_v1.uspp.F.UPF``,
``Si-GGA.psp8``; ``S`` never matches ``Si.*`` or ``Sn_*``.  ABINIT-style names with the atomic number first
(``14-Si.psp8``, ``14si.pspnc``) match too.  When several files match, the first in sorted order is used; pin one
with ``[engines.<code>.pseudopotentials] Si = "Si.pbe-n-kjpaw_psl.1.0.0.UPF"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ase.data import atomic_numbers

from matinfo.calc.codes._common import CalcConfigError, engine_section

__all__ = ["find_pseudopotentials", "pseudo_dir", "available_elements"]


def pseudo_dir(config: Any, code: str) -> Path:
    """The ``pseudo_dir`` of ``[engines.<code>]``; :class:`CalcConfigError` saying how to set it when absent."""
    value = engine_section(config, code).get("pseudo_dir")
    if not value:
        raise CalcConfigError(
            f"{code}: no pseudopotential folder configured",
            field=f"engines.{code}.pseudo_dir",
            hint=f'set [engines.{code}] pseudo_dir = "/path/to/pseudos" (a folder with one file per element)',
        )
    path = Path(str(value)).expanduser()
    if not path.is_dir():
        raise CalcConfigError(
            f"{code}: the pseudopotential folder does not exist",
            field=f"engines.{code}.pseudo_dir",
            value=str(value),
            hint="fix the path",
        )
    return path


def _matches(name: str, symbol: str, extensions: Sequence[str]) -> bool:
    if not name.lower().endswith(tuple(e.lower() for e in extensions)):
        return False
    z = atomic_numbers[symbol]
    sym = re.escape(symbol)
    pattern = rf"^(?:0?{z}[-_.]?)?{sym}(?:[-_.]|$)"
    stem = name[: -len(next(e for e in extensions if name.lower().endswith(e.lower())))]
    return re.match(pattern, stem + ".", flags=re.IGNORECASE) is not None


def find_pseudopotentials(
    symbols: Sequence[str], config: Any, code: str, extensions: Sequence[str]
) -> dict[str, Path]:
    """One file per element (dict in the order of ``symbols``, first appearance).

    An explicit ``[engines.<code>.pseudopotentials]`` table wins; otherwise the folder is searched.  Raises
    :class:`CalcConfigError` naming the elements without a file, the folder and the expected pattern.
    """
    folder = pseudo_dir(config, code)
    pinned = engine_section(config, code).get("pseudopotentials") or {}
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    found: dict[str, Path] = {}
    missing = []
    for symbol in dict.fromkeys(symbols):
        if symbol in pinned:
            path = folder / str(pinned[symbol])
            if not path.is_file():
                raise CalcConfigError(
                    f"{code}: the pseudopotential of {symbol} is not in {folder}",
                    field=f"engines.{code}.pseudopotentials.{symbol}",
                    value=str(pinned[symbol]),
                    hint="put the file there or fix the name",
                )
            found[symbol] = path
            continue
        hits = [n for n in names if _matches(n, symbol, extensions)]
        if hits:
            found[symbol] = folder / hits[0]
        else:
            missing.append(symbol)
    if missing:
        pattern = " or ".join(f"'<element>[._-]*{e}'" for e in extensions)
        raise CalcConfigError(
            f"{code}: no pseudopotential for element(s) {', '.join(missing)} in {folder} (looked for {pattern}, "
            "case-insensitive)",
            field=f"engines.{code}.pseudopotentials",
            hint=f"add the files, name them in [engines.{code}.pseudopotentials], or choose another engine",
        )
    return found


def available_elements(config: Any, code: str, extensions: Sequence[str]) -> frozenset[str]:
    """Elements with a pseudopotential in the configured folder (pinned ones included)."""
    from ase.data import chemical_symbols

    folder = pseudo_dir(config, code)
    names = [p.name for p in folder.iterdir() if p.is_file()]
    pinned = engine_section(config, code).get("pseudopotentials") or {}
    found = {s for s, name in pinned.items() if (folder / str(name)).is_file()}
    found |= {s for s in chemical_symbols[1:] if any(_matches(n, s, extensions) for n in names)}
    return frozenset(found)
