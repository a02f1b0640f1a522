"""SLURM: a batch script for a calculation (:func:`sbatch_script`), its submission and the wait for it.

The script runs the engine's command in the work folder and writes its exit status to ``exit_code`` there; the
runner waits for that file (checking ``squeue`` now and then for a job that vanished without writing it: killed
for its time limit, a node failure).  Resources come from the ``[slurm]`` section of the calc configuration.

>>> from matinfo.calc.config import SlurmConfig
>>> print(sbatch_script(["pw.x", "-in", "pw.in"], "/scratch/job", SlurmConfig(partition="short", ntasks=4),
...                     job_name="mi-1a2b"))  # doctest: +ELLIPSIS
#!/bin/bash
#SBATCH --job-name=mi-1a2b
#SBATCH --chdir=/scratch/job
#SBATCH --output=slurm-%j.out
#SBATCH --error=slurm-%j.err
#SBATCH --time=01:00:00
#SBATCH --nodes=1
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=1
#SBATCH --partition=short
...
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from matinfo.calc.config import CalcConfig, SlurmConfig
from matinfo.calc.errors import CalcConfigError, CalculationError
from matinfo.calc.runners import HEARTBEAT_EVERY, LeaseLost

__all__ = ["sbatch_script", "submit", "SlurmRunner", "SCRIPT_NAME", "EXIT_FILE"]

#: The batch script written into the work folder, and the file it writes the command's exit status to.
SCRIPT_NAME = "job.sbatch"
EXIT_FILE = "exit_code"


def sbatch_script(
    command: list[str],
    workdir: str | Path,
    slurm: SlurmConfig,
    *,
    job_name: str = "matinfo-calc",
    env: Mapping[str, str] | None = None,
    stdout: str = "stdout.txt",
) -> str:
    """The text of an ``sbatch`` script that runs ``command`` in ``workdir``."""
    lines = [
        "#!/bin/bash",
        f"#SBATCH --job-name={job_name}",
        f"#SBATCH --chdir={workdir}",
        "#SBATCH --output=slurm-%j.out",
        "#SBATCH --error=slurm-%j.err",
        f"#SBATCH --time={slurm.time}",
        f"#SBATCH --nodes={slurm.nodes}",
        f"#SBATCH --ntasks={slurm.ntasks}",
        f"#SBATCH --cpus-per-task={slurm.cpus_per_task}",
    ]
    for opt, value in (
        ("partition", slurm.partition),
        ("mem", slurm.mem),
        ("account", slurm.account),
        ("qos", slurm.qos),
    ):
        if value:
            lines.append(f"#SBATCH --{opt}={value}")
    lines += [f"#SBATCH {x}" for x in slurm.extra]
    lines += ["", "set -u", f"cd {shlex.quote(str(workdir))}", f"rm -f {EXIT_FILE}"]
    lines += [f"module load {shlex.quote(m)}" for m in slurm.modules]
    lines += list(slurm.setup)
    lines += [f"export {k}={shlex.quote(str(v))}" for k, v in sorted((env or {}).items())]
    lines += [
        shlex.join(command) + f" > {shlex.quote(stdout)} 2> stderr.txt",
        "status=$?",
        f'echo "$status" > {EXIT_FILE}.tmp && mv {EXIT_FILE}.tmp {EXIT_FILE}',
        'exit "$status"',
        "",
    ]
    return "\n".join(lines)


def submit(script: Path, slurm: SlurmConfig) -> str:
    """Submit ``script`` with ``sbatch --parsable``; returns the SLURM job ID."""
    if shutil.which(slurm.sbatch) is None:
        raise CalcConfigError(
            f"{slurm.sbatch!r} was not found",
            field="slurm.sbatch",
            value=slurm.sbatch,
            hint="run on a SLURM login node, or choose [runner] kind = 'local'",
        )
    proc = subprocess.run(
        [slurm.sbatch, "--parsable", str(script)], cwd=script.parent, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise CalculationError(f"sbatch refused {script}: {proc.stderr.strip() or proc.stdout.strip()}")
    job_id = proc.stdout.strip().split(";")[0].strip()
    if not job_id:
        raise CalculationError(f"sbatch gave no job ID for {script}")
    return job_id


def _in_queue(job_id: str, slurm: SlurmConfig) -> bool | None:
    """True / False when ``squeue`` can tell, None when it cannot be asked."""
    if shutil.which(slurm.squeue) is None:
        return None
    proc = subprocess.run([slurm.squeue, "-h", "-j", job_id, "-o", "%T"], capture_output=True, text=True)
    if proc.returncode != 0:
        return False if "Invalid job id" in proc.stderr else None
    return bool(proc.stdout.strip())


class SlurmRunner:
    """Submit the calculation as a SLURM batch job and wait for it."""

    def __init__(self, *, config: CalcConfig | None = None) -> None:
        self.config = config or CalcConfig()

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
        slurm = self.config.slurm
        workdir = Path(workdir)
        script = workdir / SCRIPT_NAME
        script.write_text(
            sbatch_script(command, workdir, slurm, job_name=f"mi-{workdir.name}", env=env, stdout=stdout)
        )
        (workdir / EXIT_FILE).unlink(missing_ok=True)
        job_id = submit(script, slurm)
        (workdir / "slurm_job_id").write_text(job_id + "\n")
        exit_file = workdir / EXIT_FILE
        start = last_beat = last_queue = time.monotonic()
        poll = min(slurm.poll, self.config.runner.poll * 4)
        while not exit_file.exists():
            time.sleep(poll)
            now = time.monotonic()
            if heartbeat is not None and now - last_beat >= beat_every:
                last_beat = now
                if not heartbeat():
                    self._cancel(job_id)
                    raise LeaseLost(
                        f"another worker took over the job in {workdir}; cancelled SLURM job {job_id}"
                    )
            if now - last_queue >= slurm.poll:
                last_queue = now
                if _in_queue(job_id, slurm) is False and not exit_file.exists():
                    time.sleep(poll)  # the file may land just after the job leaves the queue
                    if not exit_file.exists():
                        raise CalculationError(
                            f"SLURM job {job_id} ended without finishing the calculation in {workdir} (time "
                            "limit, node failure, scancel?); see its slurm-*.err"
                        )
            if now - start > self.config.runner.timeout + slurm.poll:
                self._cancel(job_id)
                raise CalculationError(
                    f"SLURM job {job_id} did not finish within {self.config.runner.timeout:g} s"
                )
        status = exit_file.read_text().strip()
        if status != "0":
            err = (
                (workdir / "stderr.txt").read_text(errors="replace")[-1500:]
                if (workdir / "stderr.txt").exists()
                else ""
            )
            raise CalculationError(
                f"SLURM job {job_id} in {workdir} exited with status {status}: {err.strip()}"
            )

    def _cancel(self, job_id: str) -> None:
        if shutil.which("scancel"):
            subprocess.run(["scancel", job_id], capture_output=True)
