"""The matinfo store: substances, materials, structures, properties, phase diagrams, references.

>>> from matinfo.store import connect
>>> db = connect("sqlite://")
>>> a = db.add_material("LiNbO3", space_group=161)
>>> b = db.add_material("[Li0.95Nb0.01]NbO3", space_group="R3c")
>>> a.substance_id == b.substance_id
True
"""

from matinfo.store.database import ENV_URL, Database, connect, default_url
from matinfo.store.report import ImportReport, Reject
from matinfo.store.search import ConditionFilter, PropertyFilter, Query
from matinfo.store.views import (
    MaterialRecord,
    PhaseDiagramRecord,
    PropertyRecord,
    ReferenceRecord,
    StructureRecord,
    SubstanceRecord,
    SubstanceSummary,
)

__all__ = [
    "connect",
    "default_url",
    "ENV_URL",
    "Database",
    "Query",
    "PropertyFilter",
    "ConditionFilter",
    "ImportReport",
    "Reject",
    "SubstanceRecord",
    "SubstanceSummary",
    "MaterialRecord",
    "StructureRecord",
    "PropertyRecord",
    "PhaseDiagramRecord",
    "ReferenceRecord",
]
