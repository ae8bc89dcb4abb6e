"""Crash-safe file replacement.

Settings, the job ledger and the history are rewritten whole. Writing to a temporary
file in the same directory and renaming it over the target means a crash (even
``kill -9``) at any moment leaves either the complete old file or the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE_FILE_MODE = 0o600


def write_atomic(path: Path | str, data: bytes | str, *, mode: int | None = PRIVATE_FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically; on failure the old file is untouched.

    ``mode`` is applied before the rename, so the file is never visible with looser
    permissions. ``mode=None`` keeps the mode of the file being replaced (a new file
    stays owner-only). Strings are written as UTF-8. The parent directory must exist.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    final_mode = mode if mode is not None else _existing_mode(target)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp_file:
            temp_file.write(payload)
            temp_file.flush()
            os.fsync(temp_file.fileno())
            if final_mode is not None:
                os.fchmod(temp_file.fileno(), final_mode)
        os.replace(temp_name, target)
    except BaseException:
        _remove_quietly(temp_name)
        raise
    fsync_directory(target.parent)


def _existing_mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return None


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; some platforms cannot open directories, which is fine."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
