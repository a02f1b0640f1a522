"""Quality control of literature records: outliers, duplicates and same-paper series.

Literature values are validated the way the seed database validated them: by statistics before ML.

* :func:`flag_outliers` — robust outliers per property and family: the modified z-score
  ``0.6745 (v − median) / MAD`` (Iglewicz & Hoaglin 1993) inside each group, on log10 of the value where the
  property spans orders of magnitude (ionic conductivity, diffusivity, resistivity: ``log="auto"`` decides per group
  from the data).  Groups with fewer than ``min_group`` values, or with MAD = 0, are not judged; the rows say so.
* :func:`find_duplicates` — the same value of the same property of the same material under the same conditions,
  reported twice in one paper (an extraction or digitisation duplicate: keep one) or in several papers (the same
  measurement quoted again: count it once when training).
* :func:`same_paper_series` — a paper that reports one property along a composition series (``Li7-xLa3Zr2-xTaxO12``,
  x = 0 … 1) contributes correlated rows; models must split by paper, and the series are worth knowing.

All three take a table (DataFrame or iterable of dicts) with configurable column names and return a DataFrame, so
they work on extraction output, a store export and any CSV alike.

>>> import pandas as pd
>>> t = pd.DataFrame({"property": ["ionic_conductivity"] * 6,
...                   "value": [1e-4, 2e-4, 5e-4, 1e-3, 3e-4, 5e2]})
>>> flag_outliers(t)["outlier"].tolist()
[False, False, False, False, False, True]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["flag_outliers", "find_duplicates", "same_paper_series", "MODIFIED_Z"]

#: Iglewicz & Hoaglin's threshold on the modified z-score.
MODIFIED_Z = 3.5
_LOG_SPAN_DECADES = 2.0
#: Largest total-variation distance between neighbouring members of a composition series.
SERIES_STEP = 0.15


def _frame(records: Any, required: list[str]):
    import pandas as pd

    frame = records.copy() if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"column(s) {', '.join(map(repr, missing))} not in the records (columns: "
            f"{', '.join(map(str, frame.columns)) or 'none'}); name them with the keyword arguments"
        )
    return frame.reset_index(drop=True)


def _use_log(v: np.ndarray, log: str | bool) -> bool:
    if log is True or log is False:
        return bool(log)
    if log != "auto":
        raise ParameterError(f"log={log!r}: use True, False or 'auto'")
    pos = v[v > 0]
    if len(pos) < len(v) or len(pos) == 0:
        return False
    q05, q95 = np.quantile(pos, [0.05, 0.95])
    return bool(np.log10(q95 / q05) >= _LOG_SPAN_DECADES)


def flag_outliers(
    records: Any,
    *,
    value: str = "value",
    by: tuple[str, ...] = ("property",),
    log: str | bool = "auto",
    threshold: float = MODIFIED_Z,
    min_group: int = 5,
):
    """Add ``robust_z``, ``outlier``, ``log_scale`` and ``qc_note`` columns.

    Parameters
    ----------
    records : DataFrame or iterable of dicts
    value : str
        Numeric value column (values in one canonical unit per property — what extraction and the store give).
    by : tuple of str
        Grouping columns: property, and e.g. a ``family`` column (garnet, NASICON, ...) or chemical system.
    log : "auto", True or False
        Judge log10(value).  ``auto``: per group, when all values are positive and the 5–95 % range spans at
        least two decades.
    threshold : float
        |modified z| above which a value is an outlier (3.5, Iglewicz & Hoaglin).
    min_group : int
        Smaller groups are not judged (``qc_note`` says so).
    """
    import pandas as pd

    frame = _frame(records, [value, *by])
    v_all = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
    z = np.full(len(frame), np.nan)
    logged = np.zeros(len(frame), dtype=bool)
    note = np.array([""] * len(frame), dtype=object)
    keys = frame[list(by)].astype("string").fillna("<missing>")
    for _, idx in keys.groupby(list(by), sort=False, dropna=False).indices.items():
        idx = np.asarray(idx)
        ok = idx[np.isfinite(v_all[idx])]
        note[idx[~np.isfinite(v_all[idx])]] = "no numeric value"
        if len(ok) < min_group:
            note[ok] = f"group too small to judge ({len(ok)} < {min_group})"
            continue
        v = v_all[ok]
        use_log = _use_log(v, log)
        if use_log and np.any(v <= 0):
            note[ok] = "log scale asked but the group has values <= 0"
            continue
        x = np.log10(v) if use_log else v
        med = np.median(x)
        mad = np.median(np.abs(x - med))
        if mad == 0:
            note[ok] = "MAD is 0 (most values identical): not judged"
            continue
        z[ok] = 0.6745 * (x - med) / mad
        logged[ok] = use_log
    out = frame.copy()
    out["robust_z"] = z
    out["outlier"] = np.abs(np.nan_to_num(z)) > threshold
    out["log_scale"] = logged
    out["qc_note"] = note
    return out


def find_duplicates(
    records: Any,
    *,
    formula: str = "formula",
    property: str = "property",
    value: str = "value",
    paper: str = "doi",
    conditions: tuple[str, ...] = (),
    rtol: float = 1e-3,
):
    """Groups of records with the same material, property, conditions and value (within ``rtol``).

    Formulas are compared by reduced formula (``normalise_formula``), so ``Li7La3Zr2O12`` and ``La3Li7Zr2O12``
    match.  Returns the duplicated rows with ``duplicate_group`` (an integer) and ``duplicate_kind``:
    ``same-paper`` (all copies in one paper) or ``cross-paper`` (reported by several papers).
    """
    import pandas as pd

    from matinfo.literature.overview import normalise_formula

    frame = _frame(records, [formula, property, value, paper, *conditions])
    cache: dict[str, str] = {}
    key_formula = [
        cache.setdefault(str(t), normalise_formula(t) or "".join(str(t).split())) for t in frame[formula]
    ]
    v = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
    keys = pd.DataFrame({"f": key_formula, "p": frame[property].astype(str)})
    for c in conditions:
        keys[c] = frame[c].astype(str)
    keys = keys[np.isfinite(v)]
    group = np.full(len(frame), -1)
    next_id = 0
    # Within one material/property/conditions group, sort by value and cut wherever two neighbours differ by more
    # than rtol: each run of two or more is one duplicate group.
    for _, idx in keys.groupby(list(keys.columns), sort=False).indices.items():
        rows = keys.index.to_numpy()[idx]
        order = rows[np.argsort(v[rows], kind="stable")]
        start = 0
        for i in range(1, len(order) + 1):
            if i == len(order) or not np.isclose(v[order[i]], v[order[i - 1]], rtol=rtol, atol=0):
                if i - start > 1:
                    group[order[start:i]] = next_id
                    next_id += 1
                start = i
    out = frame.copy()
    out["duplicate_group"] = group
    out = out[group >= 0]
    n_papers = out.groupby("duplicate_group")[paper].transform("nunique")
    out["duplicate_kind"] = np.where(n_papers > 1, "cross-paper", "same-paper")
    return out.sort_values(["duplicate_group", paper], kind="stable")


def _on_common_scale(amounts, fracs):
    """Amounts rescaled so the steadiest element (present in all, least relative spread of its atomic fraction)
    keeps its first member's amount: ``Li7-xLa3Zr2-xTaxO12`` is put on O = 12, and the series variable is x."""
    present = (amounts > 0).all()
    if not present.any():
        return amounts
    cv = (fracs.std() / fracs.mean())[present]
    ref = cv.idxmin()
    return amounts.mul(amounts[ref].iloc[0] / amounts[ref], axis=0)


def same_paper_series(
    records: Any,
    *,
    formula: str = "formula",
    property: str = "property",
    paper: str = "doi",
    min_members: int = 3,
    max_step: float = SERIES_STEP,
):
    """Composition series inside one paper: one property, ≥ ``min_members`` closely related compositions.

    Within each (paper, property), two compositions belong to the same series when their total-variation distance
    of atomic fractions (:func:`~matinfo.core.keys.composition_distance`) is at most ``max_step``; a series is a
    connected group, so the undoped parent (``Li7La3Zr2O12``) joins its doped members (``…Ta0.25…``).
    Returns one row per series: paper, property, the union of the elements (``chemical_system``), the number of
    records and of distinct compositions, and the elements whose atomic fraction varies along the series with its
    range in formula units, on the scale of the steadiest element (the series variable: ``Ta 0–0.75``).
    """
    import pandas as pd
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    from matinfo.core.formula import parse_formula
    from matinfo.core.keys import composition_distance
    from matinfo.errors import FormulaError

    frame = _frame(records, [formula, property, paper])
    comps: dict[str, Any] = {}
    for t in frame[formula].dropna().astype(str).unique():
        try:
            p = parse_formula(t)
        except FormulaError:
            continue
        if p.is_resolved:
            comps[t] = p.composition
    rows = []
    sub = frame[frame[formula].astype(str).isin(comps)]
    for (doc, prop), g in sub.groupby([paper, property], sort=True):
        forms = list(g[formula].astype(str).unique())
        if len(forms) < min_members:
            continue
        near = np.array(
            [[composition_distance(comps[a], comps[b]) <= max_step for b in forms] for a in forms]
        )
        _, label = connected_components(csr_matrix(near), directed=False)
        members: dict[int, list[str]] = {}
        for lab, f in zip(label.tolist(), forms, strict=True):
            members.setdefault(lab, []).append(f)
        for group in members.values():
            amounts = pd.DataFrame([comps[t].get_el_amt_dict() for t in group]).fillna(0.0)
            fracs = amounts.div(amounts.sum(axis=1), axis=0).round(6)
            keep = ~fracs.duplicated()
            amounts, fracs = amounts[keep], fracs[keep]
            if len(fracs) < min_members:
                continue
            amounts = _on_common_scale(amounts, fracs)
            spread = (amounts.max() - amounts.min()).sort_values(ascending=False)
            # the series variable(s): elements whose amount spread is at least a tenth of the largest spread
            varying = [
                f"{el} {amounts[el].min():.3g}–{amounts[el].max():.3g}"
                for el, s in spread.items()
                if s > 0.1 * spread.iloc[0]
            ]
            rows.append(
                {
                    paper: doc,
                    property: prop,
                    "chemical_system": "-".join(sorted(fracs.columns)),
                    "records": int(g[formula].astype(str).isin(group).sum()),
                    "compositions": len(fracs),
                    "varying": ", ".join(varying),
                }
            )
    cols = [paper, property, "chemical_system", "records", "compositions", "varying"]
    return pd.DataFrame(rows, columns=cols)
