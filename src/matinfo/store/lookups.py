"""Get-or-create lookups an import needs: references (by DOI or citation key) and datasets (by name)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from matinfo.core.records import DatasetIn, ReferenceIn, normalize_doi
from matinfo.store.models import Dataset, Reference

__all__ = ["Refs", "dataset_id"]


class Refs:
    """Get-or-create references by key, cached for the transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, int] = {}

    def ids(self, refs: Iterable[ReferenceIn | None]) -> None:
        want = {r.key: r for r in refs if r is not None and r.key and r.key not in self.cache}
        if not want:
            return
        keys = list(want)
        for i in range(0, len(keys), 500):
            for rid, key in self.session.execute(
                select(Reference.id, Reference.key).where(Reference.key.in_(keys[i : i + 500]))
            ):
                self.cache[key] = rid
        new = [k for k in keys if k not in self.cache]
        if new:
            rows = [
                {
                    "key": k,
                    "doi": normalize_doi(want[k].doi),
                    "authors": want[k].authors,
                    "title": want[k].title,
                    "journal": want[k].journal,
                    "year": want[k].year,
                    "volume": want[k].volume,
                    "pages": want[k].pages,
                    "url": want[k].url,
                }
                for k in new
            ]
            ids = self.session.scalars(
                insert(Reference).returning(Reference.id, sort_by_parameter_order=True), rows
            )
            self.cache.update(zip(new, ids, strict=True))

    def get(self, ref: ReferenceIn | None) -> int | None:
        if ref is None or not ref.key:
            return None
        return self.cache[ref.key]


def dataset_id(session: Session, dataset: DatasetIn | str | None) -> int | None:
    if dataset is None:
        return None
    if isinstance(dataset, str):
        dataset = DatasetIn(name=dataset)
    found = session.scalar(select(Dataset.id).where(Dataset.name == dataset.name))
    if found is not None:
        return found
    return session.scalar(
        insert(Dataset).returning(Dataset.id),
        [
            {
                "name": dataset.name,
                "description": dataset.description,
                "license": dataset.license,
                "citation": dataset.citation,
                "url": dataset.url,
                "visibility": dataset.visibility,
            }
        ],
    )
