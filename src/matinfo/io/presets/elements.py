"""The element table (Magpie + pymatgen/WebElements) as properties of the elemental substances.

One :class:`MaterialIn` per element (Z 1–103) with the measured properties of the element in its standard state:
melting and boiling point, solid density, molar and specific heat capacity, thermal conductivity, heat of fusion,
bulk / shear / Young's modulus, Pauling electronegativity, first ionization energy and molar volume.  Empty cells
are skipped, never filled in.  Heat capacity and thermal conductivity are room-temperature values (298.15 K);
Magpie's "density" of gases is the gas density at STP, so the solid density from pymatgen is used instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn
from matinfo.io.presets._base import ROOM_TEMPERATURE_K, Preset, require_columns, temperature
from matinfo.io.tabular import iter_rows, parse_cell

MAGPIE = ReferenceIn(
    doi="10.1038/npjcompumats.2016.28",
    authors="L. Ward, A. Agrawal, A. Choudhary, C. Wolverton",
    title="A general-purpose machine learning framework for predicting properties of inorganic materials",
    journal="npj Comput. Mater.",
    year=2016,
)
PYMATGEN = ReferenceIn(
    doi="10.1016/j.commatsci.2012.10.028",
    authors="S. P. Ong et al.",
    title="Python Materials Genomics (pymatgen): A robust, open-source python library for materials analysis",
    journal="Comput. Mater. Sci.",
    year=2013,
)

#: column → (quantity, unit, reference, at room temperature?)
COLUMNS: dict[str, tuple[str, str | None, ReferenceIn, bool]] = {
    "magpie_MeltingT_K": ("melting_point", "K", MAGPIE, False),
    "magpie_BoilingT_K": ("boiling_point", "K", MAGPIE, False),
    "pmg_DensitySolid_kg_per_m3": ("density", "kg/m^3", PYMATGEN, False),
    "magpie_HeatCapacityMolar_J_per_molK": ("heat_capacity", "J/(mol*K)", MAGPIE, True),
    "magpie_HeatCapacityMass_J_per_gK": ("specific_heat_capacity", "J/(g*K)", MAGPIE, True),
    "magpie_ThermalConductivity_W_per_mK": ("thermal_conductivity", "W/(m*K)", MAGPIE, True),
    "magpie_HeatFusion_kJ_per_mol": ("heat_of_fusion", "kJ/mol", MAGPIE, False),
    "magpie_BulkModulus_GPa": ("bulk_modulus", "GPa", MAGPIE, False),
    "magpie_ShearModulus_GPa": ("shear_modulus", "GPa", MAGPIE, False),
    "pmg_YoungsModulus_GPa": ("youngs_modulus", "GPa", PYMATGEN, False),
    "magpie_Electronegativity_Pauling": ("electronegativity", None, MAGPIE, False),
    "magpie_FirstIonizationEnergy_eV": ("ionization_energy", "eV", MAGPIE, False),
    "magpie_MolarVolume_cm3": ("molar_volume", "cm^3/mol", MAGPIE, False),
}

DATASET = DatasetIn(
    name="elements",
    description="Properties of the elements Z 1-103 in their standard state (Magpie element data and the "
    "pymatgen/WebElements periodic table).",
    license="BSD-3-Clause-LBNL (matminer/Magpie data); MIT (pymatgen)",
    citation="L. Ward et al., npj Comput. Mater. 2, 16028 (2016); S. P. Ong et al., Comput. Mater. Sci. 68, 314 "
    "(2013).",
    url="https://github.com/hackingmaterials/matminer",
)


def read_elements(path: Path, source: str) -> Iterator[MaterialIn]:
    header = require_columns(path, ("symbol",), "elements")
    cols = [c for c in COLUMNS if c in header]
    for line, row in iter_rows(path, source=source):
        props = []
        for col in cols:
            value = parse_cell(row[col])
            if value is None:
                continue
            quantity, unit, ref, at_rt = COLUMNS[col]
            conds = {"temperature": temperature(ROOM_TEMPERATURE_K)} if at_rt else {}
            props.append(
                PropertyIn(
                    quantity,
                    value,
                    unit,
                    conditions=conds,
                    reference=ref,
                    location=f"{source}:{line}",
                    produced_by=f"element table column {col}",
                )
            )
        yield MaterialIn(
            formula=row["symbol"].strip(),
            name=row.get("name") or None,
            reference=MAGPIE,
            properties=tuple(props),
            location=f"{source}:{line}",
        )


PRESET = Preset(
    name="elements",
    description="Element properties (Z 1-103): melting/boiling point, density, heat capacity, conductivity, moduli",
    dataset=DATASET,
    data_dir="element_properties",
    default_file="element_properties.csv",
    expects="the element table: a symbol column and magpie_*/pmg_* property columns (see its README)",
    reader=read_elements,
)
