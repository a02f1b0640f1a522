"""OPTIMADE filter strings → one SQLAlchemy boolean clause over :class:`~matinfo.store.models.Material`.

A matinfo *material* is served as an OPTIMADE ``structures`` entry.  :func:`optimade_clause` parses a filter
with the grammar shipped by the ``optimade`` package (its newest version) and returns a clause for
``select(Material.id).where(clause)``: plain columns of ``materials`` and correlated ``EXISTS`` sub-queries on
the child tables, nothing dialect-specific, so SQLite and PostgreSQL return the same rows.
:func:`optimade_plan` also returns what the search planner may count (the elements and element count of the
top-level AND terms), so that a filter gets the same plan as the equivalent :class:`~matinfo.store.Query`.

>>> str(optimade_clause("nelements >= 3"))
'materials.nelements >= :nelements_1'
>>> optimade_clause("nelement > 3")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
matinfo.errors.QueryError: field 'nelement': unknown field — did you mean 'nelements'...

Fields (:data:`OPTIMADE_FIELDS` holds the same list for programs, e.g. an ``/info/structures`` endpoint)

================================  =========  ==============================================================
``id``                            string     ``materials.id`` as a string: ``id = "42"``
``last_modified``                 timestamp  ``materials.created_at`` (RFC 3339 string; no offset = UTC)
``elements``                      list       ``material_elements.element``: HAS, HAS ALL / ANY / ONLY, LENGTH
``elements_ratios``               list       ``material_elements.fraction``, atomic fractions (unknown for
                                             unresolved formulas): ``HAS > 0.3``,
                                             ``elements:elements_ratios HAS "Li":>0.3``
``nelements``                     integer    ``materials.nelements`` (the same as ``elements LENGTH``)
``chemical_formula_descriptive``  string     ``materials.formula``, the string as reported
``chemical_formula_reduced``      string     ``materials.reduced_formula``, see below
``chemical_formula_anonymous``    string     ``materials.anonymous_formula``, see below
``nsites``                        integer    ``structures.n_sites`` of any structure of the material
``nperiodic_dimensions``          integer    3 for a material with a structure, else unknown
``structure_features``            list       ``["disorder"]`` when a structure of the material has partially
                                             occupied sites (``structures.has_partial_occupancy``), else ``[]``
``_matinfo_substance_id``         integer    ``materials.substance_id``
``_matinfo_space_group``          integer    ``materials.space_group_number``, else the substance's
                                             ``substances.space_group_number`` (materials reported
                                             without a structure are linked to a known phase)
``_matinfo_crystal_system``       string     ``substances.crystal_system`` (case-insensitive)
``_matinfo_prototype``            string     ``materials.prototype``
``_matinfo_chemical_system``      string     ``materials.chemical_system`` (``"O-Li"`` = ``"Li-O"``)
``_matinfo_name``                 string     ``materials.name`` (sample label / data-set row ID)
``_matinfo_doi``                  string     ``refs.doi`` (case-insensitive, ``https://doi.org/`` dropped)
``_matinfo_year``                 integer    ``refs.year``
``_matinfo_dataset``              string     ``datasets.name``
``_matinfo_<quantity>``           float      ``properties.value`` of that quantity: any name or alias of
                                             :func:`matinfo.core.quantities.list_quantities`
================================  =========  ==============================================================

Semantics worth knowing

* **Formulas.**  OPTIMADE writes reduced formulas alphabetically (``FeLiO4P``) and anonymous ones with the
  largest count first (``A2B``); the store keeps pymatgen's spelling (``LiFePO4``, ``AB2``).  For ``=`` and
  ``!=`` the filter value is rewritten with the functions the store itself uses
  (:func:`matinfo.core.keys.reduced_formula`, :func:`~matinfo.core.keys.anonymous_formula`), so both spellings
  match.  ``CONTAINS``/``STARTS``/``ENDS`` are refused on these two fields (the spellings differ); use them on
  ``chemical_formula_descriptive`` or search by ``elements``.  OPTIMADE formulas have whole-number
  proportions, so a non-stoichiometric one (``Li0.95Nb1.01O3``) is *unknown* to these two fields (and served
  as ``null``); search it with ``chemical_formula_descriptive`` or matinfo's own formula search.
* **Several values per material.**  ``nsites``, ``_matinfo_doi``/``_matinfo_year`` (the references of the
  material, its properties and its structures) and the property fields can have several values: a comparison
  matches when *some* value satisfies it, and ``x != v`` means ``NOT x = v`` (known, and no value equals v).
* **Properties.**  ``_matinfo_band_gap > 1.5`` compares the stored value in the quantity's canonical unit (eV
  here; S/cm for ionic conductivity...), under any conditions.  Bounds only match when they settle the
  comparison: ``"<1e-8"`` matches ``< 1e-6`` but not ``> 1e-10`` and not ``=``; ``"~"`` values count as exact.
  Text quantities compare ``properties.value_text``; boolean ones take ``TRUE``/``FALSE``.
* **Unknown values** follow the OPTIMADE rule: a comparison on an unknown (NULL / absent) value never matches,
  negated or not; only ``IS UNKNOWN`` and ``NOT ... IS KNOWN`` do.  ``NOT`` is pushed down to the comparisons,
  where ``NOT c`` becomes ``c IS KNOWN AND NOT c``.
* **Strings** compare case-sensitively on both databases (``Co`` is not ``CO``), ``LIKE`` with ``%``/``_``
  escaped plus an exact test, because SQLite's ``LIKE`` ignores case.  ``<``/``>`` on strings compare by
  code point (``COLLATE "C"`` / ``BINARY``), the same on both databases; ``id`` compares as the string it is
  (``"10" < "9"``), and the formula fields in the store's spelling of the value.
* Other providers' fields (``_mp_...``) are unknown, as the specification demands: a warning, no error.

Not supported (a :class:`~matinfo.errors.QueryError` says so): comparing two properties, nested names
(``a.b``), relationships (``references.id``), correlated ``HAS`` other than ``elements:elements_ratios``,
``chemical_formula_hill`` and the other geometric OPTIMADE fields.

``optimade_clause(filter, entry="references")`` translates a filter on ``references`` entries (rows of
``refs``; fields in :mod:`.references`).

Modules: :mod:`.parse` (grammar, syntax errors), :mod:`.translate` (parse tree → clause),
:mod:`.fields` (the table of fields), :mod:`.kinds` (how each kind of field becomes SQL), :mod:`.nodes`
(AND / OR / NOT tree, NOT pushed to the comparisons).
"""

from matinfo.store.optimade.fields import OPTIMADE_FIELDS
from matinfo.store.optimade.kinds import PROVIDER_PREFIX, OptimadeField
from matinfo.store.optimade.translate import optimade_clause, optimade_plan

__all__ = ["OPTIMADE_FIELDS", "PROVIDER_PREFIX", "OptimadeField", "optimade_clause", "optimade_plan"]
