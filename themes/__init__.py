"""Theme files shipped with triage (TOML, one theme per file)."""
