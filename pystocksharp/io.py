"""Atomic file writes: the one helper every writer in pystocksharp uses.

A file is written to a temporary sibling, flushed and fsynced, then renamed over the
target, so a reader (or a run killed with SIGKILL) never sees a half-written file.

:func:`exclusive_folder` keeps a second writer out of a folder (an optimization run's
``--out``) while one is writing it: an operating-system lock on ``folder/.pystocksharp.lock``
(released by the kernel even when the holder is killed), which manifests and ``validate`` ignore.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from pystocksharp.errors import InputError, Problem

#: The lock file :func:`exclusive_folder` holds in a folder (never listed in a manifest).
LOCK_FILE = ".pystocksharp.lock"


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, fsync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    Use for writers that want a path (``pyarrow.parquet.write_table``); on error the
    temporary file is removed and ``target`` is left exactly as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        if fsync:
            _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write(
    target: str | os.PathLike[str],
    write: Callable[[IO[Any]], None],
    *,
    binary: bool = False,
    fsync: bool = True,
) -> Path:
    """Write ``target`` atomically by calling ``write(fh)`` on a temporary file."""
    with atomic_path(target, fsync=fsync) as tmp:
        mode = "wb" if binary else "w"
        kwargs: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": "\n"}
        with open(tmp, mode, **kwargs) as fh:
            write(fh)
    return Path(target)


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> Path:
    return atomic_write(target, lambda fh: fh.write(data), binary=True, fsync=fsync)


def atomic_write_text(target: str | os.PathLike[str], text: str, *, fsync: bool = True) -> Path:
    return atomic_write(target, lambda fh: fh.write(text), fsync=fsync)


def atomic_write_json(target: str | os.PathLike[str], obj: BaseModel | Any, *, fsync: bool = True) -> Path:
    """Write a pydantic model (or plain JSON-able data) as indented UTF-8 JSON, atomically."""
    if isinstance(obj, BaseModel):
        text = obj.model_dump_json(indent=2, by_alias=True)
    else:
        text = json.dumps(obj, indent=2, sort_keys=False, allow_nan=False)
    return atomic_write_text(target, text + "\n", fsync=fsync)


def user_cache_dir(kind: str) -> Path:
    """A writable cache folder ``kind`` (created): under the user's cache dir, else ``./.pystocksharp-cache``."""
    try:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("pystocksharp")) / kind
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK):
            return base
    except (ImportError, OSError):
        pass
    base = Path.cwd() / ".pystocksharp-cache" / kind
    base.mkdir(parents=True, exist_ok=True)
    return base


@contextlib.contextmanager
def exclusive_folder(folder: str | os.PathLike[str], *, user: str = "optimization run") -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if missing) until the block ends, however it ends.

    Never waits: when another process (or another block of this one) holds it, raise
    :class:`InputError` at once naming the folder, before anything is written there. ``user``
    says what holds such a lock, for that message. A folder this call created and in which
    nothing but the lock was written (the run failed on its input) is removed again.
    """
    from filelock import FileLock, Timeout  # noqa: PLC0415 (only writers need it)

    folder = Path(folder)
    created = not folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK_FILE, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(
            f"{folder} is in use by another {user}",
            [Problem("wait until it finishes, or choose another output folder", file=str(folder))],
        ) from None
    try:
        yield folder
    finally:
        _release(lock, folder, remove=created)


def _release(lock: Any, folder: Path, *, remove: bool) -> None:
    """Release ``lock`` (held on ``folder/LOCK_FILE``); with ``remove``, first take away the lock
    file (still held, so no other writer is in) and afterwards the folder when nothing else is in it."""
    lock_path = folder / LOCK_FILE
    empty = remove and [p.name for p in folder.iterdir()] == [LOCK_FILE]
    if empty:
        lock_path.unlink(missing_ok=True)
    lock.release()
    if empty:
        with contextlib.suppress(OSError):  # someone wrote into it meanwhile: keep it
            folder.rmdir()
