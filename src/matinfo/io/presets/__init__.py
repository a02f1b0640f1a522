"""Import presets: known data sets, shipped with matinfo, and readers for user files in the same formats.

>>> preset_names()[:3]
['crystal-structures', 'elements', 'formation-enthalpies']
>>> p = PRESETS["obelix"]
>>> p.dataset.license
'CC-BY-4.0'
>>> first = next(iter(p.read()))      # the shipped copy; p.read("my_obelix.csv") reads a user's file
>>> first.formula, first.properties[0].quantity
('Li7BiO6', 'ionic_conductivity')

Each preset's ``read(path=None)`` streams :class:`~matinfo.core.records.MaterialIn` (and, for
``formation-enthalpies``, :class:`~matinfo.core.records.PhaseDiagramIn`) records for ``Database.write``, with
``dataset`` (name, license, citation, url, description) to store them under.  What each preset makes of its
columns is documented in its module and in ``docs/mappings.md``.
"""

from __future__ import annotations

from matinfo.errors import MappingError
from matinfo.io.presets import (
    crystal_structures,
    elements,
    formation_enthalpies,
    janaf,
    matbench,
    obelix,
    thermoelectrics,
)
from matinfo.io.presets._base import DATA_DIR, ROOM_TEMPERATURE_K, Preset, data_path

__all__ = ["DATA_DIR", "PRESETS", "ROOM_TEMPERATURE_K", "Preset", "data_path", "get_preset", "preset_names"]

#: All presets by name.
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in sorted(
        (
            obelix.PRESET,
            thermoelectrics.SYSTEME_PRESET,
            thermoelectrics.ESTM_PRESET,
            matbench.EXPT_GAP,
            matbench.EXPT_IS_METAL,
            matbench.GLASS,
            janaf.PRESET,
            crystal_structures.PRESET,
            formation_enthalpies.PRESET,
            elements.PRESET,
        ),
        key=lambda p: p.name,
    )
}


def preset_names() -> list[str]:
    """Names of all presets, sorted."""
    return list(PRESETS)


def get_preset(name: str) -> Preset:
    """The preset called ``name``; :class:`MappingError` with the closest names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(name, PRESETS, n=2, cutoff=0.4)
        hint = (
            f"did you mean {' or '.join(map(repr, near))}? " if near else ""
        ) + f"presets: {', '.join(PRESETS)}"
        raise MappingError("unknown preset", field="preset", value=name, hint=hint) from None
