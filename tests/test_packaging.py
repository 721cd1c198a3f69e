"""A plain (non-editable) build carries everything the app needs: themes, sample data, styles.

The wheel is built with pip as a user's `pip install .` builds it, unpacked, and imported from
outside the checkout, so nothing can be found through the source tree by accident.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from datetime import datetime, timezone
import triage_tui
assert triage_tui.__file__.startswith(sys.argv[1]), triage_tui.__file__
from triage_tui.app.themes import shipped_themes
from triage_tui.domain.demo import load_demo_items
from triage_tui.classify import Classifier
from triage_tui.app.app import TriageApp
names = sorted(theme.name for theme in shipped_themes())
items = load_demo_items(datetime(2026, 11, 23, 10, tzinfo=timezone.utc))
lane = Classifier.default().suggest("book flights to the trade show").lane
css = TriageApp.CSS_PATH.read_text()
import json
print(json.dumps({"themes": names, "items": len(items), "lane": lane,
                  "css": "#inbox-pane" in css}))
"""


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed: {built.stderr[-2000:]}")
    (wheel,) = out.glob("triage_tui-*.whl")
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_the_wheel_holds_themes_sample_data_and_stylesheet(unpacked_wheel: Path) -> None:
    package = unpacked_wheel / "triage_tui"
    for name in ("triage-dark.toml", "triage-light.toml", "triage-contrast.toml"):
        assert (package / "themes" / name).is_file(), name
    for name in ("demo_inbox.json", "corpus.jsonl"):
        assert (package / "sample_data" / name).is_file(), name
    assert (package / "app" / "app.tcss").is_file()


def test_the_installed_package_loads_themes_demo_and_classifier(
    unpacked_wheel: Path, tmp_path: Path
) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(unpacked_wheel)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["themes"] == ["triage-contrast", "triage-dark", "triage-light"]
    assert found["items"] >= 120
    assert found["lane"] == "task"
    assert found["css"] is True
