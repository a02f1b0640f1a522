"""The models of a screen: saved models (``matinfo model fit``) with a goal, and how their predictions rank.

A :class:`ScreenModel` is a saved pipeline and its card (:func:`matinfo.learn.load_model`), a short name, a
model ID for provenance (the card's SHA-256) and a goal (``"min"`` or ``"max"``).  :class:`Ranking` turns
predictions into scores (lower is better) — by the mean, or using the model's uncertainty:

* ``"mean"``: the prediction itself;
* ``"optimistic"``: the better end of ``mean ± kappa * std`` (lower confidence bound when minimising) — finds
  candidates that *might* be excellent, for exploration;
* ``"conservative"``: the worse end — candidates that are good *even if the model errs by kappa sigma*;
* ``"probability"``: the probability that the true value beats ``threshold`` (Gaussian predictive
  distribution), highest first.

Scores are computed in the model's own units: for a model trained on log10 of its target the band is in
decades and ``threshold`` (given in target units) is compared as its log10.

>>> import numpy as np
>>> Ranking("conservative", kappa=2).scores(np.array([1.0, 2.0]), np.array([0.1, 0.9]), "min", None).tolist()
[1.2, 3.8]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["ScreenModel", "load_models", "Ranking", "RANKINGS", "GOALS"]

RANKINGS = ("mean", "optimistic", "conservative", "probability")
GOALS = ("min", "max")


def _check_goal(goal: str) -> str:
    g = str(goal).lower()
    if g in ("min", "minimize", "minimise", "lowest", "low"):
        return "min"
    if g in ("max", "maximize", "maximise", "highest", "high"):
        return "max"
    raise ParameterError(f"goal={goal!r}: use 'min' (lowest predictions first) or 'max'")


@dataclass
class ScreenModel:
    """A fitted pipeline with its card, as the screen uses it.

    Attributes
    ----------
    name : str
        Short name used in column names (``"<name>_prediction"``) and figures.
    pipeline : sklearn Pipeline
        ``features → model`` as saved by :func:`matinfo.learn.save_model`.
    card : ModelCard
        What it was trained on; ``card.input_columns`` are the candidate columns it reads.
    model_id : str
        ``"<model>:<first 16 hex of the card's SHA-256>"``; predictions written back to the store carry it.
    goal : str
        ``"min"`` or ``"max"``.
    source : str
        Folder it was loaded from ("" when built in memory).
    """

    name: str
    pipeline: Any
    card: Any
    model_id: str
    goal: str = "min"
    source: str = ""

    def __post_init__(self) -> None:
        self.goal = _check_goal(self.goal)
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", self.name):
            raise ParameterError(f"model name {self.name!r}: use letters, digits, '_', '-' and '.' only")

    @classmethod
    def from_pipeline(
        cls, pipeline: Any, card: Any, *, name: str | None = None, goal: str = "min"
    ) -> ScreenModel:
        """A screen model from a pipeline and card in memory (e.g. a :class:`~matinfo.learn.train.FitResult`)."""
        import json

        digest = hashlib.sha256(json.dumps(card.to_dict(), sort_keys=True, default=str).encode()).hexdigest()
        return cls(name or card.model, pipeline, card, f"{card.model}:{digest[:16]}", goal)

    @property
    def has_std(self) -> bool:
        """True when the model gives a standard deviation (regression with a card ``uncertainty``)."""
        return self.card.task == "regression" and bool(self.card.uncertainty)

    @property
    def log_target(self) -> bool:
        return self.card.target_transform == "log10"

    def to_target_units(self, values: np.ndarray) -> np.ndarray:
        """Predictions in the target's units (``10**p`` for a log10 model)."""
        return 10.0**values if self.log_target else values

    def describe(self) -> dict[str, Any]:
        """What overlap.json records about the model."""
        return {
            "model_id": self.model_id,
            "model": self.card.model,
            "task": self.card.task,
            "target": self.card.target,
            "target_transform": self.card.target_transform,
            "uncertainty": self.card.uncertainty,
            "goal": self.goal,
            "inputs": list(self.card.input_columns),
            "n_train": self.card.n_train,
            "cv_mean": self.card.metrics.get("cv_mean", {}),
            "source": self.source,
        }


def _model_id(directory: Path, card: Any) -> str:
    return f"{card.model}:{hashlib.sha256((directory / 'card.json').read_bytes()).hexdigest()[:16]}"


def load_models(
    directories: Sequence[str | Path],
    *,
    names: Sequence[str] | None = None,
    goal: str | Sequence[str] = "min",
    verify: bool = True,
) -> list[ScreenModel]:
    """Load saved models (folders written by ``matinfo model fit`` / :func:`~matinfo.learn.save_model`).

    Names default to the folder names (made unique with ``-2``, ``-3`` …).  ``goal`` is one goal for all or one
    per model.  A folder that is not a saved model raises :class:`~matinfo.errors.NotFoundError`; one whose
    model does not reproduce its saved check predictions raises :class:`~matinfo.errors.StoreError`.
    """
    from matinfo.learn.card import load_model

    dirs = [Path(d) for d in directories]
    if not dirs:
        raise ParameterError("give at least one model folder (written by `matinfo model fit`)")
    goals = [goal] * len(dirs) if isinstance(goal, str) else list(goal)
    if len(goals) != len(dirs):
        raise ParameterError(f"{len(goals)} goals for {len(dirs)} models; give one goal or one per model")
    if names is not None and len(names) != len(dirs):
        raise ParameterError(f"{len(names)} names for {len(dirs)} models")
    out: list[ScreenModel] = []
    used: set[str] = set()
    for i, d in enumerate(dirs):
        pipeline, card = load_model(d, verify=verify)
        base = (
            names[i]
            if names is not None
            else re.sub(r"[^A-Za-z0-9_.\-]+", "_", d.resolve().name) or card.model
        )
        name, k = base, 2
        while name in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name)
        out.append(ScreenModel(name, pipeline, card, _model_id(d, card), goals[i], str(d)))
    return out


@dataclass(frozen=True)
class Ranking:
    """How predictions become scores (lower is better); see the module docstring.

    Parameters
    ----------
    method : str
        ``"mean"``, ``"optimistic"``, ``"conservative"`` or ``"probability"``.
    kappa : float
        Width of the band in standard deviations (optimistic / conservative).
    threshold : float or None
        The value to beat, in the target's units (``"probability"`` only).
    """

    method: str = "mean"
    kappa: float = 1.0
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.method not in RANKINGS:
            raise ParameterError(f"ranking {self.method!r}: use one of {', '.join(RANKINGS)}")
        if not np.isfinite(self.kappa) or self.kappa < 0:
            raise ParameterError(f"kappa={self.kappa!r}: use a number >= 0 (standard deviations)")
        if self.method == "probability" and self.threshold is None:
            raise ParameterError(
                "ranking 'probability' needs a threshold (the value to beat, in target units)"
            )

    @property
    def needs_std(self) -> bool:
        return self.method != "mean"

    def check(self, model: ScreenModel) -> None:
        """Raise when this ranking cannot rank ``model``'s predictions."""
        if self.needs_std and not model.has_std:
            raise ParameterError(
                f"ranking {self.method!r} needs an uncertainty, and model {model.name!r} ({model.card.model}) has "
                "none: refit it with `matinfo model fit --uncertainty auto` (bootstrap ensemble or native std), or "
                "rank by the mean"
            )
        if self.method == "probability" and model.log_target and not self.threshold > 0:
            raise ParameterError(
                f"threshold={self.threshold!r}: model {model.name!r} predicts log10 of its target, so the "
                "threshold must be > 0"
            )

    def scores(
        self, mean: np.ndarray, std: np.ndarray | None, goal: str, log_target: bool | None
    ) -> np.ndarray:
        """Scores of predictions ``mean`` (± ``std``) for ``goal``; lower is better, NaN where undefined."""
        sign = 1.0 if goal == "min" else -1.0
        if self.method == "mean":
            return sign * mean
        if std is None:
            raise ParameterError(f"ranking {self.method!r} needs standard deviations")
        if self.method == "optimistic":
            return sign * mean - self.kappa * std
        if self.method == "conservative":
            return sign * mean + self.kappa * std
        from scipy.stats import norm

        t = np.log10(self.threshold) if log_target else float(self.threshold)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = sign * (t - mean) / std
        prob = np.where(std > 0, norm.cdf(z), np.where(sign * (t - mean) > 0, 1.0, 0.0))
        return -prob

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "kappa": self.kappa, "threshold": self.threshold}
