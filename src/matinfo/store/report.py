"""What an import did: counts, timing and rejected records (with where and why)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Reject", "ImportReport"]


@dataclass(frozen=True)
class Reject:
    location: str | None
    formula: str | None
    error: str


@dataclass
class ImportReport:
    dataset: str | None = None
    read: int = 0
    materials: int = 0
    duplicates: int = 0
    substances: int = 0
    structures: int = 0
    properties: int = 0
    phase_diagrams: int = 0
    rejects: list[Reject] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def records_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def write_rejects(self, path: str | Path) -> Path:
        """Write the reject report (CSV: location, formula, error) atomically."""
        path = Path(path)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["location", "formula", "error"])
            for r in self.rejects:
                w.writerow([r.location or "", r.formula or "", r.error])
        tmp.replace(path)
        return path

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "read": self.read,
            "materials": self.materials,
            "duplicates": self.duplicates,
            "substances": self.substances,
            "structures": self.structures,
            "properties": self.properties,
            "phase_diagrams": self.phase_diagrams,
            "rejected": len(self.rejects),
            "seconds": round(self.seconds, 3),
        }
