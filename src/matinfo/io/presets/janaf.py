"""NIST-JANAF Gibbs energies of formation ΔG°f(T), as tabulated by the reaction-network package.

One :class:`MaterialIn` per formula with one ``gibbs_formation_energy`` property per temperature (unit
``eV/fu``, i.e. eV per formula unit as written; condition ``temperature`` in K).  The shipped long table has
703 formulas at 300–2000+ K (11,910 values); a user file may also be the 300 K table
(``formula, dGf_300K_eV_per_formula_unit, ...``).  The tables do not say which phase (cr, l, g) a value is
for; JANAF_index.txt.gz lists the phases JANAF tabulates for each formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn
from matinfo.errors import ImportDataError
from matinfo.io.presets._base import Preset, require_columns, temperature
from matinfo.io.tabular import iter_rows, parse_cell

JANAF = ReferenceIn(
    authors="M. W. Chase, Jr.",
    title="NIST-JANAF Thermochemical Tables, Fourth Edition",
    journal="J. Phys. Chem. Ref. Data, Monograph 9",
    year=1998,
    url="https://janaf.nist.gov/",
)
LONG = ("formula", "T_K", "dGf_eV_per_formula_unit")
SHORT = ("formula", "dGf_300K_eV_per_formula_unit")

DATASET = DatasetIn(
    name="janaf",
    description="NIST-JANAF standard Gibbs energies of formation of 703 compounds at 300-2000+ K "
    "(eV per formula unit), as tabulated by the reaction-network package.",
    license="public domain (NIST-JANAF data); table from reaction-network, BSD-3-Clause-LBNL",
    citation="M. W. Chase, Jr., NIST-JANAF Thermochemical Tables, 4th ed., J. Phys. Chem. Ref. Data, Monograph 9 "
    "(1998); tabulation: M. J. McDermott, S. S. Dwaraknath, K. A. Persson, reaction-network "
    "(https://github.com/materialsproject/reaction-network).",
    url="https://janaf.nist.gov/",
)


def read_janaf(path: Path, source: str) -> Iterator[MaterialIn]:
    """Stream a JANAF table: the long (formula, T_K, dGf) layout or the 300 K one; rows grouped by formula."""
    header = require_columns(path, ("formula",), "janaf", any_of=(LONG[2], SHORT[1]))
    long = all(c in header for c in LONG)
    value_col = LONG[2] if long else SHORT[1]
    groups: dict[str, list[PropertyIn]] = {}
    first: dict[str, int] = {}
    for line, row in iter_rows(path, source=source):
        formula = row["formula"].strip()
        if not formula:
            raise ImportDataError(
                "empty formula",
                source=source,
                line=line,
                field="formula",
                value=row["formula"],
                hint="fill the cell or remove the row",
            )
        t = parse_cell(row["T_K"]) if long else 300.0
        if not isinstance(t, float):
            raise ImportDataError(
                "temperature is not a number",
                source=source,
                line=line,
                field="T_K",
                value=row["T_K"],
                hint="write the temperature in kelvin",
            )
        value = parse_cell(row[value_col])
        first.setdefault(formula, line)
        props = groups.setdefault(formula, [])
        if value is not None:
            props.append(
                PropertyIn(
                    "gibbs_formation_energy",
                    value,
                    "eV/fu",
                    conditions={"temperature": temperature(t)},
                    location=f"{source}:{line}",
                )
            )
    for formula, props in groups.items():
        yield MaterialIn(
            formula=formula, reference=JANAF, properties=tuple(props), location=f"{source}:{first[formula]}"
        )


PRESET = Preset(
    name="janaf",
    description="NIST-JANAF ΔG°f(T) of 703 compounds (eV per formula unit, 300-2000+ K)",
    dataset=DATASET,
    data_dir="janaf",
    default_file="nist_janaf_dGf_long.csv.gz",
    expects="a JANAF table: columns formula, T_K, dGf_eV_per_formula_unit (or formula, dGf_300K_eV_per_formula_unit)",
    reader=read_janaf,
)
