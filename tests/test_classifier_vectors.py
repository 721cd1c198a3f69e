"""Many corrections: their word vectors are kept on disk, and the answers do not change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RUN = r"""
import json, random, sys
from triage_tui.classify import Classifier
random.seed(5)
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
pairs = [(f"{random.choice(texts)} for client {n}", random.choice(["task", "ops"]))
         for n in range(300)]
pairs += [("water the office plants", "keep")] * 3  # keep: ignored, never cached
clf = Classifier.default().with_examples(pairs)
queries = ["call the bank about the card", "review the supplier contracts for client 7",
           "book flights for the trade show", "zorblat the varroa hive"]
print(json.dumps([[s.lane, s.confidence, s.reasons] for s in map(clf.suggest, queries)]))
"""


def run(cache: Path) -> list:
    env = {"TRIAGE_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", RUN, str(REPO / "sample_data" / "corpus.jsonl")],
                         capture_output=True, text=True, env=env, cwd=REPO, check=True)
    return json.loads(out.stdout)


def vector_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("vectors-*.json"))


def test_vectors_are_saved_once_and_read_back_with_the_same_answers(tmp_path: Path) -> None:
    first = run(tmp_path)
    (saved,) = vector_files(tmp_path)
    data = json.loads(saved.read_bytes())
    assert len(data) == 300, "one vector per task/ops correction, none for keep or queries"
    stamp = saved.stat().st_mtime_ns
    assert run(tmp_path) == first
    assert saved.stat().st_mtime_ns == stamp, "nothing new: not written again"


def test_a_damaged_vector_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    first = run(tmp_path)
    (saved,) = vector_files(tmp_path)
    saved.write_bytes(b'{"half a fi')
    assert run(tmp_path) == first
    assert len(json.loads(saved.read_bytes())) == 300


def test_vectors_of_a_different_shape_are_not_trusted(tmp_path: Path) -> None:
    first = run(tmp_path)
    (saved,) = vector_files(tmp_path)
    data = json.loads(saved.read_bytes())
    damaged = {text: [None, "not a vector"] for text in list(data)[:100]}
    damaged |= {text: [key, {term: "heavy" for term in vector}]
                for text, (key, vector) in list(data.items())[100:]}
    saved.write_text(json.dumps(damaged))
    assert run(tmp_path) == first
