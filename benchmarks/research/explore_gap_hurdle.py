"""expt_gap: two-stage hurdle model, inner 5-fold CV on fold-0 training rows.
OOF of P(metal) and of the positive-gap regressor are saved; thresholds are scanned on OOF."""
import sys, time, numpy as np, lightgbm as lgb
from sklearn.ensemble import ExtraTreesRegressor, ExtraTreesClassifier
from sklearn.metrics import mean_absolute_error, roc_auc_score
from common import *
from explore1 import SETS
task = "expt_gap"; fs = sys.argv[1] if len(sys.argv) > 1 else "mag+ef"
X, y, _ = explore_data(task, SETS[fs]); z = (y == 0).astype(int)
LP = dict(n_estimators=300, learning_rate=0.06, num_leaves=31, colsample_bytree=0.3, max_bin=63, subsample=0.8,
          subsample_freq=1, min_child_samples=10, n_jobs=2, verbose=-1)
models = {
 "clf_et": lambda: ExtraTreesClassifier(500, max_features=0.3, n_jobs=2, random_state=0),
 "clf_lgbm": lambda: lgb.LGBMClassifier(**LP),
 "reg_et": lambda: ExtraTreesRegressor(500, max_features=0.3, n_jobs=2, random_state=0),
 "reg_et_log": lambda: ExtraTreesRegressor(500, max_features=0.3, n_jobs=2, random_state=0),
 "reg_lgbm_l1": lambda: lgb.LGBMRegressor(objective="l1", **LP),
 "reg_lgbm_l2": lambda: lgb.LGBMRegressor(**LP),
}
oof = {k: np.zeros(len(y)) for k in models}
t = time.time()
for tr, va in inner_splits(y, False):
    for k, f in models.items():
        m = f()
        if k.startswith("clf"):
            m.fit(X[tr], z[tr]); oof[k][va] = m.predict_proba(X[va])[:, 1]
        else:
            p = tr[y[tr] > 0]; yt = np.log1p(y[p]) if k.endswith("log") else y[p]
            m.fit(X[p], yt); pr = m.predict(X[va]); oof[k][va] = np.expm1(pr) if k.endswith("log") else pr
print("time", time.time() - t)
for k in oof: np.save(C / f"hur_{fs}_{k}.npy", oof[k])
for c in ["clf_et", "clf_lgbm", "clf_avg"]:
    pc = (oof["clf_et"] + oof["clf_lgbm"]) / 2 if c == "clf_avg" else oof[c]
    print(c, "AUC(metal)", round(roc_auc_score(z, pc), 4))
    for r in ["reg_et", "reg_et_log", "reg_lgbm_l1", "reg_lgbm_l2", "reg_avg"]:
        pr = (oof["reg_et"] + oof["reg_lgbm_l1"]) / 2 if r == "reg_avg" else oof[r]
        res = [(thr, mean_absolute_error(y, np.where(pc > thr, 0, np.clip(pr, 0, None)))) for thr in np.arange(0.3, 0.71, 0.05)]
        b = min(res, key=lambda x: x[1])
        print(f"  {r:12s} best thr={b[0]:.2f} MAE={b[1]:.4f}   thr0.5={dict(res)[0.5] if 0.5 in dict(res) else res[4][1]:.4f}")
