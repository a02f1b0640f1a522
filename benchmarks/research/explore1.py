"""Stage 1: feature-set comparison with fixed LGBM / ExtraTrees, inner 5-fold CV on the
training rows of official fold 0. Saves OOF predictions for later blending."""
import sys, time, numpy as np, lightgbm as lgb
from sklearn.ensemble import ExtraTreesRegressor, ExtraTreesClassifier
from sklearn.metrics import mean_absolute_error, roc_auc_score
from common import *

SETS = {
 "magpie": ["magpie"],
 "mag+": ["magpie", "stoich", "valence", "ionic"],
 "mag+ef": ["magpie", "stoich", "valence", "ionic", "efrac"],
 "mag+ef+deml": ["magpie", "stoich", "valence", "ionic", "efrac", "deml"],
 "all": ["magpie", "stoich", "valence", "ionic", "efrac", "deml", "custom", "miedema", "yang"],
 "mag+ef+cust": ["magpie", "stoich", "valence", "ionic", "efrac", "custom", "miedema", "yang"],
}
def model(kind, cls):
    if kind == "lgbm":
        p = dict(n_estimators=300, learning_rate=0.06, num_leaves=31, colsample_bytree=0.3, max_bin=63, subsample=0.8,
                 subsample_freq=1, min_child_samples=10, n_jobs=2, verbose=-1)
        return lgb.LGBMClassifier(**p) if cls else lgb.LGBMRegressor(objective="l1" , **p)
    if kind == "lgbm_l2":
        p = dict(n_estimators=300, learning_rate=0.06, num_leaves=31, colsample_bytree=0.3, max_bin=63, subsample=0.8,
                 subsample_freq=1, min_child_samples=10, n_jobs=2, verbose=-1)
        return lgb.LGBMRegressor(**p)
    if kind == "et":
        return (ExtraTreesClassifier if cls else ExtraTreesRegressor)(n_estimators=500, max_features=0.3, n_jobs=2, random_state=0)

def cv(task, X, y, kind):
    cls = CLS[task]; oof = np.zeros(len(y))
    for tr, va in inner_splits(y, cls):
        m = model(kind, cls); m.fit(X[tr], y[tr])
        oof[va] = m.predict_proba(X[va])[:, 1] if cls else m.predict(X[va])
    s = roc_auc_score(y, oof) if cls else mean_absolute_error(y, np.clip(oof, 0, None))
    return s, oof

if __name__ == "__main__":
    task = sys.argv[1]; kinds = sys.argv[2].split(","); sets = sys.argv[3].split(",") if len(sys.argv) > 3 else list(SETS)
    for s in sets:
        X, y, _ = explore_data(task, SETS[s])
        for k in kinds:
            t = time.time(); sc, oof = cv(task, X, y, k)
            np.save(C / f"oof_{task}_{k}_{s}.npy", oof)
            print(f"{task:14s} {s:12s} nfeat={X.shape[1]:4d} {k:8s} score={sc:.4f}  ({time.time()-t:.0f}s)", flush=True)
