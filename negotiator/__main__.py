"""``python -m negotiator`` runs the CLI."""

import sys

from negotiator.cli import main

sys.exit(main())
