"""Conformance checks that any matinfo component (ours or a plug-in) can run in its own test suite.

>>> from matinfo.testing import check_featurizer            # doctest: +SKIP
>>> check_featurizer(ElementStats(preset="magpie"))         # doctest: +SKIP

Each check raises ``AssertionError`` with a message naming the broken rule; it returns nothing when all hold.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np

__all__ = ["check_featurizer", "check_calc_engine"]


def _brief(x: Any) -> str:
    return x.to_dict("records").__repr__() if hasattr(x, "to_dict") else repr(x)


def _fail(est: Any, rule: str) -> AssertionError:
    return AssertionError(f"{type(est).__name__}: {rule}")


def check_featurizer(featurizer: Any, examples: Any = None) -> None:
    """Check that ``featurizer`` (an instance or a class) keeps the :class:`~matinfo.features.Featurizer` contract.

    ``examples`` (a :class:`~matinfo.features.Examples`) defaults to the class's own ``_examples()``.
    Checked: scikit-learn ``clone`` / ``get_params`` round trip; ``fit`` returns self; output shape, dtype and
    unique names; a valid category for every feature; ``citations()`` is a list of BibTeX strings;
    ``set_output(transform="pandas")`` gives a DataFrame with the feature names; ``on_error="raise"`` raises
    :class:`~matinfo.errors.FeaturizeError` naming the row for every bad example, ``on_error="nan"`` gives a NaN row
    and a report entry instead; ``n_jobs=2`` gives the same values as ``n_jobs=1``; pickling keeps the values.
    """
    from sklearn.base import clone

    from matinfo.errors import FeaturizeError
    from matinfo.features.base import CATEGORIES, Featurizer

    cls = featurizer if isinstance(featurizer, type) else type(featurizer)
    if not issubclass(cls, Featurizer):
        raise _fail(cls, "is not a matinfo.features.Featurizer subclass")
    examples = examples if examples is not None else cls._examples()
    est = cls(**examples.params) if isinstance(featurizer, type) else featurizer
    table = est.input_kind == "table"
    if table:
        import pandas as pd

        good = examples.good if isinstance(examples.good, pd.DataFrame) else pd.DataFrame(list(examples.good))
        good = good.reset_index(drop=True)
    else:
        good = list(examples.good)
    if len(good) < 2:
        raise _fail(est, "needs at least two good examples")

    params = est.get_params()
    for key in ("on_error", "n_jobs"):
        if key not in params:
            raise _fail(est, f"has no constructor argument {key!r}")
    twin = clone(est)
    if twin.get_params().keys() != params.keys():
        raise _fail(est, "clone() changes the parameters; store every __init__ argument unchanged")

    fitted = twin.fit(good, examples.fit_y)
    if fitted is not twin:
        raise _fail(est, "fit() must return self")
    X = twin.transform(good)
    names = twin.get_feature_names_out()
    cats = twin.get_feature_categories_out()
    if not isinstance(X, np.ndarray) or X.dtype != np.float64:
        raise _fail(
            est, f"transform must return a float64 ndarray, got {type(X).__name__} {getattr(X, 'dtype', '')}"
        )
    if X.shape != (len(good), len(names)):
        raise _fail(est, f"output shape {X.shape} does not match {len(good)} rows x {len(names)} names")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if list(names).count(n) > 1})[:5]
        raise _fail(est, f"feature names are not unique: {dup}")
    if len(cats) != len(names) or not set(cats) <= set(CATEGORIES):
        raise _fail(est, f"every feature needs a category from {CATEGORIES}; got {sorted(set(cats))}")
    if np.isinf(X).any():
        raise _fail(est, "transform produced inf; use NaN for undefined values")
    if np.isnan(X).all(axis=1).any():
        raise _fail(est, "a good example gave an all-NaN row")
    if twin.report_.n_failed:
        raise _fail(est, f"good examples failed: {twin.report_}")

    cites = est.citations()
    if (
        not isinstance(cites, list)
        or not cites
        or not all(isinstance(c, str) and c.lstrip().startswith("@") for c in cites)
    ):
        raise _fail(est, "citations() must return a non-empty list of BibTeX strings")

    frame = clone(est).set_output(transform="pandas").fit(good, examples.fit_y).transform(good)
    if list(frame.columns) != list(names):
        raise _fail(est, "set_output(transform='pandas') columns differ from get_feature_names_out()")
    if not np.allclose(frame.to_numpy(dtype=float), X, equal_nan=True):
        raise _fail(est, "pandas output differs from the array output")

    again = pickle.loads(pickle.dumps(twin)).transform(good)
    if not np.array_equal(again, X, equal_nan=True):
        raise _fail(est, "a pickled and reloaded featurizer gives different values")

    if est.stateless:
        direct = clone(est).transform(good)
        if not np.array_equal(direct, X, equal_nan=True):
            raise _fail(est, "stateless featurizer gives different values with and without fit()")

    parallel = clone(est).set_params(n_jobs=2)
    parallel.min_rows_parallel = 1  # force the parallel path on the small example set
    X2 = parallel.fit(good, examples.fit_y).transform(good)
    if not np.allclose(X2, X, equal_nan=True, rtol=1e-12, atol=0):
        raise _fail(est, "n_jobs=2 gives different values from n_jobs=1")

    for bad in examples.bad:
        if table:
            import pandas as pd

            bad_rows = bad if isinstance(bad, pd.DataFrame) else pd.DataFrame([bad])
            rows = pd.concat([good.iloc[[0]], bad_rows, good.iloc[[1]]], ignore_index=True)
        else:
            rows = [good[0], bad, good[1]]
        strict = clone(est).set_params(on_error="raise").fit(good, examples.fit_y)
        try:
            strict.transform(rows)
        except FeaturizeError as err:
            if err.source != "row 1":
                raise _fail(
                    est, f"the error for bad input {_brief(bad)} names {err.source!r}, not 'row 1'"
                ) from err
        else:
            raise _fail(est, f"bad input {_brief(bad)} did not raise FeaturizeError with on_error='raise'")
        lenient = clone(est).set_params(on_error="nan").fit(good, examples.fit_y)
        out = lenient.transform(rows)
        if not np.isnan(out[1]).all():
            raise _fail(est, f"bad input {_brief(bad)} did not give a NaN row with on_error='nan'")
        if np.isnan(out[[0, 2]]).all(axis=1).any():
            raise _fail(est, "good rows next to a bad one came out all-NaN")
        if [e.row for e in lenient.report_.errors] != [1]:
            raise _fail(est, f"report_ should list row 1 only, got {lenient.report_}")


def check_calc_engine(*args: Any, **kwargs: Any) -> None:
    """Check a :mod:`matinfo.calc` engine (see :func:`matinfo.calc.conformance.check_calc_engine`)."""
    from matinfo.calc.conformance import check_calc_engine as check

    check(*args, **kwargs)
