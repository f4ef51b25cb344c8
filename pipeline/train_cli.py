"""Old home of ``make train``; the command is :mod:`pipeline.cli.train`."""

from pipeline.cli.train import held_out_scores, main  # noqa: F401
from pipeline.evaluate import headline  # noqa: F401
