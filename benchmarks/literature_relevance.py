"""Sentence relevance on SOFC-Exp: train the shipped model on the train papers, choose C on dev, score test once.

SOFC-Exp (Friedrich et al., ACL 2020; CC BY 4.0) labels each of its 9,466 sentences 1 when it describes an SOFC
experiment.  The corpus's own paper-level split is used (``set`` column of SOFC-Exp-Metadata.csv: 26 train / 8 dev /
11 test papers).  ``C`` is chosen by F1 on dev from a small grid; the model is then refitted on train + dev and
scored on the test papers, next to two baselines in the same run: "every sentence with a number and a unit-like
token" (a keyword rule) and a majority-class rule.  The refitted model is written to
``src/matinfo/data/literature/relevance_sofc_exp.json`` (what :func:`matinfo.literature.classify.shipped_relevance_model`
loads) and the scores to docs/benchmarks.md.

    .venv/bin/python benchmarks/literature_relevance.py                 # writes the model and the docs section
    .venv/bin/python benchmarks/literature_relevance.py --out - --no-save
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import REPO, machine, versions, write_section  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "literature" / "sofc_exp"
MODEL_OUT = REPO / "src" / "matinfo" / "data" / "literature" / "relevance_sofc_exp.json"
GRID_C = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def load(corpus: Path = CORPUS) -> dict[str, tuple[list[str], list[str]]]:
    """split -> (sentences, labels 'experiment'/'other'), from the corpus's sentence offsets."""
    sets = {}
    with open(corpus / "SOFC-Exp-Metadata.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("name"):
                sets[row["name"].strip()] = row["set"].strip()
    texts = {p.stem.split("_", 1)[1]: p for p in (corpus / "texts").glob("*.txt")}
    out: dict[str, tuple[list[str], list[str]]] = {"train": ([], []), "dev": ([], []), "test": ([], [])}
    for name, split in sorted(sets.items()):
        text = texts[name].read_text(encoding="utf-8")
        for line in (corpus / "annotations" / "sentences" / f"{name}.csv").read_text().splitlines():
            _sid, label, begin, end = line.split("\t")
            out[split][0].append(text[int(begin) : int(end)])
            out[split][1].append("experiment" if label == "1" else "other")
    return out


_UNIT_RULE = re.compile(r"\d\s*(?:°C|K\b|mW|W\b|S\s*cm|Ω|ohm|V\b|mA|A\s*cm|%|µm|nm|h\b)", re.I)


def scores(y_true: list[str], y_pred: list[str]) -> dict[str, float]:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=["experiment"], average="binary", pos_label="experiment", zero_division=0
    )
    return {"precision": float(p), "recall": float(r), "f1": float(f)}


def main() -> None:
    from matinfo.literature.classify import RelevanceClassifier

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--out", default=str(REPO / "docs" / "benchmarks.md"), help="markdown file, or - for stdout"
    )
    ap.add_argument("--no-save", action="store_true", help="do not overwrite the shipped model")
    args = ap.parse_args()
    data = load()
    (xtr, ytr), (xdv, ydv), (xte, yte) = data["train"], data["dev"], data["test"]
    t0 = time.perf_counter()
    dev = {c: scores(ydv, RelevanceClassifier(C=c).fit(xtr, ytr).predict(xdv))["f1"] for c in GRID_C}
    best_c = max(dev, key=lambda c: (dev[c], -c))
    clf = RelevanceClassifier(C=best_c).fit(xtr + xdv, ytr + ydv)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    pred = list(clf.predict(xte))
    pred_s = time.perf_counter() - t1
    ours = scores(yte, pred)
    rule = scores(yte, ["experiment" if _UNIT_RULE.search(s) else "other" for s in xte])
    majority = scores(yte, ["other"] * len(yte))
    if not args.no_save:
        clf.to_json(
            MODEL_OUT,
            metadata={
                "trained_on": "SOFC-Exp train + dev papers (sentence labels), Friedrich et al. ACL 2020, CC BY 4.0",
                "labels": "experiment = the sentence describes an SOFC experiment; other",
                "C": best_c,
                "test_scores": ours,
                "date": dt.date.today().isoformat(),
            },
        )
    m = machine()
    v = versions("matinfo", "scikit-learn", "numpy")
    n = {k: (len(x), sum(lab == "experiment" for lab in y)) for k, (x, y) in data.items()}
    size_kb = MODEL_OUT.stat().st_size / 1024 if MODEL_OUT.exists() else float("nan")
    lines = [
        "## Literature: sentence relevance (SOFC-Exp)",
        "",
        "Command: `python benchmarks/literature_relevance.py`  ",
        f"Date: {dt.date.today().isoformat()}; machine: {m['cpu']}, {m['nproc']} cores, load {m['load1']:.1f}; "
        + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
        "Sentences labelled *experiment* (describes an SOFC experiment) or *other*, split by paper as the corpus "
        f"defines it: train {n['train'][0]} sentences ({n['train'][1]} experiment), dev {n['dev'][0]} "
        f"({n['dev'][1]}), test {n['test'][0]} ({n['test'][1]}). C chosen on dev (F1 by C: "
        + ", ".join(f"{c:g}: {f:.3f}" for c, f in dev.items())
        + "), model refitted on train + dev, test scored once. Scores are for the *experiment* class.",
        "",
        "| classifier | precision | recall | F1 |",
        "|---|---|---|---|",
        f"| matinfo RelevanceClassifier (TF-IDF 1–2-grams + logistic regression, C = {best_c:g}) | "
        f"{ours['precision']:.3f} | {ours['recall']:.3f} | **{ours['f1']:.3f}** |",
        f"| rule: number followed by a unit-like token | {rule['precision']:.3f} | {rule['recall']:.3f} | "
        f"{rule['f1']:.3f} |",
        f"| majority class (always *other*) | {majority['precision']:.3f} | {majority['recall']:.3f} | "
        f"{majority['f1']:.3f} |",
        "",
        f"Fit (grid + refit) {fit_s:.1f} s, prediction {1e6 * pred_s / len(xte):.0f} µs per sentence; shipped "
        f"model `src/matinfo/data/literature/relevance_sofc_exp.json` ({size_kb:.0f} KiB).",
    ]
    text = "\n".join(lines) + "\n"
    if args.out == "-":
        print(text)
    else:
        write_section("literature_relevance", text, Path(args.out))
        print(text)


if __name__ == "__main__":
    main()
