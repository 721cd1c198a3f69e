"""How often the classifier is right on items it never saw, and how honest its confidence is.

    python bench/classifier_accuracy.py [--folds 5] [--show-errors] [EXTRA.jsonl ...]

Prints, for the held-out slice (sample_data/heldout.jsonl, never used for training or tuning)
and for k-fold cross-validation over the corpus (each fold's model, calibration included, is
built without the fold):

- accuracy;
- accuracy and coverage of answers with confidence >= 0.8 (the floor: right >= 97%, most items);
- a reliability table: confidence bucket vs accuracy vs count.

Cross-validation is run twice: interleaved folds (every k-th line) and contiguous folds (whole
blocks of the file, which is grouped by domain, so each fold's phrasing and topics are mostly
new to its model: closer to what a stranger's inbox looks like).

Extra JSONL files ({"text", "lane"} per line) are scored with the shipped model too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage_tui.classify import Classifier  # noqa: E402
from triage_tui.classify.logreg import folds  # noqa: E402
from triage_tui.classify.model import build, corpus_path, read_examples  # noqa: E402

BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)
HIGH = 0.8


def predict(classifier: Classifier, examples: list[tuple[str, str]]) -> list[tuple[float, bool]]:
    """(confidence, right?) for each example."""
    suggestions = classifier.suggest_many([text for text, _ in examples])
    return [(s.confidence, s.lane == lane) for s, (_, lane) in zip(suggestions, examples,
                                                                     strict=True)]


def cross_validate(examples: list[tuple[str, str]], k: int, contiguous: bool):
    """Out-of-fold (confidence, right?) for every corpus example."""
    results: list[tuple[float, bool] | None] = [None] * len(examples)
    for fold in folds(len(examples), k, contiguous):
        held = set(fold)
        model = build([ex for i, ex in enumerate(examples) if i not in held])
        for i, result in zip(fold, predict(Classifier(model), [examples[i] for i in fold]),
                             strict=True):
            results[i] = result
    return results


def report(name: str, results: list[tuple[float, bool]]) -> dict[str, float]:
    """Print accuracy, high-confidence accuracy and coverage, and the reliability table."""
    n = len(results)
    right = sum(ok for _, ok in results)
    high = [ok for conf, ok in results if conf >= HIGH]
    print(f"\n## {name}: {n} items")
    print(f"accuracy                  {right / n:6.1%}  ({right}/{n})")
    if high:
        print(f"confidence >= {HIGH}: right {sum(high) / len(high):6.1%}  "
              f"({sum(high)}/{len(high)}), covering {len(high) / n:.1%} of items")
    print("\n| confidence  | accuracy | count | mean confidence |")
    print("|-------------|----------|-------|-----------------|")
    for lo, hi in zip(BUCKETS, BUCKETS[1:], strict=False):
        cell = [(conf, ok) for conf, ok in results if lo <= conf < hi]
        if not cell:
            continue
        accuracy = sum(ok for _, ok in cell) / len(cell)
        mean = sum(conf for conf, _ in cell) / len(cell)
        label = f"{lo:.2f}-{min(hi, 1.0):.2f}"
        print(f"| {label:11} | {accuracy:8.1%} | {len(cell):5} | {mean:15.3f} |")
    return {"accuracy": right / n, "high_accuracy": sum(high) / max(len(high), 1),
            "coverage": len(high) / n}


def show_errors(classifier: Classifier, examples: list[tuple[str, str]]) -> None:
    """Every wrong answer with its confidence and reasons."""
    for text, lane in examples:
        s = classifier.suggest(text)
        if s is not None and s.lane != lane:
            print(f"  {s.confidence:.3f} said {s.lane:4} want {lane:4} | {text} | "
                  + "; ".join(s.reasons))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extra", nargs="*", type=Path, help="more labelled JSONL to score")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()

    corpus = read_examples(corpus_path())
    started = time.perf_counter()
    shipped = Classifier(build(corpus))
    print(f"corpus: {len(corpus)} items; model built in {time.perf_counter() - started:.2f} s")
    heldout_path = corpus_path().with_name("heldout.jsonl")
    for path in [heldout_path, *args.extra]:
        if path.is_file():
            examples = read_examples(path)
            report(f"held-out: {path.name}", predict(shipped, examples))
            if args.show_errors:
                show_errors(shipped, examples)
    for contiguous in (False, True):
        kind = "contiguous" if contiguous else "interleaved"
        results = cross_validate(corpus, args.folds, contiguous)
        report(f"{args.folds}-fold cross-validation, {kind} folds", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
