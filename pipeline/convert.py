"""Old home of the format converters; they are :mod:`pipeline.formats`, the command
``python -m pipeline convert`` is :mod:`pipeline.cli.convert` (also run by ``python -m pipeline.convert``)."""

import sys

from pipeline.cli.convert import main  # noqa: F401
from pipeline.formats import *  # noqa: F401, F403
from pipeline.formats.common import CMP_ALIASES, read_records, write_records  # noqa: F401
from pipeline.formats.label_studio import TEXTAREA_FIELDS  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())
