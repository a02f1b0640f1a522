"""Process-parameter spaces: continuous, integer and categorical parameters, mixed freely.

>>> space = ParameterSpace([
...     Real("substrate_temperature", 400, 900, unit="K"),
...     Real("flux_ratio", 0.5, 4.0, log=True),
...     Integer("sintering_time", 1, 24, unit="h"),
...     Categorical("atmosphere", ["Ar", "O2"]),
... ])
>>> space.n_dims  # one column per real/integer parameter, one per category (one-hot)
5
>>> point = {"substrate_temperature": 650.0, "flux_ratio": 2.0, "sintering_time": 12, "atmosphere": "O2"}
>>> space.decode(space.encode([point]))[0] == point
True

The surrogate works in the unit cube: a real parameter maps linearly (or logarithmically, ``log=True``) to
[0, 1], an integer likewise and is rounded back, a categorical parameter becomes one 0/1 column per choice.
:meth:`ParameterSpace.validate` is what rejects a point outside the space (bounds, non-integers, unknown
categories, missing parameters) with a message naming the parameter and its allowed range.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matinfo.errors import ImportDataError, ParameterError

__all__ = ["Real", "Integer", "Categorical", "ParameterSpace"]

#: Relative tolerance of the bounds check (a value printed with 15 significant digits still validates).
BOUND_RTOL = 1e-9


def _unit(unit: str | None) -> str:
    return f" {unit}" if unit else ""


@dataclass(frozen=True)
class Real:
    """A continuous parameter in [low, high] (``log=True``: searched on a log scale, low > 0)."""

    name: str
    low: float
    high: float
    log: bool = False
    unit: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ParameterError(
                f"parameter {self.name!r}: need finite low < high, got [{self.low}, {self.high}]"
            )
        if self.log and self.low <= 0:
            raise ParameterError(f"parameter {self.name!r}: a log-scale range needs low > 0, got {self.low}")

    @property
    def width(self) -> int:
        return 1

    def describe(self) -> str:
        return f"[{self.low:g}, {self.high:g}]{_unit(self.unit)}"

    def check(self, value: Any) -> float:
        v = _number(self.name, value)
        tol = BOUND_RTOL * (self.high - self.low)
        if not (self.low - tol <= v <= self.high + tol):
            raise ParameterError(
                f"value {v:g} of {self.name!r} is outside the space {self.describe()}; "
                "give a value inside the range, or create a campaign with a wider range"
            )
        return min(max(v, self.low), self.high)

    def encode(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        if self.log:
            return (np.log(v) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (v - self.low) / (self.high - self.low)

    def decode(self, z: np.ndarray) -> np.ndarray:
        z = np.clip(np.asarray(z, dtype=float), 0.0, 1.0)
        if self.log:
            return np.exp(math.log(self.low) + z * (math.log(self.high) - math.log(self.low)))
        return self.low + z * (self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": "real",
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Integer:
    """An integer parameter in [low, high] (both included)."""

    name: str
    low: int
    high: int
    unit: str | None = None

    def __post_init__(self) -> None:
        if int(self.low) != self.low or int(self.high) != self.high or not self.low < self.high:
            raise ParameterError(
                f"parameter {self.name!r}: need integers low < high, got [{self.low}, {self.high}]"
            )

    @property
    def width(self) -> int:
        return 1

    def describe(self) -> str:
        return f"integers {self.low}..{self.high}{_unit(self.unit)}"

    def check(self, value: Any) -> int:
        v = _number(self.name, value)
        if v != round(v):
            raise ParameterError(f"value {v:g} of {self.name!r} is not an integer ({self.describe()})")
        if not self.low <= v <= self.high:
            raise ParameterError(
                f"value {v:g} of {self.name!r} is outside the space ({self.describe()}); give a value inside the range"
            )
        return int(round(v))

    def encode(self, v: np.ndarray) -> np.ndarray:
        return (np.asarray(v, dtype=float) - self.low) / (self.high - self.low)

    def decode(self, z: np.ndarray) -> np.ndarray:
        z = np.clip(np.asarray(z, dtype=float), 0.0, 1.0)
        return np.rint(self.low + z * (self.high - self.low)).astype(np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": "integer",
            "low": int(self.low),
            "high": int(self.high),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Categorical:
    """A parameter taking one of a few named values (atmosphere, precursor, substrate)."""

    name: str
    choices: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(str(c) for c in self.choices))
        if len(self.choices) < 2 or len(set(self.choices)) != len(self.choices):
            raise ParameterError(
                f"parameter {self.name!r}: need at least two distinct choices, got {list(self.choices)}"
            )

    @property
    def width(self) -> int:
        return len(self.choices)

    def describe(self) -> str:
        return "one of " + ", ".join(self.choices)

    def check(self, value: Any) -> str:
        v = str(value)
        if v not in self.choices:
            raise ParameterError(f"value {value!r} of {self.name!r} is not in the space ({self.describe()})")
        return v

    def encode(self, v: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(v), len(self.choices)))
        out[np.arange(len(v)), [self.choices.index(str(x)) for x in v]] = 1.0
        return out

    def decode(self, z: np.ndarray) -> np.ndarray:
        return np.array(self.choices, dtype=object)[np.argmax(np.atleast_2d(z), axis=1)]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": "categorical", "choices": list(self.choices)}


Param = Real | Integer | Categorical


def _number(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"value {value!r} of {name!r} is not a number") from None
    if not math.isfinite(v):
        raise ParameterError(f"value {value!r} of {name!r} is not a finite number")
    return v


class ParameterSpace:
    """Continuous, integer and categorical process parameters (a mixed space).

    Parameters
    ----------
    params : sequence of Real, Integer, Categorical
    cost : str or None
        Cost of one experiment as an expression of the parameters, evaluated with ``pandas.DataFrame.eval``
        (e.g. ``"1 + sintering_time / 24"``); None means equal costs.
    """

    kind = "parameters"

    def __init__(self, params: Sequence[Param], *, cost: str | None = None) -> None:
        params = list(params)
        if not params:
            raise ParameterError("a parameter space needs at least one parameter")
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise ParameterError(f"parameter names must be unique, got {names}")
        self.params = params
        self.names = names
        self.cost_expr = cost
        self.slices: list[slice] = []
        start = 0
        for p in params:
            self.slices.append(slice(start, start + p.width))
            start += p.width
        self.n_dims = start
        #: encoded columns an optimiser may move continuously (real and integer parameters)
        self.continuous = np.zeros(start, dtype=bool)
        for p, s in zip(params, self.slices, strict=True):
            self.continuous[s] = not isinstance(p, Categorical)
        if cost is not None:
            self.cost_of([{p.name: _example(p) for p in params}])  # fail now on a bad expression

    def __repr__(self) -> str:
        return f"ParameterSpace({', '.join(f'{p.name} {p.describe()}' for p in self.params)})"

    @property
    def features(self) -> list[str]:
        return list(self.names)

    # -- checking and encoding --------------------------------------------------------------------------------
    def validate(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """The point with values normalised (ints, clipped floats); a :class:`ParameterError` when outside."""
        missing = [n for n in self.names if n not in point]
        if missing:
            raise ParameterError(f"point {dict(point)} has no value for {missing}; every parameter is needed")
        return {p.name: p.check(point[p.name]) for p in self.params}

    def encode(self, points: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Validated points → unit-cube rows (n × n_dims)."""
        pts = [self.validate(p) for p in points]
        Z = np.empty((len(pts), self.n_dims))
        for p, s in zip(self.params, self.slices, strict=True):
            col = [q[p.name] for q in pts]
            Z[:, s] = p.encode(col) if isinstance(p, Categorical) else p.encode(np.array(col))[:, None]
        return Z

    def encode_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Like :meth:`encode`, for points of a related campaign (values outside the bounds are allowed)."""
        Z = np.empty((len(records), self.n_dims))
        for p, s in zip(self.params, self.slices, strict=True):
            try:
                col = [r[p.name] for r in records]
            except KeyError:
                raise ParameterError(
                    f"a record has no parameter {p.name!r}; transfer needs the same parameters"
                ) from None
            Z[:, s] = (
                p.encode(col) if isinstance(p, Categorical) else p.encode(np.array(col, dtype=float))[:, None]
            )
        return Z

    def decode(self, Z: np.ndarray) -> list[dict[str, Any]]:
        """Unit-cube rows → points (integers rounded, categories by the largest column)."""
        Z = np.atleast_2d(np.asarray(Z, dtype=float))
        cols = {}
        for p, s in zip(self.params, self.slices, strict=True):
            cols[p.name] = p.decode(Z[:, s]) if isinstance(p, Categorical) else p.decode(Z[:, s.start])
        out = []
        for i in range(len(Z)):
            out.append({n: _plain(cols[n][i]) for n in self.names})
        return out

    def snap(self, Z: np.ndarray) -> np.ndarray:
        """Encoded rows moved to the nearest valid point (integers rounded, one-hot exact)."""
        Z = np.atleast_2d(np.asarray(Z, dtype=float))
        out = np.clip(Z, 0.0, 1.0)
        for p, s in zip(self.params, self.slices, strict=True):
            if isinstance(p, Integer):
                out[:, s] = p.encode(p.decode(Z[:, s.start]))[:, None]
            elif isinstance(p, Categorical):
                hot = np.zeros((len(Z), p.width))
                hot[np.arange(len(Z)), np.argmax(Z[:, s], axis=1)] = 1.0
                out[:, s] = hot
        return out

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` encoded points: a scrambled Sobol sequence for real/integer columns, uniform categories."""
        import warnings

        from scipy.stats import qmc

        n_cont = int(self.continuous.sum())
        Z = np.zeros((n, self.n_dims))
        if n_cont:
            with warnings.catch_warnings():  # n need not be a power of two
                warnings.simplefilter("ignore", UserWarning)
                Z[:, self.continuous] = qmc.Sobol(n_cont, scramble=True, seed=rng).random(n)
        for p, s in zip(self.params, self.slices, strict=True):
            if isinstance(p, Categorical):
                Z[np.arange(n), s.start + rng.integers(0, p.width, n)] = 1.0
        return self.snap(Z)

    def cost_of(self, points: Sequence[Mapping[str, Any]]) -> np.ndarray | None:
        """Cost of each point from the ``cost`` expression (None without one)."""
        if self.cost_expr is None:
            return None
        import pandas as pd

        frame = pd.DataFrame(list(points), columns=self.names)
        try:
            c = np.asarray(frame.eval(self.cost_expr), dtype=float).reshape(-1)
        except Exception as e:  # pandas raises many types for a bad expression
            raise ParameterError(
                f"cannot evaluate the cost expression {self.cost_expr!r}: {e}; write it with parameter names, "
                "numbers and + - * / ** (e.g. '1 + sintering_time / 24')"
            ) from None
        c = np.broadcast_to(c, (len(frame),)).astype(float)
        if not (np.isfinite(c).all() and (c > 0).all()):
            raise ParameterError(
                f"the cost expression {self.cost_expr!r} gives a non-positive or non-finite cost"
            )
        return c

    # -- persistence -----------------------------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": [p.to_dict() for p in self.params], "cost": self.cost_expr}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> ParameterSpace:
        """From :meth:`spec` output, or from ``{"params": [...], "cost": ...}`` read from a TOML/JSON file."""
        params = []
        for i, raw in enumerate(spec.get("params") or spec.get("param") or []):
            d = dict(raw)
            kind = str(d.pop("type", "real")).lower()
            try:
                if kind in ("real", "float", "continuous"):
                    params.append(
                        Real(
                            d["name"],
                            float(d["low"]),
                            float(d["high"]),
                            bool(d.get("log", False)),
                            d.get("unit"),
                        )
                    )
                elif kind in ("integer", "int"):
                    params.append(Integer(d["name"], int(d["low"]), int(d["high"]), d.get("unit")))
                elif kind in ("categorical", "category", "choice"):
                    params.append(Categorical(d["name"], tuple(d["choices"])))
                else:
                    raise ParameterError(
                        f"parameter {i + 1}: unknown type {kind!r}; use real, integer or categorical"
                    )
            except KeyError as e:
                raise ParameterError(f"parameter {i + 1} ({raw!r}) has no {e.args[0]!r}") from None
        return cls(params, cost=spec.get("cost"))

    @classmethod
    def from_file(cls, path: str | Path) -> ParameterSpace:
        """Read a TOML (``[[param]]`` tables) or JSON (``{"params": [...]}``) parameter file."""
        path = Path(path)
        if not path.exists():
            raise ImportDataError(
                "no such file", source=str(path), hint="check the path of the parameter file"
            )
        text = path.read_text(encoding="utf-8")
        try:
            if path.suffix.lower() == ".json":
                spec = json.loads(text)
            else:
                import tomllib

                spec = tomllib.loads(text)
        except (ValueError, json.JSONDecodeError) as e:
            raise ImportDataError(f"cannot parse: {e}", source=str(path)) from None
        return cls.from_spec(spec)


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _example(p: Param) -> Any:
    return p.choices[0] if isinstance(p, Categorical) else p.low
