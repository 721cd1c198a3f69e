"""`python -m triage_tui` runs the `triage` command."""

import sys

from triage_tui.cli import main

sys.exit(main())
