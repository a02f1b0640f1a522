"""Matbench v0.1 composition tasks: experimental band gap, metal/non-metal, glass-forming ability.

Each row (``mbid, composition, target``) is one :class:`MaterialIn`: formula ← ``composition``, external ID
``("matbench", mbid)``, one property: ``band_gap`` (eV), ``is_metal`` or ``glass_forming`` (bools), method
``experiment``, and the task's source publication as reference.  No temperature is given by the sources.
The official folds are not shipped: they are benchmark protocol, not data (see ``matbench_v0.1`` in the
shared data folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, PropertyIn, ReferenceIn
from matinfo.errors import ImportDataError
from matinfo.io.presets._base import Preset, require_columns
from matinfo.io.tabular import iter_rows, parse_cell

_MATBENCH = (
    'A. Dunn, Q. Wang, A. Ganose, D. Dopp, A. Jain, "Benchmarking materials property prediction '
    'methods: the Matbench test set and Automatminer reference algorithm", npj Comput. Mater. 6, 138 '
    "(2020), doi:10.1038/s41524-020-00406-3"
)
ZHUO = ReferenceIn(
    doi="10.1021/acs.jpclett.8b00124",
    authors="Y. Zhuo, A. Mansouri Tehrani, J. Brgoch",
    title="Predicting the Band Gaps of Inorganic Solids by Machine Learning",
    journal="J. Phys. Chem. Lett.",
    year=2018,
    volume="9",
    pages="1668-1673",
)
KAWAZOE = ReferenceIn(
    authors="Y. Kawazoe, T. Masumoto, A.-P. Tsai, J.-Z. Yu, T. Aihara Jr.",
    title="Nonequilibrium Phase Diagrams of Ternary Amorphous Alloys",
    journal="Landolt-Börnstein, Group III: Condensed Matter, Vol. 37A (Springer)",
    year=1997,
)
_ZHUO_TEXT = (
    "Y. Zhuo, A. Mansouri Tehrani, J. Brgoch, J. Phys. Chem. Lett. 9, 1668 (2018), "
    "doi:10.1021/acs.jpclett.8b00124"
)


def _reader(target: str, quantity: str, unit: str | None, kind: type, reference: ReferenceIn, preset: str):
    def read(path: Path, source: str) -> Iterator[MaterialIn]:
        require_columns(path, ("composition", target), preset)
        for line, row in iter_rows(path, source=source):
            loc = f"{source}:{line}"
            formula = row["composition"].strip()
            if not formula:
                raise ImportDataError(
                    "empty formula",
                    source=source,
                    line=line,
                    field="composition",
                    value=row["composition"],
                    hint="fill the cell or remove the row",
                )
            value = parse_cell(row[target])
            if value is not None and not isinstance(value, kind):
                raise ImportDataError(
                    f"{target} must be {'true/false' if kind is bool else 'a number'}",
                    source=source,
                    line=line,
                    field=target,
                    value=row[target],
                )
            props = () if value is None else (PropertyIn(quantity, value, unit, location=loc),)
            mbid = (row.get("mbid") or "").strip()
            yield MaterialIn(
                formula=formula,
                reference=reference,
                properties=props,
                external_ids=(("matbench", mbid),) if mbid else (),
                location=loc,
            )

    return read


def _preset(
    task: str,
    target: str,
    quantity: str,
    unit: str | None,
    kind: type,
    reference: ReferenceIn,
    n: int,
    what: str,
    source_text: str,
) -> Preset:
    name = f"matbench-{task.replace('_', '-')}"
    return Preset(
        name=name,
        description=f"Matbench v0.1 {task}: {what} ({n:,} compositions)",
        dataset=DatasetIn(
            name=name,
            description=f"Matbench v0.1 task matbench_{task}: {n:,} compositions with {what} (experimental).",
            license="MIT",
            citation=f"{_MATBENCH}; data: {source_text}",
            url="https://matbench.materialsproject.org/",
        ),
        data_dir="matbench_v0.1",
        default_file=f"matbench_{task}.csv.gz",
        expects=f"a Matbench CSV (columns mbid, composition, {target})",
        reader=_reader(target, quantity, unit, kind, reference, name),
    )


EXPT_GAP = _preset(
    "expt_gap", "gap expt", "band_gap", "eV", float, ZHUO, 4604, "experimental band gap (eV)", _ZHUO_TEXT
)
EXPT_IS_METAL = _preset(
    "expt_is_metal",
    "is_metal",
    "is_metal",
    None,
    bool,
    ZHUO,
    4921,
    "metal / non-metal classification",
    _ZHUO_TEXT,
)
GLASS = _preset(
    "glass",
    "gfa",
    "glass_forming",
    None,
    bool,
    KAWAZOE,
    5680,
    "glass-forming ability (melt spinning)",
    "Y. Kawazoe et al., Nonequilibrium Phase Diagrams of Ternary Amorphous Alloys, Landolt-Börnstein "
    "III/37A (1997); L. Ward et al., npj Comput. Mater. 2, 16028 (2016)",
)
