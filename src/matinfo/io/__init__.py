"""matinfo.io — read crystal structures, tables (CSV + TOML mapping), JSON records and known data sets.

Public API::

    read_cif(path_or_text, *, source=None, occupancy_tolerance=OCCUPANCY_TOLERANCE) -> list[CifEntry]
    read_cif_folder(folder, *, pattern="*.cif", on_error="raise")
        -> Iterator[(Path, list[CifEntry] | StructureError)]
    read_structures(path, *, format=None) -> list[CifEntry]          # format registry (cif, poscar)
    structure_info(structure, *, symprec=SYMPREC, angle_tolerance=ANGLE_TOLERANCE, prototype=True)
        -> StructureInfo
    assign_prototype(structure, *, space_group_number=None, symprec=None) -> PrototypeAssignment

    load_mapping(path) -> Mapping; read_table(csv, mapping) -> Iterator[MaterialIn]     # CSV + TOML mapping
    read_json_records(path) / write_json_records(records, path)                           # matinfo JSON
    cif_records(path) -> Iterator[MaterialIn]                                             # CIF files / folders
    PRESETS, get_preset(name), preset_names()                                             # shipped data sets

Importing this package is cheap: pymatgen and spglib are imported by the functions that need them.
"""

from __future__ import annotations

from matinfo.io.cif import OCCUPANCY_TOLERANCE, SITE_TOLERANCE, CifEntry, read_cif, read_cif_folder
from matinfo.io.cif_records import cif_records
from matinfo.io.prototypes import PrototypeAssignment, assign_prototype
from matinfo.io.registry import StructureFormat, known_formats, read_structures, register_format
from matinfo.io.structure_info import (
    ANGLE_TOLERANCE,
    SYMPREC,
    SYMPREC_LADDER,
    LatticeParameters,
    StructureInfo,
    crystal_system,
    structure_info,
)

__all__ = [
    "ANGLE_TOLERANCE",
    "OCCUPANCY_TOLERANCE",
    "SITE_TOLERANCE",
    "SYMPREC",
    "SYMPREC_LADDER",
    "CifEntry",
    "LatticeParameters",
    "PrototypeAssignment",
    "StructureFormat",
    "StructureInfo",
    "assign_prototype",
    "crystal_system",
    "known_formats",
    "read_cif",
    "read_cif_folder",
    "read_structures",
    "register_format",
    "structure_info",
    "cif_records",
    "load_mapping",
    "read_table",
    "Mapping",
    "read_json_records",
    "write_json_records",
    "PRESETS",
    "Preset",
    "get_preset",
    "preset_names",
]

_LAZY = {
    "load_mapping": "matinfo.io.tabular",
    "read_table": "matinfo.io.tabular",
    "Mapping": "matinfo.io.tabular",
    "read_json_records": "matinfo.io.jsonio",
    "write_json_records": "matinfo.io.jsonio",
    "PRESETS": "matinfo.io.presets",
    "Preset": "matinfo.io.presets",
    "get_preset": "matinfo.io.presets",
    "preset_names": "matinfo.io.presets",
}


def __getattr__(name: str):
    """Table, JSON and preset readers load on first use (they pull in more of the stack)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'matinfo.io' has no attribute {name!r}")
