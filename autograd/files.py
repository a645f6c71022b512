"""Writing output files as Unix tools do, but so that readers never see half of one.

``write_atomically(path, data)`` follows a symlink and writes its target. A
regular file (or a new one) is written to a temporary file beside the target and
renamed over it, so a crash or Ctrl-C leaves the old file or the new one, never a
truncated one; the target keeps its permission bits, and a new file gets the usual
``0o666`` minus the umask. A path that is not a regular file (a device such as
``/dev/null``, a FIFO) is opened and written directly, never replaced; so is
anything under ``/dev`` and ``/proc`` (``--svg /dev/stdout > out.svg``).

A path that cannot be written (a folder, a missing folder, ``""``, a read-only
file) is an OSError whose message names the path as given, never a temporary
file: ``cannot write 'out/graph.svg': the folder 'out' does not exist``.
``check_writable(path)`` makes the same checks without writing anything, so a
command with several outputs can check them all before writing the first.

This module is the only file writer: ``nn`` imports it, it imports nothing of
memograd's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

Data = bytes | str | Callable[[BinaryIO], object]
"""What to write: bytes, text (written as UTF-8), or a function that writes to a
binary file object (``lambda f: figure.savefig(f, format="png")``)."""


@dataclass(frozen=True)
class Target:
    """Where the bytes for ``given`` go, as ``check_writable`` found it."""

    given: str
    """The path as the caller gave it; error messages name this one."""
    path: Path
    """The file written: ``given`` with every symlink followed (``given`` itself when
    written in place)."""
    atomic: bool
    """True: written to a temporary file renamed over ``path``. False: opened and
    written in place (a device, a FIFO, anything under /dev or /proc)."""
    mode: int
    """Permission bits for the written file: the target's own, or the umask's for a new one."""


def check_writable(path: str | os.PathLike[str]) -> Target:
    """Where writing ``path`` would put the bytes; an OSError naming ``path`` when it
    cannot be written (a folder, a missing folder, ``""``, no permission)."""
    given = os.fspath(path)
    if not isinstance(given, str):
        raise TypeError(f"expected a file name, got {type(path).__name__}")
    if given == "":
        raise _error(FileNotFoundError, errno.ENOENT, given, "the file name is empty")
    try:
        status = os.stat(given)  # through every symlink, /dev/stdout's included
    except FileNotFoundError:
        if given.endswith(("/", os.sep)):  # "out/" names a folder, never a new file "out"
            raise _error(IsADirectoryError, errno.EISDIR, given,
                         "a name ending in a separator is a folder") from None
        return _new_file(given, Path(os.path.realpath(given)))
    except OSError as e:  # a file where a folder should be, a symlink loop, no permission
        raise _error(type(e), e.errno, given, _reason(e)) from None
    target = Path(os.path.realpath(given))
    if stat.S_ISDIR(status.st_mode):
        raise _error(IsADirectoryError, errno.EISDIR, given, f"{_where(given, target)} a folder")
    if not os.access(given, os.W_OK):  # refused as `cp` and `>` refuse, not replaced
        raise _error(PermissionError, errno.EACCES, given, f"{_where(given, target)} read-only")
    # /dev/stdout redirected to a file is a regular file too, but replacing it would
    # cut it off from the shell's redirection: whatever /dev and /proc name is written in place
    if not stat.S_ISREG(status.st_mode) or _under_dev_or_proc(given):
        return Target(given, Path(given), atomic=False, mode=stat.S_IMODE(status.st_mode))
    _check_folder(given, target.parent)
    return Target(given, target, atomic=True, mode=stat.S_IMODE(status.st_mode))


def write_atomically(path: str | os.PathLike[str], data: Data) -> Path:
    """Write ``data`` to ``path`` (see the module docstring); returns ``Path(path)``.

    Errors while writing (a full disk, a vanished folder) are OSErrors naming
    ``path``; the temporary file is removed and the old file left as it was.
    """
    target = check_writable(path)
    if not target.atomic:
        try:
            with open(target.path, "wb") as f:
                _write(f, data)
        except OSError as e:
            raise _error(type(e), e.errno, target.given, _reason(e)) from None
        return Path(target.given)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.path.name}.", suffix=".tmp",
                                    dir=target.path.parent)
    except OSError as e:
        raise _error(type(e), e.errno, target.given, _reason(e)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            _write(f, data)
            f.flush()
            os.fsync(f.fileno())  # on disk before the rename makes it the file
        os.chmod(temp, target.mode)  # mkstemp's 0600 would hide the file from others
        os.replace(temp, target.path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(e, OSError):
            raise _error(type(e), e.errno, target.given, _reason(e)) from None
        raise
    return Path(target.given)


def _write(f: BinaryIO, data: Data) -> None:
    if isinstance(data, str):
        f.write(data.encode("utf-8"))
    elif isinstance(data, bytes):
        f.write(data)
    else:
        data(f)


def _new_file(given: str, target: Path) -> Target:
    """The Target for a file that does not exist yet, once its folder is checked."""
    folder = target.parent
    if not folder.exists():
        raise _error(FileNotFoundError, errno.ENOENT, given,
                     f"the folder {str(_shown_folder(given, target))!r} does not exist")
    if not folder.is_dir():
        raise _error(NotADirectoryError, errno.ENOTDIR, given,
                     f"{str(_shown_folder(given, target))!r} is not a folder")
    _check_folder(given, folder)
    umask = os.umask(0)  # the only way to read the umask is to set it, so put it back
    os.umask(umask)
    return Target(given, target, atomic=True, mode=0o666 & ~umask)


def _check_folder(given: str, folder: Path) -> None:
    """The temporary file and the rename need write permission on the folder."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _error(PermissionError, errno.EACCES, given,
                     f"no permission to create files in {str(folder)!r}")


def _under_dev_or_proc(given: str) -> bool:
    return os.path.abspath(given).startswith(("/dev/", "/proc/"))


def _shown_folder(given: str, target: Path) -> Path:
    """The folder to name in a message: the one the user typed, unless a symlink led elsewhere."""
    return target.parent if os.path.islink(given) else Path(given).parent


def _where(given: str, target: Path) -> str:
    """'it is', or 'it links to '/real/file', which is' for a symlink."""
    return f"it links to {str(target)!r}, which is" if os.path.islink(given) else "it is"


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def _error(kind: type[OSError], code: int | None, given: str, reason: str) -> OSError:
    """``kind`` with the message "cannot write 'given': reason" (and ``errno`` set)."""
    error = kind(f"cannot write {given!r}: {reason}")
    error.errno = code
    return error
