"""Run the notebook batch: `python scripts/run_batch.py --help`.

Thin wrapper so cron and `make briefing` have a stable script path; all logic lives in
model.apps.batch (imports run one way: scripts import model, never the reverse).
"""

from __future__ import annotations

import sys

from model.apps.batch import main

if __name__ == "__main__":
    sys.exit(main())
