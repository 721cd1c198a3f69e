"""The triage database: a TinyDB JSON file and its journal, shared by several processes.

Every change runs in `Store.transaction()`: it takes the inter-process lock, catches up with what
other processes wrote, applies the change through TinyDB tables, and commits it as one journal
line (or, now and then, one new snapshot) before the lock is released; see
`triage_tui.store.storage`. Reads need no lock: lines are only ever appended whole, and files
only ever replaced whole. `Store.add_items` is the quick path for new items: it appends without
parsing the snapshot at all.

Tables: `items` (keyed by item id), `audit` (one row per changed field), `examples` (the lanes
people chose by hand, which the classifier learns from) and `_meta` (schema version, and which
journal goes with the snapshot).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.table import Document, Table

from triage_tui.domain.model import Item, new_item_id, now_iso
from triage_tui.gcpause import paused_gc
from triage_tui.store.storage import (
    FILE_MODE,
    AtomicJSONStorage,
    JournalView,
    Signature,
    StorageFormatError,
    UnconfirmedWrite,
    database_signature,
)

SCHEMA_VERSION = 3
"""Version 2 added claim times (`claimed_at`) and the `examples` table; version 3 the journal
(an older triage would not read it, and would lose its changes by writing the snapshot)."""

LOCK_TIMEOUT_SECONDS = 10.0

QUICK_ADD_MAX = 8
"""`Store.add_items` appends without parsing the file for at most this many items."""

AUDIT_KEEP = 5_000
"""Audit rows the snapshot keeps; older ones move to the history file when a compaction finds
over a fifth more, so the database stays the same size however long it is used."""


class StoreError(Exception):
    """The database cannot be used: the message names the file and the problem in one line."""


class ReadOnlyError(StoreError):
    """This user may read the database but not change it."""


class StrTable(Table):
    """A TinyDB table whose document ids are strings we choose (item ids, audit ids)."""

    document_id_class = str

    def _update_table(self, updater: Callable[[dict[str, Any]], None]) -> None:
        """Change the stored table in place. TinyDB copies the whole table twice per call to
        convert ids, which makes a bulk change of n items O(n * table size); ours are strings
        already. A failed transaction drops the in-memory data (see `deferred`)."""
        tables = self._storage.read() or {}
        updater(tables.setdefault(self.name, {}))
        self._storage.write(tables)


class _TriageDB(TinyDB):
    table_class = StrTable


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEntry:
    """One changed field of one item: who changed it, when, from what, to what."""

    at: str
    user: str
    item_id: str
    field: str
    old: Any
    new: Any
    action: str = "edit"

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at, "user": self.user, "item_id": self.item_id, "field": self.field,
            "old": self.old, "new": self.new, "action": self.action,
        }


class Transaction:
    """What a change can do while it holds the lock; obtained from `Store.transaction()`."""

    def __init__(self, db: TinyDB, user: str, moment: datetime | None = None) -> None:
        self._touch = db.storage.touch
        self._items = db.table("items", cache_size=0)
        self._audit = db.table("audit", cache_size=0)
        self._examples = db.table("examples", cache_size=0)
        self.user = user
        self.at = now_iso(moment)

    def get(self, item_id: str) -> Item | None:
        document = self._items.get(doc_id=item_id)
        return Item.from_dict(document) if document is not None else None

    def items(self) -> list[Item]:
        return [Item.from_dict(document) for document in self._items.all()]

    def insert(self, items: Iterable[Item], action: str = "create") -> None:
        """Add new items, with one audit row each."""
        items = list(items)
        self._touch("items", [item.id for item in items])
        self._items.insert_multiple(Document(item.to_storage(), doc_id=item.id) for item in items)
        self._record(creation_entries(items, self.at, self.user, action))

    def replace(self, old: Item, new: Item, action: str = "edit",
                audit: bool = True) -> list[AuditEntry]:
        """Store `new` over `old` and audit every field that differs (unless `audit` is off:
        the classifier refreshing a suggestion is not a change anyone made); returns those
        rows."""
        before, after = old.to_dict(), new.to_dict()
        changed = [
            AuditEntry(self.at, self.user, new.id, name, before.get(name), value, action)
            for name, value in after.items()
            if before.get(name) != value and name not in _UNAUDITED_FIELDS
        ]
        stored = new.to_storage()

        def put(table: dict[str, Any]) -> None:
            if new.id not in table:
                raise KeyError(new.id)
            # A new document object, not the old one changed in place: `Store.items` knows an
            # unchanged item by its document's identity.
            table[new.id] = stored

        self._touch("items", [new.id])
        self._items._update_table(put)
        if not audit:
            return []
        self._record(changed)
        return changed

    def delete(self, item_ids: Iterable[str], action: str = "delete") -> None:
        item_ids = list(item_ids)
        self._touch("items", item_ids)
        self._items.remove(doc_ids=item_ids)
        self._record(AuditEntry(self.at, self.user, item_id, "deleted", None, True, action)
                     for item_id in item_ids)

    def add_example(self, text: str, lane: str) -> None:
        """Remember a lane a person chose by hand; the classifier learns from these."""
        key = f"{self.at}.{self.user}.{len(self._examples)}"
        self._touch("examples", [key])
        self._examples.insert(
            Document({"text": text, "lane": lane, "user": self.user, "at": self.at}, doc_id=key)
        )

    def fresh_ids(self, items: Iterable[Item]) -> list[Item]:
        """The items, each with an id no stored item (nor an earlier one of them) has."""
        return with_free_ids(items, lambda item_id: self._items.contains(doc_id=item_id))

    def _record(self, entries: Iterable[AuditEntry]) -> None:
        rows = [Document(row, doc_id=key) for key, row in self.audit_rows(entries)]
        if rows:
            self._touch("audit", [row.doc_id for row in rows])
            self._audit.insert_multiple(rows)

    @staticmethod
    def audit_rows(entries: Iterable[AuditEntry]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(key, row) for each entry; keys are unique across processes and transactions and
        sort by time within one process."""
        for entry in entries:
            yield f"{time.time_ns():x}.{os.getpid()}.{next(_AUDIT_SEQUENCE)}", entry.to_dict()


_AUDIT_SEQUENCE = itertools.count(1)


def with_free_ids(items: Iterable[Item], taken: Callable[[str], bool]) -> list[Item]:
    """The items, each with an id `taken` says is free and no earlier one of them has (ids are
    random: one is drawn again on a clash)."""
    seen: set[str] = set()
    fresh = []
    for item in items:
        while item.id in seen or taken(item.id):
            item = dataclasses.replace(item, id=new_item_id())
        seen.add(item.id)
        fresh.append(item)
    return fresh


def is_database_file(name: str, database: str) -> bool:
    """Whether a file name in the database's folder is one of its own: the snapshot, journal,
    history, lock, a migration backup or a temp file (`.NAME.XXXXXXXX.tmp`, mkstemp's 8 random
    characters, or the journal's)."""
    if name in (database, f"{database}.journal", f"{database}.history", f"{database}.lock"):
        return True
    if name.startswith(f"{database}.schema") and name.endswith(".bak"):
        return True
    return is_temp_file(name, database)


def is_temp_file(name: str, database: str) -> bool:
    """A temp file of this database's writers, not of a database called NAME.something."""
    pattern = rf"\.{re.escape(database)}(?:\.journal)?\.[a-z0-9_]{{8}}\.tmp"
    return re.fullmatch(pattern, name) is not None


def creation_entries(items: Iterable[Item], at: str, user: str,
                     action: str) -> Iterator[AuditEntry]:
    """The audit row each new item gets."""
    for item in items:
        yield AuditEntry(at, user, item.id, "title", None, item.title, action)


_UNAUDITED_FIELDS = frozenset({"updated_at", "updated_by", "version"})


class Store:
    """One database file, shared by every process that opens the same path."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._storage = AtomicJSONStorage(self.path)
        self._storage.before_compaction = self._archive_old_audit
        self.journal_path = self._storage.journal_path
        self.history_path = self.path.with_name(self.path.name + ".history")
        self._lock = None  # an InterProcessLock, made on the first change
        self._db = _TriageDB(storage=lambda: self._storage)
        self._items_cache: tuple[Signature | None, list[Item]] | None = None
        self._documents: dict[str, tuple[dict[str, Any], Item]] = {}
        self.read_only = False
        self._swept = False
        # The app saves from a worker thread while the UI thread reads: one thread at a time.
        self._thread_lock = threading.RLock()

    # -- opening -------------------------------------------------------------------------
    def open(self, create: bool = True, quick: bool = True) -> Store:
        """Check the file (create, migrate or refuse it) before anything else touches it.

        `quick` checks it from the journal without parsing the snapshot (what `triage add` and
        `triage classify` need); a caller that reads the items anyway (the app, `triage list`)
        passes False and parses it now, once."""
        self.read_only = not self._can_write()
        if not self.path.exists():
            if not create or self.read_only:
                raise StoreError(f"{self.path}: no such database")
            with self._locked(), self._saving():
                if not self.path.exists():
                    self._create()
        version = self._schema_version(quick)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer triage (schema {version}, this one reads up to "
                f"{SCHEMA_VERSION}); upgrade triage to open it"
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)
        return self

    def _can_write(self) -> bool:
        folder = self.path.parent
        if self.path.exists():
            beside = (self.journal_path, self.history_path, self.lock_path)
            return os.access(self.path, os.W_OK) and os.access(folder, os.W_OK) and all(
                os.access(path, os.R_OK | os.W_OK) for path in beside if path.exists()
            )
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # `_create` makes the missing folders
        return os.access(folder, os.W_OK)

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"schema": {"schema": SCHEMA_VERSION, "created_at": now_iso()}}
        self._storage.write({"_meta": meta, "items": {}, "audit": {}, "examples": {}})

    def _read(self) -> dict[str, Any]:
        try:
            data = self._storage.read()
        except StorageFormatError as error:
            raise StoreError(f"{self.path}: {error}") from None
        except OSError as error:
            raise StoreError(f"{error.filename or self.path}: cannot read "
                             f"({error.strerror or error})") from None
        if data is None:
            raise StoreError(f"{self.path}: no such database")
        return data

    def _peek(self, fresh: bool = False) -> JournalView | None:
        """The journal's view, with every line checked, when this process has not parsed the
        snapshot (else None). `fresh` reads the files again (under the lock: the view cached by
        their signature may be of files changed in place since)."""
        if self._storage.loaded:
            return None
        try:
            view = self._storage.peek(fresh)
            if view is not None:
                view.examples  # noqa: B018 - reads and checks the journal's lines
            return view
        except StorageFormatError as error:
            raise StoreError(f"{self.path}: {error}") from None
        except OSError as error:
            raise StoreError(f"{error.filename or self.path}: cannot read "
                             f"({error.strerror or error})") from None

    def _schema_version(self, quick: bool = True) -> int:
        """The file's schema, refusing a damaged or foreign file. `quick` lets a process that
        has not parsed the snapshot answer from the journal (snapshot bytes checked by CRC)."""
        view = self._peek() if quick else None
        if view is not None:
            return view.schema
        data = self._read()
        meta = data.get("_meta", {}).get("schema")
        if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
            raise StoreError(f"{self.path}: not a triage database (no schema version)")
        if isinstance(meta["schema"], bool) or meta["schema"] < min(MIGRATIONS):
            raise StoreError(f"{self.path}: not a triage database (schema {meta['schema']!r})")
        if not isinstance(data.get("items", {}), dict):
            raise StoreError(f"{self.path}: not a triage database (no items table)")
        return meta["schema"]

    def _migrate(self, version: int) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.path}: needs an upgrade (schema {version} → {SCHEMA_VERSION}) "
                "but this user cannot write it"
            )
        backup = self.path.with_name(f"{self.path.name}.schema{version}.bak")
        with self._locked(), self._saving():
            version = self._schema_version()
            if version >= SCHEMA_VERSION:
                return
            import shutil  # only for a migration's backup copy

            shutil.copy2(self.path, backup)
            with self._storage.deferred():
                data = self._read()
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](data)
                data["_meta"]["schema"]["schema"] = SCHEMA_VERSION
                self._storage.write(data)

    # -- locking and changes -------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        from triage_tui.store.lock import InterProcessLock, LockedByThisThread, LockTimeout

        try:
            if self._lock is None:
                self.lock_path.parent.mkdir(parents=True, exist_ok=True)
                self._lock = InterProcessLock(self.lock_path, LOCK_TIMEOUT_SECONDS, FILE_MODE)
            self._lock.acquire()
        except LockTimeout:
            raise StoreError(
                f"{self.path}: another triage process held the lock for over "
                f"{LOCK_TIMEOUT_SECONDS:.0f} s; try again"
            ) from None
        except LockedByThisThread:
            raise StoreError(
                f"{self.path}: a change is already under way in this thread (a second Store "
                "on the same file cannot start one inside it); nothing was changed"
            ) from None
        except OSError as error:
            raise StoreError(f"{self.lock_path}: cannot take the lock "
                             f"({error.strerror or error}); nothing was changed") from None
        try:
            yield
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def transaction(self, user: str, moment: datetime | None = None) -> Iterator[Transaction]:
        """Lock, read the latest file, let the caller change it, write it once, unlock."""
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: read-only for this user; nothing was changed")
        with self._thread_lock, self._locked():
            if self._storage.in_transaction:
                # The inner one could not be undone alone: its changes would ride on the outer.
                raise StoreError(f"{self.path}: a change is already under way in this thread; "
                                 "nothing was changed")
            # Replaced by a newer triage or a foreign file? Read whole: the change needs it.
            version = self._schema_version(quick=False)
            try:
                self._storage.verify()
            except StorageFormatError as error:
                raise StoreError(f"{self.path}: {error}") from None
            if version != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: now schema {version}, this triage writes "
                                 f"{SCHEMA_VERSION}; reopen it; nothing was changed")
            if not self._swept:
                self._sweep_temp_files()
            try:
                with self._saving(), self._storage.deferred():
                    yield Transaction(self._db, user, moment)
            except BaseException:
                self._items_cache = None  # it may hold what was just abandoned
                raise

    @contextlib.contextmanager
    def _saving(self) -> Iterator[None]:
        """Turn a failed save into a one-line StoreError that says what became of the change."""
        try:
            yield
        except UnconfirmedWrite as error:
            raise StoreError(f"{self.path}: the change was written but the disk did not confirm "
                             f"it ({error}); it may not survive a crash or power cut") from None
        except OSError as error:
            raise StoreError(f"{self.path}: could not save ({error.strerror or error}); "
                             "nothing was changed") from None

    def add_items(self, items: list[Item], user: str, moment: datetime | None = None,
                  action: str = "create") -> list[Item]:
        """Store new items (one audit row each) and return them as stored.

        In a process that has not parsed the snapshot (a `triage add`), this appends one journal
        line without parsing it at all: an id is checked against the raw bytes of both files
        and drawn again if it might be taken. Otherwise, and whenever the journal cannot take
        a line, it is an ordinary transaction.
        """
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: read-only for this user; nothing was changed")
        with self._thread_lock, self._locked():
            # Each id is looked for in the raw bytes (~2 ms per id at 10,000 items): an import
            # of many items parses the file once instead.
            view = self._peek(fresh=True) if len(items) <= QUICK_ADD_MAX else None
            if view is not None and view.schema == SCHEMA_VERSION:
                fresh = with_free_ids(items, view.mentions_key)
                at = now_iso(moment)
                ops: list[list[Any]] = [["items", item.id, item.to_storage()] for item in fresh]
                rows = Transaction.audit_rows(creation_entries(fresh, at, user, action))
                ops += [["audit", key, row] for key, row in rows]
                with self._saving():
                    if self._storage.append(ops, view):
                        return fresh
            with self.transaction(user, moment) as tx:
                items = tx.fresh_ids(items)
                tx.insert(items, action)
            return items

    def _sweep_temp_files(self) -> None:
        """Remove temp files a killed writer left behind (once per Store, under the lock).

        Temp files are only ever written while the lock is held, so any that exist now belong
        to a writer that died mid-write: each is a full-size copy nobody will ever use.
        """
        self._swept = True
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            if is_temp_file(stale.name, self.path.name):
                with contextlib.suppress(OSError):
                    stale.unlink()

    # -- lock-free reads -----------------------------------------------------------------
    def items(self) -> list[Item]:
        """Every item, as the file holds it now (parsed once per file change).

        The items are shared with a cache: derive changed copies, never mutate them.
        """
        with self._thread_lock:
            data = self._read()
            signature = self._storage.signature
            if self._items_cache is None or self._items_cache[0] != signature:
                # Documents are replaced, never changed in place (journal lines and `replace`
                # put new objects), so an item whose document is the same object is unchanged:
                # after another process's change only the documents it touched are read again.
                known = self._documents
                documents: dict[str, tuple[dict[str, Any], Item]] = {}
                with paused_gc(freeze=True):
                    for key, doc in data.get("items", {}).items():
                        seen = known.get(key)
                        item = seen[1] if seen is not None and seen[0] is doc else (
                            Item.from_dict(doc))
                        documents[key] = (doc, item)
                items = [item for _, item in documents.values()]
                if self._storage.in_transaction:
                    return items  # not saved yet: nothing to cache under the files' signature
                self._documents = documents
                self._items_cache = (signature, items)
            return list(self._items_cache[1])

    def get(self, item_id: str) -> Item | None:
        with self._thread_lock:
            document = self._read().get("items", {}).get(item_id)
            return Item.from_dict(document) if document is not None else None

    def audit(self) -> list[AuditEntry]:
        """Every audit row, oldest first: the history file's, then the database's."""
        with self._thread_lock:
            table = self._read().get("audit", {})
            # A row archived by a compaction that then failed is archived again by the next:
            # each key counts once, and the database's copy wins.
            seen = set(table)
            rows = []
            for key, row in self._archived_audit():
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
            rows += table.values()
        return [_audit_entry(row) for row in rows]

    def audit_mark(self) -> str | None:
        """A mark for `audit_after`: the newest audit row now."""
        with self._thread_lock:
            return next(reversed(self._read().get("audit", {})), None)

    def audit_after(self, mark: str | None) -> list[AuditEntry]:
        """The audit rows written after `mark` (all the database holds when it is gone, since
        only the oldest rows ever move to the history file)."""
        with self._thread_lock:
            table = self._read().get("audit", {})
            keys = list(table)
            if mark in table:
                return [_audit_entry(table[key]) for key in keys[keys.index(mark) + 1:]]
            rows = []
            if mark is not None:  # archived since: the history file's rows after it come first
                archived = self._archived_audit()
                position = next((n for n, (key, _) in enumerate(archived) if key == mark), None)
                if position is not None:
                    seen = set(table)
                    for key, row in archived[position + 1:]:
                        if key not in seen:
                            seen.add(key)
                            rows.append(row)
            return [_audit_entry(row) for row in [*rows, *table.values()]]

    def _archived_audit(self) -> list[tuple[str, dict[str, Any]]]:
        """(key, row) from the history file. A line a killed writer cut short is skipped: its
        rows were still in the database, and were written again whole by the next compaction."""
        try:
            raw = self.history_path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise StoreError(f"{self.history_path}: cannot read "
                             f"({error.strerror or error})") from None
        rows = []
        for line in raw.splitlines():
            try:
                row = orjson.loads(line)
                rows.append((str(row.pop("key")), row))
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                continue
        return rows

    def _archive_old_audit(self, data: dict[str, Any]) -> None:
        """Move the oldest audit rows past `AUDIT_KEEP` to the history file (appended and
        fsynced before the snapshot without them is written, under the lock)."""
        audit = data.get("audit") or {}
        extra = len(audit) - AUDIT_KEEP
        if extra <= AUDIT_KEEP // 5:
            return
        keys = list(itertools.islice(audit, extra))
        payload = b"".join(orjson.dumps({"key": key, **audit[key]}) + b"\n" for key in keys)
        descriptor = os.open(self.history_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            with contextlib.suppress(OSError):
                os.fchmod(descriptor, os.stat(self.path).st_mode & 0o777)
            remaining = memoryview(b"\n" + payload)  # a leading newline ends a cut-short line
            while remaining:
                # A short write (a size limit, a quota) returns fewer bytes; the next raises.
                remaining = remaining[os.write(descriptor, remaining):]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        for key in keys:
            del audit[key]

    def examples(self) -> list[dict[str, Any]]:
        with self._thread_lock:
            view = self._peek()
            rows = view.examples if view is not None else self._read().get("examples", {})
            return [dict(row) for row in rows.values()]

    def signature(self) -> Signature:
        """The database's signature right now: compare two to see whether anyone changed it."""
        return database_signature(self.path)

    @property
    def known_signature(self) -> Signature | None:
        """The signature as this process last read or wrote the file.

        Taken inside the lock right after our own write, so a later change by another process
        always differs from it.
        """
        return self._storage.signature

    def close(self) -> None:
        self._db.close()


_AUDIT_KEYS = ("at", "user", "item_id", "field", "old", "new", "action")


def _audit_entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(**{key: row.get(key) for key in _AUDIT_KEYS})


def _migrate_1_to_2(data: dict[str, Any]) -> None:
    """Schema 2: items gain `claimed_at`; the `examples` table exists."""
    for document in data.get("items", {}).values():
        # An old claim's clock starts at the item's last change, so it can expire.
        claimed = document.get("updated_at") if document.get("claimed_by") else None
        document.setdefault("claimed_at", claimed)
    data.setdefault("examples", {})
    data.setdefault("audit", {})


def _migrate_2_to_3(data: dict[str, Any]) -> None:
    """Schema 3: the journal beside the file. The data is unchanged; the migration's write
    makes the first snapshot and journal."""


MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3}
"""Step `n` upgrades a schema-`n` file to schema `n + 1`, in place."""
