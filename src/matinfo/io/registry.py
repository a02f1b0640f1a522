"""One registry of structure file formats (ASE ``ase/io/formats.py`` style).

Every format is a :class:`StructureFormat`: a name, the file extensions and file names it claims, and a reader
``(path) -> list[CifEntry]``.  Readers import their heavy dependencies when called, so the registry is cheap
to import.  Add a format with :func:`register_format`; names and claimed extensions/file names must be unique.

All readers return :class:`~matinfo.io.CifEntry` objects, whatever the file format, so callers (and the store)
see one type: a non-CIF file is converted, ``cif_text`` is pymatgen's CIF rendering of the structure and
``metadata["original_format"]`` names the format it came from.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matinfo.errors import StructureError
from matinfo.io.cif import CifEntry, read_cif

__all__ = ["StructureFormat", "guess_format", "known_formats", "read_structures", "register_format"]

Reader = Callable[[Path], list[CifEntry]]


@dataclass(frozen=True)
class StructureFormat:
    """A readable structure file format.

    Attributes:
        name: short name used as ``format=`` (``"cif"``, ``"poscar"``).
        reader: ``(path) -> list[CifEntry]``; raises StructureError on malformed input.
        extensions: lower-case file suffixes claimed, with the dot (``".cif"``).
        filenames: ``fnmatch`` patterns for whole file names (``"POSCAR*"``), matched case-sensitively.
        description: one line for listings.
    """

    name: str
    reader: Reader
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    description: str = ""


_FORMATS: dict[str, StructureFormat] = {}


def register_format(
    name: str,
    reader: Reader,
    *,
    extensions: Sequence[str] = (),
    filenames: Sequence[str] = (),
    description: str = "",
) -> StructureFormat:
    """Add a format to the registry.

    Raises:
        ValueError: the name, an extension or a file-name pattern is already registered.
    """
    fmt = StructureFormat(name, reader, tuple(e.lower() for e in extensions), tuple(filenames), description)
    if name in _FORMATS:
        raise ValueError(f"structure format {name!r} is already registered")
    for other in _FORMATS.values():
        clash = set(fmt.extensions) & set(other.extensions) or set(fmt.filenames) & set(other.filenames)
        if clash:
            raise ValueError(f"format {name!r} claims {sorted(clash)}, already claimed by {other.name!r}")
    _FORMATS[name] = fmt
    return fmt


def known_formats() -> tuple[str, ...]:
    """Names of the registered formats, in registration order."""
    return tuple(_FORMATS)


def _describe_known() -> str:
    return "; ".join(f"{f.name} ({', '.join([*f.extensions, *f.filenames])})" for f in _FORMATS.values())


def guess_format(path: str | Path) -> str:
    """Name of the format claiming ``path`` by file name, then by extension.

    Raises:
        StructureError: no registered format claims the file; the message lists the known ones.
    """
    p = Path(path)
    for fmt in _FORMATS.values():
        if any(fnmatch.fnmatchcase(p.name, pattern) for pattern in fmt.filenames):
            return fmt.name
    suffix = "".join(p.suffixes[-1:]).lower()
    for fmt in _FORMATS.values():
        if suffix and suffix in fmt.extensions:
            return fmt.name
    raise StructureError(
        "unknown structure file format", source=str(p), value=p.name,
        hint=f"pass format= one of the known formats: {_describe_known()}",
    )  # fmt: skip


def read_structures(path: str | Path, *, format: str | None = None) -> list[CifEntry]:
    """Read all structures of a file, choosing the reader by ``format`` or by the file name.

    Args:
        path: structure file.
        format: a name from :func:`known_formats`; None guesses it from the file name / extension.

    Returns:
        One :class:`CifEntry` per structure in the file.

    Raises:
        StructureError: unknown format (message lists the known ones) or malformed file.
        FileNotFoundError: the file does not exist.
    """
    p = Path(path)
    name = format if format is not None else guess_format(p)
    if name not in _FORMATS:
        raise StructureError(
            "unknown structure format", source=str(p), field="format", value=name,
            hint=f"use one of: {_describe_known()}",
        )  # fmt: skip
    if not p.is_file():
        raise FileNotFoundError(f"structure file not found: {p}")
    return _FORMATS[name].reader(p)


# ----------------------------------------------------------------------------------------------- readers
def _read_cif_file(path: Path) -> list[CifEntry]:
    return read_cif(path)


def _read_poscar(path: Path) -> list[CifEntry]:
    import warnings

    from pymatgen.io.cif import CifWriter
    from pymatgen.io.vasp import Poscar

    text = path.read_text(encoding="utf-8", errors="replace")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            poscar = Poscar.from_str(text)
        except Exception as exc:  # pymatgen raises ValueError, IndexError... on malformed POSCAR
            raise StructureError(
                f"pymatgen could not read the POSCAR: {exc}", source=str(path),
                hint="check the comment, scale, 3 lattice rows, species, counts and coordinate lines",
            ) from exc  # fmt: skip
    structure = poscar.structure
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    comment = (poscar.comment or "").strip()
    block = (
        "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in (comment or path.stem))[:60] or "poscar"
    )
    cif_text = str(CifWriter(structure))
    return [
        CifEntry(
            block_name=block, cif_text=cif_text, structure=structure, formula=structure.composition.formula,
            source=str(path), warnings=(*messages, "converted from POSCAR: cif_text is pymatgen's CIF"),
            metadata={"original_format": "poscar", "comment": comment},
        )
    ]  # fmt: skip


register_format(
    "cif",
    _read_cif_file,
    extensions=(".cif", ".mcif"),
    description="Crystallographic Information File (CIF 1.1)",
)
register_format(
    "poscar", _read_poscar, extensions=(".vasp", ".poscar"), filenames=("POSCAR*", "CONTCAR*"),
    description="VASP POSCAR / CONTCAR",
)  # fmt: skip
