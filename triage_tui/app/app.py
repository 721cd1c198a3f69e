"""The Textual App: wires the service, settings, themes and the palette; the screens do the work."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from triage_tui.app.presenters import format_minutes
from triage_tui.app.themes import APP_VARIABLE_DEFAULTS, shipped_themes, user_themes
from triage_tui.config import save_settings
from triage_tui.domain.workload import ROLE_LABELS
from triage_tui.service import TriageService

DEFAULT_THEME = "triage-dark"


class TriageApp(App[int]):
    """triage: empty the inbox into task (VA), ops (OM) and keep, and see who carries what."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "triage"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", show=True, priority=False),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
    ]

    def __init__(
        self,
        service: TriageService,
        settings_file: Path | None = None,
        themes_folder: Path | None = None,
        startup_problems: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.settings = service.settings
        self._settings_file = settings_file
        self._themes_folder = themes_folder
        self._startup_problems = list(startup_problems or [])
        self.sub_title = f"{service.user} · {service.store.path.name}"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        self._register_themes()
        wanted = self.settings.theme
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME
        if wanted not in self.available_themes:
            self._startup_problems.append(f"theme {wanted!r} not found; using {DEFAULT_THEME}")
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for problem in self._startup_problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)

    def get_default_screen(self) -> Screen:
        from triage_tui.app.main_screen import MainScreen

        return MainScreen(self.service)

    def _register_themes(self) -> None:
        for theme in shipped_themes():
            self.register_theme(theme)
        if self._themes_folder is not None:
            loaded = user_themes(self._themes_folder)
            for theme in loaded.themes:
                self.register_theme(theme)
            self._startup_problems.extend(f"theme skipped: {p}" for p in loaded.problems)

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name == self.settings.theme:
            return
        self.settings.theme = theme.name
        try:
            save_settings(self.settings, self._settings_file)
        except OSError as error:
            self.notify(f"Could not save the theme choice: {error}", severity="warning",
                        markup=False)

    def _ask_capacity(self, role: str, label: str) -> None:
        from triage_tui.app.edit import PromptScreen

        current = format_minutes(self.settings.capacity_minutes[role])
        question = f"{label} capacity per week (e.g. 25h, 12h30m), Enter saves"
        self.push_screen(PromptScreen(question, current, "20h"),
                         partial(self._set_capacity, role, label))

    def _set_capacity(self, role: str, label: str, text: str | None) -> None:
        from triage_tui.domain.quickadd import parse_duration

        if text is None:
            return
        minutes = parse_duration(text)
        if minutes is None or not 0 <= minutes <= 168 * 60:
            self.notify(f"{text!r} is not a duration such as 25h or 90m; capacity unchanged",
                        severity="error", markup=False)
            return
        self.settings.capacity_minutes[role] = minutes
        try:
            save_settings(self.settings, self._settings_file)
        except OSError as error:
            self.notify(f"Could not save settings: {error}", severity="error", markup=False)
            return
        self.notify(f"{label} capacity: {format_minutes(minutes)} a week", markup=False)
        for screen in self.screen_stack:
            if hasattr(screen, "refresh_workload"):
                screen.refresh_workload()

    def action_help(self) -> None:
        from triage_tui.app.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The default commands (themes, keys, quit), capacities, and the screen's actions."""
        yield from super().get_system_commands(screen)
        for role, label in ROLE_LABELS.items():
            hours = format_minutes(self.settings.capacity_minutes[role])
            yield SystemCommand(
                f"Capacity: set {label} hours a week", f"now {hours}",
                partial(self._ask_capacity, role, label),
            )
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description and binding.id:
                key = binding.key_display or binding.key.split(",")[0]
                yield SystemCommand(
                    binding.description, f"key: {key}",
                    partial(screen.run_action, binding.action),
                )
