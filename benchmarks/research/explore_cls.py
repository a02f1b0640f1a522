"""Classification tasks: model variants + probability averaging, inner 5-fold CV on fold-0 training rows."""
import sys, time, itertools, numpy as np, lightgbm as lgb
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.metrics import roc_auc_score
from scipy.stats import rankdata
from common import *
from explore1 import SETS
task = sys.argv[1]; fs = sys.argv[2]
X, y, comps = explore_data(task, SETS[fs]); E, _, _ = explore_data(task, ["efrac"])
M = {
 "et03": lambda: ExtraTreesClassifier(500, max_features=0.3, n_jobs=2, random_state=0),
 "et_sqrt": lambda: ExtraTreesClassifier(500, max_features="sqrt", n_jobs=2, random_state=0),
 "rf03": lambda: RandomForestClassifier(500, max_features=0.3, n_jobs=2, random_state=0),
 "lgbm": lambda: lgb.LGBMClassifier(n_estimators=400, learning_rate=0.05, num_leaves=31, colsample_bytree=0.3, max_bin=63,
                                    subsample=0.8, subsample_freq=1, min_child_samples=10, n_jobs=2, verbose=-1),
 "knn5_ef": lambda: KNeighborsClassifier(5, weights="distance", metric="manhattan"),
 "knn10_ef": lambda: KNeighborsClassifier(10, weights="distance", metric="manhattan"),
}
oof = {k: np.zeros(len(y)) for k in M}; tt = {k: 0.0 for k in M}
for tr, va in inner_splits(y, True):
    for k, f in M.items():
        t = time.time(); Z = E if k.startswith("knn") else X
        m = f().fit(Z[tr], y[tr]); oof[k][va] = m.predict_proba(Z[va])[:, 1]; tt[k] += time.time() - t
for k in M:
    np.save(C / f"cls_{task}_{fs}_{k}.npy", oof[k]); print(f"{k:10s} AUC={roc_auc_score(y, oof[k]):.4f} ({tt[k]:.0f}s)", flush=True)
for r in [2, 3]:
    for combo in itertools.combinations(M, r):
        p = np.mean([oof[k] for k in combo], 0); pr = np.mean([rankdata(oof[k]) for k in combo], 0)
        print("avg", "+".join(combo), f"prob={roc_auc_score(y, p):.4f} rank={roc_auc_score(y, pr):.4f}")
