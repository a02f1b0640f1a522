"""Candidate spaces written as one string (``matinfo screen run --candidates SPEC``).

==============================================  ===================================================================
``csv:PATH[:COLUMN]``                           rows of a CSV file (``.csv`` / ``.csv.gz``); COLUMN holds formulas
                                                or ``A|B`` pairs (default: formula / composition / pair column)
``pairs:SOURCE[:OPTIONS]``                      A|B pairs of the substances in SOURCE: a file (one formula per line,
                                                ``#`` comments; or a CSV with a formula column) or a comma list
                                                ``Bi,Si,Ge,Bi2Te3``; OPTIONS, comma-separated: ``ordered``
                                                (default) or ``unordered``, ``self`` (include A|A)
``grid:EL-EL-…:step=S[,all]``                   compositions on the simplex of the elements in steps of S
                                                (``divisions=N`` instead of ``step``); ``all``: every element present
``substitute:PROTO[+PROTO…]:POOL[:structures]``  elements on the sites of AFLOW prototypes (label or mineral name);
                                                POOL is ``Li,Na,K,Cl`` (every site) or ``A=Cl,Br/B=Li,Na,K``
                                                (per site letter); ``structures`` adds substituted structures
``db:[OPTIMADE FILTER]``                        one candidate per substance of a store search (``--db URL``); no
                                                filter: every substance
``crabnet:unlabelled``                          crabnet's 91,017 distinct unlabelled Materials Project compositions
==============================================  ===================================================================

>>> parse_candidates("grid:Bi-Sb-Te:step=0.05").describe()
'231 compositions of Bi-Sb-Te in steps of 0.05'
>>> parse_candidates("pairs:Bi,Si,Ge:unordered").describe()
'3 unordered A|B pairs of 3 substances'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matinfo.errors import ParameterError

__all__ = ["parse_candidates", "SPEC_HELP"]

#: One line per form, for ``--help``.
SPEC_HELP = (
    "csv:PATH[:COLUMN] | pairs:FILE-or-A,B,C[:unordered,self] | grid:Bi-Sb-Te:step=0.05[,all] | "
    "substitute:PROTO[+PROTO]:Li,Na,Cl or A=Cl,Br/B=Li,Na[:structures] | db:[OPTIMADE filter] (with --db) | "
    "crabnet:unlabelled"
)


def _bad(spec: str, problem: str) -> ParameterError:
    return ParameterError(f"--candidates {spec!r}: {problem}; forms: {SPEC_HELP}")


def _substances(source: str, spec: str) -> list[str]:
    path = Path(source)
    if path.is_file():
        if path.suffix.lower() in (".csv", ".gz"):
            from matinfo.screen.sources import CsvSpace

            space = CsvSpace(path)
            return [str(v) for chunk in space.chunks(100_000) for v in chunk[space.column].dropna()]
        lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
        return [line for line in lines if line]
    if "," in source or source.replace(" ", "").isalnum():
        return [s.strip() for s in source.split(",") if s.strip()]
    raise _bad(spec, f"{source!r} is neither a file nor a comma-separated list of formulas")


def _options(text: str, allowed: set[str], spec: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        key, eq, value = item.partition("=")
        if key not in allowed:
            raise _bad(spec, f"unknown option {key!r} (use {', '.join(sorted(allowed))})")
        out[key] = value if eq else None
    return out


def _number(value: str | None, what: str, spec: str) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(spec, f"{what} needs a number, e.g. {what}=0.05") from None


def parse_candidates(spec: str, *, db: str | None = None) -> Any:
    """The candidate space a SPEC string names (see the module docstring); ``db`` is the store URL for ``db:``."""
    from matinfo.screen.sources import CsvSpace, StoreSpace, crabnet_unlabelled
    from matinfo.screen.spaces import GridSpace, PairSpace
    from matinfo.screen.substitution import SubstitutionSpace

    kind, sep, rest = spec.partition(":")
    if not sep:
        raise _bad(spec, "no kind: write KIND:…")
    kind = kind.strip().lower()
    if kind == "csv":
        if not rest:
            raise _bad(spec, "no file")
        if Path(rest).is_file() or ":" not in rest:
            return CsvSpace(rest)
        path, _, column = rest.rpartition(":")
        return CsvSpace(path, column or None)
    if kind == "pairs":
        source, _, opts = rest.partition(":") if not Path(rest).is_file() else (rest, "", "")
        if not source:
            raise _bad(spec, "no substances")
        o = _options(opts, {"ordered", "unordered", "self"}, spec)
        if "ordered" in o and "unordered" in o:
            raise _bad(spec, "ordered or unordered, not both")
        return PairSpace(_substances(source, spec), ordered="unordered" not in o, self_pairs="self" in o)
    if kind == "grid":
        elements, _, opts = rest.partition(":")
        o = _options(opts, {"step", "divisions", "all"}, spec)
        step = _number(o["step"], "step", spec) if "step" in o else None
        divisions = int(_number(o["divisions"], "divisions", spec)) if "divisions" in o else None
        if step is None and divisions is None:
            raise _bad(spec, "give step=S or divisions=N")
        return GridSpace(elements, step, divisions=divisions, all_present="all" in o)
    if kind == "substitute":
        parts = rest.split(":")
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise _bad(spec, "write substitute:PROTOTYPE:ELEMENTS")
        extra = _options(":".join(parts[2:]), {"structures"}, spec)
        pool_text = parts[1]
        pool: Any
        if "=" in pool_text:
            pool = {}
            for site in pool_text.split("/"):
                letter, eq, els = site.partition("=")
                if not eq or not letter.strip():
                    raise _bad(spec, f"site pool {site!r}: write LETTER=El,El")
                pool[letter.strip().upper()] = [e.strip() for e in els.split(",") if e.strip()]
        else:
            pool = [e.strip() for e in pool_text.split(",") if e.strip()]
        return SubstitutionSpace(parts[0].split("+"), pool, structures="structures" in extra)
    if kind == "db":
        if not db:
            raise _bad(spec, "db: candidates need the store: --db URL (or MATINFO_DB_URL)")
        from matinfo.store import Query

        return StoreSpace(db, Query(filter=rest.strip() or None, limit=None))
    if kind == "crabnet":
        if rest.strip().lower() != "unlabelled":
            raise _bad(spec, "the crabnet pool is crabnet:unlabelled")
        return crabnet_unlabelled()
    raise _bad(spec, f"unknown kind {kind!r}")
