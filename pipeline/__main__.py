"""Command line: ``perfreport COMMAND [options]`` or ``python -m pipeline COMMAND [options]``
(the same commands; ``--help`` on any command, ``--version`` for the version).

Each command is a module of :mod:`pipeline.cli` with ``main(argv) -> int``; the conventions
they share (prog names, errors, exit statuses) are in that package's docstring.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

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


def program() -> str:
    """How the user called us: ``perfreport`` (the console script) or ``python -m pipeline``."""
    return "perfreport" if Path(sys.argv[0]).name.startswith("perfreport") else "python -m pipeline"


def usage(prog: str = "python -m pipeline") -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: {prog} COMMAND [options]", f"       {prog} --version", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def version_line() -> str:
    """``perfreport 0.2.0``, with the bundled model's name when it is there (read from meta.json only)."""
    from pipeline.paths import DEFAULT_MODEL, from_root
    from pipeline.version import version

    line = f"perfreport {version()}"
    try:  # meta.json only: pipeline.model would import spaCy
        meta = json.loads((from_root(DEFAULT_MODEL) / "meta.json").read_text(encoding="utf-8"))
        line += f" (model {meta.get('name', 'unknown')}-{meta.get('version', '0.0.0')})"
    except (OSError, ValueError):
        pass
    return line


def main(argv: list[str] | None = None) -> int:
    import pipeline.cli

    argv = list(sys.argv[1:] if argv is None else argv)
    prog = program()
    pipeline.cli.PROG = prog  # every command's --help and errors name it the way it was called
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(prog))
        return 0
    if argv[0] in ("-V", "--version"):
        print(version_line())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"{prog}: error: unknown command {command!r}\n\n{usage(prog)}", file=sys.stderr)
        return 2
    return importlib.import_module(COMMANDS[command][0]).main(rest)


if __name__ == "__main__":
    sys.exit(main())
