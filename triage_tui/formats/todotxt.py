"""todo.txt (https://github.com/todotxt/todo.txt), read and written.

Mapping decisions:

- `x ` marks done; the completion date becomes `completed_at`, the creation date `created_at`
  (plain dates: todo.txt has no times). A done line without a completion date keeps
  `completed_at` None: inventing the import day would count old work as done this week.
- `(A)` priority becomes the tag `pri:A`, first in the tags, so it stays visible and filterable;
  a `pri:A` key:value (how many clients keep the priority of a done task) reads the same way.
- `+project` becomes the tag `project`. `@context` becomes the tag `@context`, `@` kept: in
  triage `@name` means an assignee in quick add, so a context must not read as a bare word that
  could pass for one, and keeping the `@` lets export write it back as a context.
- key:value pairs we understand: `due:` (YYYY-MM-DD, or an ISO datetime as triage exports it),
  `est:`/`estimate:` (`30m`, `1.5h`), `rec:` (`1w`, `+2d`, `3m`, `1b` for weekdays, or a raw
  RRULE), `lane:`, `status:` (to carry `dropped`), `assignee:`, `pri:`. A value that is not
  understood (`due:friday`, `rec:2b`) stays in the title, as every unknown key:value does, so
  nothing is dropped. Two exceptions are errors for the line: a date-shaped value that is not a
  real date (`due:2026-02-30`) and an unknown lane.

Export writes the same tokens, so export → import is exact for title, status, due, estimate,
recurrence, lane, tags, assignee, `completed_at` and the day of `created_at`. Not carried: notes,
claims, times of `created_at`/`completed_at`. A title word that is itself a todo.txt token
(`+1`, `@home`, `due:2026-01-01`) cannot be escaped in todo.txt and is read back as that token.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .common import (
    ImportIssue,
    RowError,
    new_item,
    normalise_tag,
    parse_estimate,
    parse_lane,
    parse_status,
    short_text,
    title_text,
    unique_tags,
)
from .dates import iso_date, iso_date_or_datetime, looks_like_date
from .recur import rrule_to_todotxt, todotxt_rrule

_PRIORITY = re.compile(r"^\(([A-Z])\)$")
_PRIORITY_TAG = re.compile(r"^pri:([A-Z])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY_VALUE = re.compile(r"^([^\s:]+):(\S+)$")


def parse_todotxt(text: str, now: datetime) -> tuple[list[dict[str, Any]], list[ImportIssue]]:
    """Items and per-line errors from todo.txt text; blank lines are skipped."""
    items: list[dict[str, Any]] = []
    errors: list[ImportIssue] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            items.append(parse_line(line, now))
        except RowError as error:
            errors.append(ImportIssue(number, str(error)))
    return items, errors


def parse_line(line: str, now: datetime) -> dict[str, Any]:
    """One todo.txt line as an item dict; RowError for an impossible date or unknown lane."""
    item = new_item("")
    words = line.split(" ")
    tags: list[str] = []
    start = _read_prefix(words, item, tags)
    kept = [word for word in words[start:] if not _read_token(word, item, tags, now)]
    item["title"] = title_text(" ".join(kept))
    if not item["title"]:
        raise RowError("no title left after the todo.txt markers")
    item["tags"] = unique_tags(tags)
    return item


def _read_prefix(words: list[str], item: dict[str, Any], tags: list[str]) -> int:
    """Read `x`, dates and priority at the start; return the index of the first title word."""
    index = 0
    if words[0] == "x" and len(words) > 1:
        item["status"] = "done"
        index = 1
        if index < len(words) and _DATE.match(words[index]):
            item["completed_at"] = iso_date(words[index], "completion date")
            index += 1
            if index < len(words) and _DATE.match(words[index]):
                item["created_at"] = iso_date(words[index], "creation date")
                index += 1
        return index
    priority = _PRIORITY.match(words[0])
    if priority:
        tags.append(f"pri:{priority[1]}")
        index = 1
    if index < len(words) and _DATE.match(words[index]):
        item["created_at"] = iso_date(words[index], "creation date")
        index += 1
    return index


def _read_token(word: str, item: dict[str, Any], tags: list[str], now: datetime) -> bool:
    """Take a +project, @context or known key:value into the item; False keeps it in the title."""
    if len(word) > 1 and word[0] == "+":
        tags.append(word[1:])
        return True
    if len(word) > 1 and word[0] == "@":
        tags.append(word)
        return True
    pair = _KEY_VALUE.match(word)
    if not pair:
        return False
    return _read_pair(pair[1].lower(), pair[2], item, tags, now)


def _read_pair(key: str, value: str, item: dict[str, Any], tags: list[str], now: datetime) -> bool:
    """Apply one key:value we understand; False when the key or its value is not ours."""
    if key == "due":
        if not looks_like_date(value):
            return False
        item["due"] = iso_date_or_datetime(value, now, "due")
    elif key in ("est", "estimate"):
        try:
            item["estimate_minutes"] = parse_estimate(value)
        except RowError:
            return False
    elif key == "rec":
        recurrence = todotxt_rrule(value)
        if recurrence is None:
            return False
        item["recurrence"] = recurrence
    elif key == "lane":
        item["lane"] = parse_lane(value)
    elif key == "status":
        item["status"] = parse_status(value)
    elif key == "assignee":
        item["assignee"] = short_text(value)
    elif key == "pri" and re.fullmatch(r"[A-Z]", value):
        tags.append(f"pri:{value}")
    else:
        return False
    return True


def export_todotxt(items: list[dict[str, Any]]) -> str:
    """todo.txt lines for item dicts, one per item, ending with a newline."""
    lines = [format_line(item) for item in items]
    return "".join(line + "\n" for line in lines)


def format_line(item: dict[str, Any]) -> str:
    """One item as `x 2026-11-20 2026-11-01 Title +tag @ctx due:... est:30m lane:ops rec:...`."""
    words = _prefix(item)
    tags = [normalise_tag(tag) for tag in item.get("tags") or []]
    tags = [tag for tag in tags if tag]
    status = item.get("status") or "open"
    if status == "open" and tags and _PRIORITY_TAG.match(tags[0]):
        # `(A)` only when the priority is the first tag, so the tag order survives the trip.
        words.append(f"({tags.pop(0)[4:]})")
    words.extend(_creation(item))
    words.append(str(item.get("title") or ""))
    words.extend(_tag_word(tag) for tag in tags)
    words.extend(_pairs(item))
    return " ".join(word for word in words if word)


def _prefix(item: dict[str, Any]) -> list[str]:
    """`x` and the completion date for done and dropped items."""
    if (item.get("status") or "open") == "open":
        return []
    completed = str(item.get("completed_at") or "")[:10]
    return ["x", completed] if completed else ["x"]


def _creation(item: dict[str, Any]) -> list[str]:
    """The creation date, when todo.txt allows one (a done line needs a completion date first)."""
    created = str(item.get("created_at") or "")[:10]
    if not _DATE.match(created):
        return []
    if (item.get("status") or "open") != "open" and not item.get("completed_at"):
        return []  # a lone date after `x` would be read as the completion date
    return [created]


def _tag_word(tag: str) -> str:
    """A tag as todo.txt writes it: `@context` as it is, `pri:A` as a key:value, else `+tag`."""
    if tag.startswith("@") or _PRIORITY_TAG.match(tag):
        return tag
    return f"+{tag}"


def _pairs(item: dict[str, Any]) -> list[str]:
    """The key:value words for the fields todo.txt has no syntax for."""
    pairs = []
    if item.get("due"):
        pairs.append(f"due:{item['due']}")
    if item.get("estimate_minutes") is not None:
        pairs.append(f"est:{int(item['estimate_minutes'])}m")
    if item.get("lane") and item["lane"] != "unsorted":
        pairs.append(f"lane:{item['lane']}")
    if item.get("recurrence"):
        pairs.append(f"rec:{rrule_to_todotxt(item['recurrence'])}")
    if item.get("assignee"):
        pairs.append(f"assignee:{str(item['assignee']).replace(' ', '_')}")
    if item.get("status") == "dropped":
        pairs.append("status:dropped")
    return pairs
