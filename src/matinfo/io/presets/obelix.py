"""OBELiX (training split): room-temperature Li-ion conductivities of solid electrolytes, with CIFs.

One :class:`MaterialIn` per row:

* ``formula`` ← ``Reduced Composition``: the formula per formula unit as the papers print it (site groups
  such as ``Li1.5Al0.5Ge1.5(PO4)3`` kept).  ``True Composition`` is Z × that formula (the cell contents), with
  rounded amounts (``Li0.38`` for ``Li0.375``) and at least one inconsistent row (``r5y``), so it is not used.
* ``ionic_conductivity`` (S/cm) at 298.15 K ← ``Ionic conductivity (S cm-1)``, the data set's headline value;
  censored values (``<1E-10``) are passed on as text.  ``IC (Total)``/``IC (Bulk)`` (given for 30 rows) say which
  kind it is: condition ``conductivity_kind`` = ``"total"`` (equals ``IC (Total)``) or ``"bulk"`` (equals only
  ``IC (Bulk)``); otherwise no kind is stated.  A bulk (or total) value that differs from the headline is a
  second ``ionic_conductivity`` with its own ``conductivity_kind``.
* ``name`` ← ``Family`` (NASICON, garnet, ...), a free-text label; ``space_group`` ← ``Space group #``
  (else the symbol); ``reference`` ← ``DOI`` (the measurement paper).
* ``structure`` ← ``cifs/<ID>.cif`` beside the CSV, when it exists (254 of 478 rows).
* external IDs: ``obelix`` (ID), ``icsd``, ``laskowski``, ``liion`` (IDs in the source compilations).

Not imported: the lattice parameters a, b, c, α, β, γ (the quantity registry has no per-axis quantities; the
store reads them from the CIF where there is one), Z, ``Checked``, ``note`` and the CIF provenance columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn, StructureIn
from matinfo.errors import ImportDataError
from matinfo.io.presets._base import ROOM_TEMPERATURE_K, Preset, require_columns, temperature
from matinfo.io.tabular import as_id, iter_rows, parse_cell

IC = "Ionic conductivity (S cm-1)"
REQUIRED = ("ID", "Reduced Composition", IC)

DATASET = DatasetIn(
    name="obelix",
    description="OBELiX training split: 478 Li-ion solid electrolytes with experimental room-temperature ionic "
    "conductivity, space group, family, measurement DOI and 254 CIFs (positions with small random noise).",
    license="CC-BY-4.0",
    citation='F. Therrien et al., "OBELiX: A Curated Dataset of Crystal Structures and Experimentally Measured '
    'Ionic Conductivities for Lithium Solid-State Electrolytes", arXiv:2502.14234 (2025); built from '
    "A. J. Hargreaves et al., npj Comput. Mater. 9, 9 (2023) and F. A. L. Laskowski et al., Energy Environ. Sci. "
    "16, 1264 (2023).",
    url="https://github.com/NRC-Mila/OBELiX",
)

_EXTERNAL = (("obelix", "ID"), ("icsd", "ICSD ID"), ("laskowski", "Laskowski ID"), ("liion", "Liion ID"))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def _conductivities(row: dict[str, str], loc: str) -> list[PropertyIn]:
    headline = parse_cell(row[IC])
    total = parse_cell(row.get("IC (Total)"))
    bulk = parse_cell(row.get("IC (Bulk)"))

    def prop(value: object, kind: str | None) -> PropertyIn:
        conds: dict[str, object] = {"temperature": temperature(ROOM_TEMPERATURE_K)}
        if kind:
            conds["conductivity_kind"] = kind
        return PropertyIn("ionic_conductivity", value, "S/cm", conditions=conds, location=loc)

    out = []
    if headline is not None:
        kind = (
            "total"
            if total is not None and _same(total, headline)
            else ("bulk" if bulk is not None and _same(bulk, headline) else None)
        )
        out.append(prop(headline, kind))
    for kind, value in (("total", total), ("bulk", bulk)):
        if value is not None and (headline is None or not _same(value, headline)):
            out.append(prop(value, kind))
    return out


def read_obelix(path: Path, source: str) -> Iterator[MaterialIn]:
    """Stream OBELiX rows (``train.csv``/``test.csv`` layout); CIFs are looked up in ``cifs/`` beside the CSV."""
    header = require_columns(path, REQUIRED, "obelix")
    cif_dir = path.parent / "cifs"
    for line, row in iter_rows(path, source=source):
        loc = f"{source}:{line}"
        formula = row["Reduced Composition"].strip()
        if not formula:
            raise ImportDataError(
                "empty formula",
                source=source,
                line=line,
                field="Reduced Composition",
                value=row["Reduced Composition"],
                hint="fill the cell or remove the row",
            )
        sg = parse_cell(row.get("Space group #"))
        space_group: int | str | None = int(sg) if isinstance(sg, float) and sg.is_integer() else None
        if space_group is None and "Space group" in header:
            space_group = parse_cell(row["Space group"])
            space_group = None if space_group is None else str(space_group)
        doi = parse_cell(row.get("DOI"))
        ref = ReferenceIn(doi=str(doi)) if doi is not None else None
        structure = None
        ident = row["ID"].strip()
        cif = cif_dir / f"{ident}.cif"
        if ident and cif.is_file():
            structure = StructureIn(cif=cif.read_text(encoding="utf-8", errors="replace"), source=cif.name)
        ext = tuple(
            (name, as_id(row[col])) for name, col in _EXTERNAL if parse_cell(row.get(col)) is not None
        )
        family = parse_cell(row.get("Family"))
        yield MaterialIn(
            formula=formula,
            name=None if family is None else str(family),
            structure=structure,
            space_group=space_group,
            reference=ref,
            properties=tuple(_conductivities(row, loc)),
            external_ids=ext,
            location=loc,
        )


PRESET = Preset(
    name="obelix",
    description="OBELiX Li-ion conductivity (training split, 478 materials, 254 CIFs)",
    dataset=DATASET,
    data_dir="obelix",
    default_file="obelix_train.csv",
    expects="an OBELiX CSV (columns ID, Reduced Composition, 'Ionic conductivity (S cm-1)', ...; "
    "CIFs in cifs/<ID>.cif beside it)",
    reader=read_obelix,
)
