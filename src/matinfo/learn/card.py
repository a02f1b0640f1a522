"""Model cards and persistence: a saved model says what it was trained on and reproduces its predictions.

``save_model(model, card, DIR)`` writes ``DIR/model.joblib`` and ``DIR/card.json`` into a temporary folder and
renames it into place, so ``DIR`` is either the complete old model or the complete new one.  The card holds

* what: task, target, input columns, feature names and categories, model name and parameters;
* on what: a SHA-256 of the training table (inputs and target), the number of rows, the split definition and
  the random seed;
* how well: the cross-validated metrics;
* with what: Python and package versions;
* a check: a few training inputs and the predictions made for them right after training.

``load_model(DIR)`` reloads, predicts the check rows again and raises :class:`~matinfo.errors.StoreError` if the
predictions differ (a different library version that changed numerics, a corrupted file) — "reloading reproduces
predictions exactly" is checked every time, not assumed.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import NotFoundError, StoreError

__all__ = ["ModelCard", "save_model", "load_model", "data_hash", "package_versions"]

CARD_VERSION = 1
_PACKAGES = ("matinfo", "numpy", "scipy", "pandas", "scikit-learn", "lightgbm", "pymatgen", "joblib")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a model's numbers depend on."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def data_hash(*parts: Any) -> str:
    """SHA-256 over tables / arrays / sequences, stable across runs (pandas objects hashed by value and labels).

    >>> data_hash([1, 2, 3]) == data_hash([1, 2, 3]) != data_hash([1, 2, 4])
    True
    """
    import pandas as pd

    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame | pd.Series):
            h.update(repr(list(part.columns) if isinstance(part, pd.DataFrame) else part.name).encode())
            h.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
        elif isinstance(part, np.ndarray) and part.dtype != object:
            h.update(str(part.dtype).encode() + str(part.shape).encode())
            h.update(np.ascontiguousarray(part).tobytes())
        else:
            h.update(json.dumps(list(part) if not isinstance(part, str) else part, default=str).encode())
        h.update(b"\x1e")
    return h.hexdigest()


@dataclass
class ModelCard:
    """Everything needed to judge and reproduce a trained model (saved as ``card.json``)."""

    task: str
    target: str
    model: str
    input_columns: list[str]
    feature_names: list[str]
    feature_categories: list[str]
    data_hash: str
    n_train: int
    split: dict[str, Any]
    seed: int | None
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    target_transform: str | None = None
    uncertainty: str | None = None
    censored: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    versions: dict[str, str] = field(default_factory=package_versions)
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    check_inputs: list[dict[str, Any]] = field(default_factory=list)
    check_predictions: list[float] = field(default_factory=list)
    card_version: int = CARD_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelCard:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def category_counts(self) -> dict[str, int]:
        cats, counts = np.unique(np.asarray(self.feature_categories, dtype=object), return_counts=True)
        return {str(c): int(n) for c, n in zip(cats, counts, strict=True)}

    def summary(self) -> str:
        """A few readable lines (what `matinfo model fit` prints)."""
        metrics = ", ".join(
            f"{k} {v:.4g}" for k, v in self.metrics.get("cv_mean", {}).items() if isinstance(v, float)
        )
        return "\n".join(
            [
                f"{self.model} ({self.task}) for {self.target!r} on {self.n_train} rows, data {self.data_hash[:12]}",
                f"features: {len(self.feature_names)} ({', '.join(f'{c} {n}' for c, n in self.category_counts().items())})",
                f"split: {self.split.get('description', self.split)}; seed {self.seed}",
                f"cross-validated: {metrics}" if metrics else "cross-validated: not evaluated",
            ]
        )


def _predict_for_check(model: Any, rows: Any) -> np.ndarray:
    if hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(rows), dtype=float)[:, -1]
    return np.asarray(model.predict(rows), dtype=float).ravel()


def save_model(model: Any, card: ModelCard, directory: str | Path, *, check_rows: Any = None) -> Path:
    """Write ``model`` and ``card`` into ``directory`` (replaced atomically); returns the directory.

    ``check_rows`` (a few training inputs, a DataFrame) are predicted now and stored in the card, so that
    :func:`load_model` can verify the reloaded model.
    """
    import joblib
    import pandas as pd

    directory = Path(directory)
    if check_rows is not None:
        rows = check_rows if isinstance(check_rows, pd.DataFrame) else pd.DataFrame(check_rows)
        card.check_inputs = json.loads(rows.to_json(orient="records"))
        card.check_predictions = [float(v) for v in _predict_for_check(model, rows)]
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    try:
        joblib.dump(model, tmp / "model.joblib", compress=3)
        (tmp / "card.json").write_text(json.dumps(card.to_dict(), indent=2, default=str) + "\n")
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
        os.replace(tmp, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def load_model(directory: str | Path, *, verify: bool = True) -> tuple[Any, ModelCard]:
    """Reload a model saved by :func:`save_model`; with ``verify`` its check predictions must match exactly."""
    import joblib
    import pandas as pd

    directory = Path(directory)
    if not (directory / "card.json").exists() or not (directory / "model.joblib").exists():
        raise NotFoundError(f"{directory} is not a saved matinfo model (needs card.json and model.joblib)")
    card = ModelCard.from_dict(json.loads((directory / "card.json").read_text()))
    now = package_versions()
    changed = {k: (v, now.get(k)) for k, v in card.versions.items() if now.get(k) != v}
    if changed:
        warnings.warn(
            f"model in {directory} was saved with other package versions: "
            + ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items()),
            stacklevel=2,
        )
    model = joblib.load(directory / "model.joblib")
    if verify and card.check_inputs:
        rows = (
            pd.DataFrame(card.check_inputs)[card.input_columns]
            if card.input_columns
            else pd.DataFrame(card.check_inputs)
        )
        again = _predict_for_check(model, rows)
        if not np.array_equal(again, np.asarray(card.check_predictions), equal_nan=True):
            worst = float(np.nanmax(np.abs(again - np.asarray(card.check_predictions))))
            raise StoreError(
                f"model in {directory} does not reproduce its saved predictions (max difference {worst:.3g}); "
                f"it was saved with {card.versions} — reinstall those versions or retrain"
            )
    return model, card
