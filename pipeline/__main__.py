"""Command line: ``python -m pipeline COMMAND [options]`` (``--help`` on any command)."""

from __future__ import annotations

import importlib
import sys

# command → (module, one-line help). Modules are imported only when their command runs, so
# ``python -m pipeline evaluate`` does not pay for loading spaCy models it never uses.
COMMANDS = {
    "extract": ("pipeline.extract", "run the model on report files/folders → JSONL (+ CSV/XLSX)"),
    "evaluate": ("pipeline.evaluate_cli", "score predictions against gold (or the model on the held-out split)"),
    "train": ("pipeline.train_cli", "train tagger, role classifier and linker from annotations/"),
    "cv": ("pipeline.cv", "leave-one-report-out cross-validation over the real reports"),
    "stats": ("pipeline.stats", "corpus figures and tokenizer boundary agreement"),
    "bench": ("pipeline.bench", "throughput, latency, load time and peak memory"),
    "convert": ("pipeline.convert", "Label Studio / doccano ⇄ SCHEMA JSONL"),
    "review": ("pipeline.review", "one self-contained HTML page to review predictions"),
    "rank": ("pipeline.rank", "order documents or paragraphs by model uncertainty"),
    "build-gold": ("pipeline.gold_source", "compile annotations/src/*.tsv into annotations/*.jsonl"),
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
        print(f"unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    if command == "build-gold":
        return module.build_all([a for a in rest if a != "-v"] or None, verbose="-v" in rest)
    return module.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
