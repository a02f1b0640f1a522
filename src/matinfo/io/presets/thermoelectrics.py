"""Thermoelectric data sets sysTEm and ESTM: temperature-dependent Seebeck coefficient, σ, κ, PF and zT.

Both tables have one row per (material, temperature).  A material here is one composition in one source
paper: rows are grouped by (formula, paper) into one :class:`MaterialIn` whose properties carry a
``temperature`` condition, one property per non-empty cell (the property's ``location`` is its row).  Two rows
of a group at the same temperature (different samples in one paper) both stay.

Units are those the files state: sysTEm σ in S/cm, S in µV/K, PF in µW/(cm·K²), κ in W/(m·K); ESTM σ in
**S/m** and PF in **W/(m·K²)** (checked: PF = S²σ holds with these units); zT is dimensionless.

sysTEm ``Pretty Formula`` is the formula as printed.  Where matinfo's formula parser cannot read it (249 mixed
formulas such as ``30 wt% (W18O49) + 70 wt% (ZnO)``, and ``(Bi2Te3)99.39%Ag0.61%``) the material's formula is
the authors' normalised ``Pymatgen Composition`` and the printed formula becomes its ``name``.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn
from matinfo.errors import ImportDataError, MatinfoError
from matinfo.io.presets._base import Preset, reference_from_source, require_columns, temperature
from matinfo.io.tabular import iter_rows, parse_cell

#: sysTEm columns → (quantity, unit as the file states it)
SYSTEME_PROPERTIES = {
    "Electrical Conductivity (S/cm)": ("electrical_conductivity", "S/cm"),
    "Seebeck Coefficient (µV/K)": ("seebeck_coefficient", "uV/K"),
    "Power Factor (µW/cmK²)": ("power_factor", "uW/(cm*K^2)"),
    "zT": ("zt", None),
    "Total Thermal Conductivity (W/mK)": ("thermal_conductivity", "W/(m*K)"),
    "Lattice Thermal Conductivity (W/mK)": ("lattice_thermal_conductivity", "W/(m*K)"),
    "Electronic Thermal Conductivity (W/mK)": ("electronic_thermal_conductivity", "W/(m*K)"),
}
#: ESTM columns → (quantity, unit)
ESTM_PROPERTIES = {
    "seebeck_coefficient(μV/K)": ("seebeck_coefficient", "uV/K"),
    "electrical_conductivity(S/m)": ("electrical_conductivity", "S/m"),
    "thermal_conductivity(W/mK)": ("thermal_conductivity", "W/(m*K)"),
    "power_factor(W/mK2)": ("power_factor", "W/(m*K^2)"),
    "ZT": ("zt", None),
}

SYSTEME = DatasetIn(
    name="thermoelectrics-systeme",
    description="sysTEm: systematically verified experimental thermoelectric data (8,650 rows: composition, "
    "temperature, sigma, Seebeck, PF, zT, kappa, kappa_l, kappa_e; merged from new extractions, extended MRL and "
    "ESTM), grouped here into one material per composition and paper.",
    license="MIT",
    citation='L. Z. Tang, L. Purdy, T. Mohanty, L. W. T. Ng, T. D. Sparks, "Systematically Verified '
    'Experimental Thermoelectric Dataset For Data-driven Approaches", Integr. Mater. Manuf. Innov. (2026), '
    "doi:10.1007/s40192-026-00446-5 (preprint ChemRxiv 2025, doi:10.26434/chemrxiv-2025-4gxmc).",
    url="https://github.com/tankylz/sysTEm_dataset",
)
ESTM = DatasetIn(
    name="thermoelectrics-estm",
    description="ESTM: experimentally synthesized thermoelectric materials (5,205 rows: formula, temperature, "
    "Seebeck, sigma (S/m), kappa, PF (W/m/K^2), zT, DOI), grouped into one material per formula and paper.",
    license="CC-BY-4.0",
    citation='G. S. Na, H. Chang, "A public database of thermoelectric materials and system-identified material '
    'representation for data-driven discovery", npj Comput. Mater. 8, 214 (2022), doi:10.1038/s41524-022-00897-2 '
    "(ESTM, as distributed in the sysTEm repository).",
    url="https://github.com/tankylz/sysTEm_dataset",
)


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().lower()


def _columns(
    header: list[str], wanted: dict[str, tuple[str, str | None]]
) -> list[tuple[str, str, str | None]]:
    """Match property columns tolerantly (µ vs μ, case); returns (header column, quantity, unit)."""
    by_norm = {_norm(h): h for h in header}
    return [(by_norm[_norm(c)], q, u) for c, (q, u) in wanted.items() if _norm(c) in by_norm]


@functools.lru_cache(maxsize=8192)
def _parses(formula: str) -> bool:
    from matinfo.core.formula import parse_formula

    try:
        parse_formula(formula)
    except (MatinfoError, ValueError):
        return False
    return True


def _group(
    path: Path, source: str, key_cols: tuple[str, str]
) -> dict[tuple[str, str], list[tuple[int, dict]]]:
    groups: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for line, row in iter_rows(path, source=source):
        formula, paper = (row[c].strip() for c in key_cols)
        if not formula:
            raise ImportDataError(
                "empty formula",
                source=source,
                line=line,
                field=key_cols[0],
                value=row[key_cols[0]],
                hint="fill the cell or remove the row",
            )
        groups.setdefault((formula, paper), []).append((line, row))
    return groups


def _properties(rows: list[tuple[int, dict]], t_col: str, cols, source: str) -> tuple[PropertyIn, ...]:
    out = []
    for line, row in rows:
        t = parse_cell(row[t_col])
        if not isinstance(t, float):
            raise ImportDataError(
                "temperature is not a number",
                source=source,
                line=line,
                field=t_col,
                value=row[t_col],
                hint="write the temperature in kelvin as a number",
            )
        for col, quantity, unit in cols:
            value = parse_cell(row[col])
            if value is not None:
                out.append(
                    PropertyIn(
                        quantity,
                        value,
                        unit,
                        conditions={"temperature": temperature(t)},
                        location=f"{source}:{line}",
                    )
                )
    return tuple(out)


def read_systeme(path: Path, source: str) -> Iterator[MaterialIn]:
    """Stream sysTEm (``sysTEm_dataset.csv`` layout): one record per (Pretty Formula, Source Paper)."""
    header = require_columns(
        path, ("Pretty Formula", "Source Paper", "Temperature (K)"), "thermoelectrics-systeme"
    )
    cols = _columns(header, SYSTEME_PROPERTIES)
    for (pretty, paper), rows in _group(path, source, ("Pretty Formula", "Source Paper")).items():
        first = rows[0][1]
        pmg = (first.get("Pymatgen Composition") or "").strip()
        stoichiometric = (
            (first.get("Type of Formula") or "Stoichiometric").strip().lower().startswith("stoich")
        )
        formula, name = pretty, None
        if pmg and not (stoichiometric and _parses(pretty)):
            formula, name = pmg, pretty
        year = parse_cell(first.get("Year"))
        extra = {"year": int(year)} if isinstance(year, float) and year.is_integer() else {}
        yield MaterialIn(
            formula=formula,
            name=name,
            reference=reference_from_source(paper, **extra),
            properties=_properties(rows, "Temperature (K)", cols, source),
            location=f"{source}:{rows[0][0]}",
        )


def read_estm(path: Path, source: str) -> Iterator[MaterialIn]:
    """Stream ESTM (``original_estm.csv`` layout): one record per (Formula, reference)."""
    header = require_columns(path, ("Formula", "temperature(K)", "reference"), "thermoelectrics-estm")
    cols = _columns(header, ESTM_PROPERTIES)
    for (formula, paper), rows in _group(path, source, ("Formula", "reference")).items():
        ref: ReferenceIn | None = reference_from_source(paper)
        yield MaterialIn(
            formula=formula,
            reference=ref,
            properties=_properties(rows, "temperature(K)", cols, source),
            location=f"{source}:{rows[0][0]}",
        )


SYSTEME_PRESET = Preset(
    name="thermoelectrics-systeme",
    description="sysTEm thermoelectrics (σ, S, PF, zT, κ, κ_l, κ_e vs temperature; one material per paper)",
    dataset=SYSTEME,
    data_dir="thermoelectrics",
    default_file="sysTEm_dataset.csv.gz",
    expects="a sysTEm CSV (columns Pretty Formula, Source Paper, Temperature (K), property columns with units)",
    reader=read_systeme,
)
ESTM_PRESET = Preset(
    name="thermoelectrics-estm",
    description="ESTM thermoelectrics (S, σ, κ, PF, zT vs temperature; one material per paper)",
    dataset=ESTM,
    data_dir="thermoelectrics",
    default_file="original_estm.csv.gz",
    expects="an ESTM CSV (columns Formula, temperature(K), seebeck_coefficient(μV/K), "
    "electrical_conductivity(S/m), thermal_conductivity(W/mK), power_factor(W/mK2), ZT, reference)",
    reader=read_estm,
)
