"""DESIGN.md's layers: domain and classify are pure; nothing below the app needs Textual."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "triage_tui"

CORE_MODULES = ["triage_tui.domain.model", "triage_tui.store.db", "triage_tui.service",
                "triage_tui.config"]
LATER_MODULES = ["triage_tui.classify", "triage_tui.domain.quickadd"]


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PACKAGE / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (lazy imports inside functions too)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def offending(path: Path, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        name for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in forbidden)
    )


def test_core_imports_do_not_load_textual() -> None:
    modules = CORE_MODULES + [name for name in LATER_MODULES if importlib.util.find_spec(name)]
    modules += [module_name(path) for path in sources("domain", "classify", "store")]
    code = (
        "import importlib, json, sys\n"
        "for name in sys.argv[1:]:\n    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'tinydb'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True,
                            text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert not [name for name in loaded if name.split(".")[0] == "textual"], loaded
    assert "tinydb" in loaded, "the store was imported, so TinyDB should be there"


def test_domain_and_classify_import_neither_storage_nor_ui() -> None:
    forbidden = ("tinydb", "textual", "triage_tui.store", "triage_tui.app", "triage_tui.service",
                 "triage_tui.cli")
    files = sources("domain", "classify")
    assert any(path.name == "model.py" for path in files)
    bad = {str(path.relative_to(REPO)): offending(path, forbidden) for path in files}
    assert {path: names for path, names in bad.items() if names} == {}


def test_store_and_service_do_not_import_the_ui() -> None:
    forbidden = ("textual", "triage_tui.app", "triage_tui.cli")
    files = [*sources("store"), PACKAGE / "service.py", PACKAGE / "config.py"]
    bad = {str(path.relative_to(REPO)): offending(path, forbidden) for path in files}
    assert {path: names for path, names in bad.items() if names} == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import textual.app", {"textual.app"}),
        ("from tinydb import TinyDB", {"tinydb", "tinydb.TinyDB"}),
        ("def f():\n    from textual.widgets import Static", {"textual.widgets",
                                                              "textual.widgets.Static"}),
        ("from ..store import db", {"triage_tui.store", "triage_tui.store.db"}),
        ("from . import model", {"triage_tui.domain", "triage_tui.domain.model"}),
    ],
)
def test_the_import_scanner_sees_every_form(tmp_path: Path, monkeypatch, source, expected) -> None:
    fake = PACKAGE / "domain" / "_layer_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert imported_modules(fake) == expected
