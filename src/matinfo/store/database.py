"""``connect(url)``: the store on SQLite (embedded default) or PostgreSQL, same code.

>>> from matinfo.store import connect
>>> db = connect("sqlite://")                        # in-memory, for a notebook or a test
>>> m = db.add_material("LiNbO3", space_group=161)
>>> db.get_substance(m.substance_id).reduced_formula
'LiNbO3'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from matinfo.core.records import DatasetIn, MaterialIn, PhaseDiagramIn, PropertyIn, ReferenceIn, StructureIn
from matinfo.errors import NotFoundError, StoreError
from matinfo.store import models as m

__all__ = ["Database", "connect", "default_url", "ENV_URL"]

#: Environment variable that overrides the default database URL.
ENV_URL = "MATINFO_DB_URL"
#: :meth:`Database.write` refreshes planner statistics (:meth:`Database.optimize`) after adding this many
#: materials: the plans of searches depend on them.
OPTIMIZE_AFTER = 5_000


def default_url() -> str:
    """``$MATINFO_DB_URL``, else a SQLite file in the user data directory."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("matinfo", appauthor=False))
    return f"sqlite:///{folder / 'matinfo.db'}"


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we install; SQLAlchemy's default would be psycopg2.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:  # a bare path means a SQLite file
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-65536")
    # sorts and DISTINCT of searches, and the index builds of a large import, in memory rather than temp files
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def connect(url: str | None = None, *, migrate: bool = True, echo: bool = False) -> Database:
    """Open (and create or upgrade, with Alembic) the database at ``url``.

    ``url`` is a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://user@host/db``) or a file path;
    ``None`` means :func:`default_url`.
    """
    url = _normalise_url(url or default_url())
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("postgresql+psycopg"):
        # No server-side prepared statements: after 5 runs PostgreSQL may switch a prepared query to a generic
        # plan, which for our IN (...) lists scans whole tables (measured 287 ms → 29 ms on a search).
        kwargs["connect_args"] = {"prepare_threshold": None}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if url in ("sqlite://", "sqlite:///:memory:"):
            from sqlalchemy.pool import StaticPool

            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    try:
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if migrate:
            from matinfo.store.migrate import upgrade

            upgrade(engine)
    except StoreError:
        raise
    except Exception as e:  # driver / network / permission problems
        raise StoreError(
            f"cannot open the database {engine_url_for_humans(url)}: {e.__class__.__name__}: {e}. "
            f"Check the URL (--db or ${ENV_URL}) and that the server is running."
        ) from e
    return Database(engine)


def engine_url_for_humans(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


class Database:
    """A matinfo store.  Thin: every method opens its own session and transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({engine_url_for_humans(str(self.engine.url))!r})"

    @property
    def url(self) -> str:
        return engine_url_for_humans(str(self.engine.url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------------------
    def write(
        self,
        records: Iterable[MaterialIn | PhaseDiagramIn],
        *,
        dataset: DatasetIn | str | None = None,
        skip_bad: bool = False,
        progress: Callable[[int], None] | None = None,
        resumable: bool = False,
    ):
        """Import ``records``; see :func:`matinfo.store.writer.write_records`.

        By default the import is one transaction: on any error or interruption nothing is written.  With
        ``resumable=True`` every batch is committed as it completes; after an interruption, running the same
        import again skips the committed records (they are deduplicated) and continues with the rest.
        """
        from matinfo.store.writer import write_records

        if not resumable:
            with self.session() as s:
                report = write_records(s, records, dataset=dataset, skip_bad=skip_bad, progress=progress)
        else:
            with self._sessions() as s:
                try:
                    report = write_records(
                        s,
                        records,
                        dataset=dataset,
                        skip_bad=skip_bad,
                        progress=progress,
                        after_batch=s.commit,
                    )
                    s.commit()
                except BaseException:
                    s.rollback()
                    raise
        if report.materials >= OPTIMIZE_AFTER:
            self.optimize()
        return report

    def optimize(self) -> None:
        """Refresh the statistics the query planners choose plans by; :meth:`write` calls it after large imports.

        SQLite: ``ANALYZE`` with ``analysis_limit`` (a sample of each index, a fraction of a second).
        PostgreSQL: ``VACUUM (ANALYZE)`` of the store's tables, outside any transaction: statistics, and the
        visibility map without which the covering indexes of searches still read every table row.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
                conn.exec_driver_sql("ANALYZE")
            return
        if self.engine.dialect.name == "postgresql":
            tables = ", ".join(t.name for t in m.Base.metadata.sorted_tables)
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {tables}")

    def add_material(
        self,
        formula: str,
        *,
        structure: Any = None,
        space_group: int | str | None = None,
        prototype: str | None = None,
        reference: ReferenceIn | Mapping[str, Any] | str | None = None,
        properties: Sequence[PropertyIn | Mapping[str, Any] | tuple] = (),
        name: str | None = None,
        variables: Mapping[str, float] | None = None,
        dataset: DatasetIn | str | None = None,
        external_ids: Sequence[tuple[str, str]] = (),
    ):
        """Add one reported material; returns its :class:`~matinfo.store.views.MaterialRecord`.

        ``structure``: a pymatgen ``Structure``, CIF text or a path to a CIF file.  ``reference``: a DOI string,
        a :class:`ReferenceIn` or a dict of its fields.  ``properties``: :class:`PropertyIn`, dicts of its fields
        or ``(quantity, value, unit)`` tuples.  Adding the same material twice returns the existing record.
        """
        rec = MaterialIn(
            formula=formula,
            name=name,
            variables=variables,
            structure=_structure_in(structure),
            space_group=space_group,
            prototype=prototype,
            reference=_reference_in(reference),
            properties=tuple(_property_in(p) for p in properties),
            external_ids=tuple(external_ids),
        )
        ds_name = dataset if isinstance(dataset, str) else (dataset.name if dataset else None)
        self.write([rec], dataset=dataset)
        with self.session() as s:
            mid = s.scalar(select(m.Material.id).where(m.Material.record_key == rec.content_key(ds_name)))
        return self.get_material(mid)

    def relink(self) -> dict[str, int]:
        """Re-link materials reported without a structure to the only known phase they now fit.

        See :func:`matinfo.store.relink.relink_unknown`; one transaction.
        """
        from matinfo.store.relink import relink_unknown

        with self.session() as s:
            return relink_unknown(s)

    # -- reading ---------------------------------------------------------------------------------------------
    def get_material(self, material_id: int):
        from matinfo.store.views import material_record

        with self.session() as s:
            mat = s.get(m.Material, material_id)
            if mat is None:
                raise NotFoundError(f"no material with id {material_id}")
            return material_record(s, mat)

    def get_substance(self, substance_id: int):
        """The whole substance: materials, structures, properties, phase diagrams, references."""
        from matinfo.store.views import substance_record

        with self.session() as s:
            sub = s.get(m.Substance, int(substance_id))
            if sub is None:
                raise NotFoundError(
                    f"no substance with id {substance_id}; find IDs with `matinfo db search` or db.search()"
                )
            return substance_record(s, sub)

    def search(self, query=None, **criteria):
        """Substances matching a :class:`~matinfo.store.search.Query` (or its fields as keywords)."""
        from matinfo.store.search import Query, run_search

        if query is None:
            query = Query(**criteria)
        elif criteria:
            raise TypeError("give either a Query or keyword criteria, not both")
        with self.session() as s:
            return run_search(s, query)

    def stats(self) -> dict[str, int]:
        """Row counts of every table."""
        out = {}
        with self.session() as s:
            for name, model in (
                ("substances", m.Substance),
                ("materials", m.Material),
                ("structures", m.Structure),
                ("properties", m.Property),
                ("phase_diagrams", m.PhaseDiagram),
                ("references", m.Reference),
                ("datasets", m.Dataset),
                ("external_ids", m.ExternalId),
            ):
                out[name] = s.scalar(select(func.count()).select_from(model))
        return out

    def datasets(self) -> list[dict[str, Any]]:
        with self.session() as s:
            rows = s.execute(
                select(m.Dataset, func.count(m.Material.id))
                .outerjoin(m.Material, m.Material.dataset_id == m.Dataset.id)
                .group_by(m.Dataset.id)
                .order_by(m.Dataset.name)
            ).all()
            return [
                {
                    "name": d.name,
                    "license": d.license,
                    "citation": d.citation,
                    "url": d.url,
                    "visibility": d.visibility,
                    "materials": n,
                }
                for d, n in rows
            ]


def _structure_in(structure: Any) -> StructureIn | None:
    if structure is None or isinstance(structure, StructureIn):
        return structure
    if isinstance(structure, str | os.PathLike):
        text = str(structure)
        if "\n" not in text and Path(text).is_file():
            return StructureIn(
                cif=Path(text).read_text(encoding="utf-8", errors="replace"), source=Path(text).name
            )
        return StructureIn(cif=text)
    try:
        from pymatgen.io.cif import CifWriter

        return StructureIn(cif=str(CifWriter(structure)), structure=structure)
    except Exception as e:
        raise TypeError(
            f"structure must be a pymatgen Structure, CIF text or a CIF path, not {type(structure)}"
        ) from e


def _reference_in(ref: Any) -> ReferenceIn | None:
    if ref is None or isinstance(ref, ReferenceIn):
        return ref
    if isinstance(ref, str):
        return ReferenceIn(doi=ref)
    return ReferenceIn(**dict(ref))


def _property_in(p: Any) -> PropertyIn:
    if isinstance(p, PropertyIn):
        return p
    if isinstance(p, tuple):
        return PropertyIn(*p)
    d = dict(p)
    if "reference" in d:
        d["reference"] = _reference_in(d["reference"])
    return PropertyIn(**d)
