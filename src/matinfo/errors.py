"""The one exception hierarchy of matinfo.

Every error a user can cause derives from :class:`MatinfoError` and also from the matching builtin, so
``except ValueError`` keeps working for callers who do not know about matinfo.  Messages say *where*
(file, line, field, value) and *what to do next*.
"""

from __future__ import annotations

__all__ = [
    "MatinfoError",
    "FormulaError",
    "UnitError",
    "QuantityError",
    "StructureError",
    "ImportDataError",
    "MappingError",
    "QueryError",
    "NotFoundError",
    "StoreError",
    "FeaturizeError",
    "ParameterError",
]


class MatinfoError(Exception):
    """Base class of every error raised by matinfo on purpose."""


def _where(source: str | None, line: int | None, field: str | None, value: object) -> str:
    parts = []
    if source is not None:
        parts.append(str(source) if line is None else f"{source}:{line}")
    elif line is not None:
        parts.append(f"line {line}")
    if field is not None:
        parts.append(f"field {field!r}")
    if value is not None:
        parts.append(f"value {value!r}")
    return ", ".join(parts)


class LocatedError(MatinfoError):
    """An error about one value in one place of an input.

    Attributes ``source`` (file name or other origin), ``line`` (1-based), ``field``, ``value`` and ``hint``
    (how to fix it) are kept for programs; ``str(err)`` joins them into one readable message.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.line = line
        self.field = field
        self.value = value
        self.hint = hint
        where = _where(source, line, field, value)
        msg = f"{where}: {problem}" if where else problem
        if hint:
            msg += f" — {hint}"
        super().__init__(msg)

    def __reduce__(self):
        # keep the location when the error crosses a process boundary (joblib, Dask workers)
        kwargs = {
            "source": self.source,
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "hint": self.hint,
        }
        return (_rebuild_located, (type(self), self.problem, kwargs))

    def located(self, *, source: str | None = None, line: int | None = None, field: str | None = None):
        """Return a copy of this error with missing location details filled in."""
        return type(self)(
            self.problem,
            source=self.source if self.source is not None else source,
            line=self.line if self.line is not None else line,
            field=self.field if self.field is not None else field,
            value=self.value,
            hint=self.hint,
        )


def _rebuild_located(cls: type[LocatedError], problem: str, kwargs: dict) -> LocatedError:
    return cls(problem, **kwargs)


class FormulaError(LocatedError, ValueError):
    """A chemical formula could not be parsed."""


class UnitError(LocatedError, ValueError):
    """A unit is unknown or has the wrong dimension for the quantity."""


class QuantityError(LocatedError, ValueError):
    """A value, uncertainty or bound could not be read."""


class StructureError(LocatedError, ValueError):
    """A crystal structure (CIF, POSCAR) is malformed or inconsistent."""


class ImportDataError(LocatedError, ValueError):
    """A row or file of an import is malformed."""


class MappingError(LocatedError, ValueError):
    """A column mapping (TOML) or import preset is wrong."""


class QueryError(LocatedError, ValueError):
    """A search (flags or OPTIMADE filter) is malformed."""


class NotFoundError(MatinfoError, KeyError):
    """A record asked for by ID does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "not found"


class StoreError(MatinfoError, RuntimeError):
    """The database cannot be opened, migrated or written."""


class FeaturizeError(LocatedError, ValueError):
    """An input row could not be featurized (unknown element, unparseable formula, broken structure).

    ``source`` reads ``"row R"`` where R is the row's index label (its 0-based position for plain sequences);
    ``value`` is the offending input; ``hint`` says how to fix it.

    >>> str(FeaturizeError("unknown element 'Xx'", source="row 3", value="Xx2O", hint="check the formula"))
    "row 3, value 'Xx2O': unknown element 'Xx' — check the formula"
    """


class ParameterError(MatinfoError, ValueError):
    """A parameter of an estimator, featurizer or command has a value that cannot work."""
