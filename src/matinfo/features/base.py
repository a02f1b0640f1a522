"""The featurizer contract: a scikit-learn transformer that knows its features' names, categories and sources.

Every featurizer in :mod:`matinfo.features` derives from :class:`Featurizer` and so

* is a scikit-learn transformer (``fit`` / ``transform`` / ``fit_transform``, ``get_params`` / ``set_params``,
  ``clone``, pickling, ``set_output(transform="pandas")``);
* names its columns (``get_feature_names_out()``) and tags each one with a category from :data:`CATEGORIES`
  (``get_feature_categories_out()``), so that models can report importance *by descriptor category*;
* says whom to cite (``citations()``, BibTeX strings);
* takes ``on_error="raise" | "nan"`` and ``n_jobs`` as constructor arguments.  With ``on_error="nan"`` a row that
  cannot be featurized becomes a row of NaN and is listed in ``report_`` (a :class:`FeaturizeReport`) instead of
  stopping the whole run; with ``"raise"`` the first bad row raises :class:`~matinfo.errors.FeaturizeError` naming
  the row and the value.  A row whose input is missing (``None`` or NaN, an empty cell) gives NaN features
  and is listed in ``report_.missing``, not treated as an error.

Subclasses implement either ``_compute_one(item) -> 1-D array`` (row by row; the base class handles errors and
parallelism) or ``_compute_batch(items) -> 2-D array`` (vectorised over the whole chunk), plus ``_prepare(x)``
(turn one raw input into the object ``_compute_*`` wants, raising on bad input) and ``_describe()`` (feature
names and categories).  Batch featurizers may also read a whole chunk of inputs at once with
``_prepare_batch(rows) -> (items, failures)`` (the default calls ``_prepare`` row by row); row errors are reported
exactly as from ``_prepare``.  Featurizers whose output does not depend on training data set
``stateless = True`` and can ``transform`` without ``fit``, like matminer's.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from matinfo.errors import FeaturizeError, MatinfoError, ParameterError

__all__ = [
    "CATEGORIES",
    "Featurizer",
    "FeaturizeReport",
    "RowError",
    "Examples",
    "registered_featurizers",
    "gc_paused",
]

#: The descriptor categories a feature can belong to (ARCHITECTURE.md, "Featurizer").
CATEGORIES = ("composition", "structure", "processing", "measurement", "interface", "molecule")

_REGISTRY: dict[str, type[Featurizer]] = {}

# Exceptions that mean "this row is bad" rather than "the program is broken".  Anything else propagates.
_ROW_ERRORS = (
    MatinfoError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    ArithmeticError,
    RuntimeError,
    AttributeError,
)


@dataclass(frozen=True)
class RowError:
    """One input row that could not be featurized."""

    row: Any
    value: Any
    message: str


@dataclass
class FeaturizeReport:
    """What went wrong in the last ``transform`` call (rows turned to NaN under ``on_error="nan"``)."""

    n_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: Labels of rows whose input was missing (None / NaN): NaN features, not an error.
    missing: list[Any] = field(default_factory=list)

    @property
    def n_failed(self) -> int:
        return len(self.errors)

    def to_frame(self):
        """The failed rows as a pandas DataFrame with columns ``row``, ``value``, ``message``."""
        import pandas as pd

        return pd.DataFrame([e.__dict__ for e in self.errors], columns=["row", "value", "message"])

    def __str__(self) -> str:
        head = f"{self.n_failed} of {self.n_rows} rows could not be featurized"
        if self.missing:
            head += f"; {len(self.missing)} rows had no input (NaN features)"
        lines = [f"  row {e.row}: {e.value!r}: {e.message}" for e in self.errors[:10]]
        if self.n_failed > 10:
            lines.append(f"  ... and {self.n_failed - 10} more")
        return "\n".join([head, *lines])


@dataclass(frozen=True)
class Examples:
    """Inputs a featurizer must handle, for :func:`matinfo.testing.check_featurizer`.

    ``good``: real inputs that must featurize to finite-or-NaN rows without error; ``bad``: inputs that must raise
    :class:`~matinfo.errors.FeaturizeError` (``on_error="raise"``) or give a NaN row (``on_error="nan"``);
    ``params``: constructor arguments to use (e.g. a column list for a table featurizer); ``fit_y``: targets, if
    fitting needs them.
    """

    good: Sequence[Any]
    bad: Sequence[Any] = ()
    params: dict[str, Any] = field(default_factory=dict)
    fit_y: Sequence[Any] | None = None


def registered_featurizers() -> dict[str, type[Featurizer]]:
    """Every featurizer class with a registry ``name``, after importing all of :mod:`matinfo.features`."""
    import matinfo.features as features

    features._import_all()
    return dict(sorted(_REGISTRY.items()))


class Featurizer(TransformerMixin, BaseEstimator):
    """Base class of all matinfo featurizers (see the module docstring for the contract)."""

    #: Registry name (``matinfo featurize --featurizer NAME``); ``None`` for abstract classes.
    name: ClassVar[str | None] = None
    #: ``"column"``: one input per row (formula, structure, SMILES); ``"table"``: a DataFrame, one row per row.
    input_kind: ClassVar[str] = "column"
    #: True when the output does not depend on ``fit`` (transform works on an unfitted instance).
    stateless: ClassVar[bool] = True
    #: Rows per chunk below which ``n_jobs`` is ignored (process start-up would cost more than it saves).
    min_rows_parallel: ClassVar[int] = 2000
    #: Pause the cyclic garbage collector during ``transform`` (see :func:`gc_paused`); a featurizer that makes
    #: much cyclic garbage per row can switch it off.
    pause_gc: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name:
            other = _REGISTRY.get(name)
            if other is not None and (other.__module__, other.__qualname__) != (
                cls.__module__,
                cls.__qualname__,
            ):
                raise TypeError(
                    f"featurizer name {name!r} is used by both {other.__qualname__} and {cls.__qualname__}"
                )
            _REGISTRY[name] = cls

    # -- what subclasses provide -------------------------------------------------------------------------------
    def _describe(self) -> tuple[list[str], list[str]]:
        """Feature names and their categories (same length)."""
        raise NotImplementedError

    def _prepare(self, x: Any) -> Any:
        """Turn one raw input into what ``_compute_*`` needs; raise (any row error) on bad input."""
        return x

    def _prepare_batch(self, rows: list[Any]) -> tuple[Any, list[tuple[int, BaseException]]]:
        """Prepare a chunk of rows (none missing) for ``_compute_batch`` at once.

        Returns ``(items, failures)``: ``items`` (anything with ``len``, passed to ``_compute_batch``) holds the
        rows that could be prepared, in order; ``failures`` is ``(position in rows, exception)`` for each that
        could not, in order of position (the exception as ``_prepare`` would raise it; only row errors, anything
        else propagates).  With ``on_error="raise"`` returning just the first failure is enough.  The default
        calls ``_prepare`` row by row.
        """
        stop = getattr(self, "on_error", "raise") == "raise"
        items: list[Any] = []
        failures: list[tuple[int, BaseException]] = []
        prepare = self._prepare
        for i, x in enumerate(rows):
            try:
                items.append(prepare(x))
            except _ROW_ERRORS as exc:
                failures.append((i, exc))
                if stop:
                    break
        return items, failures

    def _compute_one(self, item: Any) -> np.ndarray:
        raise NotImplementedError

    def _compute_batch(self, items: Any) -> np.ndarray:
        """Vectorised path: one new row of features per item (what ``_prepare_batch`` gives, or a list of
        ``_prepare`` results)."""
        raise NotImplementedError

    def _fit(self, X: Any, y: Any = None) -> None:
        """Learn state from training inputs (stateful featurizers only)."""

    def citations(self) -> list[str]:
        """BibTeX entries to cite when using this featurizer."""
        return []

    @classmethod
    def _examples(cls) -> Examples:
        """Real inputs for the conformance check."""
        raise NotImplementedError(f"{cls.__qualname__} does not provide examples for check_featurizer")

    # -- the scikit-learn side ---------------------------------------------------------------------------------
    def _check_common_params(self) -> None:
        on_error = getattr(self, "on_error", "raise")
        if on_error not in ("raise", "nan"):
            raise ParameterError(f"{type(self).__name__}: on_error={on_error!r}: use 'raise' or 'nan'")
        n_jobs = getattr(self, "n_jobs", 1)
        if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs == 0):
            raise ParameterError(
                f"{type(self).__name__}: n_jobs={n_jobs!r}: use a positive number of processes, -1 for all cores, or None"
            )

    def fit(self, X: Any, y: Any = None):
        """Check parameters and, for stateful featurizers, learn from ``X``. Returns ``self``."""
        self._check_common_params()
        self._fit(X, y)
        names, categories = self._checked_description()
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.feature_categories_out_ = np.asarray(categories, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def _checked_description(self) -> tuple[list[str], list[str]]:
        try:
            names, categories = self._describe()
        except ParameterError:
            raise
        except (ValueError, TypeError) as exc:  # a parameter that cannot work: say which featurizer
            raise ParameterError(f"{type(self).__name__}: {exc}") from exc
        names, categories = list(names), list(categories)
        if len(names) != len(categories):
            raise RuntimeError(f"{type(self).__name__}: {len(names)} names but {len(categories)} categories")
        bad = sorted(set(categories) - set(CATEGORIES))
        if bad:
            raise RuntimeError(f"{type(self).__name__}: unknown categories {bad}; use {CATEGORIES}")
        return names, categories

    def _ensure_ready(self) -> None:
        if not self.stateless:
            check_is_fitted(self, "feature_names_out_")
        elif not hasattr(self, "feature_names_out_"):
            self._check_common_params()
            names, categories = self._checked_description()
            self.feature_names_out_ = np.asarray(names, dtype=object)
            self.feature_categories_out_ = np.asarray(categories, dtype=object)
            self.n_features_out_ = len(names)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        self._ensure_ready()
        return self.feature_names_out_.copy()

    def get_feature_categories_out(self) -> np.ndarray:
        """Category (one of :data:`CATEGORIES`) of each output column, aligned with ``get_feature_names_out()``."""
        self._ensure_ready()
        return self.feature_categories_out_.copy()

    def feature_categories(self) -> dict[str, str]:
        """``{feature name: category}``."""
        return dict(zip(self.get_feature_names_out(), self.get_feature_categories_out(), strict=True))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = not self.stateless
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags

    # -- transform ---------------------------------------------------------------------------------------------
    def _rows(self, X: Any) -> tuple[list[Any], list[Any]]:
        """Split ``X`` into one input per row and the row labels used in error messages."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a dependency
            pd = None
        if pd is not None and isinstance(X, pd.DataFrame):
            if X.shape[1] != 1:
                raise ValueError(
                    f"{type(self).__name__} takes one input column but got a DataFrame with columns "
                    f"{list(X.columns)}; select the column first, e.g. df['formula']"
                )
            X = X.iloc[:, 0]
        if pd is not None and isinstance(X, pd.Series):
            return X.tolist(), X.index.tolist()
        if isinstance(X, np.ndarray) and X.ndim == 2:
            if X.shape[1] != 1:
                raise ValueError(
                    f"{type(self).__name__} takes one input column but got an array of shape {X.shape}"
                )
            X = X[:, 0]
        if isinstance(X, str | bytes) or not isinstance(X, Sequence | np.ndarray):
            if hasattr(X, "__iter__") and not isinstance(X, str | bytes):
                X = list(X)
            else:
                raise TypeError(
                    f"{type(self).__name__}.transform takes a sequence of inputs (list, array, Series), "
                    f"not {type(X).__name__}; wrap a single input in a list"
                )
        rows = list(X)
        return rows, list(range(len(rows)))

    def transform(self, X: Any) -> np.ndarray:
        """Featurize every row of ``X``; returns a float array of shape ``(n_rows, n_features)``."""
        if not self.pause_gc:
            return self._transform(X)
        with gc_paused():
            return self._transform(X)

    def _transform(self, X: Any) -> np.ndarray:
        self._ensure_ready()
        rows, labels = self._rows(X)
        n_features = self.n_features_out_
        n_jobs = self._effective_jobs(len(rows))
        if n_jobs <= 1:
            out, errors, missing = self._transform_rows(rows, labels)
        else:
            from joblib import Parallel, delayed

            size = math.ceil(len(rows) / (n_jobs * 4))
            bounds = [(i, min(i + size, len(rows))) for i in range(0, len(rows), size)]
            parts = Parallel(n_jobs=n_jobs)(
                delayed(self._transform_rows)(rows[a:b], labels[a:b]) for a, b in bounds
            )
            out = np.vstack([p[0] for p in parts]) if parts else np.empty((0, n_features))
            errors = [e for p in parts for e in p[1]]
            missing = [m for p in parts for m in p[2]]
        self.report_ = FeaturizeReport(n_rows=len(rows), errors=errors, missing=missing)
        return out

    def _effective_jobs(self, n_rows: int) -> int:
        n_jobs = getattr(self, "n_jobs", 1)
        if n_jobs is None or n_rows < self.min_rows_parallel:
            return 1
        if n_jobs < 0:
            import os

            n_jobs = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
        return n_jobs

    def _row_error(self, exc: BaseException, label: Any, value: Any) -> FeaturizeError:
        if isinstance(exc, FeaturizeError):
            return exc if exc.source is not None else exc.located(source=f"row {label}")
        problem = str(exc) or type(exc).__name__
        hint = getattr(exc, "hint", None) or "fix or drop this row, or pass on_error='nan' to get NaN for it"
        err = FeaturizeError(problem, source=f"row {label}", value=_short(value), hint=hint)
        err.__cause__ = exc
        return err

    def _transform_rows(
        self, rows: list[Any], labels: list[Any]
    ) -> tuple[np.ndarray, list[RowError], list[Any]]:
        raise_errors = getattr(self, "on_error", "raise") == "raise"
        if type(self)._compute_batch is not Featurizer._compute_batch:
            return self._transform_batch(rows, labels, raise_errors)
        out = np.full((len(rows), self.n_features_out_), np.nan)
        errors: list[RowError] = []
        missing: list[Any] = []

        def failed(exc: BaseException, i: int) -> None:
            err = self._row_error(exc, labels[i], rows[i])
            if raise_errors:
                raise err from exc
            errors.append(RowError(labels[i], _short(rows[i]), err.problem))

        for i, x in enumerate(rows):
            if _is_missing(x):
                missing.append(labels[i])
                continue
            try:
                out[i] = self._compute_one(self._prepare(x))
            except _ROW_ERRORS as exc:
                failed(exc, i)
        return out, errors, missing

    def _transform_batch(
        self, rows: list[Any], labels: list[Any], raise_errors: bool
    ) -> tuple[np.ndarray, list[RowError], list[Any]]:
        """``_transform_rows`` for batch featurizers: missing rows out, ``_prepare_batch``, ``_compute_batch``."""
        n, n_features = len(rows), self.n_features_out_
        gone = [i for i, x in enumerate(rows) if x is None or (isinstance(x, float) and x != x)]
        if gone:
            is_gone = np.zeros(n, dtype=bool)
            is_gone[gone] = True
            where = np.flatnonzero(~is_gone)
            present = [rows[i] for i in where.tolist()]
        else:
            where, present = None, rows
        items, failures = self._prepare_batch(present) if present else ([], [])
        errors: list[RowError] = []
        if failures:
            failures = sorted(failures, key=lambda f: f[0])
            if where is not None:
                failures = [(int(where[j]), exc) for j, exc in failures]
            if raise_errors:
                i, exc = failures[0]
                raise self._row_error(exc, labels[i], rows[i]) from exc
            for i, exc in failures:
                errors.append(
                    RowError(labels[i], _short(rows[i]), self._row_error(exc, labels[i], rows[i]).problem)
                )
        n_good = len(present) - len(failures)
        if len(items) != n_good:
            raise RuntimeError(
                f"{type(self).__name__}._prepare_batch returned {len(items)} items for {n_good} good rows"
            )
        values = np.asarray(self._compute_batch(items), dtype=float) if n_good else np.empty((0, n_features))
        if values.shape != (n_good, n_features):
            raise RuntimeError(
                f"{type(self).__name__}._compute_batch returned shape {values.shape}, "
                f"expected {(n_good, n_features)}"
            )
        missing = [labels[i] for i in gone]
        if n_good == n:
            return np.ascontiguousarray(values), errors, missing
        good = np.ones(n, dtype=bool)
        good[gone] = False
        good[[i for i, _ in failures]] = False
        out = np.full((n, n_features), np.nan)
        out[good] = values
        return out, errors, missing


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for a bulk featurization.

    Featurizing a row creates small acyclic objects (tuples, floats, cache entries); over 10⁴–10⁶ rows the
    collector would otherwise sweep them, and every long-lived object of the process, again and again, which can
    cost as much as the featurization itself.  Reference counting still frees everything acyclic at once; only
    cyclic garbage waits until the collector is switched back on (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _is_missing(x: Any) -> bool:
    """None or a float NaN (what pandas puts in an empty cell): a row without input, not a bad one."""
    return x is None or (isinstance(x, float) and x != x)


def _short(value: Any, limit: int = 80) -> Any:
    """Keep error messages readable when a row is a whole structure."""
    if isinstance(value, str | int | float) or value is None:
        return value
    text = repr(value)
    if len(text) <= limit:
        return value
    formula = getattr(getattr(value, "composition", None), "reduced_formula", None)
    return f"<{type(value).__name__} {formula}>" if formula else text[: limit - 3] + "..."
