"""Old home of ``python -m pipeline evaluate``; the command is :mod:`pipeline.cli.evaluate`."""

from pipeline.cli.evaluate import main  # noqa: F401
