"""What CLI commands create and change on disk: init-shared's folder rules, imports that fail."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from triage_tui.cli import main as cli_main


def test_a_folder_holding_other_files_is_left_alone(tmp_path: Path, capsys) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / "notes.txt").write_text("mine")
    home.chmod(0o755)
    before = stat.S_IMODE(home.stat().st_mode), home.stat().st_gid
    assert cli_main(["init-shared", str(home / "queue.json"), "--group", "root"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds other files (.ssh, notes.txt)" in err
    assert (stat.S_IMODE(home.stat().st_mode), home.stat().st_gid) == before
    assert sorted(p.name for p in home.iterdir()) == [".ssh", "notes.txt"]


def test_a_folder_holding_only_the_database_is_shared(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "queue"
    folder.mkdir()
    folder.chmod(0o755)
    assert cli_main(["--db", str(folder / "q.json"), "add", "renew the domain"]) == 0
    capsys.readouterr()
    assert cli_main(["init-shared", str(folder / "q.json"), "--group", "root"]) == 0
    mode = folder.stat().st_mode
    assert mode & stat.S_ISGID and mode & 0o070 == 0o070
    for name in ("q.json", "q.json.journal", "q.json.lock"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o660, name


@pytest.mark.skipif(os.geteuid() != 0, reason="the rule is for root")
def test_root_must_name_the_group(tmp_path: Path, capsys) -> None:
    assert cli_main(["init-shared", str(tmp_path / "new" / "q.json")]) == 2
    assert "--group NAME" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_a_dry_run_import_into_a_missing_database_creates_nothing(tmp_path: Path,
                                                                  capsys) -> None:
    source = tmp_path / "in.csv"
    source.write_text("title,due\nrenew the domain,2026-12-01\nbook flights,\n")
    db = tmp_path / "q" / "fresh.json"
    assert cli_main(["--db", str(db), "import", str(source), "--dry-run"]) == 0
    assert "2 items would be imported (csv)" in capsys.readouterr().out
    assert not db.parent.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("title,due\nrenew the domain,feb 30\n")
    assert cli_main(["--db", str(db), "import", str(bad)]) == 2
    assert not db.parent.exists(), "nothing imported: nothing created"
    assert cli_main(["--db", str(db), "import", str(source)]) == 0
    assert db.exists()
