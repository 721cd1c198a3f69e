"""triage's own JSON: an array of item dicts (or `{"items": [...]}`), read and written.

Export writes every contract field of the item model, in the model's field order, so two
exports of the same data are byte-identical. Import validates each entry strictly (this is our
own format, so no aliases) and reports problems by item position, 1-based. Store-owned fields
(`id`, `updated_*`, `created_by`, `version`, `suggestion`, `lane_source`) are not read.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from triage_tui.domain.model import LANES, STATUSES, Item, Suggestion, now_iso

from .common import ImportIssue, RowError, new_item, notes_text, short_text, title_text, unique_tags
from .dates import iso_date_or_datetime
from .recur import check_rrule


def export_json(items: list[dict[str, Any]]) -> str:
    """A JSON array of item dicts with every contract field, in the model's order."""
    return json.dumps([_contract(item) for item in items], ensure_ascii=False, indent=2) + "\n"


# Each contract field and its default; building the dict directly is several times faster
# than Item.from_dict(...).to_dict() (dataclasses.asdict deep-copies) for a 10k-item export.
_DEFAULTS = Item(id="", title="").to_dict()


def _contract(item: dict[str, Any]) -> dict[str, Any]:
    """Every contract field of an item dict, in the model's order, missing ones defaulted."""
    full = {name: item.get(name, default) for name, default in _DEFAULTS.items()}
    full["tags"] = [str(tag) for tag in item.get("tags") or []]
    suggestion = Suggestion.from_dict(item.get("suggestion"))
    full["suggestion"] = suggestion.to_dict() if suggestion else None
    return full


def parse_json_items(data: Any, now: datetime) -> tuple[list[dict[str, Any]], list[ImportIssue]]:
    """Items and per-entry errors from decoded JSON: an array, or an object with `items`."""
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        return [], [ImportIssue(0, 'JSON must be an array of items or {"items": [...]}')]
    items: list[dict[str, Any]] = []
    errors: list[ImportIssue] = []
    for position, entry in enumerate(data, start=1):
        try:
            items.append(_item(entry, now))
        except RowError as error:
            errors.append(ImportIssue(position, str(error), unit="item"))
    return items, errors


def _item(entry: Any, now: datetime) -> dict[str, Any]:
    """One entry as an item dict; RowError names the first bad field."""
    if not isinstance(entry, dict):
        raise RowError("not an object")
    title = entry.get("title")
    if not isinstance(title, str) or not title_text(title):
        raise RowError("title must be a non-empty string")
    item = new_item(title_text(title))
    item["notes"] = notes_text(_optional_str(entry, "notes") or "")
    item["lane"] = _choice(entry, "lane", LANES, "unsorted")
    item["status"] = _choice(entry, "status", STATUSES, "open")
    item["estimate_minutes"] = _estimate(entry.get("estimate_minutes"))
    item["tags"] = _tags(entry.get("tags"))
    item["assignee"] = short_text(_optional_str(entry, "assignee"))
    recurrence = _optional_str(entry, "recurrence")
    item["recurrence"] = check_rrule(recurrence) if recurrence else None
    for name in ("due", "created_at", "completed_at"):
        value = _optional_str(entry, name)
        if value:
            item[name] = iso_date_or_datetime(value, now, name.replace("_", " "))
    claimed_by = short_text(_optional_str(entry, "claimed_by"))
    if claimed_by:
        claimed_at = _optional_str(entry, "claimed_at")
        item["claimed_by"] = claimed_by
        item["claimed_at"] = (
            iso_date_or_datetime(claimed_at, now, "claimed at") if claimed_at else now_iso(now)
        )
    return item


def _optional_str(entry: dict[str, Any], name: str) -> str | None:
    """A field that is a string or absent/null; anything else is a RowError."""
    value = entry.get(name)
    if value is not None and not isinstance(value, str):
        raise RowError(f"{name} must be a string or null")
    return value


def _choice(entry: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    """A field that must be one of `allowed`; absent or null gives `default`."""
    value = entry.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise RowError(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return value


def _estimate(value: Any) -> int | None:
    """A non-negative whole number of minutes, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RowError(f"estimate_minutes {value!r} is not a non-negative whole number")
    return value


def _tags(value: Any) -> list[str]:
    """A list of strings, normalised; absent or null is no tags."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise RowError("tags must be a list of strings")
    return unique_tags(value)
