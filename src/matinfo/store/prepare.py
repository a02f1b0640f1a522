"""Validate and normalise one input record before it touches the database.

Everything that can be wrong with a record is found here — formula, CIF, space group, property value, unit,
condition — and reported as a :class:`~matinfo.errors.MatinfoError` that names the source file, line, field and
value.  The result, :class:`Prepared`, holds only canonical values (units of the quantity registry), so the
writer just links and inserts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matinfo.core.formula import parse_formula
from matinfo.core.identity import StructureType
from matinfo.core.keys import composition_keys, parse_plain_formula, plain_amounts, plain_composition_keys
from matinfo.core.quantities import get_quantity, to_canonical
from matinfo.core.records import MaterialIn, PropertyIn
from matinfo.core.values import parse_condition, parse_measured
from matinfo.errors import ImportDataError, LocatedError, MatinfoError

__all__ = ["Prepared", "prepare_material", "split_location", "space_group_number"]

_METHODS = frozenset(("experiment", "calculation", "prediction", "literature-extraction"))
_BOOL_TEXT = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def split_location(location: str | None) -> tuple[str | None, int | None]:
    """``"data.csv:15"`` → ``("data.csv", 15)``."""
    if not location:
        return None, None
    head, sep, tail = location.rpartition(":")
    if sep and tail.isdigit():
        return head, int(tail)
    return location, None


@functools.lru_cache(maxsize=1024)
def _space_group_from_symbol(symbol: str) -> int:
    import warnings

    from pymatgen.symmetry.groups import SpaceGroup

    compact = symbol.replace(" ", "")
    for candidate in (symbol, compact):
        try:
            with warnings.catch_warnings():  # "Full symbol not available": the number is all we need
                warnings.simplefilter("ignore")
                return SpaceGroup(candidate).int_number
        except Exception:  # pymatgen raises bare ValueError/KeyError variants
            continue
    raise ValueError(symbol)


def space_group_number(value: int | str | None, *, source=None, line=None, field="space_group") -> int | None:
    """A space-group number from a number or a Hermann–Mauguin symbol (``"P -1"``, ``"R3c"``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        n = int(value)
        if 1 <= n <= 230:
            return n
    elif isinstance(value, str):
        try:
            return _space_group_from_symbol(value.strip())
        except ValueError:
            pass
    raise ImportDataError(
        "not a space group",
        source=source,
        line=line,
        field=field,
        value=value,
        hint="give the international number 1–230 or a Hermann–Mauguin symbol such as 'R3c' or 'P4_2/mnm'",
    )


@dataclass
class Prepared:
    record: MaterialIn
    parsed: Any  # ParsedFormula
    fractions: dict[str, float] | None
    structure_type: Any  # StructureType
    structure_row: dict[str, Any] | None
    properties: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    line: int | None = None
    #: Every composition key (names, hash, amounts, fractions) of a resolved formula, computed once.
    keys: Any = None  # CompositionKeys | None


def _locate(err: MatinfoError, source, line, fld) -> MatinfoError:
    if isinstance(err, LocatedError):
        return err.located(source=source, line=line, field=fld)
    return err


def _structure(rec: MaterialIn, source, line) -> tuple[dict[str, Any], Any]:
    from matinfo.io import read_cif, structure_info

    st_in = rec.structure
    src = st_in.source or source
    try:
        if st_in.structure is not None:  # already parsed by the reader: the text is that block
            cif_text, structure = st_in.cif, st_in.structure
        else:
            entries = read_cif(st_in.cif, source=src)
            if not entries:
                raise ImportDataError(
                    "the CIF holds no data block",
                    source=src,
                    field="cif",
                    hint="check that the file is a CIF with a data_ block",
                )
            cif_text, structure = entries[0].cif_text, entries[0].structure
        info = structure_info(structure)
    except MatinfoError as e:
        raise _locate(e, src, None, "cif") from None
    lat = info.lattice
    row = {
        "cif": cif_text,
        "source": st_in.source,
        "formula": info.formula,
        # Conventional standard cell (hexagonal axes for hR), as papers report lattice parameters.
        "a_A": lat.a,
        "b_A": lat.b,
        "c_A": lat.c,
        "alpha_deg": lat.alpha,
        "beta_deg": lat.beta,
        "gamma_deg": lat.gamma,
        "volume_A3": lat.volume,
        "density_g_cm3": info.density,
        "n_sites": info.n_sites,
        "space_group_number": info.space_group_number,
        "space_group_symbol": info.space_group_symbol,
        "crystal_system": info.crystal_system,
        "pearson_symbol": info.pearson_symbol,
        "prototype": rec.prototype or info.prototype,
        "has_partial_occupancy": info.has_partial_occupancy,
        "symprec": info.symprec_used,
    }
    return row, info


def _condition_values(conds: Mapping[str, Any], source, line, fld) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in conds.items():
        unit = None
        if isinstance(raw, tuple | list) and len(raw) == 2:
            raw, unit = raw
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            cond = parse_condition(key, raw, unit)
        except MatinfoError as e:
            raise _locate(e, source, line, f"{fld}.conditions.{key}") from None
        out[cond.key] = cond.value
    return out


def _property(p: PropertyIn, source, line) -> dict[str, Any] | None:
    value = p.value
    if type(value) is float and value == value and p.uncertainty is None and p.method in _METHODS:
        # a number without uncertainty (computed data sets): the row at once, as the general path builds it
        try:
            q = get_quantity(p.quantity)
            fast = q.dtype != "bool" and q.dtype != "text"
            if fast:
                canonical = to_canonical(q, value, p.unit)
        except MatinfoError:  # the general path raises it, located
            fast = False
        if fast:
            unit = p.unit
            conds = _condition_values(p.conditions, source, line, q.name) if p.conditions else {}
            t = conds.get("temperature")
            return {
                "quantity": q.name,
                "unit": q.canonical_unit or None,
                "value": canonical,
                "value_text": None,
                "uncertainty": None,
                "bound": None,
                "original": f"{value} {unit}" if unit else str(value),
                "conditions": conds,
                "temperature_K": float(t) if isinstance(t, int | float) and not isinstance(t, bool) else None,
                "method": p.method,
                "location": p.location,
                "produced_by": p.produced_by,
                "_reference": p.reference,
            }
    return _property_general(p, source, line)


def _property_general(p: PropertyIn, source, line) -> dict[str, Any] | None:
    fld = p.quantity
    try:
        q = get_quantity(p.quantity)
    except MatinfoError as e:
        raise _locate(e, source, line, fld) from None
    fld = q.name
    if p.method not in _METHODS:
        raise ImportDataError(
            "unknown method",
            source=source,
            line=line,
            field=f"{fld}.method",
            value=p.method,
            hint="use experiment, calculation, prediction or literature-extraction",
        )
    value, raw = p.value, p.value
    row: dict[str, Any] = {
        "quantity": q.name,
        "unit": q.canonical_unit or None,
        "value": None,
        "value_text": None,
        "uncertainty": None,
        "bound": None,
        "original": None if raw is None else (f"{raw} {p.unit}" if p.unit else str(raw)),
    }
    if (
        value is None
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    ):
        return None
    try:
        if q.dtype == "bool" and not isinstance(value, bool):
            text = str(value).strip().lower()
            if text not in _BOOL_TEXT:
                raise ImportDataError(
                    "not a yes/no value", value=value, hint="write true/false, yes/no or 1/0"
                )
            value = _BOOL_TEXT[text]
        if q.dtype == "text":
            row["value_text"] = str(value).strip()
            row["unit"] = None
        elif isinstance(value, bool):
            row["value"] = 1.0 if value else 0.0
            row["value_text"] = "true" if value else "false"
        elif isinstance(value, int | float):
            row["value"] = to_canonical(q, float(value), p.unit)
            if p.uncertainty is not None:
                row["uncertainty"] = abs(
                    to_canonical(q, float(value) + float(p.uncertainty), p.unit) - row["value"]
                )
        else:
            m = parse_measured(str(value), default_unit=p.unit)
            if m.value is None:  # "n/a", "-", "?": nothing was measured
                return None
            unit = m.unit or p.unit
            row["value"] = to_canonical(q, m.value, unit) if m.value is not None else None
            row["bound"] = m.bound
            unc = m.uncertainty if m.uncertainty is not None else p.uncertainty
            if unc is not None and m.value is not None:
                row["uncertainty"] = abs(to_canonical(q, m.value + float(unc), unit) - row["value"])
    except MatinfoError as e:
        raise _locate(e, source, line, fld) from None
    row["conditions"] = _condition_values(p.conditions, source, line, fld) if p.conditions else {}
    t = row["conditions"].get("temperature")
    row["temperature_K"] = float(t) if isinstance(t, int | float) and not isinstance(t, bool) else None
    row["method"] = p.method
    row["location"] = p.location
    row["produced_by"] = p.produced_by
    row["_reference"] = p.reference
    return row


def prepare_material(rec: MaterialIn) -> Prepared:
    """Parse, validate and normalise ``rec``; raise a located :class:`MatinfoError` when it is bad."""
    source, line = split_location(rec.location)
    if not rec.formula or not str(rec.formula).strip():
        raise ImportDataError(
            "empty formula",
            source=source,
            line=line,
            field="formula",
            value=rec.formula,
            hint="every material needs the formula as reported",
        )
    # Plain formulas (Fe2O3, Li6.4La3Zr1.4Ta0.6O12: most of a computed data set) skip the full parser.
    parsed = parse_plain_formula(str(rec.formula)) if not rec.variables else None
    if parsed is None:
        try:
            parsed = parse_formula(
                str(rec.formula), variables=rec.variables, source=source, line=line, field="formula"
            )
        except MatinfoError as e:
            raise _locate(e, source, line, "formula") from None
    plain = plain_amounts(parsed)
    if plain is not None:  # the same keys as from its composition, without building one
        keys = plain_composition_keys(plain)
    else:
        keys = composition_keys(parsed.composition) if parsed.is_resolved else None
    fractions = keys.fractions if keys is not None else None

    structure_row, info = None, None
    if rec.structure is not None:
        structure_row, info = _structure(rec, source, line)
    sg = space_group_number(rec.space_group, source=source, line=line)
    if info is not None:
        sg = info.space_group_number if info.space_group_number is not None else sg
    prototype = rec.prototype or (info.prototype if info is not None else None)
    props = []
    for p in rec.properties:
        row = _property(p, source, line)
        if row is not None:
            props.append(row)
    return Prepared(
        rec, parsed, fractions, StructureType(sg, prototype), structure_row, props, source, line, keys
    )
