"""The inter-process lock every change holds: `flock` on a `.lock` file beside the database.

This is what `filelock.UnixFileLock` does (and it interoperates with it), in a few lines:
importing `filelock` costs 12–14 ms (logging, decimal, asyncio support), a tenth of the
150 ms budget of `triage add`. On Windows, where there is no `flock`, `filelock` is used.

The lock is advisory and dies with its holder (the kernel drops it when the process exits), so
a `kill -9` never leaves the database locked.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class LockTimeout(Exception):
    """Another holder kept the lock for longer than the timeout."""


class LockedByThisThread(Exception):
    """This thread already holds the lock through another object: waiting would deadlock."""


_HELD: dict[str, int] = {}
"""Lock files held in this process: real path -> the id of the thread holding it."""
_HELD_GUARD = threading.Lock()


class InterProcessLock:
    """An exclusive lock on `path`, re-entrant for the object that holds it.

    `flock` locks belong to an open file, so two objects in one process exclude each other like
    two processes do; a thread asking again through a second object would wait on itself until
    the timeout, so that raises `LockedByThisThread` at once instead.
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float, mode: int = 0o660) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self.mode = mode
        self._fd: int | None = None
        self._depth = 0
        self._fallback = None
        # Threads sharing this object take turns; the thread holding it may enter again.
        self._turn = threading.RLock()

    def acquire(self) -> None:
        if not self._turn.acquire(timeout=self.timeout):
            raise LockTimeout(self.path)
        if self._depth:
            self._depth += 1
            return
        try:
            if fcntl is None:
                self._acquire_fallback()
            else:
                self._fd = self._acquire_flock()
        except BaseException:
            self._turn.release()
            raise
        self._depth = 1

    def release(self) -> None:
        """Leave once; the file is unlocked when the outermost holder leaves."""
        self._depth -= 1
        try:
            if not self._depth:
                self._unlock()
        finally:
            self._turn.release()

    def _unlock(self) -> None:
        if self._fallback is not None:
            self._fallback.release()
            return
        fd, self._fd = self._fd, None
        with _HELD_GUARD:
            _HELD.pop(os.path.realpath(self.path), None)
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> InterProcessLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()

    def _acquire_flock(self) -> int:
        key = os.path.realpath(self.path)
        me = threading.get_ident()
        with _HELD_GUARD:
            if _HELD.get(key) == me:
                raise LockedByThisThread(self.path)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, self.mode)
        try:
            # Whatever the umask: a shared queue's group writes it. Somebody else's file keeps
            # the mode they gave it.
            with contextlib.suppress(PermissionError):
                os.fchmod(fd, self.mode)
            deadline = time.monotonic() + self.timeout
            pause = 0.001
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(self.path) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.01)
        except BaseException:
            os.close(fd)
            raise
        with _HELD_GUARD:
            _HELD[key] = me
        return fd

    def _acquire_fallback(self) -> None:
        from filelock import FileLock, Timeout

        if self._fallback is None:
            self._fallback = FileLock(self.path, mode=self.mode, timeout=self.timeout)
        try:
            self._fallback.acquire()
        except Timeout:
            raise LockTimeout(self.path) from None
