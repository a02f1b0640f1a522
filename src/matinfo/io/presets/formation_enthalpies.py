"""Experimental standard formation enthalpies of 2,135 inorganic compounds (pymatgen's ``exp_compounds.json.gz``).

The file is a list of ``{"formula", "exp energy", "uncertainty", "mpid"}``.  ``exp energy`` is ΔH°f at 298 K in
**eV per formula unit as written** (pymatgen's ``CorrectionCalculator`` docstring says so; checked: NaCl
−4.2628 eV = −411.3 kJ/mol, ZnO −350.5, CaTiO3 −1660.6, Al2O3 −17.289 eV = −1668 kJ/mol vs −1675.7 in
NIST-JANAF).  The registry stores ``formation_enthalpy`` per atom, so the reader divides value and uncertainty
by the number of atoms of the formula and passes ``eV/atom``.  NaN uncertainties (301) are left out.

Each compound becomes a :class:`MaterialIn` (condition temperature 298.15 K, external ID ``("mp", mpid)``, the
Materials Project entry the authors matched).  Then, for every chemical system spanned by a compound of the
table that holds at least two compounds (its own and its subsystems'), a :class:`PhaseDiagramIn` of type
``"formation-enthalpy convex hull (298 K)"``: pymatgen's ``PhaseDiagram`` of the formation enthalpies with the
elements at 0.  ``data`` holds ``elements``, ``stable`` (formulas on the hull, elements included) and
``entries``: per compound ``formula``, ``formation_enthalpy`` (eV/atom), ``e_above_hull`` (eV/atom),
``stable`` and, when above the hull, ``decomposes_to`` (the hull phases at its composition).
"""

from __future__ import annotations

import gzip
import json
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from matinfo.core.records import DatasetIn, MaterialIn, PhaseDiagramIn, PropertyIn, ReferenceIn
from matinfo.errors import ImportDataError
from matinfo.io.presets._base import ROOM_TEMPERATURE_K, Preset, temperature

DIAGRAM_TYPE = "formation-enthalpy convex hull (298 K)"
WANG2021 = ReferenceIn(
    doi="10.1038/s41598-021-94550-5",
    authors="A. Wang, R. Kingsbury, M. McDermott, M. Horton, A. Jain, S. P. Ong, S. Dwaraknath, K. A. Persson",
    title="A framework for quantifying uncertainty in DFT energy corrections",
    journal="Scientific Reports",
    year=2021,
    volume="11",
    pages="15496",
)

DATASET = DatasetIn(
    name="formation-enthalpies",
    description="Experimental standard formation enthalpies (298 K) of 2,135 inorganic compounds, the data "
    "pymatgen uses to fit the Materials Project MP2020 energy corrections; stored per atom; with the convex "
    "hulls (phase stability at 298 K) of every chemical system holding two or more of the compounds.",
    license="MIT (pymatgen)",
    citation='A. Wang et al., "A framework for quantifying uncertainty in DFT energy corrections", Sci. Rep. 11, '
    "15496 (2021), doi:10.1038/s41598-021-94550-5 (data file pymatgen/analysis/compatibility/exp_compounds.json.gz; "
    'experimental values from standard thermochemical tables, see that paper); S. P. Ong et al., "Python '
    'Materials Genomics (pymatgen)", Comput. Mater. Sci. 68, 314-319 (2013).',
    url="https://github.com/materialsproject/pymatgen",
)


def _load(path: Path, source: str) -> list[Any]:
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            doc = json.load(fh)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportDataError(
            f"cannot read the JSON ({exc})",
            source=source,
            hint="expected pymatgen's exp_compounds.json(.gz) layout",
        ) from None
    if not isinstance(doc, list):
        raise ImportDataError(
            "expected a list of {formula, exp energy, uncertainty, mpid}",
            source=source,
            value=type(doc).__name__,
        )
    return doc


def _finite(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(x)


def read_formation_enthalpies(path: Path, source: str) -> Iterator[MaterialIn | PhaseDiagramIn]:
    """Stream the compounds (:class:`MaterialIn`), then the convex hulls (:class:`PhaseDiagramIn`)."""
    from pymatgen.core import Composition

    doc = _load(path, source)
    compounds: list[tuple[str, Any, float, str | None]] = []  # formula, composition, eV/fu, mpid
    for i, item in enumerate(doc):
        where = f"[{i}]"
        if not isinstance(item, dict):
            raise ImportDataError("entry is not an object", source=source, field=where, value=item)
        formula, energy = item.get("formula"), _finite(item.get("exp energy"))
        if not isinstance(formula, str) or not formula.strip():
            raise ImportDataError("missing formula", source=source, field=f"{where}.formula", value=formula)
        if energy is None:
            raise ImportDataError(
                "'exp energy' is not a number",
                source=source,
                field=f"{where}.exp energy",
                value=item.get("exp energy"),
                hint="give the formation enthalpy in eV per formula unit",
            )
        try:
            comp = Composition(formula)
        except Exception:  # pymatgen raises ValueError or its own CompositionError
            raise ImportDataError(
                "cannot read the formula", source=source, field=f"{where}.formula", value=formula
            ) from None
        n = comp.num_atoms
        unc = _finite(item.get("uncertainty"))
        mpid = item.get("mpid")
        compounds.append((formula, comp, energy, mpid))
        yield MaterialIn(
            formula=formula,
            reference=WANG2021,
            properties=(
                PropertyIn(
                    "formation_enthalpy",
                    energy / n,
                    "eV/atom",
                    uncertainty=None if unc is None else abs(unc) / n,
                    conditions={"temperature": temperature(ROOM_TEMPERATURE_K)},
                    location=f"{source}:{where}",
                ),
            ),
            external_ids=(("mp", str(mpid)),) if mpid else (),
            location=f"{source}:{where}",
        )
    yield from hulls(compounds, source)


def hulls(
    compounds: list[tuple[str, Any, float, str | None]], source: str | None = None
) -> Iterator[PhaseDiagramIn]:
    """Convex hulls of formation enthalpies: one :class:`PhaseDiagramIn` per chemical system of a compound
    that holds at least two compounds.  ``compounds``: ``(formula, Composition, ΔHf in eV/fu, mpid)``."""
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
    from pymatgen.core import Composition

    element_sets = [frozenset(e.symbol for e in comp.elements) for _, comp, _, _ in compounds]
    for system in sorted(set(element_sets), key=lambda s: (len(s), sorted(s))):
        members = [c for c, els in zip(compounds, element_sets, strict=True) if els <= system]
        if len(members) < 2:
            continue
        elements = sorted(system)
        entries = [PDEntry(Composition(el), 0.0, name=el) for el in elements]
        entries += [PDEntry(comp, energy, name=formula) for formula, comp, energy, _ in members]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd = PhaseDiagram(entries)
        stable = {id(e) for e in pd.stable_entries}
        rows = []
        for entry, (formula, comp, energy, mpid) in zip(entries[len(elements) :], members, strict=True):
            decomp, e_hull = pd.get_decomp_and_e_above_hull(entry, allow_negative=True)
            row: dict[str, Any] = {
                "formula": formula,
                "formation_enthalpy": energy / comp.num_atoms,
                "e_above_hull": max(0.0, float(e_hull)),
                "stable": id(entry) in stable,
            }
            if mpid:
                row["mpid"] = str(mpid)
            if not row["stable"]:
                row["decomposes_to"] = sorted(d.name for d in decomp)
            rows.append(row)
        yield PhaseDiagramIn(
            chemical_system="-".join(elements),
            diagram_type=DIAGRAM_TYPE,
            t_min_K=ROOM_TEMPERATURE_K,
            t_max_K=ROOM_TEMPERATURE_K,
            source=source,
            data={
                "energy": "formation_enthalpy",
                "unit": "eV/atom",
                "temperature_K": ROOM_TEMPERATURE_K,
                "elements": elements,
                "stable": [e.name for e in entries if id(e) in stable],
                "entries": rows,
            },
            reference=WANG2021,
        )


PRESET = Preset(
    name="formation-enthalpies",
    description="Experimental formation enthalpies at 298 K (2,135 compounds, eV/atom) and their convex hulls",
    dataset=DATASET,
    data_dir="formation_enthalpies",
    default_file="exp_compounds.json.gz",
    expects='a JSON list of {"formula", "exp energy" (eV per formula unit), "uncertainty", "mpid"} '
    "(pymatgen's exp_compounds.json.gz layout)",
    reader=read_formation_enthalpies,
)
