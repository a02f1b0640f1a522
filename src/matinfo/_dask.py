"""The Dask client behind every ``executor=`` of matinfo (featurize, screen, calc): one place that starts a cluster.

``executor="dask"`` starts a local ``dask.distributed`` cluster of single-threaded worker processes for the
duration of one call; a ``dask.distributed.Client`` passed in is used as it is (any cluster: local, SSH, SLURM
through ``dask-jobqueue``) and left open.

Why the local cluster is not Dask's default one: Dask sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker it
spawns, so that idle workers hand memory back to the system.  Setting any ``MALLOC_*_`` threshold also switches
off glibc's *dynamic* mmap threshold, so every array above 128 KiB is a fresh ``mmap`` whose pages fault in on
first touch and go back on ``free``.  Numerical chunks (featurize, kernel blocks of a screen) allocate such
temporaries over and over: with the setting, the same chunk cost 25-40 % more CPU in a worker than in the
calling process (``benchmarks/screen_speed.py``).  Our chunks keep memory flat by construction, so the workers
started here keep glibc's default.  A user's own ``MALLOC_TRIM_THRESHOLD_`` in the environment still wins, and a
client passed in keeps whatever its cluster was started with.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from matinfo.errors import MatinfoError, ParameterError

__all__ = ["dask_client", "local_cluster"]

#: Dask configuration while the workers of :func:`local_cluster` are spawned (None unsets a variable).
WORKER_ENVIRON = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _distributed() -> Any:
    try:
        import dask.distributed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MatinfoError("executor='dask' needs dask.distributed: pip install 'matinfo[dask]'") from exc
    return dask.distributed


def local_cluster(n_workers: int | None = None, **kwargs: Any) -> Any:
    """A ``LocalCluster`` of ``n_workers`` (default: the CPU count) single-threaded processes, glibc's malloc
    left at its defaults (see the module docstring).  ``kwargs`` go to ``LocalCluster``."""
    import dask

    distributed = _distributed()
    options = {
        "n_workers": n_workers or os.cpu_count() or 1,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
    }
    options.update(kwargs)
    with dask.config.set(WORKER_ENVIRON):
        return distributed.LocalCluster(**options)


@contextmanager
def dask_client(executor: Any, n_workers: int | None = None) -> Iterator[Any]:
    """Yield a client for ``executor``: ``"dask"`` starts a :func:`local_cluster` and closes it afterwards, a
    ``dask.distributed.Client`` is yielded unchanged (and left open).

    Raises
    ------
    ParameterError
        For any other executor.
    """
    distributed = _distributed()
    if isinstance(executor, distributed.Client):
        yield executor
        return
    if executor != "dask":
        raise ParameterError(f"executor={executor!r}: use 'local', 'dask' or a dask.distributed.Client")
    cluster = local_cluster(n_workers)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
