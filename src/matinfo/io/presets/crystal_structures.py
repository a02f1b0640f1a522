"""375 experimental crystal structures: 288 AFLOW prototypes (Part 1) and 87 COD entries, with index CSVs.

One :class:`MaterialIn` per CIF, with the CIF as :class:`StructureIn`:

* AFLOW part (``aflow_prototypes_part1_index.csv``): formula = the reduced cell formula (``Hg3 S3`` → ``HgS``),
  ``prototype`` = the AFLOW label, ``space_group`` = the label's number, ``name`` = the mineral name if any,
  external ID ``("aflow_prototype", label)``, reference parsed from the ``reference`` column
  (``authors; title; journal; volume; year`` — fields missing upstream stay empty).
* COD part (``cod_crystals_pkg_index.csv``): formula = ``formula_sum`` as in the CIF (``Ba O3 Ti`` → ``BaO3Ti``;
  molecular ``Br2``, ``S8`` kept), ``space_group`` = the H-M symbol, ``name`` = the file stem (``Pu-alpha``),
  external ID ``("cod", id)``, reference from ``journal``/``year``/``doi`` completed with the CIF's
  ``_journal_paper_doi``, ``_publ_author_name``, ``_publ_section_title``, ``_journal_volume``.

``read(path)`` takes a folder holding either index CSV (CIFs in the folder named like the index without
``_index``), or one index CSV.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import reduce
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, ReferenceIn, StructureIn
from matinfo.errors import ImportDataError, MappingError
from matinfo.io.presets._base import Preset
from matinfo.io.tabular import iter_rows, parse_cell, read_header

AFLOW_INDEX = "aflow_prototypes_part1_index.csv"
COD_INDEX = "cod_crystals_pkg_index.csv"

DATASET = DatasetIn(
    name="crystal-structures",
    description="375 experimental crystal structures as CIF: the 288 structures of the AFLOW Library of "
    "Crystallographic Prototypes Part 1 (P1 CIFs from pymatgen's aflow_prototypes.json, with AFLOW label, "
    "Pearson symbol, Strukturbericht and original reference) and 87 verbatim COD CIFs (elements, BaTiO3, FeAs, "
    "GaAs, SiC, VO2) from the 'crystals' package.",
    license="MIT (AFLOW part, via pymatgen); COD entries open data (CC0), attribution to the original articles",
    citation='M. J. Mehl et al., "The AFLOW Library of Crystallographic Prototypes: Part 1", Comput. Mater. Sci. '
    '136, S1-S828 (2017), doi:10.1016/j.commatsci.2017.01.017; S. Gražulis et al., "Crystallography Open '
    'Database - an open-access collection of crystal structures", J. Appl. Cryst. 42, 726-729 (2009); '
    "plus the original article of each structure (in each record's reference).",
    url="https://www.aflowlib.org/prototype-encyclopedia/ ; https://www.crystallography.net/",
)

_TOKEN = re.compile(r"([A-Z][a-z]?)\s*(\d*\.?\d*)")
_JOURNAL_WORDS = (
    "journal",
    "acta",
    "zeitschrift",
    "annalen",
    "naturwissenschaften",
    "review",
    "letters",
    "mitteilungen",
    "mineralogist",
    "bulletin",
    "chemistry",
    "physics",
    "crystallograph",
)


def reduced_formula(cell: str) -> str:
    """``'Hg3 S3'`` → ``'HgS'`` (integer amounts divided by their gcd, order kept)."""
    pairs = [(el, n) for el, n in _TOKEN.findall(cell)]
    counts = [int(float(n)) if n else 1 for _, n in pairs]
    if not pairs or any(float(n or 1) != c for (_, n), c in zip(pairs, counts, strict=True)):
        return "".join(cell.split())
    g = reduce(math.gcd, counts)
    return "".join(
        el + (str(c // g) if c // g != 1 else "") for (el, _), c in zip(pairs, counts, strict=True)
    )


def _looks_like_authors(s: str) -> bool:
    return (
        " and " in s
        or bool(re.match(r"^([A-Z][a-z]*\.[\s-]?)+\s*[A-Z]", s))
        or bool(re.search(r"\b[A-Z]\. [A-Z]", s))
    )


def parse_aflow_reference(text: str | None) -> ReferenceIn | None:
    """``'authors; title; journal; volume; year'`` (fields may be missing) → :class:`ReferenceIn`."""
    if not text or not text.strip() or text.strip() == "None":
        return None
    parts = [p.strip() for p in text.split("; ")]
    fields: dict[str, object] = {}
    if parts and re.fullmatch(r"\d{4}", parts[-1]):
        year = int(parts.pop())
        if year > 0:
            fields["year"] = year
    elif parts and parts[-1].startswith("_"):
        parts.pop()  # '_journal_year' placeholder upstream
    if parts and len(parts[-1]) <= 6 and re.fullmatch(r"\d+[A-Za-z]?|[A-Za-z]?\d+", parts[-1]):
        volume = parts.pop()
        if volume != "0":
            fields["volume"] = volume
    if parts and _looks_like_authors(parts[0]):
        fields["authors"] = parts.pop(0)
    if len(parts) >= 2:
        fields["journal"] = parts.pop()
        fields["title"] = "; ".join(parts)
    elif parts:
        key = (
            "journal"
            if any(w in parts[0].lower() for w in _JOURNAL_WORDS) and len(parts[0]) < 70
            else "title"
        )
        fields[key] = parts[0]
    fields = {k: v for k, v in fields.items() if v not in ("None", "")}
    return ReferenceIn(**fields) if fields else None  # type: ignore[arg-type]


def _cif_tag(cif: str, tag: str) -> str | None:
    m = re.search(rf"^{tag}[ \t]+(.+?)\s*$", cif, re.MULTILINE)
    if m:
        return m.group(1).strip().strip("'\"") or None
    m = re.search(rf"^{tag}\s*\n;\s*(.*?)\n;", cif, re.MULTILINE | re.DOTALL)
    return " ".join(m.group(1).split()) if m else None


def _cif_authors(cif: str) -> str | None:
    m = re.search(
        r"^_publ_author_name\s*\n((?:\s*'[^'\n]*(?:''[^'\n]*)*'\s*\n|\s*\"[^\"\n]*\"\s*\n)+)",
        cif,
        re.MULTILINE,
    )
    if not m:
        return None
    names = [n.strip().strip("'\"") for n in m.group(1).strip().splitlines()]
    return "; ".join(n for n in names if n) or None


def _read_cif(cif_dir: Path, name: str, source: str, line: int) -> StructureIn:
    path = cif_dir / name
    try:
        return StructureIn(cif=path.read_text(encoding="utf-8", errors="replace"), source=name)
    except OSError as exc:
        raise ImportDataError(
            f"cannot read the CIF file ({exc.strerror or exc})",
            source=source,
            line=line,
            field="file",
            value=name,
            hint=f"the CIFs must be in {cif_dir}",
        ) from None


def _aflow(index: Path, cif_dir: Path, source: str) -> Iterator[MaterialIn]:
    for line, row in iter_rows(index, source=source):
        loc = f"{source}:{line}"
        structure = _read_cif(cif_dir, row["file"].strip(), source, line)
        label = row["aflow_label"].strip() or None
        mineral = parse_cell(row.get("mineral"))
        sg = parse_cell(row.get("space_group_number"))
        yield MaterialIn(
            formula=reduced_formula(row["formula_cell"]),
            name=None if mineral is None else str(mineral),
            structure=structure,
            space_group=int(sg) if isinstance(sg, float) else None,
            prototype=label,
            reference=parse_aflow_reference(row.get("reference")),
            external_ids=(("aflow_prototype", label),) if label else (),
            location=loc,
        )


def _cod(index: Path, cif_dir: Path, source: str) -> Iterator[MaterialIn]:
    for line, row in iter_rows(index, source=source):
        loc = f"{source}:{line}"
        name = row["file"].strip()
        structure = _read_cif(cif_dir, name, source, line)
        cif = structure.cif
        year = parse_cell(row.get("year"))
        fields = {
            "doi": parse_cell(row.get("doi")) or _cif_tag(cif, "_journal_paper_doi"),
            "journal": parse_cell(row.get("journal")) or _cif_tag(cif, "_journal_name_full"),
            "year": int(year) if isinstance(year, float) else None,
            "authors": _cif_authors(cif),
            "title": _cif_tag(cif, "_publ_section_title"),
            "volume": _cif_tag(cif, "_journal_volume"),
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        cod_id = (row.get("cod_id") or "").strip()
        sg = parse_cell(row.get("space_group"))
        yield MaterialIn(
            formula="".join(row["formula_sum"].split()),
            name=Path(name).stem,
            structure=structure,
            space_group=None if sg is None else str(sg),
            reference=ReferenceIn(**fields) if fields else None,
            external_ids=(("cod", cod_id),) if cod_id else (),
            location=loc,
        )


def read_crystal_structures(path: Path, source: str) -> Iterator[MaterialIn]:
    """Stream a folder with the AFLOW and/or COD index CSVs (and CIF folders), or one index CSV."""
    indexes = [path] if path.is_file() else [p for p in (path / AFLOW_INDEX, path / COD_INDEX) if p.is_file()]
    if not indexes:
        raise ImportDataError(
            "no index CSV found",
            source=str(path),
            hint=f"the folder must hold {AFLOW_INDEX} and/or {COD_INDEX}",
        )
    for index in indexes:
        header = read_header(index)
        cif_dir = index.parent / index.name.replace("_index.csv", "")
        if "aflow_label" in header:
            yield from _aflow(index, cif_dir, index.name)
        elif "cod_id" in header:
            yield from _cod(index, cif_dir, index.name)
        else:
            raise MappingError(
                "not a crystal-structures index",
                source=index.name,
                field="header",
                value=", ".join(header),
                hint="expected columns file, aflow_label, formula_cell, ... or file, cod_id, formula_sum",
            )


PRESET = Preset(
    name="crystal-structures",
    description="375 experimental crystal structures (288 AFLOW prototypes + 87 COD CIFs)",
    dataset=DATASET,
    data_dir="crystal_structures",
    default_file=".",
    expects=f"a folder with {AFLOW_INDEX} and/or {COD_INDEX} and the CIF folders, or one index CSV",
    reader=read_crystal_structures,
)
