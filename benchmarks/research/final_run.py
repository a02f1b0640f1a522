"""FROZEN recipes, run once over the 5 official Matbench folds. Featurization is recomputed
from scratch with matminer inside the timed region (no cache), so the wall time includes it.
Run: taskset -c 0,1 .venv/bin/python benchmarks/research/final_run.py <task>"""
import sys, time, resource, json, warnings, numpy as np, pandas as pd, lightgbm as lgb
from pymatgen.core import Composition
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.neighbors import KNeighborsClassifier
from sklearn.metrics import mean_absolute_error, roc_auc_score
from joblib import Parallel, delayed
warnings.filterwarnings("ignore")
sys.path.insert(0, __import__("os").path.dirname(__file__))
from common import load, C
import featurize, custom_feats

GROUPS = {"expt_gap": ["magpie", "stoich", "valence", "ionic", "efrac"],
          "expt_is_metal": ["magpie", "stoich", "valence", "ionic", "efrac", "custom", "miedema", "yang"],
          "glass": ["magpie", "stoich", "valence", "ionic", "efrac", "deml", "custom", "miedema", "yang"]}

def featurize_all(comps, groups):
    parts = []
    for g in groups:
        if g == "custom":
            parts.append(pd.DataFrame([custom_feats.feats(c) for c in comps], index=comps).add_prefix("custom|"))
        else:
            chunks = Parallel(n_jobs=2)(delayed(featurize.run)(g, comps[i::2]) for i in range(2))
            parts.append(pd.concat(chunks).loc[comps])
    return pd.concat(parts, axis=1).astype(float).values.astype(np.float32)

def et_c(): return ExtraTreesClassifier(500, max_features=0.3, n_jobs=2, random_state=0)
def lgbm_reg(): return lgb.LGBMRegressor(n_estimators=300, learning_rate=0.06, num_leaves=31, colsample_bytree=0.3,
                                        max_bin=63, subsample=0.8, subsample_freq=1, min_child_samples=10, n_jobs=2, verbose=-1)

def fit_predict(task, Xtr, ytr, Xte, extra=None):
    if task == "expt_gap":  # hurdle: P(metal) from ET; gap>0 regressor = mean(ET on log1p, LGBM l2); 0 if P>0.45
        pm = et_c().fit(Xtr, (ytr == 0).astype(int)).predict_proba(Xte)[:, 1]
        pos = ytr > 0
        r1 = np.expm1(ExtraTreesRegressor(500, max_features=0.3, n_jobs=2, random_state=0).fit(Xtr[pos], np.log1p(ytr[pos])).predict(Xte))
        r2 = lgbm_reg().fit(Xtr[pos], ytr[pos]).predict(Xte)
        return np.where(pm > 0.45, 0.0, np.clip((r1 + r2) / 2, 0, None))
    if task == "expt_is_metal":
        return et_c().fit(Xtr, ytr).predict_proba(Xte)[:, 1]
    # glass: probability average of ET and LGBM
    p1 = et_c().fit(Xtr, ytr).predict_proba(Xte)[:, 1]
    p2 = lgb.LGBMClassifier(n_estimators=400, learning_rate=0.05, num_leaves=31, colsample_bytree=0.3, max_bin=63, subsample=0.8,
                            subsample_freq=1, min_child_samples=10, n_jobs=2, verbose=-1).fit(Xtr, ytr).predict_proba(Xte)[:, 1]
    return (p1 + p2) / 2

if __name__ == "__main__":
    task = sys.argv[1]
    t0 = time.time()
    d, y, fold = load(task); comps = list(d.composition)
    X = featurize_all(comps, GROUPS[task]); tf = time.time() - t0
    extra = None
    scores, hard = [], []; preds = np.zeros(len(y))
    for k in range(5):
        tr, te = fold != k, fold == k
        p = fit_predict(task, X[tr], y[tr], X[te], None if extra is None else (extra[tr], extra[te]))
        preds[te] = p
        s = mean_absolute_error(y[te], p) if task == "expt_gap" else roc_auc_score(y[te], p)
        # Matbench's leaderboard requires bool predictions for classification, so its ROC-AUC is computed on
        # hard labels; report that too (fixed threshold 0.5, not tuned)
        h = None if task == "expt_gap" else roc_auc_score(y[te], p > 0.5)
        scores.append(s); hard.append(h); print(task, "fold", k, round(s, 4), h, flush=True)
    wall = time.time() - t0; ru = resource.getrusage(resource.RUSAGE_SELF); rc = resource.getrusage(resource.RUSAGE_CHILDREN)
    pd.DataFrame({"mbid": d.mbid, "fold": fold, "y": y, "pred": preds}).to_csv(C.parent / f"final_{task}_preds.csv", index=False)
    res = dict(task=task, scores=scores, mean=float(np.mean(scores)), std=float(np.std(scores)), hard_label_auc=hard,
               hard_mean=None if task == "expt_gap" else float(np.mean(hard)), hard_std=None if task == "expt_gap" else float(np.std(hard)), wall_s=wall, featurize_s=tf,
               cpu_s=ru.ru_utime + ru.ru_stime + rc.ru_utime + rc.ru_stime)
    print(json.dumps(res)); json.dump(res, open(C.parent / f"final_{task}.json", "w"), indent=1)
