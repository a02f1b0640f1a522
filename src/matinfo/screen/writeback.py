"""Predictions back into the store, marked so that nobody mistakes them for measurements.

Each hit becomes a material record (its formula) with one property per model: method ``"prediction"``,
``produced_by`` the model ID (``"lgbm:3f2a…"``, the SHA-256 of the model card), the screen's fixed inputs as
conditions (``Temperature (K) = 300`` → temperature 300 K).  The quantity and unit come from the model's target
column (``"Total Thermal Conductivity (W/mK)"`` → ``thermal_conductivity`` in W/(m K)) unless given.  A model
trained on log10 of its target writes ``10**prediction`` and, as its uncertainty, the first-order (delta-method)
standard deviation ``ln(10) · value · σ_log10``.

Writing the same screen twice adds nothing: the store skips records it already holds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["write_predictions", "prediction_quantity", "DEFAULT_DATASET"]

#: Dataset the predictions are filed under (a search with ``dataset=`` finds or excludes them).
DEFAULT_DATASET = "screen-predictions"


def prediction_quantity(target: str) -> tuple[str, str | None]:
    """``(quantity, unit)`` named by a target column such as ``"Total Thermal Conductivity (W/mK)"``.

    >>> prediction_quantity("Total Thermal Conductivity (W/mK)")
    ('thermal_conductivity', 'W/(m*K)')
    """
    from matinfo.core.quantities import find_quantity
    from matinfo.features.conditions import split_unit_suffix

    base, unit = split_unit_suffix(target)
    q = find_quantity(base) or find_quantity(target)
    if q is None:
        raise ParameterError(
            f"the model's target {target!r} is not a known quantity; name it (quantity='thermal_conductivity', "
            "unit='W/(m*K)'; `--quantity`, `--unit`)"
        )
    return q.name, unit


def _conditions(constants: dict[str, Any]) -> dict[str, Any]:
    from matinfo.features.conditions import split_unit_suffix

    out: dict[str, Any] = {}
    for column, value in constants.items():
        name, unit = split_unit_suffix(column)
        out[name] = (value, unit) if unit and isinstance(value, int | float) else value
    return out


def write_predictions(
    db: Any,
    result: Any,
    *,
    models: list[str] | None = None,
    which: str = "hits",
    quantity: str | None = None,
    unit: str | None = None,
    dataset: str = DEFAULT_DATASET,
) -> Any:
    """Write the predictions of a screen into the store; returns the store's import report.

    Parameters
    ----------
    db : Database or str
        A :class:`~matinfo.store.Database` or its URL.
    result : ScreenResult
        What :func:`~matinfo.screen.screen` returned.
    models : list of str or None
        Names of the models whose predictions to write (default: all).
    which : str
        ``"hits"`` (the union of the top-N lists, default) or ``"kept"`` (every candidate kept for ranking).
    quantity, unit : str or None
        The stored quantity and the unit of the predictions (default: read from each model's target column).
    dataset : str
        Dataset name the records are filed under.
    """
    from matinfo.core.records import MaterialIn, PropertyIn
    from matinfo.store import Database, connect

    if which not in ("hits", "kept"):
        raise ParameterError(f"which={which!r}: use 'hits' or 'kept'")
    chosen = [result._model(n) for n in (models or result.names)]
    for m in chosen:
        if m.card.task != "regression":
            raise ParameterError(
                f"model {m.name!r} is a classifier; the store holds property values, not class probabilities"
            )
    if result.key == "pair" or "pair" in result.carry:
        raise ParameterError(
            "these candidates are A|B pairs; the store has no interface records, so pair predictions cannot be "
            "written back (save the hit list instead)"
        )
    table = result.hits() if which == "hits" else result.ranking_table()
    formula_col = "formula" if "formula" in table.columns else "candidate"
    conds = _conditions(result.constants)
    records = []
    for _, row in table.iterrows():
        props = []
        for m in chosen:
            q, u = (quantity, unit) if quantity else prediction_quantity(m.card.target)
            u = unit or u
            value = float(row[f"{m.name}_prediction"])
            if not math.isfinite(value):
                continue
            std_col = f"{m.name}_log10_std" if m.log_target else f"{m.name}_std"
            std = float(row[std_col]) if std_col in table.columns and np.isfinite(row[std_col]) else None
            if std is not None and m.log_target:
                std = math.log(10.0) * value * std
            props.append(
                PropertyIn(
                    quantity=q,
                    value=value,
                    unit=u,
                    uncertainty=std,
                    conditions=conds,
                    method="prediction",
                    produced_by=m.model_id,
                )
            )
        if props:
            records.append(MaterialIn(formula=str(row[formula_col]), properties=tuple(props)))
    if not records:
        raise ParameterError("no finite predictions to write")
    store = db if isinstance(db, Database) else connect(str(db))
    return store.write(records, dataset=dataset)
