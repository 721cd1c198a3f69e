"""The tests' own reader of a triage database's two files, independent of the store's code.

The database is a TinyDB JSON snapshot (`queue.json`) and a JSON-lines journal beside it
(`queue.json.journal`): a header naming the snapshot's exact bytes (size and CRC-32), then one
line per committed change, `{"ops": [[table, doc_id, document or null], ...]}`. The state is the
snapshot with the changes applied, unless the header names other bytes (a compaction stopped
half-way): then the journal is ignored. A last line without its newline was never committed.
This parser uses the standard library's `json`, so it also checks the files are plain JSON.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def stamp(raw: bytes) -> dict[str, int]:
    return {"size": len(raw), "crc32": zlib.crc32(raw)}


def both_files(path: Path) -> tuple[bytes | None, bytes | None]:
    """The exact bytes of the snapshot and of the journal (None for a missing file)."""
    out = []
    for name in (path, journal_of(path)):
        try:
            out.append(name.read_bytes())
        except FileNotFoundError:
            out.append(None)
    return out[0], out[1]


@dataclass
class Parsed:
    data: dict[str, Any]
    """The state: the snapshot with the journal's changes applied."""
    snapshot: dict[str, Any]
    """The snapshot alone."""
    header: dict[str, Any] | None
    changes: list[list[list[Any]]] = field(default_factory=list)
    """The ops of each whole change line (empty when the journal is missing or stale)."""
    stale: bool = False
    """The journal exists but names other snapshot bytes: it is ignored."""
    half: bytes = b""
    """Bytes after the last newline: a line a killed writer left half-written."""

    def items(self) -> dict[str, Any]:
        return self.data.get("items", {})


def parse_database(path: Path) -> Parsed:
    """Parse both files the way the format says; raises if a whole line is not JSON."""
    raw, journal = both_files(path)
    assert raw is not None, f"{path} is missing"
    data = json.loads(raw)
    snapshot = json.loads(raw)
    if journal is None:
        return Parsed(data, snapshot, None)
    end = journal.rfind(b"\n") + 1
    lines, half = journal[:end].splitlines(), journal[end:]
    header = json.loads(lines[0]) if lines else None
    if header is None or header.get("snapshot") != stamp(raw):
        return Parsed(data, snapshot, header, stale=True, half=half)
    changes = []
    for line in lines[1:]:
        ops = json.loads(line)["ops"]
        changes.append(ops)
        for table, key, document in ops:
            rows = data.setdefault(table, {})
            if document is None:
                rows.pop(key, None)
            else:
                rows[key] = document
    return Parsed(data, snapshot, header, changes, half=half)


def journal_lines(path: Path) -> list[bytes]:
    """The journal's lines, each checked to be whole (ends with a newline) and valid JSON."""
    journal = journal_of(path).read_bytes()
    assert journal.endswith(b"\n"), f"last line is not whole: {journal[-80:]!r}"
    lines = journal.splitlines(keepends=True)
    for line in lines:
        json.loads(line)
    return lines
