"""Import and export: CSV, triage JSON, todo.txt and Taskwarrior export JSON.

Pure code: no Textual, no TinyDB. The store assigns ids, timestamps and `created_by` to what
`parse_import` returns; `export_items` takes the contract dicts the store holds.

`ImportIssue` is one refused row. It is also reachable as `ImportError`, the name in the design
brief, but importing that name shadows Python's builtin `ImportError` (and so silently breaks
`except ImportError:` in the importing module): prefer `ImportIssue`.
"""

from .common import (
    EXPORT_FORMATS,
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportIssue,
    ImportResult,
    strip_escapes,
)
from .core import export_items, guess_format, parse_import

ImportError = ImportIssue  # the brief's name; see the module docstring

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "ImportIssue",
    "ImportResult",
    "export_items",
    "guess_format",
    "parse_import",
    "strip_escapes",
]
