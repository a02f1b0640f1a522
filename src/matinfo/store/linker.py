"""Distinct-phase linking against the database, with an in-memory index for bulk imports.

The rules live in :mod:`matinfo.core.identity`; this module feeds them the candidate substances.  The index
maps a host chemical system to its substances (structure type + member fractions + variable-formula members)
and is filled lazily from the database, one host system at a time, so a bulk import of 300k materials
touches each system once instead of querying per material.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from matinfo.core.identity import (
    UNKNOWN_STRUCTURE,
    Candidate,
    StructureType,
    candidate_host_systems,
    find_match,
    host_system,
)
from matinfo.store.models import Material, Substance

__all__ = ["Linker", "LinkDecision"]


@dataclass
class _Entry(Candidate):
    chemical_system: str = ""
    dirty: bool = False
    fraction_min: dict[str, float] = field(default_factory=dict)
    fraction_max: dict[str, float] = field(default_factory=dict)
    #: Rounded member compositions already in ``members``: repeated compositions (the same compound
    #: measured many times) are compared once, so linking cost grows with distinct compositions only.
    member_keys: set[tuple] = field(default_factory=set)

    def add_fractions(self, fractions: Mapping[str, float]) -> bool:
        key = tuple(sorted((el, round(x, 6)) for el, x in fractions.items()))
        if key in self.member_keys:
            return False
        self.member_keys.add(key)
        self.members.append(dict(fractions))
        return True


@dataclass(frozen=True)
class LinkDecision:
    """Where a material goes: an existing substance (``substance_id``) or a new one (``new`` = True)."""

    substance_id: int | None
    new: bool
    host_system: str
    reason: str
    distance: float | None


def _host_and_keys(parsed, fractions: Mapping[str, float] | None) -> tuple[str, list[str]]:
    """The material's host system and the host systems of the substances it may join."""
    if fractions is not None:
        return host_system(fractions), candidate_host_systems(fractions)
    required = set(parsed.required_elements)
    optional = [el for el in parsed.elements if el not in required]
    host = "-".join(sorted(parsed.elements))
    return host, candidate_host_systems({el: 1.0 for el in required}, optional=optional)


class Linker:
    """Links materials to substances within one session (one import transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_system: dict[str, list[_Entry]] = defaultdict(list)
        self._loaded: set[str] = set()
        self._by_id: dict[int, _Entry] = {}
        #: Host system and candidate systems of the materials of the current batch (see prefetch).
        self._hosts: dict[int, tuple[object, tuple[str, list[str]]]] = {}
        #: Entries whose composition range changed (a set: a bulk import must not walk every entry per batch).
        self._dirty: dict[int, _Entry] = {}
        # Substances with variable-formula members span several chemical systems (LiyNb1-yTizO... is also
        # Li-Nb-O at z=0), so they are candidates for every material whose elements they contain.
        self._variable: dict[int, set[str]] | None = None

    def _variable_candidates(self, elements: set[str]) -> list[_Entry]:
        if self._variable is None:
            self._variable = {}
            rows = self.session.execute(
                select(Material.substance_id, Substance.chemical_system)
                .join(Substance, Substance.id == Material.substance_id)
                .where(Material.is_resolved.is_(False))
                .distinct()
            ).all()
            self._load({system for _, system in rows})
            for sid, _ in rows:
                self._variable[sid] = set().union(*(f.elements for f in self._by_id[sid].formulas))
        return [self._by_id[sid] for sid, els in self._variable.items() if elements <= els]

    # -- index -------------------------------------------------------------------------------------------
    def _load(self, systems: Iterable[str]) -> None:
        from matinfo.core.formula import parse_formula

        todo = [s for s in set(systems) if s not in self._loaded]
        if not todo:
            return
        self._loaded.update(todo)
        for i in range(0, len(todo), 500):
            chunk = todo[i : i + 500]
            subs = self.session.execute(
                select(
                    Substance.id,
                    Substance.chemical_system,
                    Substance.space_group_number,
                    Substance.prototype,
                    Substance.structure_type_key,
                    Substance.fraction_min,
                    Substance.fraction_max,
                ).where(Substance.chemical_system.in_(chunk))
            ).all()
            if not subs:
                continue
            entries = {}
            for sid, system, sg, proto, key, fmin, fmax in subs:
                st = StructureType(sg, proto) if key != UNKNOWN_STRUCTURE else StructureType()
                e = _Entry(
                    sid,
                    st,
                    chemical_system=system,
                    fraction_min=dict(fmin or {}),
                    fraction_max=dict(fmax or {}),
                )
                entries[sid] = e
                self._by_system[system].append(e)
                self._by_id[sid] = e
            ids = list(entries)
            for j in range(0, len(ids), 500):
                rows = self.session.execute(
                    select(
                        Material.substance_id, Material.composition, Material.formula, Material.variables
                    ).where(Material.substance_id.in_(ids[j : j + 500]))
                ).all()
                for sid, comp, formula, variables in rows:
                    e = entries[sid]
                    if comp:
                        total = sum(comp.values())
                        e.add_fractions({el: amt / total for el, amt in comp.items()})
                    elif variables:
                        e.formulas.append(parse_formula(formula))

    def prefetch(self, items: Iterable[tuple[object, Mapping[str, float] | None]]) -> None:
        """Load the candidate systems of many materials (``(parsed, fractions)`` pairs) at once.

        A bulk import calls this once per batch, so the index is filled by a few queries per batch instead of
        one or two per material; :meth:`decide` then finds every system loaded.
        """
        systems: set[str] = set()
        self._hosts.clear()
        for parsed, fractions in items:
            hk = _host_and_keys(parsed, fractions)
            self._hosts[id(parsed)] = (parsed, hk)  # decide() reuses it (parsed kept alive with it)
            systems.update(hk[1])
        self._load(systems)

    # -- decisions ---------------------------------------------------------------------------------------
    def decide(self, parsed, fractions: Mapping[str, float] | None, st: StructureType) -> LinkDecision:
        """Decide the substance of one material (``parsed``: its ParsedFormula)."""
        known = self._hosts.pop(id(parsed), None)
        host, keys = (
            known[1] if known is not None and known[0] is parsed else _host_and_keys(parsed, fractions)
        )
        self._load(keys)
        cands = [e for k in keys for e in self._by_system.get(k, ())]
        seen = {e.substance_id for e in cands}
        elements = set(fractions) if fractions is not None else set(parsed.elements)
        cands += [e for e in self._variable_candidates(elements) if e.substance_id not in seen]
        match = find_match(
            fractions,
            st,
            cands,
            closest=None if fractions is not None else parsed.closest_fractions,
        )
        if match is not None:
            return LinkDecision(
                match.substance_id,
                False,
                self._by_id[match.substance_id].chemical_system,
                match.reason,
                match.distance,
            )
        why = "founded a new substance: no substance"
        why += f" of {st.describe()}" if st.known else " (structure not reported)"
        why += f" in host system {host} within the composition tolerance"
        return LinkDecision(None, True, host, why, None)

    def register_new(self, substance_id: int, host: str, st: StructureType) -> None:
        e = _Entry(substance_id, st, chemical_system=host)
        self._by_system[host].append(e)
        self._by_id[substance_id] = e
        self._loaded.add(host)

    def add_member(self, substance_id: int, parsed, fractions: Mapping[str, float] | None) -> None:
        e = self._by_id[substance_id]
        if fractions is not None:
            first = not e.members
            if not e.add_fractions(fractions):
                return  # composition already a member: range unchanged
            for el in set(fractions) | set(e.fraction_min):
                x = fractions.get(el, 0.0)
                # Earlier members did not contain an element they do not list: their fraction is 0.
                e.fraction_min[el] = x if first else min(e.fraction_min.get(el, 0.0), x)
                e.fraction_max[el] = x if first else max(e.fraction_max.get(el, 0.0), x)
            e.dirty = True
            self._dirty[id(e)] = e
        else:
            e.formulas.append(parsed)
            if self._variable is not None:
                self._variable.setdefault(substance_id, set()).update(parsed.elements)

    def take_range(self, substance_id: int) -> tuple[dict[str, float], dict[str, float]]:
        """The composition range of a substance about to be inserted; it is then no longer dirty."""
        e = self._by_id[substance_id]
        e.dirty = False
        return dict(e.fraction_min), dict(e.fraction_max)

    def is_known_structure(self, substance_id: int) -> bool:
        """Whether the (loaded) substance has a known structure type."""
        return self._by_id[substance_id].structure_type.known

    def dirty_ranges(self) -> list[dict]:
        """Composition ranges changed since the last call, as rows for an UPDATE."""
        out = []
        for e in self._dirty.values():
            if e.dirty:  # not taken by take_range (a new substance is inserted with its range)
                out.append(
                    {
                        "id": e.substance_id,
                        "fraction_min": dict(e.fraction_min),
                        "fraction_max": dict(e.fraction_max),
                    }
                )
                e.dirty = False
        self._dirty.clear()
        return out

    def remap(self, mapping: Mapping[int, int]) -> None:
        """Replace temporary substance ids (negative, before insert) by the database's ids."""
        for temp, real in mapping.items():
            e = self._by_id.pop(temp)
            e.substance_id = real
            self._by_id[real] = e
            if self._variable is not None and temp in self._variable:
                self._variable[real] = self._variable.pop(temp)
