"""Structure inputs for featurizers: a pymatgen ``Structure``, a CIF file path, or CIF text → ``Structure``.

CIF files and CIF text are read with :func:`matinfo.io.cif.read_cif`, so partial occupancies are kept (a site
of ``Li 0.5`` stays a half-occupied Li site) and a broken file is reported with the line and tag at fault.  A
row holds one structure: a CIF with several data blocks is a bad row.  Every problem is raised as
:class:`~matinfo.errors.FeaturizeError` without a ``source``, so the featurizer base class names the row.

Also here: the example structures the structure featurizers test themselves on (real CIFs shipped in
``matinfo/data``), and a few inputs every structure featurizer must reject.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matinfo.errors import FeaturizeError, StructureError

if TYPE_CHECKING:
    from pymatgen.core import IStructure, Structure

__all__ = [
    "structure_examples",
    "BAD_STRUCTURE_EXAMPLES",
    "DATA",
    "FORMULA_UNITS_KEY",
    "as_structure",
    "example_structures",
    "require_ordered",
    "shipped_cif",
]

#: Folder of the data shipped with matinfo (``crystal_structures/``, ``obelix/``).
DATA = Path(__file__).resolve().parents[1] / "data"

_BROKEN_CIF = (
    "data_broken\n_cell_length_a 4.0\n_cell_length_b four\n_cell_length_c 4.0\n"
    "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
    "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nNa1 0 0 0\n"
)
#: Inputs no structure featurizer accepts: a CIF with a non-numeric cell length, text that is not a CIF,
#: a path to no file and a number.  (A missing value, None or NaN, is not bad: it gives a NaN row.)
BAD_STRUCTURE_EXAMPLES: tuple[Any, ...] = (_BROKEN_CIF, "data_x\nnot a cif at all\n", "no/such/file.cif", 3.5)


#: ``Structure.properties`` key holding the CIF's ``_cell_formula_units_Z`` (formula units per cell).
FORMULA_UNITS_KEY = "formula_units_z"
_FORMULA_UNITS = re.compile(r"^\s*_cell_formula_units_Z\s+([0-9.]+)", re.MULTILINE | re.IGNORECASE)


def _short(text: str, limit: int = 60) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first if len(first) <= limit and "\n" not in text.strip() else first[:limit] + " …"


#: Parsed CIFs kept per process: several structure featurizers of one table read the same CIFs, and parsing
#: (~25 ms each) costs far more than computing the features.  Keyed by the text, or by path + mtime + size.
CIF_CACHE_SIZE = 2048


def _from_cif(x: str | Path) -> Structure:
    is_text = not isinstance(x, Path) and ("\n" in x or x.startswith("data_"))
    if is_text:
        key: tuple = ("text", x)
    else:
        try:
            st = os.stat(x)
            key = ("path", os.fspath(x), st.st_mtime_ns, st.st_size)
        except OSError:
            key = ("missing", os.fspath(x))
    return _parse_cif_cached(key, x).copy()  # a copy: callers may decorate or modify it


@functools.lru_cache(maxsize=CIF_CACHE_SIZE)
def _parse_cif_cached(key: tuple, x: str | Path) -> Structure:
    return _parse_cif(x)


def _parse_cif(x: str | Path) -> Structure:
    from matinfo.io.cif import read_cif

    is_text = not isinstance(x, Path) and ("\n" in x or x.startswith("data_"))
    shown = _short(x) if is_text else str(x)
    try:
        entries = read_cif(x, source="CIF text" if is_text else None)
    except FileNotFoundError:
        raise FeaturizeError(
            "no such CIF file",
            value=shown,
            hint="give a pymatgen Structure, the path of a .cif file, or the CIF text itself",
        ) from None
    except StructureError as err:
        where = ", ".join(
            p
            for p in (f"line {err.line}" if err.line else "", f"field {err.field}" if err.field else "")
            if p
        )
        value = f" (value {err.value!r})" if err.value is not None else ""
        raise FeaturizeError(
            f"not a readable CIF: {err.problem}" + (f" at {where}" if where else "") + value,
            value=shown,
            hint=err.hint or "check the CIF",
        ) from err
    except (OSError, UnicodeError) as err:
        raise FeaturizeError(f"cannot read the CIF: {err}", value=shown, hint="check the path") from err
    if len(entries) != 1:
        raise FeaturizeError(
            f"CIF holds {len(entries)} structures; a row takes one",
            value=shown,
            hint="split the file into one data block per row (matinfo.io.read_cif gives every block)",
        )
    structure = entries[0].structure
    z = _FORMULA_UNITS.search(entries[0].cif_text)
    if z is not None and float(z.group(1)) > 0:
        structure.properties[FORMULA_UNITS_KEY] = float(z.group(1))
    return structure


def as_structure(x: Any) -> Structure | IStructure:
    """The pymatgen structure of one input row.

    Accepts a pymatgen ``Structure``/``IStructure`` (returned as is), a CIF path (``str`` or ``Path``), CIF text
    (a string containing a newline or starting with ``data_``), or a ``Structure.as_dict()`` mapping.  A structure
    read from a CIF carries the CIF's ``_cell_formula_units_Z`` in ``structure.properties[FORMULA_UNITS_KEY]``.  Raises
    :class:`~matinfo.errors.FeaturizeError` for anything else, a broken CIF (naming its line and tag), a
    structure without sites, a cell of zero volume, or non-finite coordinates.

    >>> s = as_structure(shipped_cif("crystal_structures/aflow_prototypes_part1/001_AB2_tI6_139_a_e.cif"))
    >>> s.composition.reduced_formula, len(s)
    ('Si2Mo', 3)
    """
    from pymatgen.core import IStructure, Structure

    if isinstance(x, IStructure):
        s = x
    elif isinstance(x, str | Path):
        if isinstance(x, str) and not x.strip():
            raise FeaturizeError("empty string", value=x, hint="give a structure, a CIF path or CIF text")
        s = _from_cif(x)
    elif isinstance(x, dict) and x.get("@class") in ("Structure", "IStructure"):
        try:
            s = Structure.from_dict(x)
        except Exception as err:  # pymatgen raises KeyError, TypeError, ValueError ...
            raise FeaturizeError(
                f"cannot build a Structure from the mapping: {err}", value="<Structure dict>"
            ) from err
    elif x is None or (isinstance(x, float) and np.isnan(x)):
        raise FeaturizeError("missing structure", value=x, hint="fill in the structure or drop the row")
    else:
        raise FeaturizeError(
            f"cannot read a crystal structure from a {type(x).__name__}",
            value=x if isinstance(x, int | float) else type(x).__name__,
            hint="pass pymatgen Structures, CIF file paths or CIF text",
        )
    if len(s) == 0:
        raise FeaturizeError(
            "structure has no sites", value=repr(s)[:60], hint="a crystal needs at least one atom"
        )
    lattice = s.lattice.matrix
    if not (np.isfinite(lattice).all() and np.isfinite(s.frac_coords).all()):
        raise FeaturizeError("structure has NaN or infinite lattice vectors or coordinates", value=s.formula)
    if not s.volume > 1e-6:
        raise FeaturizeError(
            "cell volume is zero", value=s.formula, hint="the lattice vectors must not be coplanar"
        )
    return s


def require_ordered(s: Structure | IStructure, what: str) -> None:
    """Raise a row error when ``s`` has partially occupied or mixed sites (``what`` names the featurizer)."""
    if not s.is_ordered:
        mixed = next(site for site in s if not site.is_ordered)
        raise FeaturizeError(
            f"{what} needs an ordered structure, but a site holds {mixed.species.formula!r} "
            "(partial or mixed occupancy)",
            value=s.composition.formula,
            hint="order the structure first (e.g. pymatgen OrderDisorderedStructureTransformation) or use "
            "on_error='nan' to skip it",
        )


def shipped_cif(relative: str) -> Path:
    """Path of a CIF shipped in ``matinfo/data`` (``relative`` to that folder)."""
    path = DATA / relative
    if not path.is_file():
        raise FileNotFoundError(f"shipped CIF not found: {path}")
    return path


@functools.cache
def _example(relative: str) -> Structure:
    return as_structure(shipped_cif(relative))


def example_structures(*relative: str) -> list[Structure]:
    """Structures read (once, then cached) from shipped CIFs, for ``_examples()`` and doctests."""
    return [_example(r).copy() for r in relative]


def structure_examples(**params: Any):
    """The conformance-check inputs shared by structure featurizers: three ordered shipped structures (bcc Cr,
    an AB2 tI6 and an AB hP6 prototype), the broken inputs of :data:`BAD_STRUCTURE_EXAMPLES` and a disordered
    OBELiX structure; ``params`` are the featurizer's constructor arguments."""
    from matinfo.features.base import Examples

    good = example_structures(
        "crystal_structures/cod_crystals_pkg/Cr.cif",
        "crystal_structures/aflow_prototypes_part1/001_AB2_tI6_139_a_e.cif",
        "crystal_structures/aflow_prototypes_part1/000_AB_hP6_154_a_b.cif",
    )
    return Examples(
        good=good, bad=[*BAD_STRUCTURE_EXAMPLES, *example_structures("obelix/cifs/e6b.cif")], params=params
    )
