"""Atomic file writing: a temporary file in the target folder, then ``os.replace``.

An interrupted or failed write leaves the previous file (or no file) in place,
never a half-written one; the temporary file is removed on failure.

Several files of one run (the HTML report and its workbook) are written as a set
with :func:`output_set`: each is written to a temporary file first, and only when
all are complete are they moved into place together, while holding a lock on the
folder itself (``flock`` on the folder; no lock file), so two runs writing into one
folder at once never leave the HTML of one beside the workbook of the other. Any failure, or an
interruption the process can catch (Ctrl-C, ``SIGTERM`` through the CLI), removes
every temporary file of the set.
"""

from __future__ import annotations

import contextvars
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX; elsewhere the set is still written together, without the lock
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The set being staged by :func:`output_set` (None: write each file at once).
_STAGE: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar(
    "csi_output_stage", default=None
)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temporary(target: Path) -> Path:
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"output folder does not exist: {folder}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give a normal file's mode
    return tmp_path


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` for the moves of one output set."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)  # the folder itself: no lock file left behind
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` if the block succeeds
    (inside :func:`output_set`: when the whole set succeeds)."""
    target = Path(path)
    tmp_path = _temporary(target)
    stage = _STAGE.get()
    try:
        yield tmp_path
        if stage is None:
            os.replace(tmp_path, target)
        else:
            stage.append((tmp_path, target))
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


@contextmanager
def output_set(folder: str | Path) -> Iterator[None]:
    """Write every file of the block as one set into ``folder`` (see the module notes)."""
    if _STAGE.get() is not None:
        raise RuntimeError("output sets do not nest")
    stage: list[tuple[Path, Path]] = []
    token = _STAGE.set(stage)
    try:
        yield
    except BaseException:
        for tmp, _ in stage:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        _STAGE.reset(token)
    try:
        with _folder_lock(Path(folder)):
            for tmp, target in stage:
                os.replace(tmp, target)
    finally:
        for tmp, _ in stage:
            tmp.unlink(missing_ok=True)
