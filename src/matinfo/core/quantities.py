"""The registry of known quantities: properties (band gap, conductivity...) and conditions (temperature...).

Each quantity has one canonical unit, the unit matinfo stores it in (house style: eV, Å, K, GPa, S/cm).
Names are looked up case-, space- and hyphen-insensitively, aliases included:

>>> get_quantity("Ionic conductivity").canonical_unit
'S/cm'
>>> get_quantity("kappa_L").name
'lattice_thermal_conductivity'
>>> to_canonical("ionic_conductivity", 0.1, "mS/cm")
0.0001
>>> to_canonical("temperature", 25, "°C")
298.15
"""

from __future__ import annotations

import difflib
import functools
import threading
from typing import TYPE_CHECKING

from matinfo.core import units
from matinfo.core._quantity_defs import BUILTIN as _BUILTIN
from matinfo.core._quantity_defs import Kind, QuantityDef, quantity_key
from matinfo.errors import LocatedError, QuantityError, UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "QuantityDef",
    "get_quantity",
    "find_quantity",
    "register_quantity",
    "list_quantities",
    "to_canonical",
    "check_unit",
    "quantity_key",
]


_by_name: dict[str, QuantityDef] = {}
_by_key: dict[str, str] = {}  # lookup key (name or alias) -> name
_lock = threading.Lock()


def register_quantity(defn: QuantityDef, *, replace: bool = False) -> QuantityDef:
    """Add a quantity to the registry and return it.

    Raises :class:`QuantityError` if its name or an alias is taken by another quantity (pass
    ``replace=True`` to redefine a quantity of the same name) and :class:`UnitError` if its canonical unit
    cannot be parsed.

    >>> mobility = QuantityDef("my_hall_mobility", "cm^2/(V*s)", "Hall mobility", ("my_mu_h",))
    >>> register_quantity(mobility, replace=True)  # doctest: +ELLIPSIS
    QuantityDef(name='my_hall_mobility', canonical_unit='cm^2/(V*s)', ...)
    """
    if not isinstance(defn, QuantityDef):
        raise QuantityError(f"expected a QuantityDef, got {type(defn).__name__}", value=defn)
    if defn.canonical_unit:
        units.parse_unit(defn.canonical_unit, field="canonical_unit")
    return _register(defn, replace)


def _register(defn: QuantityDef, replace: bool = False) -> QuantityDef:
    keys = {quantity_key(defn.name)} | {quantity_key(a) for a in defn.aliases}
    with _lock:
        if defn.name in _by_name and not replace:
            raise QuantityError(
                "quantity already registered", value=defn.name, hint="pass replace=True to redefine it"
            )
        for key in keys:
            owner = _by_key.get(key)
            if owner is not None and owner != defn.name:
                raise QuantityError(
                    f"name {key!r} already refers to quantity {owner!r}",
                    value=defn.name,
                    field="aliases",
                    hint="choose another alias",
                )
        old = _by_name.get(defn.name)
        if old is not None:
            for key in [k for k, v in _by_key.items() if v == old.name]:
                del _by_key[key]
        _by_name[defn.name] = defn
        _by_key.update(dict.fromkeys(keys, defn.name))
    return defn


for _defn in _BUILTIN:  # units checked by the tests, not here: importing must not import pint
    _register(_defn)


def find_quantity(name_or_alias: str) -> QuantityDef | None:
    """The quantity with this name or alias, or ``None``.

    >>> find_quantity("T").name, find_quantity("no such thing")
    ('temperature', None)
    """
    if not isinstance(name_or_alias, str):
        return None
    # a key as stored (every canonical name is one) needs no normalising: quantity_key is idempotent
    name = _by_key.get(name_or_alias) or _by_key.get(quantity_key(name_or_alias))
    return None if name is None else _by_name[name]


def get_quantity(
    name_or_alias: str | QuantityDef,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> QuantityDef:
    """The quantity with this name or alias; raises :class:`QuantityError` with close matches otherwise.

    >>> get_quantity("ionic-conductivity").name
    'ionic_conductivity'
    >>> get_quantity("ionic_conductance")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.QuantityError: value 'ionic_conductance': unknown quantity — did you mean 'ionic_conduct...
    """
    if isinstance(name_or_alias, QuantityDef):
        return name_or_alias
    found = find_quantity(name_or_alias)
    if found is not None:
        return found
    key = quantity_key(name_or_alias) if isinstance(name_or_alias, str) else ""
    close = difflib.get_close_matches(key, list(_by_key), n=6, cutoff=0.6)
    names = list(dict.fromkeys(_by_key[c] for c in close))[:3]
    hint = f"did you mean {' or '.join(map(repr, names))}? " if names else ""
    hint += "list_quantities() shows the known ones; register_quantity() adds one"
    raise QuantityError(
        "unknown quantity", source=source, line=line, field=field, value=name_or_alias, hint=hint
    )


def list_quantities(kind: Kind | None = None) -> list[QuantityDef]:
    """All registered quantities (of one *kind* if given), sorted by name.

    >>> "temperature" in [q.name for q in list_quantities("condition")]
    True
    """
    return sorted((q for q in _by_name.values() if kind is None or q.kind == kind), key=lambda q: q.name)


def check_unit(
    quantity: str | QuantityDef,
    unit: str | pint.Unit | None,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> QuantityDef:
    """Raise :class:`UnitError` unless *unit* can be converted to the canonical unit of *quantity*."""
    q = get_quantity(quantity, source=source, line=line, field=field)
    _factors(q, unit, source, line, field)
    return q


def _factors(
    q: QuantityDef, unit: str | pint.Unit | None, source: str | None, line: int | None, field: str | None
) -> tuple[float, float] | None:
    """``(a, b)`` with canonical = a * value + b, ``None`` for a dimensionless quantity; raises like
    :func:`check_unit`.  Text units (and ``None``) are checked once per (quantity, unit) pair: a bulk import
    converts millions of values in a handful of units, and the full check costs ~10 µs."""
    if unit is None or isinstance(unit, str):
        try:
            return _cached_factors(q.name, q.canonical_unit, q.dtype, q.per, unit)
        except LocatedError as err:
            raise err.located(source=source, line=line, field=field) from None
    return _check_factors(q.name, q.canonical_unit, q.dtype, q.per, unit, source, line, field)


@functools.lru_cache(maxsize=4096)
def _cached_factors(
    name: str, canonical_unit: str | None, dtype: str, per: str | None, unit: str | None
) -> tuple[float, float] | None:
    return _check_factors(name, canonical_unit, dtype, per, unit, None, None, None)


def _check_factors(
    name: str,
    canonical_unit: str | None,
    dtype: str,
    per: str | None,
    unit: str | pint.Unit | None,
    source: str | None,
    line: int | None,
    field: str | None,
) -> tuple[float, float] | None:
    where = {"source": source, "line": line, "field": field}
    if dtype != "number":
        raise QuantityError(
            f"{name} is a {dtype} quantity, not a number with a unit",
            value=unit,
            hint="store it as a condition or flag, without unit",
            **where,
        )
    given = "" if unit is None else unit if isinstance(unit, str) else units.format_unit(unit)
    if canonical_unit == "":
        if given.strip():
            raise UnitError(
                f"{name} is dimensionless and takes no unit",
                value=given,
                hint="leave the unit empty (write 5 % as 0.05)",
                **where,
            )
        return None
    if not given.strip():
        raise UnitError(
            f"{name} needs a unit", value=unit, hint=f"give the unit, e.g. {canonical_unit!r}", **where
        )
    if per is not None:
        try:
            units.check_counting(unit, "atom" if per == "atom" else "fu")  # type: ignore[arg-type]
        except UnitError:
            other = {"atom": "atom", "formula_unit": "formula unit"}
            found = [other[n] for n in units.parse_unit(unit)._units if n in other and n != per]
            raise UnitError(
                f"{name} is per {other[per]}, but {given!r} is per {found[0] if found else 'something else'}",
                value=given,
                hint="convert with the composition (atoms per formula unit) first",
                **where,
            ) from None
    try:
        return units.conversion_factors(unit, canonical_unit)  # type: ignore[arg-type]
    except UnitError as err:
        raise UnitError(
            f"unit does not fit {name} (stored in {canonical_unit!r}): {err.problem}",
            value=given,
            hint=err.hint,
            **where,
        ) from None


def to_canonical(
    quantity: str | QuantityDef,
    value: float,
    unit: str | pint.Unit | None,
    *,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> float:
    """Convert *value* given in *unit* to the canonical unit of *quantity*, checking dimension and sign.

    Dimensionless quantities accept only ``None`` or ``""`` as unit; all others need a unit.
    Raises :class:`UnitError` (missing or unfitting unit) or :class:`QuantityError` (unknown quantity,
    non-number, negative value of a ``positive`` quantity).

    >>> to_canonical("ionic_conductivity", 0.1, "mS/cm") == to_canonical("ionic_conductivity", 1e-4, "S/cm")
    True
    >>> to_canonical("pressure", 1, "atm")
    0.000101325
    >>> to_canonical("band_gap", 1.1, "S/cm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matinfo.errors.UnitError: value 'S/cm': unit does not fit band_gap (stored in 'eV'): cannot convert ...
    """
    q = get_quantity(quantity, source=source, line=line, field=field)
    ab = _factors(q, unit, source, line, field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QuantityError(
            f"{q.name} must be a number",
            source=source,
            line=line,
            field=field,
            value=value,
            hint="parse text with parse_measured() first",
        )
    if ab is None:
        result = float(value)
    else:  # exactly units.convert(value, unit, q.canonical_unit), with the factors looked up once
        a, b = ab
        result = units.tidy(float(value) * a + b if b else float(value) * a)
    if q.positive and result < 0:
        raise QuantityError(
            f"{q.name} cannot be negative ({result:g} {q.canonical_unit})".replace(" )", ")"),
            source=source,
            line=line,
            field=field,
            value=value,
            hint="check the sign and the unit of the value",
        )
    return result  # type: ignore[return-value]
