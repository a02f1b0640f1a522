"""Monkhorst-Pack grids from a k-point density: the k-points-per-reciprocal-atom (KPPRA) rule.

The rule (Materials Project, AFLOW, pymatgen's ``Kpoints.automatic_density``) asks for about ``kppra / natoms``
k-points in the full Brillouin zone and shares them out along the reciprocal axes in proportion to their lengths,
so the spacing is about the same in every direction.  Here the count along axis *i* is
``max(1, round(c * |b_i|))`` with ``c = (kppra / natoms / |b_1||b_2||b_3|) ** (1/3)``, using reciprocal lengths
(pymatgen uses direct lengths, which is the same for orthogonal cells).  Every engine of ``matinfo.calc.codes``
uses a Gamma-centred grid, so the same density means the same k-points in every code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matinfo.errors import ParameterError

__all__ = ["kppra_grid", "resolve_grid", "check_kpts"]


def kppra_grid(
    cell: np.ndarray | Sequence[Sequence[float]], natoms: int, kppra: float
) -> tuple[int, int, int]:
    """The k-point grid ``(n1, n2, n3)`` for ``kppra`` k-points per reciprocal atom.

    ``cell``: the 3x3 lattice vectors (rows, Å); ``natoms``: atoms in the cell.

    >>> from ase.build import bulk
    >>> si = bulk("Si", "diamond", a=5.43)
    >>> kppra_grid(si.cell, len(si), 1000)
    (8, 8, 8)
    >>> kppra_grid(bulk("Cu", "fcc", a=3.6, cubic=True).cell, 4, 1000)
    (6, 6, 6)
    """
    cell = np.asarray(cell, dtype=float)
    if cell.shape != (3, 3) or abs(np.linalg.det(cell)) < 1e-9:
        raise ParameterError(
            f"a k-point grid needs a 3D cell with three independent vectors, got {cell.tolist()}"
        )
    if natoms < 1:
        raise ParameterError(f"a k-point grid needs at least one atom, got natoms={natoms}")
    if not kppra > 0:
        raise ParameterError(f"parameter 'kppra' must be > 0, got {kppra!r}")
    lengths = np.linalg.norm(np.linalg.inv(cell).T, axis=1)  # |b_i| without the 2*pi
    c = (kppra / natoms / float(np.prod(lengths))) ** (1.0 / 3.0)
    # the 1e-9 keeps x.5 cases from depending on round-off in the cell
    n1, n2, n3 = (max(1, int(np.floor(c * b + 0.5 + 1e-9))) for b in lengths)
    return (n1, n2, n3)


def check_kpts(kpts: object) -> tuple[int, int, int]:
    """``kpts`` as three positive integers; :class:`ParameterError` otherwise."""
    try:
        grid = tuple(int(k) for k in kpts)  # type: ignore[attr-defined]
        exact = all(float(a) == b for a, b in zip(kpts, grid, strict=True))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        grid, exact = (), False
    if len(grid) != 3 or min(grid) < 1 or not exact:
        raise ParameterError(
            f"parameter 'kpts' must be three positive integers, e.g. [4, 4, 4]; got {kpts!r}"
        )
    return grid  # type: ignore[return-value]


def resolve_grid(atoms, kpts: Sequence[int] | None, kppra: float) -> tuple[int, int, int]:
    """``kpts`` when given (three positive integers), otherwise the KPPRA grid of ``atoms``."""
    if kpts is None:
        return kppra_grid(atoms.cell, len(atoms), kppra)
    return check_kpts(kpts)
