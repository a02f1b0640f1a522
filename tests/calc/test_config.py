from __future__ import annotations

from pathlib import Path

import pytest

from matinfo.calc.config import DEFAULT_PATH, ENV_CONFIG, CalcConfig, load_config
from matinfo.calc.errors import CalcConfigError

FULL = """
[runner]
kind = "slurm"
workdir = "/scratch/calc"
timeout = 3600
lease = 60
max_attempts = 2
cores = 4

[engines.qe]
command = ["mpirun", "-np", "4", "pw.x"]
pseudo_dir = "/opt/pseudo"
pseudopotentials = { Si = "Si.pbe.UPF" }
nprocs = 4

[engines.gpaw]
command = "/usr/bin/python3"

[slurm]
partition = "short"
time = "02:00:00"
ntasks = 4
modules = ["qe/7.2"]
setup = "source ~/venv/bin/activate"

[dask]
scheduler = "tcp://10.0.0.5:8786"

[references]
Mn = "/refs/Mn.cif"
"""


def test_full_file(tmp_path):
    p = tmp_path / "calc.toml"
    p.write_text(FULL)
    c = load_config(p)
    assert c.source == p and c.where() == str(p)
    assert (c.runner.kind, c.runner.timeout, c.runner.lease, c.runner.max_attempts, c.runner.cores) == (
        "slurm", 3600.0, 60.0, 2, 4,
    )  # fmt: skip
    assert c.workdir == Path("/scratch/calc")
    qe = c.engine("qe")
    assert qe.command == ("mpirun", "-np", "4", "pw.x") and qe.pseudo_dir == Path("/opt/pseudo")
    assert qe.pseudopotentials["Si"] == "Si.pbe.UPF" and qe.options["nprocs"] == 4
    assert c.engine("gpaw").command == ("/usr/bin/python3",)
    assert c.engine("vasp").command is None  # not configured: empty settings
    assert c.slurm.partition == "short" and c.slurm.ntasks == 4 and c.slurm.modules == ("qe/7.2",)
    assert c.slurm.setup == ("source ~/venv/bin/activate",)
    assert c.dask.scheduler == "tcp://10.0.0.5:8786"
    assert c.references["Mn"] == Path("/refs/Mn.cif")


def test_search_order(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(ENV_CONFIG, raising=False)
    assert load_config() == CalcConfig()  # nothing anywhere: the defaults
    default = DEFAULT_PATH.expanduser()
    default.parent.mkdir(parents=True)
    default.write_text('[runner]\nkind = "dask"\n')
    assert load_config().runner.kind == "dask"
    env = tmp_path / "env.toml"
    env.write_text("[runner]\ncores = 3\n")
    monkeypatch.setenv(ENV_CONFIG, str(env))
    assert load_config().runner.cores == 3 and load_config().runner.kind == "local"
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[runner]\ncores = 5\n")
    assert load_config(explicit).runner.cores == 5
    monkeypatch.setenv(ENV_CONFIG, str(tmp_path / "gone.toml"))
    with pytest.raises(CalcConfigError, match="gone.toml.*MATINFO_CALC_CONFIG"):
        load_config()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[runer]\n", "field 'runer': unknown section"),
        ("[runner]\nkind = 'pbs'\n", "field 'runner.kind', value 'pbs': unknown runner"),
        ("[runner]\ntimeout = 'long'\n", "runner.timeout.*non-negative number"),
        ("[slurm]\npartiton = 'x'\n", "slurm.partiton.*unknown key.*partition"),
        ("[engines.qe]\ncommand = []\n", "engines.qe.command"),
        ("[engines.qe]\npseudopotentials = 'Si.UPF'\n", "engines.qe.pseudopotentials.*must be a table"),
        ("[runner\n", "not valid TOML"),
    ],
)
def test_errors_name_file_and_key(tmp_path, text, match):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(CalcConfigError, match=match) as e:
        load_config(p)
    assert str(p) in str(e.value)
