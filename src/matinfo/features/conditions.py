"""Processing and measurement conditions of a table (sintering temperature, atmosphere, measurement T) as features.

Each configured column becomes either one number in a fixed unit (``numeric``) or a one-hot block
(``categorical``).  Units are normalised through :mod:`matinfo.core.units`, so a column written in °C and the same
column written in K give the same features.  The unit of an input number is taken from, in this order: the cell
itself (``"1200 °C"``, ``"12 h"``), the row's unit column (``unit_column`` in the spec), the column header
(``"sintering_temperature [°C]"``, ``"Temperature (K)"``), the spec's ``input_unit``.

>>> import pandas as pd
>>> df = pd.DataFrame({"sintering_temperature [°C]": [1200, "1473.15 K"], "atmosphere": ["air", "Ar"]})
>>> f = ConditionFeatures(columns={"sintering_temperature [°C]": "processing",
...                                "atmosphere": {"kind": "categorical", "category": "processing"}}).fit(df)
>>> list(f.get_feature_names_out())
['processing: sintering_temperature [K]', 'processing: atmosphere=Ar', 'processing: atmosphere=air']
>>> f.transform(df).tolist()
[[1473.15, 0.0, 1.0], [1473.15, 1.0, 0.0]]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from matinfo.core import units
from matinfo.core.quantities import find_quantity
from matinfo.core.values import ROOM_TEMPERATURE_K, Measured, parse_measured
from matinfo.errors import FeaturizeError, QuantityError, UnitError
from matinfo.features.base import Examples, Featurizer

__all__ = ["ConditionFeatures", "split_unit_suffix"]

KINDS = ("numeric", "categorical")
CONDITION_CATEGORIES = ("processing", "measurement")
_MISSING_TEXT = {"", "nan", "na", "n/a", "n.a.", "none", "null", "-", "--", "—", "?", "n.d.", "nd"}
_ROOM = {"rt", "r.t.", "room temperature", "room temp", "room temp.", "ambient", "ambient temperature"}
_SPEC_KEYS = {
    "column",
    "kind",
    "category",
    "unit",
    "input_unit",
    "unit_column",
    "name",
    "categories",
    "missing",
}


def split_unit_suffix(column: str) -> tuple[str, str | None]:
    """Split a header such as ``"sintering_temperature [°C]"`` into its name and unit (``None`` if there is none).

    A trailing ``[...]`` or ``(...)`` counts as a unit only when :func:`~matinfo.core.units.parse_unit` reads it.

    >>> split_unit_suffix("sintering_temperature [°C]"), split_unit_suffix("Temperature (K)")
    (('sintering_temperature', 'degC'), ('Temperature', 'K'))
    >>> split_unit_suffix("IC (Total)"), split_unit_suffix("Power Factor (µW/cmK²)")
    (('IC (Total)', None), ('Power Factor', 'uW/(cm*K^2)'))
    """
    text = str(column).strip()
    if not text or text[-1] not in ")]":
        return text, None
    close, open_ = text[-1], "(" if text[-1] == ")" else "["
    depth, start = 0, -1
    for i in range(len(text) - 1, -1, -1):
        depth += text[i] == close
        depth -= text[i] == open_
        if depth == 0:
            start = i
            break
    base, inner = text[:start].rstrip(), text[start + 1 : -1].strip()
    if start <= 0 or not base or not inner:
        return text, None
    try:
        return base, units.format_unit(units.parse_unit(inner))
    except UnitError:
        return text, None


def _dimension(unit: str) -> str:
    """Readable name of a unit's dimension ('temperature', 'time', ...)."""
    return units.describe_dimension(unit).split(" (")[0] if unit else "dimensionless number"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in _MISSING_TEXT


@functools.lru_cache(maxsize=16384)
def _parse_text(text: str) -> Measured:
    return parse_measured(text)


@dataclass(frozen=True)
class _Spec:
    """One configured column, resolved (units in :func:`~matinfo.core.units.format_unit` spelling)."""

    column: str
    name: str
    kind: str
    category: str
    unit: str | None  # output unit of a numeric column; None until learned in fit
    from_unit: str | None  # unit of bare numbers (header, else input_unit)
    unit_column: str | None
    categories: tuple[str, ...] | None
    missing: str
    positive: bool


def _category_key(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


class ConditionFeatures(Featurizer):
    """Numbers in fixed units and one-hot categories from the condition columns of a table.

    Input: a pandas DataFrame (row labels are its index) or a list of row mappings ``{column: value}``.

    Parameters
    ----------
    columns : mapping or list
        ``{column: spec}`` or a list of specs with a ``"column"`` key.  A spec is a dict with

        * ``category`` (required): ``"processing"`` or ``"measurement"``; a plain string spec is this alone;
        * ``kind``: ``"numeric"`` (default) or ``"categorical"``;
        * ``unit``: the unit of the output (e.g. ``"K"``, ``"h"``, ``"mm"``, ``"mS/cm"``).  Default: the canonical
          unit of a known quantity of that name (``temperature``, ``sintering_temperature`` → K,
          ``sintering_time`` → h, see :func:`~matinfo.core.quantities.list_quantities`), else the header unit,
          else the first unit seen in ``fit``; temperatures in °C/°F are output in K;
        * ``input_unit``: unit of numbers written without one, when the header has none;
        * ``unit_column``: a column holding each row's unit;
        * ``name``: the feature name (default: the header without its unit);
        * ``categories``: fixed categories of a categorical column (default: learned in ``fit``, sorted);
        * ``missing`` (categorical): ``"nan"`` (default: a missing value gives NaN in the whole block) or
          ``"indicator"`` (an extra ``name=missing`` column that is 1 for missing values, the block 0).

    Values: a missing numeric value (empty, ``NaN``, ``n/a``) gives NaN.  A category not seen in ``fit`` gives
    zeros in the whole block (it is none of the known ones).  ``RT`` / ``room temperature`` in a temperature
    column means 298.15 K.  Bounds (``>1000 °C``) are refused; an uncertainty is dropped (a condition is a set
    point).  A cell that is not a value, or has a unit of the wrong dimension, raises
    :class:`~matinfo.errors.FeaturizeError` naming the row, the column, the value and the expected unit.

    Feature names: ``"processing: sintering_temperature [K]"`` (no ``[...]`` when dimensionless) and
    ``"processing: atmosphere=Ar"``; their category is the spec's.

    on_error, n_jobs : see :class:`~matinfo.features.base.Featurizer`.
    """

    input_kind = "table"
    name = "conditions"
    stateless = False

    def __init__(
        self,
        columns: Mapping[str, Any] | Sequence[Mapping[str, Any]] = (),
        *,
        on_error: str = "raise",
        n_jobs: int | None = 1,
    ) -> None:
        self.columns = columns
        self.on_error = on_error
        self.n_jobs = n_jobs

    # -- configuration -------------------------------------------------------------------------------------------
    def _raw_specs(self) -> list[dict[str, Any]]:
        cols = self.columns
        if isinstance(cols, Mapping):
            raw = []
            for column, spec in cols.items():
                spec = {"category": spec} if isinstance(spec, str) else dict(spec)
                raw.append({**spec, "column": column})
        elif isinstance(cols, Sequence) and not isinstance(cols, str):
            raw = []
            for spec in cols:
                if not isinstance(spec, Mapping) or "column" not in spec:
                    raise ValueError(
                        f"columns: each spec in a list must be a dict with a 'column' key, got {spec!r}; "
                        "or use ConditionFeatures.infer(df, category=...)"
                    )
                raw.append(dict(spec))
        else:
            raise ValueError(f"columns must be a mapping {{column: spec}} or a list of specs, not {cols!r}")
        if not raw:
            raise ValueError(
                "ConditionFeatures needs at least one column; use ConditionFeatures.infer(df, ...)"
            )
        return raw

    def _resolve(self, raw: dict[str, Any]) -> _Spec:
        column = raw["column"]
        where = f"columns[{column!r}]"
        unknown = sorted(set(raw) - _SPEC_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown spec keys {unknown}; use {sorted(_SPEC_KEYS - {'column'})}")
        category = raw.get("category")
        if category not in CONDITION_CATEGORIES:
            raise ValueError(f"{where}: category={category!r}; use 'processing' or 'measurement'")
        kind = raw.get("kind", "numeric")
        if kind not in KINDS:
            raise ValueError(f"{where}: kind={kind!r}; use 'numeric' or 'categorical'")
        missing = raw.get("missing", "nan")
        if missing not in ("nan", "indicator"):
            raise ValueError(f"{where}: missing={missing!r}; use 'nan' or 'indicator'")
        base, header_unit = split_unit_suffix(column)
        name = str(raw.get("name") or base)
        cats = raw.get("categories")
        if kind == "categorical":
            cats = None if cats is None else tuple(map(str, cats))
            return _Spec(column, name, kind, category, None, None, None, cats, missing, False)
        given = raw.get("input_unit")
        from_unit = header_unit or (
            units.format_unit(units.parse_unit(given, field=where)) if given else None
        )
        quantity = find_quantity(name)
        if quantity is not None and (quantity.dtype != "number"):
            quantity = None
        if raw.get("unit") is not None:
            out = units.format_unit(units.parse_unit(raw["unit"], field=where))
        elif quantity is not None:
            out = quantity.canonical_unit or ""
        else:
            out = from_unit
        if raw.get("unit") is None and out in ("degC", "degF"):
            out = "K"  # a default: temperatures go out in K unless asked otherwise
        return _Spec(
            column, name, kind, category, out, from_unit, raw.get("unit_column"), None, missing,
            bool(quantity is not None and quantity.positive),
        )  # fmt: skip

    def _fit(self, X: Any, y: Any = None) -> None:
        specs = [self._resolve(raw) for raw in self._raw_specs()]
        rows, _ = self._rows(X, specs)
        for i, spec in enumerate(specs):
            if spec.kind == "categorical" and spec.categories is None:
                seen = {
                    _category_key(r.get(spec.column)) for r in rows if not _is_missing(r.get(spec.column))
                }
                specs[i] = replace(spec, categories=tuple(sorted(seen)))
            elif spec.kind == "numeric" and spec.unit is None:
                specs[i] = replace(spec, unit=self._first_unit(spec, rows))
        self.specs_ = specs

    @staticmethod
    def _first_unit(spec: _Spec, rows: list[Mapping[str, Any]]) -> str:
        """The first unit seen in the training column (temperatures in K), or dimensionless."""
        for r in rows:
            unit = None
            if spec.unit_column and not _is_missing(r.get(spec.unit_column)):
                unit = units.format_unit(units.parse_unit(str(r[spec.unit_column]), field=spec.unit_column))
            value = r.get(spec.column)
            if isinstance(value, str) and not _is_missing(value):
                try:
                    unit = _parse_text(value.strip()).unit or unit
                except (QuantityError, UnitError):
                    continue
            if unit:
                return "K" if _dimension(unit) == "temperature" else unit
        return ""

    def _describe(self) -> tuple[list[str], list[str]]:
        names: list[str] = []
        cats: list[str] = []
        for spec in self.specs_:
            if spec.kind == "numeric":
                names.append(f"{spec.category}: {spec.name}" + (f" [{spec.unit}]" if spec.unit else ""))
                cats.append(spec.category)
            else:
                labels = (
                    [*spec.categories, "missing"] if spec.missing == "indicator" else list(spec.categories)
                )
                names += [f"{spec.category}: {spec.name}={c}" for c in labels]
                cats += [spec.category] * len(labels)
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"feature names given twice: {dup}; give the columns different 'name's")
        return names, cats

    # -- rows --------------------------------------------------------------------------------------------------
    def _rows(self, X: Any, specs: list[_Spec] | None = None) -> tuple[list[Any], list[Any]]:
        import pandas as pd

        specs = specs if specs is not None else self.specs_
        if isinstance(X, pd.DataFrame):
            needed = list(dict.fromkeys(c for s in specs for c in (s.column, s.unit_column) if c is not None))
            absent = [c for c in needed if c not in X.columns]
            if absent:
                raise ValueError(
                    f"{type(self).__name__}: the table has no column {absent[0]!r}; it has {list(X.columns)}"
                )
            return X[needed].to_dict("records"), X.index.tolist()
        if isinstance(X, Mapping) or isinstance(X, str) or not hasattr(X, "__iter__"):
            raise TypeError(
                f"{type(self).__name__} takes a DataFrame or a list of row mappings, not {type(X).__name__}"
            )
        rows = list(X)
        return rows, list(range(len(rows)))

    def _prepare(self, row: Any) -> np.ndarray:
        if not isinstance(row, Mapping):
            raise FeaturizeError(
                f"a row must be a mapping {{column: value}}, not a {type(row).__name__}",
                value=row,
                hint="pass a DataFrame or a list of dicts",
            )
        out: list[float] = []
        for spec in self.specs_:
            value = row.get(spec.column)
            if spec.kind == "numeric":
                out.append(self._number(spec, value, row))
            else:
                out.extend(_one_hot(spec, value))
        return np.asarray(out, dtype=float)

    def _compute_batch(self, items: list[np.ndarray]) -> np.ndarray:
        return np.vstack(items)

    def _number(self, spec: _Spec, value: Any, row: Mapping[str, Any]) -> float:
        out = spec.unit or ""
        expected = (
            f"{spec.name} in {out} or another {_dimension(out)} unit, e.g. '{_example(out)}'"
            if out
            else f"{spec.name} as a plain number"
        )

        default_hint = (
            f"write a number in {out}, or with a unit convertible to {out}" if out else "write a number"
        )

        def bad(problem: str, hint: str | None = None) -> FeaturizeError:
            return FeaturizeError(
                f"{problem}; expected {expected}", field=spec.column, value=value, hint=hint or default_hint
            )

        if _is_missing(value):
            return math.nan
        unit = spec.from_unit
        if spec.unit_column is not None and not _is_missing(row.get(spec.unit_column)):
            try:
                unit = units.format_unit(units.parse_unit(str(row[spec.unit_column])))
            except UnitError as err:
                raise FeaturizeError(
                    f"unknown unit {row[spec.unit_column]!r} for {spec.name}",
                    field=spec.unit_column,
                    value=row[spec.unit_column],
                    hint=err.hint,
                ) from None
        if isinstance(value, bool) or not isinstance(value, str | int | float | np.number):
            raise bad(f"a {type(value).__name__} is not a value")
        if isinstance(value, str):
            text = value.strip()
            if text.lower() in _ROOM and out and _dimension(out) == "temperature":
                number, unit = ROOM_TEMPERATURE_K, "K"
            else:
                try:
                    m = _parse_text(text)
                except (QuantityError, UnitError) as err:
                    raise bad(err.problem) from None
                if m.bound not in (None, "~"):
                    raise bad(f"a condition is one value, not a bound ({m.bound})", "give the set value")
                number, unit = m.value, m.unit or unit
        else:
            number = float(value)
        if unit is None or unit == "":
            if out and unit is None:
                raise bad(
                    "the value has no unit",
                    f"write the unit in the cell ('{_example(out)}'), in the header ('{spec.name} [{out}]') "
                    "or give input_unit / unit_column in the spec",
                )
            unit = ""
        try:
            result = units.convert(float(number), unit, out)
        except UnitError:
            raise bad(f"{unit!r} is a unit of {_dimension(unit)}, not of {_dimension(out)}") from None
        if spec.positive and result < 0:
            raise bad(f"{spec.name} cannot be negative ({result:g} {out})", "check the sign and the unit")
        return float(result)

    # -- helpers -----------------------------------------------------------------------------------------------
    @classmethod
    def infer(
        cls,
        df: Any,
        *,
        category: str | Mapping[str, str],
        columns: Sequence[str] | None = None,
        max_categories: int = 30,
        **params: Any,
    ) -> ConditionFeatures:
        """A (not yet fitted) ``ConditionFeatures`` for the columns of ``df``, their kinds guessed from the data.

        A column is numeric when every non-missing cell reads as a number (with or without unit), else
        categorical.  ``category`` is one category for all columns or ``{column: category}``.  A text column
        with more than ``max_categories`` distinct values (an ID, a DOI) raises ``ValueError``: leave it out.

        >>> import pandas as pd
        >>> df = pd.DataFrame({"Temperature (K)": [300, 400], "atmosphere": ["Ar", "air"]})
        >>> ConditionFeatures.infer(df, category="measurement").columns["atmosphere"]
        {'kind': 'categorical', 'category': 'measurement'}
        """
        spec: dict[str, dict[str, str]] = {}
        for column in columns if columns is not None else list(df.columns):
            cat = category if isinstance(category, str) else category[column]
            values = [v for v in df[column].tolist() if not _is_missing(v)]
            numeric = all(_reads_as_number(v) for v in values) and bool(values)
            if not numeric:
                n = len({_category_key(v) for v in values})
                if n > max_categories:
                    raise ValueError(
                        f"column {column!r} has {n} distinct text values, more than max_categories="
                        f"{max_categories}: it looks like an identifier, not a condition; leave it out of columns="
                    )
            spec[column] = {"kind": "numeric" if numeric else "categorical", "category": cat}
        return cls(columns=spec, **params)

    def citations(self) -> list[str]:
        return [_PINT]

    @classmethod
    def _examples(cls) -> Examples:
        return Examples(
            good=[
                {"Temperature (K)": 300, "sintering_temperature [°C]": "1200", "sintering_time": "12 h",
                 "atmosphere": "air"},
                {"Temperature (K)": "RT", "sintering_temperature [°C]": "1473.15 K", "sintering_time": "30 min",
                 "atmosphere": "Ar"},
                {"Temperature (K)": 573, "sintering_temperature [°C]": 900, "sintering_time": None,
                 "atmosphere": "O2"},
            ],
            bad=[
                {"Temperature (K)": "hot", "sintering_temperature [°C]": 1200, "sintering_time": "2 h",
                 "atmosphere": "air"},
                {"Temperature (K)": 300, "sintering_temperature [°C]": 1200, "sintering_time": "12 parsecs",
                 "atmosphere": "air"},
            ],
            params={
                "columns": {
                    "Temperature (K)": "measurement",
                    "sintering_temperature [°C]": "processing",
                    "sintering_time": "processing",
                    "atmosphere": {"kind": "categorical", "category": "processing"},
                }
            },
        )  # fmt: skip


def _one_hot(spec: _Spec, value: Any) -> list[float]:
    cats = spec.categories or ()
    if _is_missing(value):
        if spec.missing == "indicator":
            return [0.0] * len(cats) + [1.0]
        return [math.nan] * len(cats)
    key = _category_key(value)
    block = [1.0 if key == c else 0.0 for c in cats]
    return [*block, 0.0] if spec.missing == "indicator" else block


def _reads_as_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | np.number):
        return True
    try:
        return _parse_text(str(value).strip()).value is not None
    except (QuantityError, UnitError):
        return str(value).strip().lower() in _ROOM


_EXAMPLES = {"K": "1200 °C", "h": "12 h", "min": "30 min", "s": "60 s", "nm": "200 nm", "GPa": "1 GPa"}


def _example(unit: str) -> str:
    """A sample value for error messages."""
    return _EXAMPLES.get(unit, f"1 {unit}")


_PINT = """@misc{pint,
  author = {{Hernan E. Grecco and the pint contributors}},
  title = {Pint: makes units easy},
  howpublished = {\\url{https://github.com/hgrecco/pint}},
  note = {Python package used by matinfo to convert condition units}
}"""
