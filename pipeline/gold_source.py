"""Old home of the TSV gold source, kept because annotators run ``python -m pipeline.gold_source NAME -v``.

The format and compiler are :mod:`pipeline.formats.gold_source`; the command is
``python -m pipeline build-gold`` (:mod:`pipeline.cli.build_gold`), which this runs.
"""

import sys

from pipeline.cli.build_gold import build_all, main  # noqa: F401
from pipeline.formats.gold_source import *  # noqa: F401, F403
from pipeline.formats.gold_source import SourceError, compile_source, show, uncovered_value_cues  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())
