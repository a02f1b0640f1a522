"""Read CIF files into pymatgen structures, one :class:`CifEntry` per data block.

A small CIF 1.1 tokenizer (kept here, ~100 lines) locates every tag and value by line, so a malformed file is
reported as ``file:line, field '_tag', value '...'`` with a hint, before pymatgen builds the structure.
pymatgen (``CifParser``) then builds each block's :class:`~pymatgen.core.Structure` with partial occupancies
kept.

Reading is all-or-nothing: :func:`read_cif` returns every entry of a file or raises
:class:`~matinfo.errors.StructureError`; it never returns part of a file.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from matinfo.errors import StructureError

if TYPE_CHECKING:
    from pymatgen.core import Structure

__all__ = ["OCCUPANCY_TOLERANCE", "SITE_TOLERANCE", "CifEntry", "read_cif", "read_cif_folder"]

#: Site occupancies summing to at most this are rescaled to 1; above it the file is rejected.
OCCUPANCY_TOLERANCE = 1.05
#: Fractional distance under which two ``_atom_site`` rows are the same site (their species are merged
#: into one mixed site, occupancies kept).  Sites further apart, even overlapping ones, stay separate.
SITE_TOLERANCE = 1e-4

_CELL_TAGS = (
    "_cell_length_a", "_cell_length_b", "_cell_length_c",
    "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma",
)  # fmt: skip
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(\(\d+\))?$")
_TOKEN = re.compile(r"""\s*(?:(\#.*)|'((?:[^']|'(?=\S))*)'(?=\s|$)|"((?:[^"]|"(?=\S))*)"(?=\s|$)|(\S+))""")
_UNKNOWN = ("?", ".")


@dataclass(frozen=True)
class CifEntry:
    """One data block of a CIF file, read.

    Attributes:
        block_name: name after ``data_`` (e.g. ``9008458``).
        cif_text: this block's text, verbatim.  The file's leading comment header belongs to the first
            block, so ``"".join(e.cif_text for e in read_cif(path)) == path.read_text()`` when every block
            holds a structure.
        structure: the cell as written (``primitive=False``), partial occupancies kept; sites closer than
            :data:`SITE_TOLERANCE` are one mixed site, overlapping partially occupied sites stay separate.
        formula: ``_chemical_formula_sum`` as written (quotes removed); if the block has none, the cell
            formula of ``structure`` (``Composition.formula``).
        source: file path, or the ``source=`` given for text.
        warnings: pymatgen parser warnings for this block (collected, not printed).
        metadata: bibliographic data found in the block: ``doi``, ``journal``, ``year`` (int), ``volume``,
            ``authors`` (tuple), ``title``, ``database_codes`` (from ``_database_code_*``, e.g.
            ``{"cod": "9008458", "amcsd": "0011134"}``), and ``cod_id`` (``_cod_database_code``) for COD
            files.
    """

    block_name: str
    cif_text: str
    structure: Structure
    formula: str
    source: str
    warnings: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------- tokenizer
@dataclass
class _Value:
    text: str
    line: int
    quoted: bool


@dataclass
class _Block:
    name: str
    line: int  # 1-based line of data_
    first_index: int  # 0-based line index where this block's verbatim text starts
    items: dict[str, list[_Value]] = field(default_factory=dict)
    tag_line: dict[str, int] = field(default_factory=dict)

    def value(self, tag: str) -> _Value | None:
        vals = self.items.get(tag)
        return vals[0] if vals else None


def _tokenize(text: str, source: str) -> list[tuple[str, _Value]]:
    """Split CIF text into ``(kind, value)`` tokens; kind is data, loop, tag or value."""
    tokens: list[tuple[str, _Value]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(";"):  # semicolon text field, up to the next line starting with ';'
            start, parts = i, [line[1:]]
            i += 1
            while i < len(lines) and not lines[i].startswith(";"):
                parts.append(lines[i])
                i += 1
            if i == len(lines):
                raise StructureError(
                    "text field opened with ';' is never closed", source=source, line=start + 1,
                    hint="end the text field with a line that starts with ';'",
                )  # fmt: skip
            tokens.append(("value", _Value("\n".join(parts).strip(), start + 1, True)))
            i += 1
            continue
        pos = 0
        while pos < len(line):
            m = _TOKEN.match(line, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
            comment, sq, dq, bare = m.groups()
            if comment is not None:
                break
            if sq is not None or dq is not None:
                tokens.append(("value", _Value(sq if sq is not None else dq, i + 1, True)))
                continue
            if bare is None:
                continue
            if bare[0] in "'\"":
                raise StructureError(
                    "unterminated quoted string", source=source, line=i + 1, value=bare[:40],
                    hint="close the quote (a closing quote must be followed by a space or the line end)",
                )  # fmt: skip
            low = bare.lower()
            kind = ("data" if low.startswith("data_") else "loop" if low == "loop_"
                    else "tag" if bare.startswith("_") else "value")  # fmt: skip
            tokens.append((kind, _Value(bare, i + 1, False)))
        i += 1
    return tokens


def _parse_blocks(text: str, source: str) -> list[_Block]:
    """Group tokens into data blocks with each tag's values (loops unrolled column-wise)."""
    tokens = _tokenize(text, source)
    blocks: list[_Block] = []
    k = 0
    while k < len(tokens):
        kind, tok = tokens[k]
        if kind == "data":
            blocks.append(_Block(tok.text[5:], tok.line, 0 if not blocks else tok.line - 1))
            k += 1
            continue
        if not blocks:
            raise StructureError(
                "no 'data_' block header before the first item; this is not a CIF file", source=source,
                line=tok.line, value=tok.text[:40], hint="a CIF starts with a line 'data_<name>'",
            )  # fmt: skip
        block = blocks[-1]
        if kind == "tag":
            if k + 1 >= len(tokens) or tokens[k + 1][0] != "value":
                raise StructureError(
                    "tag has no value", source=source, line=tok.line, field=tok.text,
                    hint="write a value after the tag ('?' if unknown)",
                )  # fmt: skip
            block.items[tok.text.lower()] = [tokens[k + 1][1]]
            block.tag_line[tok.text.lower()] = tok.line
            k += 2
        elif kind == "loop":
            tags: list[str] = []
            k += 1
            while k < len(tokens) and tokens[k][0] == "tag":
                tags.append(tokens[k][1].text.lower())
                block.tag_line[tags[-1]] = tokens[k][1].line
                k += 1
            values: list[_Value] = []
            while k < len(tokens) and tokens[k][0] == "value":
                values.append(tokens[k][1])
                k += 1
            if not tags or len(values) % len(tags):
                raise StructureError(
                    f"loop has {len(tags)} tags but {len(values)} values (not a multiple)", source=source,
                    line=tok.line, field=tags[0] if tags else "loop_",
                    hint="every row of a loop_ needs one value per tag; use '?' for unknown values",
                )  # fmt: skip
            for j, tag in enumerate(tags):
                block.items[tag] = values[j :: len(tags)]
        else:
            raise StructureError(
                "value without a tag", source=source, line=tok.line, value=tok.text[:40],
                hint="put the value after its '_tag', or inside a loop_",
            )  # fmt: skip
    if not blocks:
        raise StructureError(
            "no 'data_' block found; this is not a CIF file (empty or comments only)", source=source,
            hint="a CIF starts with a line 'data_<name>' followed by cell and _atom_site data",
        )  # fmt: skip
    return blocks


# ----------------------------------------------------------------------------------------------- checks
def _number(text: str) -> float:
    return float(text.split("(")[0])


def _check_block(block: _Block, source: str, occupancy_tolerance: float) -> None:
    """Raise StructureError at the first missing/non-numeric cell or coordinate value."""
    for tag in _CELL_TAGS:
        val = block.value(tag)
        if val is None:
            raise StructureError(
                f"data block {block.name!r} has no unit cell: {tag} is missing", source=source,
                line=block.line, field=tag,
                hint="add the six cell parameters _cell_length_a/b/c (Å) and _cell_angle_alpha/beta/gamma",
            )  # fmt: skip
        bad = not _NUMBER.match(val.text) or val.quoted
        number = None if bad else _number(val.text)
        if bad or number <= 0 or (tag.startswith("_cell_angle") and number >= 180):
            raise StructureError(
                "cell parameter is not a valid number", source=source, line=val.line, field=tag,
                value=val.text, hint="write a positive number such as 5.4307 or 5.4307(2); angles lie "
                "strictly between 0 and 180",
            )  # fmt: skip
    axes = [f"_atom_site_fract_{c}" for c in "xyz"]
    if not all(tag in block.items for tag in axes):
        raise StructureError(
            f"data block {block.name!r} has no atoms (no _atom_site_fract_x/y/z loop)", source=source,
            line=block.line, field="_atom_site_fract_x",
            hint="add a loop_ with _atom_site_label, _atom_site_type_symbol, _atom_site_fract_x/y/z (and "
            "_atom_site_occupancy for partial occupancy); Cartesian-only atom lists are not supported",
        )  # fmt: skip
    if "_atom_site_label" not in block.items:
        raise StructureError(
            f"data block {block.name!r} has atoms but no _atom_site_label column", source=source,
            line=block.tag_line[axes[0]], field="_atom_site_label",
            hint="add _atom_site_label to the atom loop, one unique label per row (e.g. Na1, Cl1)",
        )  # fmt: skip
    coordinate_hint = "write a number such as 0.25 or 0.2513(4) for every atom"
    checks = [(tag, "atom coordinate is not a number", coordinate_hint, None) for tag in axes]
    checks.append(
        (
            "_atom_site_occupancy",
            f"site occupancy is not a number between 0 and {occupancy_tolerance}",
            "write the occupancy as a number such as 0.5, or '?' if unknown (read as 1)",
            occupancy_tolerance,
        )
    )
    for tag, problem, hint, upper in checks:
        for val in block.items.get(tag, []):
            if upper is not None and not val.quoted and val.text in _UNKNOWN:
                continue
            bad = val.quoted or not _NUMBER.match(val.text)
            if bad or (upper is not None and not 0 <= _number(val.text) <= upper):
                raise StructureError(
                    problem, source=source, line=val.line, field=tag, value=val.text, hint=hint
                )


def _is_metadata_only(block: _Block) -> bool:
    return not any(t.startswith(("_cell_", "_atom_site_")) for t in block.items)


# ----------------------------------------------------------------------------------------------- metadata
def _first(block: _Block, *tags: str) -> str | None:
    for tag in tags:
        val = block.value(tag)
        if val is not None and (val.quoted or val.text not in _UNKNOWN) and val.text.strip():
            return " ".join(val.text.split())
    return None


def _metadata(block: _Block) -> dict[str, Any]:
    """Bibliographic metadata of a block (first citation when there are several)."""
    meta: dict[str, Any] = {}
    simple = {
        "doi": ("_journal_paper_doi", "_citation_doi", "_journal_doi"),
        "journal": ("_journal_name_full", "_citation_journal_full", "_journal_name_abbrev",
                    "_citation_journal_abbrev"),
        "volume": ("_journal_volume", "_citation_journal_volume"),
        "title": ("_publ_section_title", "_citation_title"),
        "year": ("_journal_year", "_citation_year"),
    }  # fmt: skip
    for key, tags in simple.items():
        value = _first(block, *tags)
        if value is not None:
            meta[key] = value
    if "year" in meta:
        try:
            meta["year"] = int(meta["year"])
        except ValueError:
            pass
    for tag in ("_publ_author_name", "_citation_author_name"):
        vals = [v.text for v in block.items.get(tag, []) if v.quoted or v.text not in _UNKNOWN]
        if vals:
            meta["authors"] = tuple(vals)
            break
    codes = {}
    for tag, vals in block.items.items():
        if tag.startswith("_database_code_") and vals and vals[0].text not in _UNKNOWN:
            codes[tag.removeprefix("_database_code_")] = vals[0].text
    if (cod := _first(block, "_cod_database_code")) is not None:
        codes["cod"] = meta["cod_id"] = cod
    if codes:
        meta["database_codes"] = codes
    return meta


# ----------------------------------------------------------------------------------------------- reading
def _pymatgen_structure(
    text: str, block: _Block, source: str, occupancy_tolerance: float
) -> tuple[Structure, tuple[str, ...]]:
    from pymatgen.io.cif import CifParser

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parser = CifParser.from_str(
                text, occupancy_tolerance=occupancy_tolerance, site_tolerance=SITE_TOLERANCE
            )
            structures = parser.parse_structures(primitive=False, on_error="raise")
        except Exception as exc:  # pymatgen raises ValueError, KeyError, IndexError...
            problem = str(exc).replace("No structure parsed for section 1 in CIF.\n", "").strip()
            tag, hint = None, "check the block against the CIF 1.1 specification"
            if "Occupancy" in problem:
                tag, hint = (
                    "_atom_site_occupancy",
                    (
                        f"site occupancies sum above occupancy_tolerance={occupancy_tolerance}; fix the "
                        "occupancies or pass a larger occupancy_tolerance"
                    ),
                )
            elif "no structures" in problem:
                tag, hint = "_atom_site_type_symbol", "give every atom site a known element symbol"
            raise StructureError(
                f"pymatgen could not build a structure from data block {block.name!r}: {problem}",
                source=source,
                line=block.tag_line.get(tag, block.line) if tag else block.line,
                field=tag,
                hint=hint,
            ) from exc
    messages = list(dict.fromkeys([*parser.warnings, *(str(w.message) for w in caught)]))
    messages = [m for m in messages if not m.startswith("Issues encountered while parsing CIF")]
    if len(structures) != 1:
        raise StructureError(
            f"expected one structure in data block {block.name!r}, pymatgen built {len(structures)}",
            source=source, line=block.line, hint="split the block into one block per structure",
        )  # fmt: skip
    return structures[0], tuple(messages)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data:
        raise StructureError(
            "file is binary, not a CIF text file", source=str(path), hint="give the path of a .cif text file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_cif(
    path_or_text: str | Path,
    *,
    source: str | None = None,
    occupancy_tolerance: float = OCCUPANCY_TOLERANCE,
) -> list[CifEntry]:
    """Read every data block of a CIF file (or CIF text) into :class:`CifEntry` objects.

    Args:
        path_or_text: a file path (``Path`` or ``str``), or CIF text (a ``str`` containing a newline or
            starting with ``data_``).
        source: name used in errors and ``CifEntry.source`` (default: the path, or ``"<string>"``).
        occupancy_tolerance: site occupancy sums up to this are rescaled to 1; above it the file is rejected.

    Returns:
        One entry per data block holding structure data, in file order.  A block with neither cell nor
        atom data (a publication-only ``data_global`` block) gives no entry; its metadata fills the gaps of
        the others.

    Raises:
        StructureError: malformed CIF (no data block, missing cell, no atoms, non-numeric value...),
            located by file, line, tag and value.  Nothing is returned for a file with any bad block.
        FileNotFoundError: the path does not exist.

    Example:
        >>> text = "data_x\\n_cell_length_a 4\\n_cell_length_b 4\\n_cell_length_c 4\\n" \\
        ...     "_cell_angle_alpha 90\\n_cell_angle_beta 90\\n_cell_angle_gamma 90\\n" \\
        ...     "loop_\\n_atom_site_label\\n_atom_site_fract_x\\n" \\
        ...     "_atom_site_fract_y\\n_atom_site_fract_z\\n" \\
        ...     "Po1 0 0 0\\n"
        >>> [(e.block_name, e.formula, len(e.structure)) for e in read_cif(text)]
        [('x', 'Po1', 1)]
    """
    if isinstance(path_or_text, Path) or ("\n" not in path_or_text and not path_or_text.startswith("data_")):
        path = Path(path_or_text)
        if not path.is_file():
            raise FileNotFoundError(f"CIF file not found: {path}")
        text, src = _read_text(path), source or str(path)
    else:
        text, src = path_or_text, source or "<string>"
    blocks = _parse_blocks(text, src)
    lines = text.splitlines(keepends=True)
    structural = [b for b in blocks if not _is_metadata_only(b)]
    if not structural:
        _check_block(blocks[0], src, occupancy_tolerance)  # raises: no cell
    shared_meta: dict[str, Any] = {}
    for b in blocks:
        if _is_metadata_only(b):
            shared_meta = {**_metadata(b), **shared_meta}
    for b in structural:
        _check_block(b, src, occupancy_tolerance)
    entries = []
    for idx, b in enumerate(blocks):
        if _is_metadata_only(b):
            continue
        end = blocks[idx + 1].first_index if idx + 1 < len(blocks) else len(lines)
        block_text = "".join(lines[b.first_index : end])
        structure, messages = _pymatgen_structure(block_text, b, src, occupancy_tolerance)
        formula = _first(b, "_chemical_formula_sum") or structure.composition.formula
        entries.append(
            CifEntry(
                block_name=b.name, cif_text=block_text, structure=structure, formula=formula, source=src,
                warnings=messages, metadata={**shared_meta, **_metadata(b)},
            )
        )  # fmt: skip
    return entries


def read_cif_folder(
    folder: str | Path,
    *,
    pattern: str = "*.cif",
    on_error: Literal["raise", "skip"] = "raise",
) -> Iterator[tuple[Path, list[CifEntry] | StructureError]]:
    """Read the CIF files of a folder, in sorted path order, one file at a time.

    Args:
        folder: directory to read.
        pattern: glob pattern relative to ``folder`` (``"**/*.cif"`` to recurse).
        on_error: ``"raise"`` stops at the first malformed file; ``"skip"`` yields
            ``(path, StructureError)`` for it and goes on, so the caller can log or count failures.

    Yields:
        ``(path, entries)`` for each good file, ``(path, error)`` for each bad one when ``on_error="skip"``.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    root = Path(folder)
    if not root.is_dir():
        raise NotADirectoryError(f"not a folder: {root}")
    for path in sorted(p for p in root.glob(pattern) if p.is_file()):
        try:
            entries = read_cif(path)
        except StructureError as err:
            if on_error == "raise":
                raise
            yield path, err
        else:
            yield path, entries
