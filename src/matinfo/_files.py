"""Writing files so that a crash never leaves half of one: write a temporary file beside it, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write"]


@contextmanager
def _temporary_beside(path: Path, mode: int) -> Iterator[str]:
    """A temporary file name in ``path``'s folder; renamed onto ``path`` (permissions ``mode``) when the block
    ends normally, removed when it raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, write: Callable[[str], object], *, mode: int = 0o644) -> Path:
    """Call ``write(tmp_path)`` on a temporary file in ``path``'s folder, then rename it onto ``path``.

    The folder is created if needed; on any error the temporary file is removed and ``path`` is untouched
    (the old file, or none).  The file gets permissions ``mode`` (``mkstemp`` would leave 0600).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sub" / "a.txt"
    >>> atomic_write(p, lambda tmp: pathlib.Path(tmp).write_text("done")).read_text()
    'done'
    """
    path = Path(path)
    with _temporary_beside(path, mode) as tmp:
        write(tmp)
    return path


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", **open_kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode)`` for writing, atomically: the file appears, complete, when the block ends, and an
    error in the block leaves ``path`` untouched.  Text modes default to UTF-8; the file gets permissions 0644.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
    >>> with atomic_open(p, newline="") as fh:
    ...     _ = fh.write("a,b")
    >>> p.read_text()
    'a,b'
    """
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    with _temporary_beside(Path(path), 0o644) as tmp, open(tmp, mode, **open_kwargs) as fh:
        yield fh
