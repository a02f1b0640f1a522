"""CIF files and folders → :class:`~matinfo.core.records.MaterialIn` records (one per data block)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from matinfo.core.records import BadRecord, MaterialIn, ReferenceIn, StructureIn
from matinfo.errors import StructureError

__all__ = ["cif_records"]


def _int(value) -> int | None:
    try:
        return int(str(value).strip()[:4])
    except (TypeError, ValueError):
        return None


def cif_records(path: str | Path, *, pattern: str = "*.cif") -> Iterator[MaterialIn | BadRecord]:
    """Read one CIF file, or every ``pattern`` file under a folder (sorted), as material records.

    The formula is the CIF's ``_chemical_formula_sum`` when given, else the cell composition; the CIF's
    journal/DOI tags become the reference.  A malformed file yields a :class:`BadRecord` carrying the
    :class:`~matinfo.errors.StructureError` that names it: the store raises it (nothing written), or with
    ``skip_bad`` reports it as a reject and goes on with the other files.
    """
    from matinfo.io.cif import read_cif

    path = Path(path)
    files = sorted(path.rglob(pattern)) if path.is_dir() else [path]
    for f in files:
        try:
            entries = read_cif(f, source=str(f))
        except StructureError as e:
            yield BadRecord(f"{f}", f.name, e)
            continue
        for i, entry in enumerate(entries):
            meta = entry.metadata or {}
            ref = ReferenceIn(
                doi=meta.get("doi"),
                authors=meta.get("authors"),
                title=meta.get("title"),
                journal=meta.get("journal"),
                year=_int(meta.get("year")),
            )
            formula = entry.formula or entry.structure.composition.formula
            ext = (("cod", str(meta["cod_id"])),) if meta.get("cod_id") else ()
            yield MaterialIn(
                formula=formula,
                name=f"{f.stem}" if i == 0 else f"{f.stem}#{entry.block_name}",
                structure=StructureIn(cif=entry.cif_text, source=f.name, structure=entry.structure),
                reference=ref if ref.key else None,
                external_ids=ext,
                location=f"{f}:1",
            )
