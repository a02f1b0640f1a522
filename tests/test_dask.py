"""The one place that starts a Dask cluster for the executors (``matinfo._dask``)."""

from __future__ import annotations

import os

import pytest

from matinfo.errors import ParameterError

distributed = pytest.importorskip("dask.distributed")

from matinfo._dask import dask_client, local_cluster  # noqa: E402


def _environ() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")}


@pytest.mark.slow
def test_local_cluster_workers_keep_glibc_malloc_defaults():
    # Dask's default MALLOC_TRIM_THRESHOLD_ turns off glibc's dynamic mmap threshold (slow numerical chunks);
    # the workers started here do without it, single-threaded BLAS stays.
    with local_cluster(1) as cluster, distributed.Client(cluster) as client:
        (env,) = client.run(_environ).values()
    assert env == {"MALLOC_TRIM_THRESHOLD_": os.environ.get("MALLOC_TRIM_THRESHOLD_"), "OMP_NUM_THREADS": "1"}


def test_a_client_passed_in_is_used_and_left_open():
    with distributed.Client(processes=False, n_workers=1, dashboard_address=None) as client:
        with dask_client(client) as got:
            assert got is client
        assert client.status == "running"


def test_unknown_executor_names_the_choices():
    with pytest.raises(ParameterError, match="use 'local', 'dask' or a dask.distributed.Client"):
        with dask_client("spark"):
            pass
