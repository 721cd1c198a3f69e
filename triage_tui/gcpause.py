"""Keeping the cyclic garbage collector out of bulk loads.

Parsing a 10,000-item database allocates hundreds of thousands of containers and no cycles.
With the collector running, its passes over every live object cost about a third of the load;
and afterwards every full pass walks those objects again (while the first frame renders, say).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc(freeze: bool = False) -> Iterator[None]:
    """Run the block with the cyclic collector off, restoring its previous state after.

    With `freeze`, everything alive afterwards moves to the collector's permanent generation
    (`gc.freeze`), so later passes skip the loaded data. Reference counting still frees it when
    it is dropped: items, rows and parsed JSON hold no cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
