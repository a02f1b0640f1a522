"""Featurize many rows: in chunks, with progress, resumable, in this process or on a Dask cluster.

The same call runs on a laptop and on a cluster; only the executor changes::

    featurize(ElementStats(), formulas)                                  # this process
    featurize(ElementStats(), formulas, executor="dask")                 # a local Dask cluster
    featurize(ElementStats(), formulas, executor=Client("tcp://...:8786"))   # any dask.distributed cluster
                                                                         # (e.g. dask-jobqueue on SLURM)

``checkpoint`` names a folder where each finished chunk is saved; running the same call again after an
interruption loads the finished chunks instead of computing them again.  The folder remembers what the chunks
were computed from (featurizer parameters, chunk size, a hash of the inputs) and refuses to mix runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matinfo._files import atomic_open
from matinfo.errors import MatinfoError
from matinfo.features.base import Featurizer, FeaturizeReport, RowError

__all__ = ["featurize", "FeaturizeResult"]

#: Rows per chunk: big enough that vectorised featurizers run at full speed, small enough for steady progress.
DEFAULT_CHUNK_SIZE = 5000


class FeaturizeResult:
    """Features of every row (``values``, ``names``, ``categories``) and the rows that failed (``report``)."""

    def __init__(
        self,
        values: np.ndarray,
        names: np.ndarray,
        categories: np.ndarray,
        report: FeaturizeReport,
        index: Sequence[Any],
    ):
        self.values = values
        self.names = names
        self.categories = categories
        self.report = report
        self.index = list(index)

    def to_frame(self):
        """The features as a pandas DataFrame indexed like the input."""
        import pandas as pd

        return pd.DataFrame(self.values, columns=list(self.names), index=self.index)

    def category_counts(self) -> dict[str, int]:
        """Number of features per category."""
        cats, counts = np.unique(self.categories, return_counts=True)
        return {str(c): int(n) for c, n in zip(cats, counts, strict=True)}


def _rows_and_index(inputs: Any) -> tuple[list[Any], list[Any]]:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(inputs, pd.Series):
        return inputs.tolist(), inputs.index.tolist()
    if pd is not None and isinstance(inputs, pd.DataFrame):
        return [r for _, r in inputs.iterrows()], inputs.index.tolist()
    rows = list(inputs)
    return rows, list(range(len(rows)))


def _transform_chunk(
    featurizer: Featurizer, rows: list[Any], index: list[Any]
) -> tuple[np.ndarray, list[RowError], list[Any]]:
    import pandas as pd

    # Pass a Series so that errors name the caller's row labels, not positions inside the chunk.
    if rows and isinstance(rows[0], pd.Series):
        data: Any = pd.DataFrame(rows, index=index)
    else:
        data = pd.Series(rows, index=index, dtype=object)
    values = featurizer.transform(data)
    return values, list(featurizer.report_.errors), list(featurizer.report_.missing)


def _fingerprint(featurizer: Featurizer, rows: list[Any], chunk_size: int) -> str:
    h = hashlib.sha256()
    h.update(type(featurizer).__qualname__.encode())
    h.update(repr(sorted((k, repr(v)) for k, v in featurizer.get_params(deep=False).items())).encode())
    h.update(str(chunk_size).encode())
    for r in rows:
        h.update(repr(r).encode())
        h.update(b"\0")
    return h.hexdigest()


class _Checkpoint:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        manifest = folder / "manifest.json"
        if manifest.exists():
            seen = json.loads(manifest.read_text()).get("fingerprint")
            if seen != fingerprint:
                raise MatinfoError(
                    f"checkpoint folder {folder} holds chunks of a different run (other inputs, featurizer "
                    "parameters or chunk size); remove it or choose another folder"
                )
        else:
            manifest.write_text(json.dumps({"fingerprint": fingerprint}))

    def _path(self, i: int) -> Path:
        return self.folder / f"chunk-{i:06d}.npz"

    def load(self, i: int) -> tuple[np.ndarray, list[RowError], list[Any]] | None:
        path = self._path(i)
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as z:
            errors = [RowError(**e) for e in json.loads(str(z["errors"]))]
            return z["values"], errors, json.loads(str(z["missing"]))

    def save(self, i: int, values: np.ndarray, errors: list[RowError], missing: list[Any]) -> None:
        with atomic_open(self._path(i), "wb") as fh:  # a chunk file exists only when it is complete
            np.savez(
                fh,
                values=values,
                errors=json.dumps([e.__dict__ for e in errors], default=str),
                missing=json.dumps(missing, default=str),
            )


def featurize(
    featurizer: Featurizer,
    inputs: Any,
    *,
    executor: str | Any = "local",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
    checkpoint: str | Path | None = None,
    n_workers: int | None = None,
) -> FeaturizeResult:
    """Featurize ``inputs`` (a sequence, Series or DataFrame) chunk by chunk.

    ``featurizer`` is fitted on all inputs first when it is stateful and not fitted yet.  ``executor`` is
    ``"local"`` (this process; the featurizer's own ``n_jobs`` still applies inside each chunk), ``"dask"`` (a
    local ``dask.distributed`` cluster with ``n_workers`` processes) or a ``dask.distributed.Client``.
    ``progress(n)`` is called with the number of rows of every finished chunk.  Row errors follow the
    featurizer's ``on_error``.

    >>> from matinfo.features import ElementFraction
    >>> res = featurize(ElementFraction(max_z=8), ["Li2O", "LiH"], chunk_size=1)
    >>> res.to_frame()[["H", "Li", "O"]].round(3).values.tolist()
    [[0.0, 0.667, 0.333], [0.5, 0.5, 0.0]]
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size}: use a positive number of rows")
    rows, index = _rows_and_index(inputs)
    if not featurizer.stateless and not hasattr(featurizer, "feature_names_out_"):
        featurizer.fit(inputs)
    featurizer._ensure_ready()
    bounds = [(a, min(a + chunk_size, len(rows))) for a in range(0, len(rows), chunk_size)]
    store = _Checkpoint(Path(checkpoint), _fingerprint(featurizer, rows, chunk_size)) if checkpoint else None
    results: dict[int, tuple[np.ndarray, list[RowError], list[Any]]] = {}
    todo = []
    for i, _ in enumerate(bounds):
        done = store.load(i) if store else None
        if done is not None:
            results[i] = done
            if progress:
                progress(bounds[i][1] - bounds[i][0])
        else:
            todo.append(i)

    def finished(i: int, out: tuple[np.ndarray, list[RowError], list[Any]]) -> None:
        results[i] = out
        if store:
            store.save(i, *out)
        if progress:
            progress(bounds[i][1] - bounds[i][0])

    if todo and executor == "local":
        for i in todo:
            a, b = bounds[i]
            finished(i, _transform_chunk(featurizer, rows[a:b], index[a:b]))
    elif todo:
        _run_dask(featurizer, rows, index, bounds, todo, executor, n_workers, finished)

    n_features = featurizer.n_features_out_
    values = np.vstack([results[i][0] for i in range(len(bounds))]) if bounds else np.empty((0, n_features))
    errors = [e for i in range(len(bounds)) for e in results[i][1]]
    missing = [m for i in range(len(bounds)) for m in results[i][2]]
    report = FeaturizeReport(n_rows=len(rows), errors=errors, missing=missing)
    return FeaturizeResult(
        values, featurizer.get_feature_names_out(), featurizer.get_feature_categories_out(), report, index
    )


def _run_dask(featurizer, rows, index, bounds, todo, executor, n_workers, finished) -> None:
    from matinfo._dask import dask_client

    with dask_client(executor, n_workers) as client:
        from dask.distributed import as_completed

        remote = client.scatter(featurizer, broadcast=True)
        futures = {}
        for i in todo:
            a, b = bounds[i]
            fut = client.submit(_transform_chunk, remote, rows[a:b], index[a:b], pure=False)
            futures[fut] = i
        for fut in as_completed(futures):
            finished(futures[fut], fut.result())
