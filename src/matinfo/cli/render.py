"""Rich renderings shared by CLI commands: progress bars, tables, the substance page."""

from __future__ import annotations

import csv
import io
import sys
from collections import defaultdict
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

# Tables are wide; when output goes to a file or pipe, do not squeeze them into 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)


@contextmanager
def progress_bar(disable: bool = False):
    """A Rich progress bar on stderr; ``bar.add_task`` / ``bar.advance`` as usual.

    Also callable as ``bar(name, n)`` (the progress protocol of :func:`matinfo.store.demo.build_demo`).
    """
    prog = _Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=disable,
        transient=False,
    )
    with prog:
        yield prog


class _Progress(Progress):
    def add_task(self, description, *args, **kwargs):
        kwargs.setdefault("rate", "")
        return super().add_task(description, *args, **kwargs)

    def advance(self, task_id, advance: float = 1) -> None:
        super().advance(task_id, advance)
        task = self._tasks[task_id]
        if task.elapsed:
            self.update(task_id, rate=f"{task.completed / task.elapsed:,.0f} rec/s")


def import_table(reports) -> Table:
    t = Table(
        "dataset",
        "read",
        "materials",
        "dupl.",
        "new subst.",
        "structures",
        "properties",
        "phase diagr.",
        "rejected",
        "s",
        title="import",
    )
    for r in reports:
        t.add_row(
            str(r.dataset),
            str(r.read),
            str(r.materials),
            str(r.duplicates),
            str(r.substances),
            str(r.structures),
            str(r.properties),
            str(r.phase_diagrams),
            str(len(r.rejects)),
            f"{r.seconds:.1f}",
        )
    return t


def search_table(hits) -> Table:
    t = Table(
        "ID",
        "formula",
        "system",
        "SG",
        "crystal system",
        "prototype",
        "mat.",
        "str.",
        "prop.",
        "reported as",
        title=f"{len(hits)} substances",
    )
    for h in hits:
        more = f" (+{h.n_materials - 2})" if h.n_materials > 2 else ""
        t.add_row(
            str(h.substance_id),
            h.reduced_formula,
            h.chemical_system,
            str(h.space_group or ""),
            h.crystal_system or "",
            h.prototype or "",
            str(h.n_materials),
            str(h.n_structures),
            str(h.n_properties),
            ", ".join(h.formulas[:2]) + more,
        )
    return t


def search_csv(hits) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "substance_id",
            "reduced_formula",
            "chemical_system",
            "space_group",
            "crystal_system",
            "prototype",
            "n_materials",
            "n_structures",
            "n_properties",
        ]
    )
    for h in hits:
        w.writerow(
            [
                h.substance_id,
                h.reduced_formula,
                h.chemical_system,
                h.space_group or "",
                h.crystal_system or "",
                h.prototype or "",
                h.n_materials,
                h.n_structures,
                h.n_properties,
            ]
        )
    return buf.getvalue()


def _cond_text(conditions: dict) -> str:
    return ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in sorted(conditions.items())
    )


def substance_page(sub, con: Console, max_rows: int = 25) -> None:
    """Print a whole substance like an AtomWork-Adv substance page."""
    con.rule(f"[bold]Substance {sub.substance_id}: {sub.reduced_formula}")
    sg = f"{sub.space_group_symbol or ''} ({sub.space_group})" if sub.space_group else "not known"
    con.print(
        f"chemical system [bold]{sub.chemical_system}[/]   space group [bold]{sg}[/]   crystal system "
        f"{sub.crystal_system or '-'}   Pearson {sub.pearson_symbol or '-'}   prototype {sub.prototype or '-'}"
    )
    if sub.composition_range:
        rng = ", ".join(f"{el} {lo:.3f}–{hi:.3f}" for el, (lo, hi) in sub.composition_range.items())
        con.print(f"composition range (atomic fractions): {rng}")

    t = Table("material", "reported as", "dataset", "why linked", title=f"{len(sub.materials)} materials")
    for m in sub.materials[:max_rows]:
        t.add_row(
            str(m.id), m.formula + ("" if m.is_resolved else " (unresolved)"), m.dataset or "", m.link_reason
        )
    con.print(t)
    if len(sub.materials) > max_rows:
        con.print(f"… {len(sub.materials) - max_rows} more materials (use --format json for all)")

    if sub.structures:
        t = Table(
            "structure",
            "material",
            "SG",
            "Pearson",
            "a, b, c (Å)",
            "V (Å³)",
            "ρ (g/cm³)",
            "partial occ.",
            "source",
            title=f"{len(sub.structures)} structures",
        )
        for s in sub.structures[:max_rows]:
            t.add_row(
                str(s.id),
                str(s.material_id),
                f"{s.space_group_symbol} ({s.space_group_number})",
                s.pearson_symbol or "",
                f"{s.a_A:.3f}, {s.b_A:.3f}, {s.c_A:.3f}",
                f"{s.volume_A3:.1f}",
                f"{s.density_g_cm3:.3f}" if s.density_g_cm3 else "",
                "yes" if s.has_partial_occupancy else "",
                s.source or "",
            )
        con.print(t)

    if sub.properties:
        by_q = defaultdict(list)
        for p in sub.properties:
            by_q[p.quantity].append(p)
        t = Table(
            "quantity",
            "value",
            "conditions",
            "method",
            "material",
            "reference",
            title=f"{len(sub.properties)} property records",
        )
        shown = 0
        for q, ps in by_q.items():
            for p in ps[: max(3, max_rows // max(1, len(by_q)))]:
                t.add_row(
                    q,
                    p.value_str(),
                    _cond_text(p.conditions),
                    p.method,
                    str(p.material_id),
                    str(p.reference_id or ""),
                )
                shown += 1
        con.print(t)
        if shown < len(sub.properties):
            con.print(f"… {len(sub.properties) - shown} more property records (use --format json for all)")

    if sub.phase_diagrams:
        t = Table("diagram", "system", "type", "T range (K)", "source", title="phase diagrams")
        for d in sub.phase_diagrams:
            tr = f"{d.t_min_K:g}–{d.t_max_K:g}" if d.t_min_K is not None and d.t_max_K is not None else ""
            t.add_row(str(d.id), d.chemical_system, d.diagram_type, tr, (d.source or "")[:60])
        con.print(t)

    if sub.references:
        t = Table("ref", "citation", title="references")
        for r in sub.references[:max_rows]:
            t.add_row(str(r.id), r.cite())
        con.print(t)
