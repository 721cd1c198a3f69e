"""A TinyDB storage that many processes can share safely: a snapshot and its journal.

The database is two files, always read together:

* the **snapshot** (`triage.json`): the TinyDB JSON document, every table. Its `_meta` table
  names the journal written with it (`journal.id`) and the one it folded (`journal.folded`);
* the **journal** (`triage.json.journal`): one line per entry, each `CRC-32 (8 hex digits),
  a space, JSON`. The first line is a header with the journal's `id`, the size and CRC-32 of
  the exact snapshot bytes it extends, and a copy of the `examples` table; every later line is
  one committed change: `{"ops": [[table, doc_id, document or null], ...]}`.

The state is the snapshot with the journal's changes applied in order.

A change (made under the caller's inter-process lock, see `triage_tui.store.db`) appends one
line to the journal and fsyncs it, so its cost does not grow with the database: no re-parse, no
rewrite of 10,000 items. When the journal's changes would pass `JOURNAL_LIMIT` bytes, or the
journal does not extend the snapshot, the change instead *compacts*: it writes a new snapshot
holding everything (temp file, fsync, `os.replace`), then a new journal holding only a header
(the same way). Creating or migrating a database writes the journal first, since the snapshot
on disk then names none.

Why a reader or a `kill -9` always sees a whole state, old or new:

* a change killed mid-append leaves a last line without its newline: readers ignore it and the
  next writer cuts it off before appending;
* a compaction killed between its two replaces leaves a new snapshot beside the journal it
  folded, which it names: readers ignore that journal (its changes are in the snapshot) and the
  next change compacts; a creation or migration killed half-way leaves the old snapshot, which
  names no journal and ignores the new one;
* a reader that parsed the old snapshot and then meets the new journal reads both again.

Anything else is damage, refused with one line and never written over: a line whose CRC fails,
a missing journal the snapshot names, or a journal that neither extends the snapshot nor is the
one it folded (a snapshot changed, or restored from a backup without its journal).

Readers keep what they parsed and, when only the journal grew, read just the new lines.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from triage_tui.gcpause import paused_gc

FileSignature = tuple[int, int, int]
"""`(st_ino, st_mtime_ns, st_size)` of one file: changes whenever any process replaces it."""

Signature = tuple[FileSignature | None, FileSignature | None]
"""The snapshot's file signature and the journal's: any change to the database changes it."""

FILE_MODE = 0o660
"""Data and lock files are group-writable so a shared queue works for a whole group."""

JOURNAL_LIMIT = 1 << 19
"""A journal whose changes (the header not counted) would pass this many bytes (about 750
quick adds) is folded into the snapshot. Folding costs ~15 ms at 10,000 items; every
`triage add` reads the whole journal (its corrections), ~10 ms per megabyte."""

JOURNAL_FORMAT = 1


class StorageFormatError(Exception):
    """The file exists but is not a JSON object (truncated, corrupt or foreign)."""


class UnconfirmedWrite(Exception):
    """A change was written whole but the disk did not confirm it (fsync failed): others may
    see it, and it may not survive a crash."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.error = error


def file_signature(path: Path | str) -> FileSignature | None:
    """The file's change signature, or None when it does not exist."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def database_signature(path: Path) -> Signature:
    """The signature of the database at `path` right now (snapshot and journal)."""
    return (file_signature(path), file_signature(journal_path(path)))


def snapshot_stamp(raw: bytes) -> dict[str, int]:
    """What a journal header records of its snapshot: size and CRC-32 of its exact bytes."""
    return {"size": len(raw), "crc32": zlib.crc32(raw)}


@dataclass(slots=True)
class JournalView:
    """What the journal says without the snapshot being parsed (see `peek`)."""

    schema: int
    snapshot: bytes
    journal: bytes
    """The journal's whole lines (a half-written last line left out)."""
    body_start: int
    """Where the lines not yet read start (after the header, or after an earlier view's)."""
    header_examples: dict[str, Any]
    """The examples as of `body_start`."""
    path: Path
    first_number: int = 2
    """The journal line number of the line at `body_start`."""
    header_end: int = 0
    """Where the header ends: the journal's limit counts the bytes after it."""
    _examples: dict[str, Any] | None = None

    @property
    def examples(self) -> dict[str, Any]:
        """The `examples` table: the header's copy with the journal's changes applied.
        Reading it checks every line (a damaged one raises `StorageFormatError`)."""
        if self._examples is None:
            examples = dict(self.header_examples)
            lines = _parse_lines(self.journal[self.body_start:], self.path, self.first_number)
            for ops in lines:
                for table, key, document in ops:
                    if table == "examples":
                        if document is None:
                            examples.pop(key, None)
                        else:
                            examples[key] = document
            self._examples = examples
        return self._examples

    def mentions_key(self, key: str) -> bool:
        """Whether `key` may be a document id already (never a false "no")."""
        needle = orjson.dumps(key)
        return needle + b":" in self.snapshot or needle + b"," in self.journal


class AtomicJSONStorage(Storage):
    """TinyDB storage: orjson codec, snapshot + journal, catch-up reads, atomic compaction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        self.journal_path = journal_path(self.path)
        self._data: dict[str, Any] | None = None
        self._snapshot: FileSignature | None = None
        self._stamp: dict[str, int] | None = None  # of the parsed snapshot
        self._journal: FileSignature | None = None  # as last seen
        self._journal_pos = 0  # bytes of that journal applied to `_data` (whole lines)
        self._journal_lines = 0  # how many lines those bytes hold, the header included
        self._journal_crc = 0  # CRC-32 of those bytes, to see them changed in place
        self._header_length = 0  # bytes of the journal's header line
        self._disk_journal: str | None = None  # id of the journal file beside the snapshot
        self._seen_journal: FileSignature | None = None
        self._journal_ok = False  # the journal extends our snapshot
        self._deferred = 0
        self._dirty = False
        self._touched: dict[tuple[str, str], None] = {}
        self._untracked = False
        self._peeked: tuple[Signature, JournalView | None] | None = None
        self._peeked_snapshot: tuple[FileSignature | None, bytes, dict[str, int]] | None = None
        self.before_compaction: Callable[[dict[str, Any]], None] | None = None
        """Called with the data (under the lock) before a new snapshot is written."""

    @property
    def in_transaction(self) -> bool:
        """Inside `deferred()`: writes are collected, not yet saved."""
        return self._deferred > 0

    @property
    def loaded(self) -> bool:
        """Whether this process has parsed the snapshot (then reads cost only the journal)."""
        return self._data is not None

    @property
    def signature(self) -> Signature | None:
        """The database's signature as this storage last read or wrote it."""
        if self._snapshot is None:
            return None
        return (self._snapshot, self._journal)

    # -- reading -------------------------------------------------------------------------
    def read(self) -> dict[str, Any] | None:
        if self._deferred and self._data is not None:
            return self._data
        for _ in range(10):
            snapshot = file_signature(self.path)
            if snapshot is None:
                self._forget()
                return None
            if snapshot != self._snapshot or self._data is None:
                self._data, self._stamp = self._load()
                self._snapshot = snapshot
                self._reset_journal()
            other = self._catch_up()
            if other is None:
                return self._data
            if file_signature(self.path) != snapshot:
                self._data = None  # the snapshot was replaced while we read: read both again
                continue
            # Ignored: the journal this snapshot folded (a compaction stopped before replacing
            # it), or a leftover beside a snapshot that expects none. Anything else is damage.
            folded = other.get("id") is not None and other.get("id") == self._expected("folded")
            if self._expected("id") is not None and not folded:
                raise StorageFormatError(
                    f"{self.journal_path.name} does not belong to {self.path.name} (one was "
                    "changed, or restored without the other)")
            self._journal, self._disk_journal = self._seen_journal, other.get("id")
            return self._data
        raise StorageFormatError("the database kept changing while it was read; try again")

    def verify(self) -> None:
        """Before a change (under the lock): check that the journal lines already applied are
        still the bytes they were. Nothing triage does rewrites them, so a difference is damage
        made in place (same size, same file), which the incremental reads cannot see: read
        everything again, which refuses the damaged line."""
        if self._data is None or not self._journal_ok or not self._journal_pos:
            return
        try:
            with self.journal_path.open("rb") as handle:
                applied = handle.read(self._journal_pos)
        except FileNotFoundError:
            applied = b""
        if zlib.crc32(applied) != self._journal_crc or len(applied) != self._journal_pos:
            self._data = None
            self.read()

    def _reset_journal(self) -> None:
        """No journal line applied yet (the snapshot was just parsed or written)."""
        self._journal, self._journal_pos, self._journal_lines = None, 0, 0
        self._journal_ok, self._journal_crc = False, 0

    def _expected(self, key: str) -> str | None:
        """What the parsed snapshot says of its journal: its `id`, and the id it `folded`."""
        meta = (self._data or {}).get("_meta", {}).get("journal")
        return meta.get(key) if isinstance(meta, dict) else None

    def _load(self) -> tuple[dict[str, Any], dict[str, int]]:
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
        return data, snapshot_stamp(raw)

    def _catch_up(self) -> dict[str, Any] | None:
        """Apply the journal's new whole lines. Returns the journal's header when it does not
        extend the parsed snapshot (the caller decides whether that is damage)."""
        try:
            handle = self.journal_path.open("rb")
        except FileNotFoundError:
            if self._expected("id") is not None:
                raise StorageFormatError(
                    f"{self.journal_path.name} is missing (a database's files are copied and "
                    "restored together)") from None
            self._reset_journal()
            self._disk_journal = None
            return None
        with handle:
            stat = os.fstat(handle.fileno())
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if self._journal is None or self._journal[0] != stat.st_ino or (
                stat.st_size < self._journal_pos
            ):
                if self._journal is not None and self._journal_pos:
                    # Another journal than the one applied (or cut shorter): start again.
                    self._data, self._stamp = self._load()
                self._journal_pos, self._journal_lines, self._journal_ok = 0, 0, False
                first_line = handle.readline()
                header = parse_header(first_line, self.journal_path)
                expected = self._expected("id")
                if header.get("snapshot") != self._stamp or (
                    expected is not None and header.get("id") != expected
                ):
                    self._seen_journal = seen
                    return header
                self._journal_pos, self._journal_lines, self._journal_ok = handle.tell(), 1, True
                self._journal_crc = zlib.crc32(first_line)
                self._header_length = self._journal_pos
                self._disk_journal = header.get("id")
            self._journal = seen
            if not self._journal_ok:
                return None
            handle.seek(self._journal_pos)
            tail = handle.read()
        end = tail.rfind(b"\n") + 1
        if end:
            with paused_gc():
                for ops in _parse_lines(tail[:end], self.journal_path, self._journal_lines + 1):
                    _apply(self._data, ops)
                    self._journal_lines += 1
            self._journal_pos += end
            self._journal_crc = zlib.crc32(tail[:end], self._journal_crc)
        return None

    def peek(self, fresh: bool = False) -> JournalView | None:
        """The schema and examples from the journal, and both files' bytes, *without* parsing
        the snapshot; None when the journal does not match the snapshot (then read it all).

        This is what makes `triage add` cost the same on 10 or 10,000 items. `fresh` reads the
        journal again even when its signature is unchanged (under the lock, before appending):
        a same-size change within one mtime tick must not go unseen. The snapshot is only ever
        replaced whole, never written in place, so its bytes are kept while its signature holds.
        """
        signature = database_signature(self.path)
        if not fresh and self._peeked is not None and self._peeked[0] == signature:
            return self._peeked[1]
        try:
            if self._peeked_snapshot is None or self._peeked_snapshot[0] != signature[0]:
                raw = self.path.read_bytes()
                self._peeked_snapshot = (signature[0], raw, snapshot_stamp(raw))
            journal = self.journal_path.read_bytes()
        except FileNotFoundError:
            return None
        _, raw, stamp = self._peeked_snapshot
        earlier = self._peeked[1] if self._peeked is not None else None
        if (earlier is not None and earlier.snapshot is raw and earlier._examples is not None
                and journal.startswith(earlier.journal)):
            # The same journal, grown: only its new lines are read (their examples applied on
            # top of those already read and checked).
            end = journal.rfind(b"\n") + 1
            view = JournalView(earlier.schema, raw, journal[:end], len(earlier.journal),
                               earlier._examples, self.journal_path,
                               earlier.first_number + earlier.journal[earlier.body_start:]
                               .count(b"\n"), earlier.header_end)
        else:
            view = self._peek(raw, stamp, journal)
        self._peeked = (signature, view)
        return view

    def _peek(self, raw: bytes, stamp: dict[str, int], journal: bytes) -> JournalView | None:
        first = journal.find(b"\n") + 1
        header = parse_header(journal[:first] if first else journal, self.journal_path)
        if header.get("snapshot") != stamp:
            return None
        schema = header.get("schema")
        if not isinstance(schema, int) or isinstance(schema, bool):
            return None
        end = journal.rfind(b"\n") + 1
        return JournalView(schema, raw, journal[:end], first,
                           dict(header.get("examples") or {}), self.journal_path,
                           header_end=first)

    # -- writing -------------------------------------------------------------------------
    def touch(self, table: str, keys: Iterable[str]) -> None:
        """Mark documents this transaction changed: they make its journal line."""
        for key in keys:
            self._touched[(table, key)] = None

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if self._deferred:
            self._dirty = True
            return
        self._untracked = True  # a write outside a transaction: fold it all into a snapshot
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

    def append(self, ops: list[list[Any]], view: JournalView) -> bool:
        """Append one change to the journal `view` was read from, without ever parsing the
        snapshot (the caller holds the lock). False, with nothing written, when the journal
        has no room for it: then the change needs a transaction, which compacts."""
        line = journal_line(ops)
        if len(view.journal) - view.header_end + len(line) > JOURNAL_LIMIT:
            return False
        try:
            self._append_line(line, len(view.journal))
        finally:
            self._forget()  # this process never parsed the snapshot: nothing cached to keep
            self._peeked = self._peeked_snapshot = None
        return True

    def _forget(self) -> None:
        self._reset_journal()
        self._data, self._snapshot, self._stamp, self._disk_journal = None, None, None, None
        self._dirty = False
        self._touched, self._untracked = {}, False

    def _flush(self) -> None:
        try:
            line = self._journal_line() if self._can_append() else None
            body = self._journal_pos - self._header_length
            if line is not None and body + len(line) <= JOURNAL_LIMIT:
                self._append_line(line, self._journal_pos)
            else:
                self._compact()
        except BaseException:
            self._forget()
            raise
        self._dirty, self._touched, self._untracked = False, {}, False

    def _can_append(self) -> bool:
        return (
            bool(self._touched) and not self._untracked and self._journal_ok
            and self._snapshot is not None
        )

    def _journal_line(self) -> bytes:
        data = self._data or {}
        return journal_line(
            [[table, key, data.get(table, {}).get(key)] for table, key in self._touched]
        )

    def _append_line(self, line: bytes, position: int) -> None:
        descriptor = os.open(self.journal_path, os.O_WRONLY)
        try:
            os.ftruncate(descriptor, position)  # a line a killed writer left half-written
            written = 0
            try:
                while written < len(line):
                    written += os.pwrite(descriptor, line[written:], position + written)
            except BaseException:
                # Not whole (its newline is its last byte), so no reader has applied it: cut it.
                with contextlib.suppress(OSError):
                    os.ftruncate(descriptor, position)
                raise
            try:
                os.fsync(descriptor)
            except OSError as error:
                # Whole, so other processes may already show it: it stays, and the caller
                # says it was written but not confirmed, not that nothing changed.
                raise UnconfirmedWrite(error) from error
            stat = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        self._journal_pos = position + len(line)
        self._journal_crc = zlib.crc32(line, self._journal_crc)
        self._journal_lines += 1
        self._journal = (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _compact(self) -> None:
        data = self._data or {}
        if self.before_compaction is not None:
            self.before_compaction(data)
        meta = data.setdefault("_meta", {})
        journal_first = not isinstance(meta.get("journal"), dict)
        new_id = os.urandom(8).hex()
        meta["journal"] = {"id": new_id, "folded": self._disk_journal}
        raw = orjson.dumps(data)
        stamp = snapshot_stamp(raw)
        header = {
            "journal": JOURNAL_FORMAT, "id": new_id,
            "schema": meta.get("schema", {}).get("schema"), "snapshot": stamp,
            "examples": data.get("examples", {}),
        }
        line = encode_line(header)
        if journal_first:
            # The snapshot on disk expects no journal (a new or migrated database): write the
            # journal first, so a stop between the two leaves the old snapshot, which ignores it.
            write_atomically(self.journal_path, line, like=self.path)
            write_atomically(self.path, raw)
        else:
            write_atomically(self.path, raw)
        # Committed: the new snapshot holds the change and names the journal it folded, which
        # readers then ignore. Writing the new journal may still fail (a full disk): the change
        # stands, and the next change compacts again.
        self._snapshot, self._stamp = file_signature(self.path), stamp
        self._reset_journal()
        if not journal_first:
            try:
                write_atomically(self.journal_path, line, like=self.path)
            except OSError:
                return
        self._journal, self._disk_journal = file_signature(self.journal_path), new_id
        self._journal_pos, self._journal_lines, self._journal_ok = len(line), 1, True
        self._journal_crc = zlib.crc32(line)
        self._header_length = len(line)

    def close(self) -> None:
        self._forget()


def encode_line(entry: Any) -> bytes:
    """One journal line: the CRC-32 of the JSON in hex, a space, the JSON, a newline."""
    body = orjson.dumps(entry)
    return b"%08x %s\n" % (zlib.crc32(body), body)


def decode_line(line: bytes, path: Path, number: int) -> Any:
    """The JSON of one whole line (without its newline); damage raises StorageFormatError."""
    try:
        if len(line) < 10 or line[8:9] != b" " or int(line[:8], 16) != zlib.crc32(line[9:]):
            raise ValueError
        return orjson.loads(line[9:])
    except ValueError:
        what = "its header" if number == 1 else "a change"
        raise StorageFormatError(f"{path.name} line {number} ({what}) is damaged") from None


def journal_line(ops: list[list[Any]]) -> bytes:
    """One committed change: `[table, doc_id, document or None]` for each changed document."""
    return encode_line({"ops": ops})


def parse_header(line: bytes, path: Path) -> dict[str, Any]:
    """The journal's first line. Journals are only ever written whole (temp file, rename), so
    one that cannot be read is damaged, or made by a newer triage: either way, refused."""
    if not line.endswith(b"\n"):
        raise StorageFormatError(f"{path.name} line 1 (its header) is damaged")
    header = decode_line(line[:-1], path, 1)
    if not isinstance(header, dict) or "journal" not in header:
        raise StorageFormatError(f"{path.name} line 1 (its header) is damaged")
    if header["journal"] != JOURNAL_FORMAT:
        raise StorageFormatError(f"{path.name} was written by a newer triage (journal format "
                                 f"{header['journal']!r}); upgrade triage to open it")
    return header


def _parse_lines(block: bytes, path: Path, first: int) -> list[list[list[Any]]]:
    """The ops of each whole line (the first is line number `first` of the journal); a damaged
    whole line is a damaged database. Checked line by line (CRC, shape), parsed in one go: a
    journal near its limit holds a few thousand lines, and `triage add` reads them all."""
    bodies = []
    for number, line in enumerate(block.splitlines(), start=first):
        if len(line) < 10 or line[8:9] != b" " or not _crc_matches(line):
            raise StorageFormatError(f"{path.name} line {number} (a change) is damaged")
        bodies.append(line[9:])
    try:
        entries = orjson.loads(b"[" + b",".join(bodies) + b"]")
    except orjson.JSONDecodeError:
        entries = None
    if type(entries) is not list or len(entries) != len(bodies):
        # One line is not one JSON value: parse them one by one to name it.
        entries = [decode_line(b"%08x %s" % (zlib.crc32(body), body), path, number)
                   for number, body in enumerate(bodies, start=first)]
    out = []
    for number, entry in enumerate(entries, start=first):
        ops = entry.get("ops") if type(entry) is dict else None
        if type(ops) is not list:
            raise StorageFormatError(f"{path.name} line {number} (a change) is damaged")
        for op in ops:
            if (type(op) is not list or len(op) != 3 or type(op[0]) is not str
                    or type(op[1]) is not str or not (op[2] is None or type(op[2]) is dict)):
                raise StorageFormatError(f"{path.name} line {number} (a change) is damaged")
        out.append(ops)
    return out


def _crc_matches(line: bytes) -> bool:
    try:
        return int(line[:8], 16) == zlib.crc32(line[9:])
    except ValueError:
        return False


def _apply(data: dict[str, Any], ops: list[list[Any]]) -> None:
    for table, key, document in ops:
        rows = data.setdefault(table, {})
        if document is None:
            rows.pop(key, None)
        else:
            rows[key] = document


def write_atomically(path: Path, payload: bytes, like: Path | None = None) -> None:
    """Write `payload` to `path` so that any reader sees the old bytes or the new ones.

    The new file takes the mode of `like` (the journal follows its snapshot's), else of the
    file it replaces, else is group-writable.
    """
    import tempfile  # only compactions write whole files: `triage add` never loads it

    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            _keep_group_access(temp.fileno(), path, like)
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def _keep_group_access(fileno: int, path: Path, like: Path | None) -> None:
    """Give the new file the old one's mode (or group-writable), since mkstemp makes it 0600."""
    for source in (like, path):
        if source is None:
            continue
        try:
            mode = os.stat(source).st_mode & 0o777
            break
        except FileNotFoundError:
            continue
    else:
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
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
