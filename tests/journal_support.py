"""The tests' own reader of a triage database's two files, independent of the store's code.

The database is a TinyDB JSON snapshot (`queue.json`) and a journal beside it
(`queue.json.journal`). Every journal line is `<crc32 of the JSON bytes, 8 lowercase hex
digits><space><JSON>\\n`. The first line is a header: `{"journal": 1, "id": <random hex>,
"snapshot": {"size": ..., "crc32": ...} (the snapshot's exact bytes), "schema": ...,
"examples": {...}}`; every later line is one committed change,
`{"ops": [[table, doc_id, document or null], ...]}`. The snapshot's `_meta` table holds
`"journal": {"id": <the id of the journal written with it>, "folded": <the id of the journal
that was beside it when it was written, or null>}`.

The rules, as the format states them:

* a whole line whose CRC does not match, or that is not well formed, is a damaged database;
* a last line without its newline was never committed: it is left out;
* the snapshot names a journal (`_meta.journal.id`):
  - no journal beside it: refused (the files are copied and restored together);
  - the journal's header names these snapshot bytes and that id: the state is the snapshot with
    the journal's changes applied;
  - otherwise the journal is *ignored* when its id is the one the snapshot `folded` (a
    compaction stopped between writing the snapshot and replacing the journal), else refused;
* the snapshot names no journal (a new or migrated database being written journal first, or a
  schema-2 file): any journal beside it is ignored.

This parser uses the standard library's `json` and `zlib`, so it also checks the files are
plain JSON.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Refused(Exception):
    """The format says these files must not be read: damage, or files that do not belong."""


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def stamp(raw: bytes) -> dict[str, int]:
    return {"size": len(raw), "crc32": zlib.crc32(raw)}


def encode_line(entry: Any) -> bytes:
    """One journal line for `entry`, as the format says (for tests that hand-craft lines)."""
    body = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()
    return b"%08x %s\n" % (zlib.crc32(body), body)


def decode_line(line: bytes, number: int = 0) -> Any:
    """The JSON of one whole line (its newline optional); raises `Refused` on any damage."""
    line = line.removesuffix(b"\n")
    crc, space, body = line[:8], line[8:9], line[9:]
    if space != b" " or len(crc) != 8 or crc.lower() != crc or not all(
        c in b"0123456789abcdef" for c in crc
    ):
        raise Refused(f"line {number}: no CRC prefix: {line[:60]!r}")
    if int(crc, 16) != zlib.crc32(body):
        raise Refused(f"line {number}: CRC does not match: {line[:60]!r}")
    try:
        return json.loads(body)
    except ValueError:
        raise Refused(f"line {number}: not JSON: {line[:60]!r}") from None


def decode_ops(line: bytes, number: int = 0) -> list[list[Any]]:
    """The ops of one change line; raises `Refused` unless it is well formed."""
    entry = decode_line(line, number)
    ops = entry.get("ops") if isinstance(entry, dict) else None
    if not isinstance(ops, list) or not all(
        isinstance(op, list) and len(op) == 3 and isinstance(op[0], str)
        and isinstance(op[1], str) and (op[2] is None or isinstance(op[2], dict))
        for op in ops
    ):
        raise Refused(f"line {number}: not a change: {line[:60]!r}")
    return ops


def decode_header(line: bytes) -> dict[str, Any]:
    header = decode_line(line, 1)
    if not isinstance(header, dict) or "journal" not in header:
        raise Refused(f"line 1: not a header: {line[:60]!r}")
    return header


def both_files(path: Path) -> tuple[bytes | None, bytes | None]:
    """The exact bytes of the snapshot and of the journal (None for a missing file)."""
    out = []
    for name in (path, journal_of(path)):
        try:
            out.append(name.read_bytes())
        except FileNotFoundError:
            out.append(None)
    return out[0], out[1]


def journal_meta(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot says of its journal: `{"id": ..., "folded": ...}` (empty if nothing)."""
    meta = snapshot.get("_meta", {}).get("journal")
    return meta if isinstance(meta, dict) else {}


@dataclass
class Parsed:
    data: dict[str, Any]
    """The state: the snapshot with the journal's changes applied."""
    snapshot: dict[str, Any]
    """The snapshot alone."""
    header: dict[str, Any] | None
    changes: list[list[list[Any]]] = field(default_factory=list)
    """The ops of each whole change line (empty when the journal is missing or ignored)."""
    stale: bool = False
    """The journal exists but is ignored: the snapshot folded it (a compaction stopped
    half-way), or names no journal (a creation or migration stopped half-way)."""
    half: bytes = b""
    """Bytes after the last newline: a line a killed writer left half-written."""

    def items(self) -> dict[str, Any]:
        return self.data.get("items", {})

    @property
    def journal(self) -> dict[str, Any]:
        """The snapshot's `_meta.journal`: `id` and `folded` (empty when it names none)."""
        return journal_meta(self.snapshot)


def parse_database(path: Path) -> Parsed:
    """Parse both files the way the format says; raises `Refused` where it says to refuse."""
    raw, journal = both_files(path)
    assert raw is not None, f"{path} is missing"
    data = json.loads(raw)
    snapshot = json.loads(raw)
    names = journal_meta(snapshot)
    expected = names.get("id")
    if journal is None:
        if expected is not None:
            raise Refused(f"{path.name} names journal {expected}, and there is none")
        return Parsed(data, snapshot, None)
    end = journal.rfind(b"\n") + 1
    lines, half = journal[:end].splitlines(), journal[end:]
    if not lines:
        raise Refused("the journal has no whole header line")
    header = decode_header(lines[0])
    if expected is None:
        return Parsed(data, snapshot, header, stale=True, half=half)
    if header.get("snapshot") != stamp(raw) or header.get("id") != expected:
        if header.get("id") is not None and header.get("id") == names.get("folded"):
            return Parsed(data, snapshot, header, stale=True, half=half)
        raise Refused(f"journal {header.get('id')} does not belong to the snapshot "
                      f"(it names {expected}, folded {names.get('folded')})")
    changes = []
    for number, line in enumerate(lines[1:], start=2):
        ops = decode_ops(line, number)
        changes.append(ops)
        for table, key, document in ops:
            rows = data.setdefault(table, {})
            if document is None:
                rows.pop(key, None)
            else:
                rows[key] = document
    return Parsed(data, snapshot, header, changes, half=half)


def journal_lines(path: Path) -> list[bytes]:
    """The journal's lines, each checked to be whole (ends with a newline) with a matching CRC
    and valid JSON (the header, then changes)."""
    journal = journal_of(path).read_bytes()
    assert journal.endswith(b"\n"), f"last line is not whole: {journal[-80:]!r}"
    lines = journal.splitlines(keepends=True)
    decode_header(lines[0])
    for number, line in enumerate(lines[1:], start=2):
        decode_ops(line, number)
    return lines


def ops_of(line: bytes) -> list[list[Any]]:
    """The ops of one change line (checked)."""
    return decode_ops(line)
