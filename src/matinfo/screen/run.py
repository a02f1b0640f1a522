"""The screen driver: score a candidate space with several models, chunk by chunk, keeping only each model's best.

``screen(space, models, top=100)`` reads the space in chunks; for each chunk it applies the feasibility filters,
featurizes once per distinct featurizer (models trained with the same descriptors share them), predicts with
every model, scores the predictions (:class:`~matinfo.screen.models.Ranking`) and keeps, per model, only the
``depth`` best rows.  Support-vector and Gaussian-process models are evaluated with matrix products
(:mod:`matinfo.screen._fastkernel`: scikit-learn's numbers to ~1e-12, several times faster).  Memory is one chunk plus ``models × depth`` rows, whatever the size of the space.

The executor is the only thing that changes between a laptop and a cluster:

* ``"local"`` — chunks one after another in this process;
* ``"threads"`` — ``n_workers`` threads of this process (default: the CPU count), each with its own copy of the
  models, BLAS held to one thread each: no cluster to start and nothing to serialise; it scales as far as the
  models release the GIL (matrix products, LightGBM, NumPy element-wise work do; featurizing a composition
  mostly does not);
* ``"dask"`` — a local ``dask.distributed`` cluster of ``n_workers`` processes;
* a ``dask.distributed.Client`` — any cluster (e.g. ``dask-jobqueue`` on SLURM).

With Dask, the models are sent to each worker once; a generated space (pairs, grids, substitutions) is sent
once too and each worker builds its own chunks from their numbers, so only chunk numbers and the small per-chunk
top lists cross the network; a space read in order (CSV, store) is read here and its chunks are sent with at
most two per worker in flight.  The lists are the same with every executor: ties between equal scores are
broken by position in the space, not by arrival order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import ParameterError
from matinfo.screen._chunk import POSITION, _groups, _Merger, _Partial, _Plan, _score_chunk, _space_chunk
from matinfo.screen.filters import as_filter
from matinfo.screen.models import Ranking, ScreenModel, load_models
from matinfo.screen.spaces import CandidateSpace

__all__ = ["screen", "DEFAULT_CHUNK_SIZE", "POSITION"]

#: Candidates per chunk: large enough for vectorised featurizers and models, small enough for flat memory.
DEFAULT_CHUNK_SIZE = 20_000


def _check_inputs(
    space: CandidateSpace,
    models: Sequence[ScreenModel],
    constants: Mapping[str, Any],
    columns: Mapping[str, str],
) -> None:
    have = set(space.columns)
    for model in models:
        for c in model.card.input_columns:
            src = columns.get(c, c)
            if c in constants or src in have:
                continue
            raise ParameterError(
                f"model {model.name!r} reads column {c!r}, which the candidates do not have (they have "
                f"{', '.join(map(repr, space.columns))}): give it a fixed value (constants={{{c!r}: ...}}, "
                f"--set '{c}=VALUE') or map it to a candidate column (columns={{{c!r}: 'formula'}}, "
                f"--map '{c}=formula')"
            )


def _as_models(
    models: Sequence[ScreenModel | str | Path], goal: str | Mapping[str, str] | None
) -> list[ScreenModel]:
    if not models:
        raise ParameterError("give at least one model (a folder written by `matinfo model fit`)")
    out = [m if isinstance(m, ScreenModel) else load_models([m])[0] for m in models]
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        raise ParameterError(f"model names must differ, got {names}; load them with load_models(names=...)")
    if isinstance(goal, str):
        out = [ScreenModel(m.name, m.pipeline, m.card, m.model_id, goal, m.source) for m in out]
    elif goal is not None:
        unknown = sorted(set(goal) - set(names))
        if unknown:
            raise ParameterError(f"goal for unknown models {unknown}; the models are {names}")
        out = [
            ScreenModel(m.name, m.pipeline, m.card, m.model_id, goal.get(m.name, m.goal), m.source)
            for m in out
        ]
    return out


def screen(
    space: CandidateSpace,
    models: Sequence[ScreenModel | str | Path],
    *,
    top: int = 100,
    depth: int | None = None,
    goal: str | Mapping[str, str] | None = None,
    ranking: Ranking | str = "mean",
    uncertainty: bool | None = None,
    filters: Sequence[Any] = (),
    constants: Mapping[str, Any] | None = None,
    columns: Mapping[str, str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    executor: str | Any = "local",
    n_workers: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
):
    """Screen ``space`` with ``models``: every model's ``top`` best candidates, their overlaps and aggregates.

    Parameters
    ----------
    space : CandidateSpace
        The candidates (:mod:`matinfo.screen.spaces`, :mod:`matinfo.screen.sources`,
        :class:`~matinfo.screen.substitution.SubstitutionSpace`).
    models : sequence of ScreenModel, str or Path
        Loaded models (:func:`~matinfo.screen.models.load_models`) or folders of saved models.
    top : int
        Length of each model's top list (the seed used 100).
    depth : int or None
        Candidates kept per model for rank aggregation (default ``10 * top``); must be >= ``top``.
    goal : str, mapping or None
        ``"min"`` / ``"max"`` for every model, ``{name: goal}``, or None to keep each model's own goal.
    ranking : Ranking or str
        ``"mean"``, ``"optimistic"``, ``"conservative"``, ``"probability"`` (see
        :class:`~matinfo.screen.models.Ranking`; a string means the default ``kappa = 1``).
    uncertainty : bool or None
        Compute each model's standard deviation (for the hit list); default: only when the ranking needs it.
        Models without one are skipped.  It can cost more than the prediction (a GP's std is O(n_train²) per
        candidate).
    filters : sequence
        Feasibility filters (:mod:`matinfo.screen.filters`) or functions of a chunk returning a bool mask.
    constants : mapping or None
        Model input columns with one value for every candidate (``{"Temperature (K)": 300}``).
    columns : mapping or None
        Model input column → candidate column that holds it (``{"Pymatgen Composition": "formula"}``).
    chunk_size : int
        Candidates per chunk.
    executor : str or dask.distributed.Client
        ``"local"``, ``"threads"``, ``"dask"`` or a client (see the module docstring).
    n_workers : int or None
        Threads (``"threads"``) or processes of the local Dask cluster (``"dask"``); default: the CPU count.
    progress : callable or None
        ``progress(candidates_done, total_or_None)`` after every chunk.

    Returns
    -------
    ScreenResult
        Top lists, hit list, overlaps, aggregates and counts (:class:`~matinfo.screen.result.ScreenResult`).

    Raises
    ------
    ParameterError
        For ``top`` < 1, an empty space, a column a model needs that the candidates lack, a ranking that needs an
        uncertainty a model does not give, or when no candidate could be scored.
    """
    from matinfo.screen.result import ScreenResult

    if not isinstance(space, CandidateSpace):
        raise ParameterError(
            f"space must be a CandidateSpace (matinfo.screen.spaces), not {type(space).__name__}"
        )
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise ParameterError(f"top={top!r}: give the length of each model's top list, a whole number >= 1")
    depth = 10 * int(top) if depth is None else depth
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or depth < top:
        raise ParameterError(f"depth={depth!r}: keep at least top={top} candidates per model")
    ranking = Ranking(ranking) if isinstance(ranking, str) else ranking
    model_list = _as_models(models, goal)
    for m in model_list:
        ranking.check(m)
    constants = dict(constants or {})
    columns = dict(columns or {})
    _check_inputs(space, model_list, constants, columns)
    size = space.size
    if size == 0:
        raise ParameterError(f"the candidate space is empty: {space.describe()}")
    want_std = ranking.needs_std if uncertainty is None else bool(uncertainty)
    filter_list = [as_filter(f) for f in filters]
    carry = list(dict.fromkeys([space.key, *(c for c in space.columns if c != "structure")]))
    plan = _Plan(
        models=model_list,
        groups=_groups(model_list),
        filters=filter_list,
        composition_columns=tuple(space.composition_columns),
        key=space.key,
        carry=carry,
        constants=constants,
        columns=columns,
        ranking=ranking,
        depth=int(depth),
        with_std=[want_std and m.has_std for m in model_list],
    )
    merger = _Merger(plan, [f.name for f in filter_list])
    done = 0

    def finished(p: _Partial, span: int) -> None:
        nonlocal done
        merger.add(p)
        done += span
        if progress is not None:
            progress(done, size)

    t0 = time.perf_counter()
    if executor == "local":
        if space.random_access:
            for i in range(space.n_chunks(chunk_size)):
                finished(_space_chunk(space, i, chunk_size, plan), _span(space, i, chunk_size))
        else:
            for chunk in space.chunks(chunk_size):
                finished(_score_chunk(chunk, plan), len(chunk))
        used = "local"
    elif executor == "threads":
        used = _run_threads(space, plan, chunk_size, n_workers, finished)
    elif isinstance(executor, str) and executor != "dask":
        raise ParameterError(
            f"executor={executor!r}: use 'local', 'threads', 'dask' or a dask.distributed.Client"
        )
    else:
        used = _run_dask(space, plan, chunk_size, executor, n_workers, finished)
    seconds = time.perf_counter() - t0
    total = merger.total
    if total.n_seen == 0:
        raise ParameterError(f"the candidate space is empty: {space.describe()} gave no rows")
    if total.kept is None or not len(total.kept):
        removed = ", ".join(f"{k}: {v:,}" for k, v in total.filtered.items() if v) or "none"
        first = (
            f"; first failure: row {total.failed[0][0]} {total.failed[0][1]!r}: {total.failed[0][2]}"
            if total.failed
            else ""
        )
        raise ParameterError(
            f"no candidate could be scored: {total.n_seen:,} read, removed by filters ({removed}), "
            f"{total.n_failed:,} could not be featurized{first}"
        )
    return ScreenResult(
        models=model_list,
        kept=total.kept,
        top=int(top),
        depth=int(depth),
        ranking=ranking,
        key=space.key,
        carry=carry,
        space=space.describe(),
        n_candidates=total.n_seen,
        n_scored=total.n_scored,
        n_failed=total.n_failed,
        failed=total.failed,
        filtered=total.filtered,
        score_stats=[(n, mu, float(np.sqrt(q / (n - 1))) if n > 1 else 0.0) for n, mu, q in total.stats],
        constants=constants,
        seconds=seconds,
        executor=used,
    )


def _span(space: CandidateSpace, i: int, chunk_size: int) -> int:
    n = len(space)  # type: ignore[arg-type]
    return min(chunk_size, n - i * chunk_size)


def _run_threads(space, plan: _Plan, chunk_size: int, n_workers: int | None, finished) -> str:
    import copy
    import threading
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from threadpoolctl import threadpool_limits

    n = (os.cpu_count() or 1) if n_workers is None else n_workers
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"n_workers={n_workers!r}: give the number of threads, a whole number >= 1")
    mine = threading.local()

    def own_plan() -> _Plan:
        # Featurizers record a report of their last transform on themselves: one copy of the models per thread.
        if not hasattr(mine, "plan"):
            mine.plan = copy.deepcopy(plan)
        return mine.plan

    if space.random_access:
        jobs = (
            ((lambda i=i: _space_chunk(space, i, chunk_size, own_plan())), _span(space, i, chunk_size))
            for i in range(space.n_chunks(chunk_size))
        )
    else:
        jobs = (((lambda c=c: _score_chunk(c, own_plan())), len(c)) for c in space.chunks(chunk_size))
    with threadpool_limits(limits=1), ThreadPoolExecutor(n, thread_name_prefix="matinfo-screen") as pool:
        spans: dict[Any, int] = {}
        for job, span in jobs:
            spans[pool.submit(job)] = span
            while len(spans) >= 2 * n:
                done, _ = wait(spans, return_when=FIRST_COMPLETED)
                for fut in done:
                    finished(fut.result(), spans.pop(fut))
        while spans:
            done, _ = wait(spans, return_when=FIRST_COMPLETED)
            for fut in done:
                finished(fut.result(), spans.pop(fut))
    return f"threads ({n})"


def _run_dask(space, plan: _Plan, chunk_size: int, executor: Any, n_workers: int | None, finished) -> str:
    from matinfo._dask import dask_client

    with dask_client(executor, n_workers) as client:
        from dask.distributed import as_completed

        window = 2 * max(1, sum(client.nthreads().values()))
        remote_plan = client.scatter(plan, broadcast=True)
        if space.random_access:
            remote_space = client.scatter(space, broadcast=True)
            jobs = (
                (
                    lambda i=i: client.submit(
                        _space_chunk, remote_space, i, chunk_size, remote_plan, pure=False
                    ),
                    _span(space, i, chunk_size),
                )
                for i in range(space.n_chunks(chunk_size))
            )
        else:
            jobs = (
                (lambda c=c: client.submit(_score_chunk, c, remote_plan, pure=False), len(c))
                for c in space.chunks(chunk_size)
            )
        spans: dict[Any, int] = {}
        pending = as_completed()
        for submit, span in jobs:
            fut = submit()
            spans[fut] = span
            pending.add(fut)
            if pending.count() >= window:
                done = next(pending)
                finished(done.result(), spans.pop(done))
                done.release()
        for done in pending:
            finished(done.result(), spans.pop(done))
            done.release()
        return f"dask ({len(client.nthreads())} workers)"
