"""Compute matminer composition features once for all unique compositions of the
three tasks and cache them to parquet (benchmarks/research/cache/<name>.parquet,
index = composition string). Run: taskset -c 0,1 .venv/bin/python benchmarks/research/featurize.py"""
import sys, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from pymatgen.core import Composition
from matminer.featurizers.composition import (ElementProperty, Stoichiometry, ValenceOrbital,
    IonProperty, ElementFraction, Miedema, YangSolidSolution, AtomicPackingEfficiency)
warnings.filterwarnings("ignore")
D = Path("/work/shared/data/matbench_v0.1"); C = Path(__file__).parent / "cache"

def comps():
    s = set()
    for t in ["expt_gap", "expt_is_metal", "glass"]:
        s |= set(pd.read_csv(D / f"matbench_{t}.csv").composition)
    return sorted(s)

FEATS = {
    "magpie": lambda: ElementProperty.from_preset("magpie", impute_nan=True),
    "deml": lambda: ElementProperty.from_preset("deml", impute_nan=True),
    "stoich": lambda: Stoichiometry(),
    "valence": lambda: ValenceOrbital(impute_nan=True),
    "ionic": lambda: IonProperty(fast=True, impute_nan=True),
    "efrac": lambda: ElementFraction(),
    "miedema": lambda: Miedema(impute_nan=True),
    "yang": lambda: YangSolidSolution(impute_nan=True),
}

def run(name, cs):
    f = FEATS[name]()
    rows = []
    for c in cs:
        try:
            rows.append(f.featurize(Composition(c)))
        except Exception:
            rows.append([np.nan] * len(f.feature_labels()))
    return pd.DataFrame(rows, index=cs, columns=[f"{name}|{l}" for l in f.feature_labels()])

if __name__ == "__main__":
    names = sys.argv[1:] or list(FEATS)
    cs = comps(); print(len(cs), "unique compositions")
    from joblib import Parallel, delayed
    for n in names:
        out = C / f"{n}.parquet"
        if out.exists(): continue
        t = time.time()
        parts = Parallel(n_jobs=2)(delayed(run)(n, cs[i::2]) for i in range(2))
        df = pd.concat(parts).loc[cs].astype(float)
        df.to_parquet(out); print(n, df.shape, f"{time.time()-t:.1f}s", "nan frac", float(df.isna().mean().mean()), flush=True)
