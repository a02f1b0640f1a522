"""Is this word a chemical formula, and which one: validation by :func:`matinfo.core.parse_formula`.

* :func:`formula_of` reads a word as printed (``Li7La3Zr2O12``, ``La0.6Sr0.4CoO3−δ``, ``[Li0.95Nb0.01]NbO3``,
  ``Sr2Fe1.5Mo0.5O6−δ1213`` with its citation digits glued on, ``LiOH·H2O``) and returns the parsed formula, or
  None for words that are not formulas (``YSZ``, ``SOFC``, ``the``);
* :func:`formula_shape` classifies a word for the tagger: a formula with digits or lower-case letters, an
  all-capital string of one-letter symbols (``CO``, ``OCV``, ``BSCF``: ambiguous), a lone element, a variable
  formula, an element or oxide name, or nothing;
* :func:`printed_formula` gives the formula in normalised notation (the ``formula`` of extraction records): as printed (element order and amounts
  kept, so ``La0.6Sr0.4CoO3−δ`` stays recognisable) with sub/superscripts as digits, dashes as ``-``, site
  commas, spaces and glued citations removed, and names replaced by formulas (``zirconia`` → ``ZrO2``); the
  result always parses with :func:`matinfo.core.parse_formula`; identity keys (reduced formula, hash) come
  from :mod:`matinfo.core.keys` and :func:`matinfo.literature.overview.normalise_formula`;
* :data:`NAMED_SUBSTANCES` maps common names (element names, ``zirconia``, ``water``, ``methane``) to formulas.

>>> printed_formula("Li₇La₃Zr₂O₁₂"), printed_formula("La0.6Sr0.4CoO3−δ12"), printed_formula("YSZ")
('Li7La3Zr2O12', 'La0.6Sr0.4CoO3-δ', None)
>>> formula_shape("LiCoO2"), formula_shape("OCV"), formula_shape("Ni"), formula_shape("zirconia")
('formula', 'caps', 'element', 'name')
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from matinfo.errors import FormulaError

if TYPE_CHECKING:  # pragma: no cover
    from matinfo.core.formula import ParsedFormula

__all__ = [
    "formula_of",
    "formula_shape",
    "printed_formula",
    "clean_formula",
    "NAMED_SUBSTANCES",
    "VARIABLES",
    "MAX_Z",
    "element_names",
]

#: Common names of substances in materials papers, with their formulas (oxides by their mineral-style names).
NAMED_SUBSTANCES: dict[str, str] = {
    "water": "H2O", "hydrogen": "H2", "oxygen": "O2", "nitrogen": "N2", "argon": "Ar", "helium": "He",
    "methane": "CH4", "ethane": "C2H6", "propane": "C3H8", "ethanol": "C2H6O", "methanol": "CH4O",
    "acetone": "C3H6O", "ammonia": "NH3", "carbon dioxide": "CO2", "carbon monoxide": "CO",
    "hydrogen peroxide": "H2O2", "hydrogen sulfide": "H2S", "hydrochloric acid": "HCl", "nitric acid": "HNO3",
    "sulfuric acid": "H2SO4", "sulphuric acid": "H2SO4", "phosphoric acid": "H3PO4", "citric acid": "C6H8O7",
    "oxalic acid": "C2H2O4", "urea": "CH4N2O", "glycine": "C2H5NO2", "sodium hydroxide": "NaOH",
    "potassium hydroxide": "KOH", "lithium hydroxide": "LiOH", "zirconia": "ZrO2", "ceria": "CeO2",
    "yttria": "Y2O3", "alumina": "Al2O3", "titania": "TiO2", "silica": "SiO2", "magnesia": "MgO",
    "hafnia": "HfO2", "scandia": "Sc2O3", "lanthana": "La2O3", "gadolinia": "Gd2O3", "samaria": "Sm2O3",
    "baria": "BaO", "calcia": "CaO", "zinc oxide": "ZnO", "nickel oxide": "NiO", "graphite": "C",
}  # fmt: skip

_CHAR_MAP = str.maketrans(
    "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹−–—‐‑ẟ\u00a0\u2009",
    "01234567890123456789-----δ  ",
)
_TRAILING_CITATION = re.compile(r"(?<=δ)(\d{1,4}(?:[,–-]\d{1,3})*)$")
_SITE_COMMA = re.compile(r"(?<=[\d.a-z]),(?=[A-Z])")
_WORDISH = re.compile(r"^[A-Z(\[]")
_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")
_CITED_GROUP = re.compile(r"\((.+)\)\d+")
#: Lower-case letters that papers use as composition variables (``x``, ``y``, ``z``, ``δ`` read as ``delta``,
#: ``n`` of polymers and hydrates); any other lower-case letter makes a word English, not a formula.
VARIABLES = frozenset(("x", "y", "z", "delta", "n", "w", "a", "b"))
#: Heaviest element accepted in text (Pu): heavier symbols (No, Md, Es, Ts, Og, ...) are words, not materials.
MAX_Z = 94


@lru_cache(maxsize=1)
def element_names() -> dict[str, str]:
    """Lower-case element names (and the US/UK variants) → symbols.

    >>> element_names()["aluminum"], element_names()["sulphur"]
    ('Al', 'S')
    """
    from pymatgen.core import Element

    names = {e.long_name.lower(): e.symbol for e in Element if e.Z <= 103}
    names.update({"aluminum": "Al", "sulfur": "S", "sulphur": "S", "cesium": "Cs", "caesium": "Cs"})
    return names


def clean_formula(text: str) -> str:
    """The printed formula with sub/superscripts as digits, dashes as ``-``, spaces and citations removed.

    Commas between the elements of one site, ``(La0.8,Sr0.2)MnO3``, are removed.

    >>> clean_formula("Sr2Fe1.5Mo0.5O6−δ1213"), clean_formula("Li₂O"), clean_formula("(La0.8,Sr0.2)(Cr0.98,V0.02)3")
    ('Sr2Fe1.5Mo0.5O6-δ', 'Li2O', '(La0.8Sr0.2)(Cr0.98V0.02)3')
    """
    s = text.translate(_CHAR_MAP).strip()
    s = _TRAILING_CITATION.sub("", s)
    if "," in s and any(b in s for b in "([{"):
        s = _SITE_COMMA.sub("", s)
    return "".join(s.split())


@lru_cache(maxsize=65536)
def formula_of(text: str) -> ParsedFormula | None:
    """The formula printed as ``text``, or None when the word is not a formula.

    A word is a formula when :func:`matinfo.core.parse_formula` reads it after :func:`clean_formula`, it
    starts with a capital letter or a bracket, its variables are among :data:`VARIABLES` (``The`` would be
    Th with a variable ``e``), it has no element heavier than :data:`MAX_Z`, it is not a plural acronym
    (``SOFCs``, ``CNTs``), and a variable formula without digits does not end in its variable (``KHz``,
    ``Cox``, ``Bay`` are words; ``LixCoO2`` is a formula).  Lone one-letter symbols and all-capital strings of one-letter
    symbols (``OCV``) parse too; :func:`formula_shape` tells them apart.

    >>> formula_of("LiFePO4").composition.reduced_formula
    'LiFePO4'
    >>> formula_of("GDC") is None, formula_of("Ni-YSZ") is None
    (True, True)
    """
    from matinfo.core.formula import parse_formula

    s = clean_formula(text)
    if not s or not _WORDISH.match(s) or len(s) > 80 or _PLURAL_ACRONYM.match(s):
        return None
    try:
        parsed = parse_formula(s)
    except FormulaError:
        return None
    if not VARIABLES.issuperset(parsed.variables) or any(_z(el) > MAX_Z for el in parsed.amounts):
        return None
    group = _CITED_GROUP.fullmatch(s)
    if group and formula_of(group.group(1)) is None:
        return None  # "(PCFCs)12345": an acronym in brackets with citation numbers glued on
    if parsed.variables and not any(ch.isdigit() for ch in s) and s[-1] in "xyzwabn":
        return None  # "KHz", "Cox", "Bay": words, not a last element with a variable amount and nothing else
    return parsed


@cache
def _z(symbol: str) -> int:
    from pymatgen.core import Element

    return Element(symbol).Z


def formula_shape(text: str) -> str | None:
    """What kind of chemical word ``text`` is, for the tagger's features.

    Returns
    -------
    str or None
        ``'formula'`` (a formula with amounts or two-letter symbols: ``LiCoO2``, ``NiO``, ``H2``),
        ``'variable'`` (free variables: ``La1-xSrxMnO3-δ``), ``'element'`` (one element, no amount: ``Ni``,
        ``Pt``), ``'caps'`` (capitals that parse as one-letter symbols: ``CO``, ``OCV``, ``BSCF``), ``'name'``
        (an element or substance name: ``nickel``, ``zirconia``), or None.
    """
    low = text.lower()
    if low in NAMED_SUBSTANCES or low in element_names():
        return "name"
    parsed = formula_of(text)
    if parsed is None:
        return None
    s = clean_formula(text)
    if parsed.variables and not parsed.is_resolved:
        return "variable"
    if len(parsed.amounts) == 1 and not any(ch.isdigit() for ch in s):
        return "element" if len(s) <= 2 else "caps"
    if s.isalpha() and s.isupper():
        return "caps"
    return "formula"


def printed_formula(text: str) -> str | None:
    """The formula printed as ``text`` in normalised notation (module docstring), or None for a non-formula.

    >>> printed_formula("Li10GeP2S12"), printed_formula("Li1+xAlxTi2−x(PO4)3"), printed_formula("zirconia")
    ('Li10GeP2S12', 'Li1+xAlxTi2-x(PO4)3', 'ZrO2')
    """
    named = NAMED_SUBSTANCES.get(text.lower()) or element_names().get(text.lower())
    if named is not None:
        text = named
    if formula_of(text) is None:
        return None
    return clean_formula(text)
