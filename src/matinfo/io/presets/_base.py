"""The :class:`Preset` type and helpers shared by the preset readers."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from matinfo.core.records import DatasetIn, MaterialIn, PhaseDiagramIn, ReferenceIn
from matinfo.errors import ImportDataError, MappingError
from matinfo.io.tabular import read_header

#: Folder of the data shipped with matinfo (``matinfo/data``); one subfolder per data set, each with its
#: LICENSE file(s) and a README.md giving source, license and citation.
DATA_DIR = Path(__file__).resolve().parents[2] / "data"

#: Room temperature used where a source says "room temperature" (25 °C).
ROOM_TEMPERATURE_K = 298.15

Record = MaterialIn | PhaseDiagramIn
Reader = Callable[[Path, str], Iterator[Record]]


def data_path(*parts: str) -> Path:
    """Path of a shipped data file or folder, e.g. ``data_path("obelix", "obelix_train.csv")``."""
    return DATA_DIR.joinpath(*parts)


@dataclass(frozen=True)
class Preset:
    """A known data set: how to read it, and what it is (``dataset``: name, license, citation, url).

    ``read()`` reads the copy shipped in ``matinfo/data/<data_dir>/<default_file>``; ``read(path)`` reads a
    user's file in the same format (``expects`` says what that is).  Both stream records.
    """

    name: str
    description: str
    dataset: DatasetIn
    data_dir: str
    default_file: str
    expects: str
    reader: Reader

    @property
    def shipped_path(self) -> Path:
        """The shipped file (or folder) ``read()`` reads."""
        return data_path(self.data_dir, self.default_file)

    def read(self, path: str | Path | None = None) -> Iterator[Record]:
        """Stream the records of the shipped copy (``path=None``) or of a user's file in the same format."""
        target = self.shipped_path if path is None else Path(path)
        if not target.exists():
            where = "the shipped data is missing (reinstall matinfo)" if path is None else "check the path"
            raise ImportDataError(
                "file not found",
                source=str(target),
                hint=f"{where}; preset {self.name!r} expects {self.expects}",
            )
        return self.reader(target, target.name)

    def dataset_for(self, path: str | Path | None = None) -> DatasetIn:
        """The data set to store records under: the published one for the shipped copy, else one named after
        the user's file (license and citation unknown, to be filled in by the user)."""
        if path is None:
            return self.dataset
        p = Path(path)
        return DatasetIn(
            name=p.name.split(".")[0], description=f"{p.name}, imported with preset {self.name!r}"
        )


def require_columns(
    path: Path, required: tuple[str, ...], preset: str, *, any_of: tuple[str, ...] = ()
) -> list[str]:
    """Check a CSV header against what a preset needs; :class:`MappingError` lists the header and what is missing."""
    header = read_header(path)
    missing = [c for c in required if c not in header]
    if any_of and not any(c in header for c in any_of):
        missing.append(" or ".join(repr(c) for c in any_of))
    if missing:
        near = difflib.get_close_matches(missing[0], header, n=1, cutoff=0.5)
        raise MappingError(
            f"the file does not have the columns preset {preset!r} reads",
            source=path.name,
            field="header",
            value=", ".join(missing),
            hint=(f"did you mean {near[0]!r}? " if near else "") + f"the header has: {', '.join(header)}; "
            "for other layouts write a TOML column mapping (docs/mappings.md)",
        )
    return header


def reference_from_source(text: str | None, **extra: object) -> ReferenceIn | None:
    """``https://doi.org/10.1/x`` or ``10.1/x`` → a DOI reference; any other URL → ``url``."""
    if text is None or not text.strip():
        return None
    s = text.strip()
    low = s.lower()
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ):
        if low.startswith(prefix):
            return ReferenceIn(doi=s[len(prefix) :].strip(), **extra)  # type: ignore[arg-type]
    if s.startswith("10.") and "/" in s:
        return ReferenceIn(doi=s, **extra)  # type: ignore[arg-type]
    return ReferenceIn(url=s, **extra)  # type: ignore[arg-type]


def temperature(value: float) -> tuple[float, str]:
    """A temperature condition in kelvin, as the store reads it."""
    return (float(value), "K")
