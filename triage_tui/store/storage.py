"""A TinyDB storage that many processes can share safely.

The stock `JSONStorage` keeps one open handle (so it never sees another process's atomic
replace) and writes in place (so a crash leaves a torn file). This storage instead:

* reads the file again whenever its `(st_ino, st_mtime_ns, st_size)` signature changed, and
  otherwise serves the data it already parsed;
* inside `deferred()`, collects every write in memory and flushes once at the end, so a change
  that touches three tables costs one file write;
* writes a temp file in the same folder, fsyncs it and `os.replace`s it over the database, so a
  reader or a `kill -9` sees the old file or the new one, never half of one.

Locking is the caller's job (see `triage_tui.store.db`): this class only moves bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from triage_tui.gcpause import paused_gc

Signature = tuple[int, int, int]
"""`(st_ino, st_mtime_ns, st_size)`: changes whenever any process replaces the file."""

FILE_MODE = 0o660
"""Data and lock files are group-writable so a shared queue works for a whole group."""


class StorageFormatError(Exception):
    """The file exists but is not a JSON object (truncated, corrupt or foreign)."""


def file_signature(path: Path) -> Signature | None:
    """The file's change signature, or None when it does not exist."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class AtomicJSONStorage(Storage):
    """TinyDB storage: orjson codec, re-read on change, atomic replace on write."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        self._data: dict[str, Any] | None = None
        self._signature: Signature | None = None
        self._deferred = 0
        self._dirty = False

    @property
    def signature(self) -> Signature | None:
        """The signature of the file as this storage last read or wrote it."""
        return self._signature

    def read(self) -> dict[str, Any] | None:
        if self._deferred and self._data is not None:
            return self._data
        signature = file_signature(self.path)
        if signature is None:
            self._data, self._signature = None, None
            return None
        if signature != self._signature or self._data is None:
            self._data = self._load()
            self._signature = signature
        return self._data

    def _load(self) -> dict[str, Any]:
        raw = self.path.read_bytes()
        if not raw.strip():
            raise StorageFormatError("the file is empty")
        try:
            with paused_gc(freeze=True):
                data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise StorageFormatError(f"not valid JSON ({error})") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StorageFormatError("not a triage database (unexpected JSON shape)")
        return data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if self._deferred:
            self._dirty = True
            return
        self._flush()

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Collect writes and flush them once when the outermost block ends without error.

        On an error nothing is written and the cached data is dropped, since TinyDB mutates it
        in place before it calls `write`.
        """
        self._deferred += 1
        try:
            yield
        except BaseException:
            self._deferred -= 1
            if not self._deferred:
                self._forget()
            raise
        self._deferred -= 1
        if not self._deferred and self._dirty:
            self._flush()

    def _forget(self) -> None:
        self._data, self._signature, self._dirty = None, None, False

    def _flush(self) -> None:
        try:
            payload = orjson.dumps(self._data)
            write_atomically(self.path, payload)
        except BaseException:
            self._forget()
            raise
        self._dirty = False
        self._signature = file_signature(self.path)

    def close(self) -> None:
        self._forget()


def write_atomically(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that any reader sees the old bytes or the new ones."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            _keep_group_access(temp.fileno(), path)
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def _keep_group_access(fileno: int, path: Path) -> None:
    """Give the new file the old one's mode (or group-writable), since mkstemp makes it 0600."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = FILE_MODE & ~_current_umask()
    with contextlib.suppress(OSError):
        os.fchmod(fileno, mode)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some filesystems refuse, which is harmless."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
