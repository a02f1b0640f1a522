"""Child processes of the local runner: started in their own process group, dying with the thread that
started them (Linux ``PR_SET_PDEATHSIG``), and the pool of warm calculation workers
(``python -m matinfo.calc.worker --serve``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from matinfo.calc.errors import CalculationError

__all__ = ["die_with_parent", "kill", "Warm", "WarmPool"]


def _libc_prctl():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except OSError:
        return None


#: Loaded here, in the parent: the child between fork and exec must not import or take locks (other threads).
_PRCTL = _libc_prctl()
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """New session (so the whole group can be killed), and SIGKILL when the parent thread exits."""
    os.setsid()
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


class Warm:
    """One warm worker process: work folders go in on its standard input, one per line."""

    def __init__(self, command: list[str], env: Mapping[str, str]) -> None:
        import tempfile

        fd, log = tempfile.mkstemp(prefix="matinfo-calc-worker-", suffix=".log")
        self.log = Path(log)
        self.key = (tuple(command), tuple(sorted(env.items())))
        try:
            self.proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=fd, stderr=fd, env=dict(env), text=True,
                preexec_fn=die_with_parent,
            )  # fmt: skip
        except OSError as e:
            raise CalculationError(f"cannot start the calculation worker {command[0]!r}: {e}") from None
        finally:
            os.close(fd)

    def send(self, workdir: Path) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(f"{workdir}\n")
            self.proc.stdin.flush()
        except OSError as e:  # it died between two calculations
            raise CalculationError(
                f"the calculation worker stopped before {workdir}: {e}; run again"
            ) from None

    def stop(self) -> None:
        kill(self.proc)
        self.log.unlink(missing_ok=True)


class WarmPool:
    """Warm workers, one per thread and (command, environment): a thread runs one calculation at a time, and a
    child process started by a thread dies with that thread (``PR_SET_PDEATHSIG``)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Warm] = []
        self._lock = threading.Lock()

    def get(self, command: list[str], env: Mapping[str, str]) -> Warm:
        key = (tuple(command), tuple(sorted(env.items())))
        mine: dict = self._local.__dict__.setdefault("workers", {})
        w = mine.get(key)
        if w is not None and w.proc.poll() is None:
            return w
        if w is not None:
            self.discard(w)
        w = Warm(command, env)
        mine[key] = w
        with self._lock:
            self._all.append(w)
        return w

    def discard(self, w: Warm) -> None:
        w.stop()
        self._local.__dict__.get("workers", {}).pop(w.key, None)
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            if w.proc.stdin is not None:
                try:
                    w.proc.stdin.close()  # the worker's loop ends
                except OSError:
                    pass
            try:
                w.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            w.stop()
        self._local = threading.local()
