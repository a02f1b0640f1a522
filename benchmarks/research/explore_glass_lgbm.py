"""glass: bigger LGBM (inner CV fold-0 training), blended with saved et03 OOF."""
import numpy as np, lightgbm as lgb, time
from sklearn.metrics import roc_auc_score
from common import *
from explore1 import SETS
X, y, _ = explore_data("glass", SETS["all"]); et = np.load(C / "cls_glass_all_et03.npy")
for name, p in [("lgbm_big", dict(n_estimators=800, learning_rate=0.03, num_leaves=63, colsample_bytree=0.3, max_bin=63,
                                   subsample=0.8, subsample_freq=1, min_child_samples=5, n_jobs=2, verbose=-1))]:
    oof = np.zeros(len(y)); t = time.time()
    for tr, va in inner_splits(y, True):
        oof[va] = lgb.LGBMClassifier(**p).fit(X[tr], y[tr]).predict_proba(X[va])[:, 1]
    np.save(C / f"cls_glass_all_{name}.npy", oof)
    print(name, round(roc_auc_score(y, oof), 4), "avg w/ et03", round(roc_auc_score(y, (oof + et) / 2), 4), f"{time.time()-t:.0f}s", flush=True)
