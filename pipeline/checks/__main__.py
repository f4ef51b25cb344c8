"""``python -m pipeline.checks FILE.jsonl…``: every finding, then the counts per kind."""

import sys

from pipeline.checks import main

sys.exit(main(sys.argv[1:]))
