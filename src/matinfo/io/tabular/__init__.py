"""Import CSV tables with a TOML column mapping into :class:`~matinfo.core.records.MaterialIn` records.

A *mapping* says which CSV column holds the formula, the name, the space group, a CIF path, the reference
fields, each property (value, unit, uncertainty, conditions) and external IDs.  :func:`load_mapping` reads and
validates it; :func:`read_table` streams the CSV row by row and yields one record per row.  The mapping file
format is documented in ``docs/mappings.md``; a short example::

    [material]
    formula = "Composition"
    [[property]]
    quantity = "ionic_conductivity"
    value = "Ionic conductivity (S cm-1)"
    unit = "S/cm"
    [property.conditions]
    temperature = { value = 298.15, unit = "K" }

Values are passed on as the source writes them (numbers as ``float``, ``true``/``false`` as ``bool``, anything
else such as ``<1E-8`` or ``1.2(3)`` unchanged as text); the store parses them and converts units.

>>> m = Mapping.from_dict({"material": {"formula": "f"},
...                        "property": [{"quantity": "band_gap", "value": "gap", "unit": "eV"}]})
>>> import io
>>> [r.properties[0].value for r in read_table(io.StringIO("f,gap\\nGaAs,1.42\\n"), m, source="x.csv")]
[1.42]
"""

from __future__ import annotations

from matinfo.io.tabular.csvfile import NA_VALUES, as_id, iter_rows, open_text, parse_cell, read_header
from matinfo.io.tabular.mapping import (
    METHODS,
    REFERENCE_FIELDS,
    ConditionMapping,
    ExternalIdMapping,
    Mapping,
    PropertyMapping,
    load_mapping,
)
from matinfo.io.tabular.reader import ImportDataWarning, read_table
from matinfo.io.tabular.reader import OnError as OnError  # the type of read_table's on_error

__all__ = [
    "METHODS",
    "NA_VALUES",
    "REFERENCE_FIELDS",
    "ConditionMapping",
    "ExternalIdMapping",
    "Mapping",
    "PropertyMapping",
    "ImportDataWarning",
    "load_mapping",
    "read_table",
    "iter_rows",
    "read_header",
    "open_text",
    "parse_cell",
    "as_id",
]
