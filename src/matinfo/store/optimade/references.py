"""Searchable fields of OPTIMADE ``references`` entries (rows of ``refs``), for
``optimade_clause(filter, entry="references")``.

``id`` (the row ID as a string), ``doi`` (case-insensitive, ``https://doi.org/`` dropped), ``title``,
``journal``, ``volume``, ``pages``, ``url`` and ``year`` (a string in OPTIMADE: ``year = "2007"``).
``authors`` (a list of people) cannot be searched.
"""

from __future__ import annotations

import difflib
import re
import warnings

from sqlalchemy import String, cast

from matinfo.store.models import Reference
from matinfo.store.optimade.fields import _doi
from matinfo.store.optimade.kinds import PROVIDER_PREFIX, Field, Id, OptimadeField, Scalar
from matinfo.store.optimade.nodes import Prop, fail

__all__ = ["REFERENCE_FIELDS", "lookup_reference"]


def _f(name: str, description: str, source: str) -> OptimadeField:
    return OptimadeField(name, "string", source, description)


#: Searchable fields of ``references``, by filter name.
REFERENCE_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Id(_f("id", "reference ID as a string", "refs.id"), Reference.id, nullable=False),
        Scalar(_f("doi", "DOI, lower case", "refs.doi"), Reference.doi, normalise=_doi, lower=True),
        Scalar(_f("title", "title", "refs.title"), Reference.title),
        Scalar(_f("journal", "journal", "refs.journal"), Reference.journal),
        Scalar(_f("volume", "volume", "refs.volume"), Reference.volume),
        Scalar(_f("pages", "pages", "refs.pages"), Reference.pages),
        Scalar(_f("url", "URL", "refs.url"), Reference.url),
        Scalar(_f("year", "publication year, as a string", "refs.year"), cast(Reference.year, String)),
    )
}


def lookup_reference(prop: Prop) -> Field | None:
    """The ``references`` field named by ``prop``; ``None`` for another provider's field."""
    name = prop.name
    if "." in name:
        raise fail("nested property names (a.b) and relationships are not supported", prop)
    if name in REFERENCE_FIELDS:
        return REFERENCE_FIELDS[name]
    m = re.fullmatch(r"_([a-z0-9]+)_.+", name)
    if m and m.group(1) != PROVIDER_PREFIX:
        warnings.warn(
            f"field {name!r} belongs to provider {m.group(1)!r}, not {PROVIDER_PREFIX!r}: "
            "it is treated as unknown (no comparison on it matches)",
            UserWarning,
            stacklevel=2,
        )
        return None
    close = difflib.get_close_matches(name, list(REFERENCE_FIELDS), n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    hint += f"searchable fields of references: {', '.join(REFERENCE_FIELDS)}"
    raise fail("unknown field of references", prop, hint=hint)
