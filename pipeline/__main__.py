"""Command line: ``python -m pipeline COMMAND [options]`` (``--help`` on any command).

Each command is a module of :mod:`pipeline.cli` with ``main(argv) -> int``; the conventions
they share (prog names, errors, exit statuses) are in that package's docstring.
"""

from __future__ import annotations

import importlib
import sys

# command → (module, one-line help). Modules are imported only when their command runs, so
# ``python -m pipeline evaluate`` does not pay for loading spaCy models it never uses.
COMMANDS = {
    "extract": ("pipeline.cli.extract", "run the model on report files/folders → JSONL (+ CSV/XLSX)"),
    "evaluate": ("pipeline.cli.evaluate", "score predictions against gold (or the model on the held-out split)"),
    "train": ("pipeline.cli.train", "train tagger, role classifier and linker from annotations/"),
    "cv": ("pipeline.cli.cv", "leave-one-report-out cross-validation over the real reports"),
    "stats": ("pipeline.cli.stats", "corpus figures and tokenizer boundary agreement"),
    "bench": ("pipeline.cli.bench", "throughput, latency, load time and peak memory"),
    "convert": ("pipeline.cli.convert", "Label Studio / doccano ⇄ SCHEMA JSONL"),
    "review": ("pipeline.cli.review", "one self-contained HTML page to review predictions"),
    "rank": ("pipeline.cli.rank", "order documents or paragraphs by model uncertainty"),
    "build-gold": ("pipeline.cli.build_gold", "compile annotations/src/*.tsv into annotations/*.jsonl"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: python -m pipeline COMMAND [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"python -m pipeline: error: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[command][0]).main(rest)


if __name__ == "__main__":
    sys.exit(main())
