"""The triage classifier: suggests `task` (VA) or `ops` (OM) for a to-do, with reasons.

    from triage_tui.classify import Classifier, suggest, suggest_many, DEFAULT_THRESHOLD

    clf = Classifier.default().with_examples([("renew the gusto integration", "ops")])
    clf.suggest("book flights to the denver trade show")
    # Suggestion(lane='task', confidence=0.98, reasons=['books travel → task', ...])

Pure: no Textual, no TinyDB. Importing this package loads nothing else: `Classifier` and its
modules load on first use (PEP 562), and the model is built, or read from the disk cache, on
the first `Classifier.default()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage_tui.domain.model import Suggestion

    from .classifier import Classifier, reset_default

DEFAULT_THRESHOLD = 0.7
"""Below this confidence an item is marked *needs review* (the app's setting overrides it)."""

__all__ = ["DEFAULT_THRESHOLD", "Classifier", "reset_default", "suggest", "suggest_many"]


def __getattr__(name: str) -> Any:
    if name in ("Classifier", "reset_default"):
        from . import classifier

        return getattr(classifier, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def suggest(text: str) -> Suggestion | None:
    """The default classifier's suggestion for one line (None for a blank line)."""
    from .classifier import Classifier

    return Classifier.default().suggest(text)


def suggest_many(texts: list[str]) -> list[Suggestion | None]:
    """The default classifier's suggestions for many lines, in order."""
    from .classifier import Classifier

    return Classifier.default().suggest_many(texts)
