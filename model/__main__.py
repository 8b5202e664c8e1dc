"""`python -m model ...`: see model.apps.cli."""

import sys

from model.apps.cli import main

sys.exit(main())
