"""OPTIMADE entries from store rows: a material → a ``structures`` entry (formulas in OPTIMADE's spelling,
the first structure's geometry from its CIF), a reference → a ``references`` entry; the fields served."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import warnings
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.store import models as m

#: ``structures`` fields served: name → (OPTIMADE type, unit, description).
STRUCTURE_FIELDS: dict[str, tuple[str, str | None, str]] = {
    "last_modified": ("timestamp", None, "when the material was stored"),
    "elements": ("list", None, "element symbols, alphabetical, dopants included"),
    "nelements": ("integer", None, "number of elements"),
    "elements_ratios": ("list", None, "atomic fraction of each element of `elements`"),
    "chemical_formula_descriptive": ("string", None, "the formula as reported"),
    "chemical_formula_reduced": ("string", None, "reduced formula (integer proportions only)"),
    "chemical_formula_anonymous": ("string", None, "anonymous formula (integer proportions only)"),
    "dimension_types": ("list", None, "[1, 1, 1] for a crystal structure"),
    "nperiodic_dimensions": ("integer", None, "3 for a crystal structure"),
    "lattice_vectors": ("list", "Å", "cell vectors of the first structure"),
    "cartesian_site_positions": ("list", "Å", "site positions of the first structure"),
    "nsites": ("integer", None, "number of sites of the first structure"),
    "species": ("list", None, "species of the first structure (occupancies as concentrations)"),
    "species_at_sites": ("list", None, "species name of each site"),
    "structure_features": ("list", None, '["disorder"] when a structure has partially occupied sites'),
    "_matinfo_substance_id": ("integer", None, "ID of the matinfo substance (distinct phase)"),
    "_matinfo_space_group": (
        "integer",
        None,
        "space-group number (the substance's when the material has none)",
    ),
    "_matinfo_name": ("string", None, "sample label or data-set row ID"),
    "_matinfo_dataset": ("string", None, "data set the material comes from"),
}
_GEOMETRY = ("lattice_vectors", "cartesian_site_positions", "species", "species_at_sites")
#: ``references`` fields served.
REFERENCE_FIELDS: dict[str, tuple[str, str | None, str]] = {
    "last_modified": ("timestamp", None, "unknown: references carry no timestamp"),
    "authors": ("list", None, "authors, each {name}"),
    "doi": ("string", None, "DOI (lower case)"),
    "title": ("string", None, "title"),
    "journal": ("string", None, "journal"),
    "volume": ("string", None, "volume"),
    "pages": ("string", None, "pages"),
    "year": ("string", None, "publication year"),
    "url": ("string", None, "URL"),
}
_ENTRIES = {"structures": STRUCTURE_FIELDS, "references": REFERENCE_FIELDS}


def _iso(t: dt.datetime | None) -> str | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _integer_counts(composition: dict[str, float] | None) -> dict[str, int] | None:
    """Smallest whole-number proportions of ``composition``; ``None`` for a non-stoichiometric one."""
    if not composition:
        return None
    total = sum(composition.values())
    if total <= 0:
        return None
    fr = {el: v / total for el, v in composition.items()}
    for k in range(1, 201):
        counts = {el: f * k for el, f in fr.items()}
        if all(abs(c - round(c)) < 1e-6 * k and round(c) >= 1 for c in counts.values()):
            ints = {el: int(round(c)) for el, c in counts.items()}
            g = functools.reduce(math.gcd, ints.values())
            return {el: n // g for el, n in ints.items()}
    return None


def _formula(counts: dict[str, int]) -> str:
    return "".join(f"{el}{n if n != 1 else ''}" for el, n in sorted(counts.items()))


def _anonymous(counts: dict[str, int]) -> str:
    from optimade.models.utils import ANONYMOUS_ELEMENTS

    ns = sorted(counts.values(), reverse=True)
    return "".join(f"{ANONYMOUS_ELEMENTS[i]}{n if n != 1 else ''}" for i, n in enumerate(ns))


@functools.lru_cache(maxsize=4096)
def _geometry(structure_id: int, cif: str, n_sites: int | None) -> dict[str, Any] | None:
    """Lattice, sites and species of a CIF (cached); ``None`` when it cannot be read or disagrees with the
    stored number of sites (what filters on ``nsites`` use)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pymatgen.core import Structure

            st = Structure.from_str(cif, fmt="cif")
    except Exception:  # noqa: BLE001 - any unreadable CIF: no geometry, the rest of the entry stands
        return None
    if n_sites is not None and len(st) != n_sites:
        return None
    species: dict[str, dict[str, Any]] = {}
    at_sites = []
    for site in st:
        items = sorted(((getattr(sp, "symbol", None) or "X", float(x)) for sp, x in site.species.items()))
        merged: dict[str, float] = {}
        for sym, x in items:
            sym = sym if re.fullmatch(r"[A-Z][a-z]?", sym) else "X"
            merged[sym] = merged.get(sym, 0.0) + x
        total = sum(merged.values())
        if total < 1 - 1e-6:
            merged["vacancy"] = 1.0 - total
        name = "".join(s if abs(x - 1) < 1e-9 else f"{s}{x:.4g}" for s, x in merged.items())
        if name not in species:
            species[name] = {
                "name": name,
                "chemical_symbols": list(merged),
                "concentration": list(merged.values()),
            }
        at_sites.append(name)
    disordered = any(
        len(sp["chemical_symbols"]) > 1 or sp["concentration"][0] < 1 - 1e-9 for sp in species.values()
    )
    return {
        "lattice_vectors": st.lattice.matrix.tolist(),
        "cartesian_site_positions": [list(map(float, s.coords)) for s in st],
        "species": list(species.values()),
        "species_at_sites": at_sites,
        "_disordered": disordered,
    }


def _structure_entries(s: Session, mats: Sequence[m.Material], fields: list[str]) -> list[dict[str, Any]]:
    ids = [x.id for x in mats]
    if not ids:
        return []
    elements: dict[int, list[tuple[str, float | None]]] = {}
    for mid, el, fr in s.execute(
        select(m.MaterialElement.material_id, m.MaterialElement.element, m.MaterialElement.fraction).where(
            m.MaterialElement.material_id.in_(ids)
        )
    ):
        elements.setdefault(mid, []).append((el, fr))
    first: dict[int, m.Structure] = {}
    disorder: set[int] = set()
    for st in s.scalars(select(m.Structure).where(m.Structure.material_id.in_(ids)).order_by(m.Structure.id)):
        first.setdefault(st.material_id, st)
        if st.has_partial_occupancy:
            disorder.add(st.material_id)
    subs = dict(
        s.execute(
            select(m.Substance.id, m.Substance.space_group_number).where(
                m.Substance.id.in_({x.substance_id for x in mats})
            )
        ).all()
    )
    datasets = dict(s.execute(select(m.Dataset.id, m.Dataset.name)).all())
    want = set(fields)
    out = []
    for x in mats:
        els = sorted(elements.get(x.id, []))
        ratios = [fr for _, fr in els]
        counts = _integer_counts(x.composition) if x.is_resolved else None
        st = first.get(x.id)
        geo = _geometry(st.id, st.cif, st.n_sites) if st is not None and want & set(_GEOMETRY) else None
        attrs: dict[str, Any] = {
            "last_modified": _iso(x.created_at),
            "elements": [el for el, _ in els],
            "nelements": x.nelements,
            "elements_ratios": ratios if els and all(r is not None for r in ratios) else None,
            "chemical_formula_descriptive": x.formula,
            "chemical_formula_reduced": _formula(counts)
            if counts and "." not in (x.reduced_formula or ".")
            else None,
            "chemical_formula_anonymous": (
                _anonymous(counts) if counts and "." not in (x.anonymous_formula or ".") else None
            ),
            "dimension_types": [1, 1, 1] if st is not None else None,
            "nperiodic_dimensions": 3 if st is not None else None,
            "nsites": st.n_sites if st is not None else None,
            "structure_features": ["disorder"] if x.id in disorder else [],
            "_matinfo_substance_id": x.substance_id,
            "_matinfo_space_group": x.space_group_number or subs.get(x.substance_id),
            "_matinfo_name": x.name,
            "_matinfo_dataset": datasets.get(x.dataset_id),
        }
        for k in _GEOMETRY:
            attrs[k] = geo[k] if geo is not None else None
        if geo is not None and geo["_disordered"] and "disorder" not in attrs["structure_features"]:
            attrs["structure_features"] = ["disorder"]
        if attrs["elements_ratios"] is not None:
            total = sum(attrs["elements_ratios"])
            attrs["elements_ratios"] = [r / total for r in attrs["elements_ratios"]] if total > 0 else None
        out.append(
            {
                "id": str(x.id),
                "type": "structures",
                "attributes": {f: attrs.get(f) for f in fields if f not in ("id", "type")},
            }
        )
    return out


def _reference_entry(r: m.Reference, fields: list[str]) -> dict[str, Any]:
    authors = [{"name": a.strip()} for a in re.split(r";|\band\b", r.authors or "") if a.strip()] or None
    attrs = {
        "last_modified": None,
        "authors": authors,
        "doi": r.doi,
        "title": r.title,
        "journal": r.journal,
        "volume": r.volume,
        "pages": r.pages,
        "year": str(r.year) if r.year is not None else None,
        "url": r.url,
    }
    return {
        "id": str(r.id),
        "type": "references",
        "attributes": {f: attrs.get(f) for f in fields if f not in ("id", "type")},
    }
