"""The command line: ``python -m pipeline COMMAND``, one module per command.

One convention for every command (``pipeline.cli.<command>``):

- ``build_parser()`` returns an ``argparse`` parser whose ``prog`` is ``python -m pipeline
  <command>``, or ``perfreport <command>`` under the console script (:data:`PROG`, set by
  ``pipeline.__main__``; :func:`parser`), so ``--help`` and usage errors name the command the way
  it was called;
- ``main(argv) -> int`` parses, calls plain functions of the stage modules that return data,
  prints, and returns the exit status; it never calls ``sys.exit`` (:func:`run` turns
  argparse's exits into return values);
- exit status: 0 success, 1 the work ran but something failed (bad data, failed inputs,
  scores that cannot be computed), 2 usage error (bad options, missing model or inputs)
  before anything is written, 130 interrupted;
- errors go to stderr as ``python -m pipeline <command>: error: <message>`` (argparse's own
  format, used for ours too, see :func:`error`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

PROG = "python -m pipeline"  # "perfreport" when run as the console script (pipeline.__main__.main sets it)
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """Raised by a command body: printed with :func:`error`, exit status ``code``."""

    def __init__(self, message: str, code: int = FAILED):
        super().__init__(message)
        self.code = code


def parser(command: str, doc: str | None, **kwargs) -> argparse.ArgumentParser:
    """The parser of one command: ``prog`` names it, the description is its docstring's first paragraph."""
    description = (doc or "").strip().split("\n\n")[0].replace("\n", " ")
    return argparse.ArgumentParser(prog=f"{PROG} {command}", description=description, **kwargs)


def positive_int(text: str) -> int:
    """argparse type for counts (workers, batch sizes): at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def error(prog: str, message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"{prog}: error: {line}", file=sys.stderr)


def run(ap: argparse.ArgumentParser, argv: Sequence[str] | None,
        body: Callable[[argparse.Namespace], int]) -> int:
    """Parse ``argv`` and run ``body``: ``--help`` → 0, bad options → 2, CommandError → its code."""
    try:
        args = ap.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, message already printed)
        return exc.code if isinstance(exc.code, int) else USAGE
    try:
        return body(args)
    except CommandError as err:
        error(ap.prog, str(err))
        return err.code
