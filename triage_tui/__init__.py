"""triage: sort a small business inbox into task management, operations management and keep."""

__version__ = "0.1.0"
