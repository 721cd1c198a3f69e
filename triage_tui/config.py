"""Where triage keeps things, who the user is, and the settings file.

Settings live in `config.json` in the user's config folder (platformdirs). A missing file means
defaults; an unreadable one is reported and defaults are used, never overwritten silently.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

APP_NAME = "triage"


def default_db_path() -> Path:
    """`TRIAGE_DB`, else `triage.json` in the user's data folder."""
    override = os.environ.get("TRIAGE_DB")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path  # deferred: not needed when a path is given

    return user_data_path(APP_NAME) / "triage.json"


def config_dir() -> Path:
    """`TRIAGE_CONFIG_DIR`, else the user's config folder (themes/ and config.json live here)."""
    override = os.environ.get("TRIAGE_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path  # deferred: not needed when a path is given

    return user_config_path(APP_NAME)


def current_user(explicit: str | None = None) -> str:
    """`--user`, else `TRIAGE_USER`, else the OS login name."""
    for candidate in (explicit, os.environ.get("TRIAGE_USER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(slots=True)
class Settings:
    """Everything a user can configure; stored as JSON with these field names."""

    theme: str = "triage-dark"
    """The theme the app starts with (remembered when changed from the palette)."""
    capacity_minutes: dict[str, int] = field(
        default_factory=lambda: {"va": 20 * 60, "om": 10 * 60, "owner": 40 * 60}
    )
    """How many minutes a week each role can carry."""
    default_estimate_minutes: dict[str, int] = field(
        default_factory=lambda: {"task": 30, "ops": 60, "keep": 60, "unsorted": 30}
    )
    """The estimate assumed for an item that has none, per lane."""
    review_threshold: float = 0.7
    """Suggestions less confident than this are marked needs review."""
    claim_hours: float = 8.0
    """A claim older than this has expired, so a vanished user locks nothing."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        settings = cls()
        if isinstance(data.get("theme"), str):
            settings.theme = data["theme"]
        for name in ("capacity_minutes", "default_estimate_minutes"):
            values = data.get(name)
            if isinstance(values, dict):
                current = getattr(settings, name)
                for key, value in values.items():
                    if key in current and isinstance(value, int) and 0 <= value <= 168 * 60:
                        current[key] = value
        threshold = data.get("review_threshold")
        if isinstance(threshold, (int, float)) and 0 <= threshold <= 1:
            settings.review_threshold = float(threshold)
        hours = data.get("claim_hours")
        if isinstance(hours, (int, float)) and 0 < hours <= 24 * 30:
            settings.claim_hours = float(hours)
        return settings


class SettingsError(Exception):
    """The settings file exists but cannot be read; the message names it."""


def settings_path() -> Path:
    return config_dir() / "config.json"


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; raise SettingsError (with defaults unused) when it is broken."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError(f"{path}: not valid JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a JSON object")
    return Settings.from_dict(data)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically (temp file + replace)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)
