"""Shared helpers: data loading, feature assembly, inner-CV splits (exploration uses ONLY
the training rows of official fold 0)."""
from pathlib import Path
import numpy as np, pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold
D = Path("/work/shared/data/matbench_v0.1"); C = Path(__file__).parent / "cache"
TARGET = {"expt_gap": "gap expt", "expt_is_metal": "is_metal", "glass": "gfa"}
CLS = {"expt_gap": False, "expt_is_metal": True, "glass": True}

def load(task):
    d = pd.read_csv(D / f"matbench_{task}.csv"); f = pd.read_csv(D / f"matbench_{task}_folds.csv")
    d = d.merge(f, on="mbid"); y = d[TARGET[task]].astype(float).values
    return d, y, d.test_fold.values

_cache = {}
def feats(comps, groups):
    parts = []
    for g in groups:
        if g not in _cache: _cache[g] = pd.read_parquet(C / f"{g}.parquet")
        parts.append(_cache[g].loc[list(comps)])
    X = pd.concat(parts, axis=1)
    X = X.loc[:, ~X.columns.duplicated()]
    return X

def inner_splits(y, cls, seed=0, k=5):
    kf = StratifiedKFold(k, shuffle=True, random_state=seed) if cls else KFold(k, shuffle=True, random_state=seed)
    return list(kf.split(np.zeros(len(y)), (y > 0) if not cls else y))

def explore_data(task, groups, outer_fold=0):
    """training part of official fold `outer_fold` only."""
    d, y, fold = load(task); m = fold != outer_fold
    X = feats(d.composition[m], groups).values.astype(np.float32)
    return X, y[m], d.composition[m].values
