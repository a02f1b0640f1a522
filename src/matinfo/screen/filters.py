"""Feasibility filters: which candidates are worth scoring at all.

A filter is any object with ``name`` and ``mask(chunk, columns) -> bool array`` (True: keep), where ``chunk`` is a
chunk of a candidate space and ``columns`` the space's composition columns; a plain function
``chunk -> bool array`` works too (:class:`Predicate`).  Filters run on each chunk before featurization, so
what they remove costs nothing; the screen reports how many each one removed.

Composition filters look at every composition of a row — a pair ``"A|B"`` has two — and keep the row only when
every composition passes.  A composition that cannot be read is kept: the featurizer reports it (a filter is
not the place to lose rows silently).

>>> import pandas as pd
>>> chunk = pd.DataFrame({"formula": ["PbTe", "Bi2Te3", "NaCl2", "SnSe"]})
>>> Elements(exclude=["Pb"]).mask(chunk, ("formula",)).tolist()
[False, True, True, True]
>>> ChargeBalanced().mask(chunk, ("formula",)).tolist()
[True, True, False, True]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from matinfo.errors import ParameterError

__all__ = [
    "Elements",
    "ChargeBalanced",
    "KnownPhases",
    "NoSharedElements",
    "Predicate",
    "as_filter",
    "composition_sides",
]


def composition_sides(chunk: Any, columns: Sequence[str]) -> list[np.ndarray]:
    """The compositions of each row, one object array per side: a column of ``"A|B"`` strings gives two.

    >>> import pandas as pd
    >>> [s.tolist() for s in composition_sides(pd.DataFrame({"pair": ["Si|Ge", "Bi|Te"]}), ("pair",))]
    [['Si', 'Bi'], ['Ge', 'Te']]
    """
    import pandas as pd

    sides: list[np.ndarray] = []
    for col in columns:
        if col not in chunk.columns:
            raise ParameterError(
                f"filter: the candidates have no column {col!r}; they have {list(chunk.columns)}"
            )
        values = chunk[col]
        text = values.astype(str) if values.dtype != object else values
        if len(values) and text.map(lambda v: isinstance(v, str) and "|" in v).any():
            parts = pd.Series(text).str.split("|", n=1, expand=True)
            sides += [
                parts[0].str.strip().to_numpy(dtype=object),
                parts[1].str.strip().to_numpy(dtype=object),
            ]
        else:
            sides.append(values.to_numpy(dtype=object))
    return sides


def _element_sets(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(present, readable)``: an ``(n, 119)`` bool matrix of the elements of each composition (column Z - 1;
    the last column is padding) and which rows could be read."""
    from matinfo.features._composition import N_ELEMENTS, read_compositions

    n = len(values)
    readable = np.array([isinstance(v, str) and bool(v.strip()) for v in values], dtype=bool)
    good = np.flatnonzero(readable)
    batch, failed = read_compositions([values[i] for i in good])
    if failed:
        readable[good[[i for i, _ in failed]]] = False
        good = np.flatnonzero(readable)
    present = np.zeros((n, N_ELEMENTS + 1), dtype=bool)
    rows = np.repeat(good, batch.idx.shape[1])
    present[rows, batch.idx.ravel()] = True
    present[:, N_ELEMENTS] = False
    return present, readable


def _z_list(symbols: Iterable[str] | None, what: str) -> np.ndarray | None:
    from matinfo.core.elements import Z_OF

    if symbols is None:
        return None
    syms = [symbols] if isinstance(symbols, str) else list(symbols)
    bad = [s for s in syms if s not in Z_OF]
    if bad:
        raise ParameterError(f"{what}: {bad[0]!r} is not an element symbol")
    return np.asarray([Z_OF[s] - 1 for s in syms], dtype=np.intp)


class Elements:
    """Keep compositions made only of ``allowed`` elements, containing all ``required``, none of ``exclude``,
    with ``min_elements`` … ``max_elements`` distinct elements (each argument optional).

    >>> import pandas as pd
    >>> Elements(max_elements=2).mask(pd.DataFrame({"pair": ["Si|GeTe", "Si|AgSbTe2"]}), ("pair",)).tolist()
    [True, False]
    """

    def __init__(
        self,
        *,
        allowed: Sequence[str] | None = None,
        required: Sequence[str] | None = None,
        exclude: Sequence[str] | None = None,
        min_elements: int | None = None,
        max_elements: int | None = None,
    ) -> None:
        self.allowed = _z_list(allowed, "allowed")
        self.required = _z_list(required, "required")
        self.exclude = _z_list(exclude, "exclude")
        self.min_elements = min_elements
        self.max_elements = max_elements
        parts = [
            f"only {_names(self.allowed)}" if self.allowed is not None else "",
            f"with {_names(self.required)}" if self.required is not None else "",
            f"without {_names(self.exclude)}" if self.exclude is not None else "",
            f">= {min_elements} elements" if min_elements is not None else "",
            f"<= {max_elements} elements" if max_elements is not None else "",
        ]
        self.name = "elements: " + ", ".join(p for p in parts if p) if any(parts) else "elements"

    def mask(self, chunk: Any, columns: Sequence[str]) -> np.ndarray:
        keep = np.ones(len(chunk), dtype=bool)
        for side in composition_sides(chunk, columns):
            present, readable = _element_sets(side)
            ok = np.ones(len(side), dtype=bool)
            if self.allowed is not None:
                outside = present.copy()
                outside[:, self.allowed] = False
                ok &= ~outside.any(axis=1)
            if self.required is not None:
                ok &= present[:, self.required].all(axis=1)
            if self.exclude is not None:
                ok &= ~present[:, self.exclude].any(axis=1)
            count = present.sum(axis=1)
            if self.min_elements is not None:
                ok &= count >= self.min_elements
            if self.max_elements is not None:
                ok &= count <= self.max_elements
            keep &= ok | ~readable
        return keep


def _names(z: np.ndarray) -> str:
    from matinfo.core.elements import ELEMENTS

    return ",".join(ELEMENTS[i] for i in z)


#: Relative tolerance between an amount and the small fraction it is read as (0.3333 is 1/3, 0.0025 is not 0).
FRACTION_RTOL = 5e-4


@functools.lru_cache(maxsize=262144)
def _balanced_text(text: str, max_denominator: int) -> float:
    """1.0 / 0.0 for a charge-balanced / unbalanced composition, NaN when its amounts are not small fractions."""
    from matinfo.features._composition import composition_items
    from matinfo.features.ionic import charge_balanced

    items = composition_items(text)
    fracs = [Fraction(a).limit_denominator(max_denominator) for _, a in items]
    if any(abs(float(f) - a) > FRACTION_RTOL * a for f, (_, a) in zip(fracs, items, strict=True)):
        return float("nan")
    scale = 1
    for f in fracs:
        scale = scale * f.denominator // np.gcd(scale, f.denominator)
    return charge_balanced({el: float(f * scale) for f, (el, _) in zip(fracs, items, strict=True)})


class ChargeBalanced:
    """Keep compositions whose common oxidation states can sum to zero (pymatgen's common states, the test of
    :func:`matinfo.features.ionic.charge_balanced`); single elements pass.

    Fractional amounts (``Bi0.4Sb1.6Te3``) are scaled to whole numbers first when each is, within a relative
    :data:`FRACTION_RTOL`, a fraction with a denominator up to ``max_denominator`` (``0.3333`` is 1/3); otherwise the answer is unknown and ``unknown`` decides:
    ``"keep"`` (default) or ``"drop"``.  Intermetallics and alloys are usually not charge-balanced — use this
    filter for ionic compounds.
    """

    def __init__(self, *, max_denominator: int = 20, unknown: str = "keep") -> None:
        if unknown not in ("keep", "drop"):
            raise ParameterError(f"unknown={unknown!r}: use 'keep' or 'drop'")
        if int(max_denominator) < 1:
            raise ParameterError(f"max_denominator={max_denominator!r}: use a positive whole number")
        self.max_denominator = int(max_denominator)
        self.unknown = unknown
        self.name = "charge balanced"

    def mask(self, chunk: Any, columns: Sequence[str]) -> np.ndarray:
        from matinfo.features.base import _ROW_ERRORS

        keep = np.ones(len(chunk), dtype=bool)
        for side in composition_sides(chunk, columns):
            for i, text in enumerate(side):
                if not keep[i] or not isinstance(text, str):
                    continue
                try:
                    ok = _balanced_text(text, self.max_denominator)
                except _ROW_ERRORS:
                    continue  # unreadable: kept, the featurizer reports it
                keep[i] = (self.unknown == "keep") if ok != ok else bool(ok)
        return keep


@functools.lru_cache(maxsize=262144)
def _key(text: str) -> str | None:
    from matinfo.core.keys import formula_hash
    from matinfo.features._composition import composition_items
    from matinfo.features.base import _ROW_ERRORS

    try:
        return formula_hash(dict(composition_items(text)))
    except _ROW_ERRORS:
        return None


class KnownPhases:
    """Keep candidates whose compositions are (``keep="known"``) or are not (``keep="novel"``) among
    ``formulas`` — for example the substances of a store search for stable phases.

    Compositions are compared by atomic fractions (``Bi2Te3`` and ``Bi4Te6`` are the same).  For a pair, every
    side must be known (``"known"``) or at least one side novel (``"novel"``).

    >>> import pandas as pd
    >>> chunk = pd.DataFrame({"formula": ["Bi4Te6", "Bi2Se5"]})
    >>> KnownPhases(["Bi2Te3", "Bi2Se3"]).mask(chunk, ("formula",)).tolist()
    [True, False]
    """

    def __init__(self, formulas: Iterable[str], *, keep: str = "known", label: str = "known phases") -> None:
        if keep not in ("known", "novel"):
            raise ParameterError(f"keep={keep!r}: use 'known' or 'novel'")
        keys = {_key(str(f)) for f in formulas}
        keys.discard(None)
        if not keys:
            raise ParameterError("KnownPhases needs at least one readable formula")
        self.keys = frozenset(keys)
        self.keep = keep
        self.name = f"{label} ({len(self.keys):,}): {keep}"

    @classmethod
    def from_store(cls, db: Any, query: Any = None, *, keep: str = "known") -> KnownPhases:
        """The reduced formulas of every substance a store search finds (``query``: a
        :class:`~matinfo.store.Query`, e.g. ``Query(properties=["formation_energy_per_atom < 0 eV/atom"])``)."""
        import dataclasses

        from matinfo.store import Database, Query, connect

        db = db if isinstance(db, Database) else connect(str(db))
        hits = db.search(dataclasses.replace(query or Query(), limit=None, offset=0))
        if not hits:
            raise ParameterError(f"the store search found no substances in {db.url}; nothing is known")
        return cls([h.reduced_formula for h in hits], keep=keep, label=f"substances of {db.url}")

    def mask(self, chunk: Any, columns: Sequence[str]) -> np.ndarray:
        known = np.ones(len(chunk), dtype=bool)
        for side in composition_sides(chunk, columns):
            known &= np.array([isinstance(t, str) and _key(t) in self.keys for t in side], dtype=bool)
        return known if self.keep == "known" else ~known


class NoSharedElements:
    """Keep pairs whose two sides have no element in common (``Bi|Si`` yes, ``Bi2Te3|Te`` no).

    >>> import pandas as pd
    >>> NoSharedElements().mask(pd.DataFrame({"pair": ["Bi|Si", "Bi2Te3|Te"]}), ("pair",)).tolist()
    [True, False]
    """

    name = "no shared elements"

    def mask(self, chunk: Any, columns: Sequence[str]) -> np.ndarray:
        sides = composition_sides(chunk, columns)
        if len(sides) < 2:
            raise ParameterError("NoSharedElements applies to pairs (a column of 'A|B' strings)")
        (a, ok_a), (b, ok_b) = _element_sets(sides[0]), _element_sets(sides[1])
        return ~(a & b).any(axis=1) | ~(ok_a & ok_b)


class Predicate:
    """A user's test on whole chunks: ``function(chunk) -> bool array`` (or a bool Series), True to keep.

    >>> import pandas as pd
    >>> Predicate(lambda c: c["formula"].str.len() < 5, name="short").mask(pd.DataFrame({"formula": ["Si", "Bi2Te3"]}), ()).tolist()
    [True, False]
    """

    def __init__(self, function: Callable[[Any], Any], *, name: str | None = None) -> None:
        if not callable(function):
            raise ParameterError(f"Predicate takes a function of a chunk, not {type(function).__name__}")
        self.function = function
        self.name = name or getattr(function, "__name__", "predicate")

    def mask(self, chunk: Any, columns: Sequence[str]) -> np.ndarray:
        out = np.asarray(self.function(chunk))
        if out.shape != (len(chunk),) or out.dtype != bool:
            raise ParameterError(
                f"filter {self.name!r} returned {out.dtype} of shape {out.shape}; it must return one bool per "
                f"row ({len(chunk)} rows)"
            )
        return out


def as_filter(f: Any) -> Any:
    """A filter object from a filter or a plain function (wrapped in :class:`Predicate`)."""
    if hasattr(f, "mask") and hasattr(f, "name"):
        return f
    if callable(f):
        return Predicate(f)
    raise ParameterError(f"a filter must have mask() and name, or be a function of a chunk; got {f!r}")
