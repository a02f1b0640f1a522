import sys, glob, numpy as np
from sklearn.metrics import mean_absolute_error, roc_auc_score
from common import *
for task in ["expt_gap", "expt_is_metal", "glass"]:
    d, y, f = load(task); y = y[f != 0]
    for p in sorted(glob.glob(str(C / f"oof_{task}_*.npy"))):
        o = np.load(p)
        s = roc_auc_score(y, o) if CLS[task] else mean_absolute_error(y, np.clip(o, 0, None))
        print(f"{s:.4f}  {p.split('/')[-1]}")
