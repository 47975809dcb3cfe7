"""``python -m equityplanner`` runs the command-line interface."""

import sys

from equityplanner.cli import main

sys.exit(main())
