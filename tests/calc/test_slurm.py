from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from matinfo.calc.config import SlurmConfig, parse_config
from matinfo.calc.engines import make_spec
from matinfo.calc.errors import CalcConfigError, CalculationError
from matinfo.calc.runners import execute
from matinfo.calc.slurm import SlurmRunner, sbatch_script, submit

GOLDEN = Path(__file__).parent / "golden" / "job.sbatch"

#: A stand-in for sbatch: runs the script in the background, prints a job ID (as --parsable does).
FAKE_SBATCH = """#!/bin/sh
echo "$@" > sbatch.args
nohup bash "$2" > /dev/null 2>&1 &
echo "4242;cluster"
"""


def test_script_matches_golden_file():
    slurm = SlurmConfig(
        partition="short",
        time="02:00:00",
        ntasks=4,
        cpus_per_task=2,
        mem="8G",
        account="proj42",
        modules=("quantum-espresso/7.2",),
        setup=("source /opt/venv/bin/activate",),
        extra=("--constraint=intel",),
    )
    text = sbatch_script(
        ["mpirun", "-np", "4", "pw.x", "-in", "pw.in"],
        "/scratch/calc/1a2b3c/attempt-1",
        slurm,
        job_name="mi-1a2b3c",
        env={"OMP_NUM_THREADS": "1"},
        stdout="pw.out",
    )
    if os.environ.get("MATINFO_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def _fake_bin(tmp_path, monkeypatch, script=FAKE_SBATCH):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "sbatch"
    exe.write_text(script)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return bin_dir


def test_submission_with_fake_sbatch(tmp_path, monkeypatch, cu3au):
    _fake_bin(tmp_path, monkeypatch)
    config = parse_config(
        {"runner": {"kind": "slurm", "workdir": str(tmp_path / "work"), "poll": 0.1}, "slurm": {"poll": 0.2}}
    )
    r = execute(make_spec("emt", "static", cu3au), config=config, workdir=tmp_path / "job")
    assert r.provenance["runner"] == "SlurmRunner" and r.energy < 0
    job = tmp_path / "job"
    assert (job / "slurm_job_id").read_text().strip() == "4242"
    assert (job / "sbatch.args").read_text().split() == ["--parsable", str(job / "job.sbatch")]
    assert (job / "exit_code").read_text().strip() == "0"
    assert f"{sys.executable} -m matinfo.calc.worker {job}" in (job / "job.sbatch").read_text()


def test_failed_batch_job(tmp_path, monkeypatch):
    _fake_bin(tmp_path, monkeypatch)
    config = parse_config({"runner": {"poll": 0.1}, "slurm": {"poll": 0.2}})
    with pytest.raises(CalculationError, match="SLURM job 4242 .* exited with status 7: bad"):
        SlurmRunner(config=config).run(["sh", "-c", "echo bad >&2; exit 7"], tmp_path)


def test_sbatch_refuses_or_is_missing(tmp_path, monkeypatch):
    script = tmp_path / "job.sbatch"
    script.write_text("#!/bin/bash\n")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with pytest.raises(CalcConfigError, match="'sbatch' was not found.*kind = 'local'"):
        submit(script, SlurmConfig())
    _fake_bin(tmp_path, monkeypatch, "#!/bin/sh\necho 'sbatch: error: invalid partition' >&2\nexit 1\n")
    with pytest.raises(CalculationError, match="invalid partition"):
        submit(script, SlurmConfig())
