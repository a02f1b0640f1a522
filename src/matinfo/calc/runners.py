"""Runners: where an engine's command runs — a local process, a SLURM job (:mod:`matinfo.calc.slurm`) or a Dask
worker — and :func:`execute`, which checks a spec, writes its inputs, runs and reads it back.

A runner has one method, ``run(command, workdir, *, env, heartbeat)``: run ``command`` with ``workdir`` as its
current folder and return when it has finished, raising :class:`~matinfo.calc.errors.CalculationError` if it
failed.  While it waits it calls ``heartbeat()`` every few seconds; when that returns False (the job queue
says another worker owns the job now) it stops the calculation and raises :class:`LeaseLost`.

A local calculation is its own process group, and dies with the process that started it (Linux
``PR_SET_PDEATHSIG``): killing a worker never leaves an orphan calculation writing into a folder that a new
attempt uses.  Engines that run in Python (CHGNet, EMT) have a ``serve_command``: the local runner keeps one warm
worker process per thread for them (torch and the model load once), which dies the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from matinfo.calc._procs import WarmPool, die_with_parent, kill
from matinfo.calc.config import CalcConfig
from matinfo.calc.errors import CalculationError
from matinfo.calc.spec import CalcResult, CalcSpec

__all__ = ["LocalRunner", "DaskRunner", "LeaseLost", "make_runner", "execute", "HEARTBEAT_EVERY"]

#: Seconds between heartbeats while a calculation runs (at most; a third of the lease when that is shorter).
HEARTBEAT_EVERY = 10.0


class LeaseLost(CalculationError):
    """The job was taken over by another worker (our lease expired); this worker's result is discarded."""


def _why(workdir: Path, stdout: str = "stdout.txt") -> str:
    """Why a calculation failed: the worker's ``error.json``, else the end of its error or normal output."""
    err = workdir / "error.json"
    if err.is_file():
        import json

        try:
            return str(json.loads(err.read_text())["error"])
        except (ValueError, KeyError):
            pass
    return _tail(workdir / "stderr.txt") or _tail(workdir / stdout) or "no output"


def _tail(path: Path, n: int = 1500) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-n:].strip()


class LocalRunner:
    """Run the command as a child process of this one.

    Parameters
    ----------
    timeout : float
        Seconds the calculation may run before it is killed.
    poll : float
        Seconds between checks of the process.
    """

    def __init__(self, *, timeout: float = 7200.0, poll: float = 0.5, warm: bool = True) -> None:
        self.timeout = timeout
        self.poll = poll
        self.warm = warm
        self._pool = WarmPool()

    def close(self) -> None:
        """Stop the warm workers."""
        self._pool.close()

    def run(
        self,
        command: list[str],
        workdir: Path,
        *,
        env: Mapping[str, str] | None = None,
        heartbeat: Callable[[], bool] | None = None,
        beat_every: float = HEARTBEAT_EVERY,
        stdout: str = "stdout.txt",
        serve: list[str] | None = None,
    ) -> None:
        """Run ``command`` in ``workdir``; with ``serve`` (and ``warm``), hand ``workdir`` to a warm worker
        started with that command instead (see :mod:`matinfo.calc.worker`)."""
        workdir = Path(workdir)
        full_env = {**os.environ, **(env or {})}
        if serve and self.warm:
            return self._run_warm(serve, workdir, full_env, heartbeat, beat_every)
        with open(workdir / stdout, "wb") as out, open(workdir / "stderr.txt", "wb") as err:
            try:
                proc = subprocess.Popen(
                    command, cwd=workdir, stdout=out, stderr=err, env=full_env, preexec_fn=die_with_parent
                )
            except OSError as e:
                raise CalculationError(f"cannot start {command[0]!r} in {workdir}: {e}") from None
            start = last_beat = time.monotonic()
            try:
                while proc.poll() is None:
                    time.sleep(self.poll)
                    now = time.monotonic()
                    if now - start > self.timeout:
                        kill(proc)
                        raise CalculationError(
                            f"{command[0]} in {workdir} ran longer than {self.timeout:g} s and was stopped "
                            "(raise [runner] timeout in the calc configuration)"
                        )
                    if heartbeat is not None and now - last_beat >= beat_every:
                        last_beat = now
                        if not heartbeat():
                            kill(proc)
                            raise LeaseLost(f"another worker took over the job in {workdir}; stopped ours")
            except BaseException:
                kill(proc)
                raise
        if proc.returncode != 0:
            raise CalculationError(
                f"{' '.join(command[:3])} exited with status {proc.returncode} in {workdir}: "
                f"{_why(workdir, stdout)}"
            )

    def _run_warm(self, serve, workdir, env, heartbeat, beat_every) -> None:
        from matinfo.calc.worker import STATUS_FILE

        status_file = workdir / STATUS_FILE
        status_file.unlink(missing_ok=True)
        worker = self._pool.get(serve, env)
        worker.send(workdir)
        start = last_beat = time.monotonic()
        while not status_file.exists():
            time.sleep(self.poll)
            now = time.monotonic()
            if worker.proc.poll() is not None:
                self._pool.discard(worker)
                raise CalculationError(
                    f"the calculation worker died (status {worker.proc.returncode}) running {workdir}: "
                    f"{_tail(workdir / 'stderr.txt') or _tail(worker.log) or 'no output'}"
                )
            if now - start > self.timeout:
                self._pool.discard(worker)
                raise CalculationError(
                    f"the calculation in {workdir} ran longer than {self.timeout:g} s and was stopped "
                    "(raise [runner] timeout in the calc configuration)"
                )
            if heartbeat is not None and now - last_beat >= beat_every:
                last_beat = now
                if not heartbeat():
                    self._pool.discard(worker)
                    raise LeaseLost(f"another worker took over the job in {workdir}; stopped ours")
        if status_file.read_text().strip() != "0":
            raise CalculationError(f"the calculation in {workdir} failed: {_why(workdir)}")


def _run_in_worker(command: list[str], workdir: str, env: dict[str, str], timeout: float, stdout: str) -> str:
    """What a Dask worker runs: the command, locally to the worker."""
    LocalRunner(timeout=timeout).run(command, Path(workdir), env=env, stdout=stdout)
    return socket.gethostname()


class DaskRunner:
    """Run the command on a ``dask.distributed`` worker (a local cluster, or the scheduler of the configuration).

    The work folder must be visible to the workers (the same machine, or a shared file system).  ``client`` is
    an existing ``distributed.Client``; without one the runner starts (and owns) one on first use.
    """

    def __init__(self, *, config: CalcConfig | None = None, client: Any = None, poll: float = 0.5) -> None:
        self.config = config or CalcConfig()
        self.client = client
        self.poll = poll
        self._owned = False

    def _client(self) -> Any:
        if self.client is None:
            try:
                from distributed import Client
            except ImportError:
                from matinfo.calc.errors import CalcConfigError

                raise CalcConfigError(
                    "the Dask runner needs dask.distributed, which is not installed",
                    field="runner.kind",
                    value="dask",
                    hint="pip install 'matinfo[dask]', or choose [runner] kind = 'local'",
                ) from None

            d = self.config.dask
            if d.scheduler:
                self.client = Client(d.scheduler)
            else:
                from matinfo._dask import local_cluster

                cluster = local_cluster(
                    d.n_workers, threads_per_worker=d.threads_per_worker, processes=d.processes
                )
                self.client = Client(cluster)
            self._owned = True
        return self.client

    def close(self) -> None:
        if self._owned and self.client is not None:
            cluster = getattr(self.client, "cluster", None)
            self.client.close()
            if cluster is not None:
                cluster.close()
            self.client = None

    def run(
        self,
        command: list[str],
        workdir: Path,
        *,
        env: Mapping[str, str] | None = None,
        heartbeat: Callable[[], bool] | None = None,
        beat_every: float = HEARTBEAT_EVERY,
        stdout: str = "stdout.txt",
    ) -> None:
        client = self._client()
        fut = client.submit(
            _run_in_worker,
            list(command),
            str(workdir),
            dict(env or {}),
            self.config.runner.timeout,
            stdout,
            pure=False,
        )
        last = time.monotonic()
        while not fut.done():
            time.sleep(self.poll)
            if heartbeat is not None and time.monotonic() - last >= beat_every:
                last = time.monotonic()
                if not heartbeat():
                    fut.cancel()
                    raise LeaseLost(f"another worker took over the job in {workdir}; cancelled ours")
        try:
            fut.result()
        except CalculationError:
            raise
        except Exception as e:  # noqa: BLE001 - a worker lost, a pickling problem...
            raise CalculationError(f"the Dask task for {workdir} failed: {e.__class__.__name__}: {e}") from e


def make_runner(config: CalcConfig) -> Any:
    """The runner of ``config.runner.kind``."""
    kind = config.runner.kind
    if kind == "local":
        return LocalRunner(timeout=config.runner.timeout, poll=config.runner.poll)
    if kind == "dask":
        return DaskRunner(config=config, poll=config.runner.poll)
    from matinfo.calc.slurm import SlurmRunner

    return SlurmRunner(config=config)


def execute(
    spec: CalcSpec,
    *,
    config: CalcConfig | None = None,
    workdir: str | Path | None = None,
    runner: Any = None,
    heartbeat: Callable[[], bool] | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> CalcResult:
    """Check ``spec``, write its inputs into ``workdir``, run it with ``runner`` and read its result.

    ``workdir`` defaults to ``<config workdir>/<spec key[:16]>``; ``runner`` to the configured one.
    """
    from matinfo import __version__
    from matinfo.calc.engines import check_spec
    from matinfo.calc.results import normalise

    config = config or CalcConfig()
    engine = check_spec(spec, config)
    econf = config.engine(engine.name)
    folder = Path(workdir) if workdir is not None else config.workdir / spec.key[:16]
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("results.json", "error.json"):
        (folder / stale).unlink(missing_ok=True)
    engine.write_inputs(spec.cell.to_atoms(), spec, folder, econf)
    command = engine.command(spec, folder, econf)
    env = {"OMP_NUM_THREADS": str(config.runner.cores), **dict(econf.env)}
    own = runner is None
    runner = runner if runner is not None else make_runner(config)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    beat = min(HEARTBEAT_EVERY, max(0.2, config.runner.lease / 3.0))
    stdout = getattr(engine, "stdout_file", None) or "stdout.txt"
    kwargs: dict[str, Any] = {}
    serve = getattr(engine, "serve_command", None)
    if serve is not None and isinstance(runner, LocalRunner):
        kwargs["serve"] = serve(econf)
    try:
        runner.run(command, folder, env=env, heartbeat=heartbeat, beat_every=beat, stdout=stdout, **kwargs)
    finally:
        if own and hasattr(runner, "close"):
            runner.close()
    raw = engine.read_results(folder)
    prov = {
        "host": socket.gethostname(),
        "started": started.isoformat(),
        "finished": dt.datetime.now(dt.UTC).isoformat(),
        "wall_s": round(time.perf_counter() - t0, 3),
        "matinfo": __version__,
        "workdir": str(folder),
        "runner": type(runner).__name__,
        **dict(provenance or {}),
    }
    return normalise(raw, spec, provenance=prov)
