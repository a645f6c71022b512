"""Writing files atomically: a crash never leaves half a file where a good one was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[str], None], suffix: str = "") -> Path:
    """Call ``write(temp_path)`` for a temporary file in ``path``'s directory, then
    move it over ``path`` with ``os.replace`` (atomic on one file system). If
    ``write`` fails, the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp",
                                dir=directory)
    os.close(fd)
    try:
        write(temp)
        os.chmod(temp, _mode_for(path))  # mkstemp makes 0600 files; keep the usual mode
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
    return path


def _mode_for(path: Path) -> int:
    """The mode ``path`` has now, or that a new file gets under the current umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically, flushed to disk before the rename."""

    def write(temp: str) -> None:
        with open(temp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    return atomic_write(path, write)
