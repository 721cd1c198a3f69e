"""Themes: the files shipped in `themes/` and the user's own, built into Textual `Theme`s.

A theme file is TOML: the `Theme` fields at the top level and app colours (`lane-task`,
`lane-ops`, ...) under `[variables]`. A bad user file is skipped and named, never fatal.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

THEME_FIELDS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground",
                "background", "surface", "panel", "boost")

APP_VARIABLE_DEFAULTS = {
    "lane-task": "ansi_bright_cyan",
    "lane-ops": "ansi_bright_magenta",
    "lane-keep": "ansi_bright_green",
    "lane-unsorted": "ansi_white",
}
"""Colours the stylesheets use beyond Textual's own; every theme may override them."""


class ThemeFileError(Exception):
    """A theme file that cannot be used; the message names the file and the problem."""


@dataclass(slots=True)
class LoadedThemes:
    """Themes that loaded, and one line per file that did not."""

    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def theme_from_toml(text: str, source: str) -> Theme:
    """Build a Theme from TOML text; raise ThemeFileError naming `source` on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"{source}: not valid TOML ({error})") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f"{source}: needs a name")
    if not isinstance(data.get("primary"), str):
        raise ThemeFileError(f"{source}: needs a primary colour")
    colours = {key: data[key] for key in THEME_FIELDS if key in data}
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError(f"{source}: [variables] must be a table")
    for key, value in [*colours.items(), *variables.items()]:
        _check_colour(source, key, value)
    return Theme(
        name=name.strip(), dark=bool(data.get("dark", True)), ansi=bool(data.get("ansi", False)),
        variables={str(k): str(v) for k, v in variables.items()}, **colours,
    )


def _check_colour(source: str, key: str, value: object) -> None:
    if not isinstance(value, str):
        raise ThemeFileError(f"{source}: {key} must be a colour string")
    if value.startswith("ansi_"):
        return
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{source}: {key} = {value!r} is not a colour") from None


def shipped_themes() -> list[Theme]:
    """The themes bundled in the package's `themes/` folder."""
    folder = files("triage_tui.themes")
    return [
        theme_from_toml(entry.read_text(encoding="utf-8"), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".toml")
    ]


def user_themes(folder: Path) -> LoadedThemes:
    """Every `*.toml` in the user's themes folder; bad files are reported, not raised."""
    loaded = LoadedThemes()
    if not folder.is_dir():
        return loaded
    for path in sorted(folder.glob("*.toml")):
        try:
            if path.stat().st_size > 64_000:
                raise ThemeFileError(f"{path}: too large for a theme file")
            loaded.themes.append(theme_from_toml(path.read_text(encoding="utf-8"), str(path)))
        except (OSError, UnicodeDecodeError) as error:
            loaded.problems.append(f"{path}: cannot read ({error})")
        except ThemeFileError as error:
            loaded.problems.append(str(error))
    return loaded
