"""Train the project's own spacy_pkuseg model, offline, into pipeline/resources/pkuseg_model/.

The pretrained pkuseg models (spacy_ontonotes, news, …) are downloaded on first use, which
this project never does. So we train a small model of our own: the texts of
``annotations/*.jsonl`` and ``data/reports/*.txt`` (each distinct text once) are segmented
with the project's jieba segmenter (private tokenizer + domain user dictionary, see
pipeline/segment.py), written one sentence per line with the words separated by spaces —
pkuseg's training format — and handed to ``spacy_pkuseg.train``.

A model trained on jieba's output can at best imitate jieba; it exists so that the
``pkuseg`` option is measured (``python -m pipeline.stats``), not because it is expected to
win. Every 10th sentence is kept out of training and used as pkuseg's test file, so the F1
it prints is agreement with jieba on unseen sentences.

The model files are checked in; run this only to rebuild them (well under 2 minutes):

    .venv/bin/python scripts/train_pkuseg.py [--iter 10]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.document import read_jsonl  # noqa: E402
from pipeline.segment import PKUSEG_MODEL, tokens  # noqa: E402

# Sentences end at 。；！？ (and their ASCII forms) or a line break, as in SCHEMA.md.
_SENT_END = re.compile(r"(?<=[。；！？;!?])|\n")


def source_texts(root: Path = ROOT) -> list[str]:
    """The distinct texts of the annotations and the raw reports, in a fixed order."""
    texts: list[str] = []
    for doc in sorted(read_jsonl(sorted((root / "annotations").glob("*.jsonl")), skip_bad=True), key=lambda d: d.id):
        texts.append(doc.text)
    for path in sorted((root / "data" / "reports").glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    seen: set[str] = set()
    out = []
    for text in texts:
        key = "".join(text.split())
        if key and key not in seen:
            seen.add(key)
            out.append(text)
    return out


def training_lines(texts: list[str]) -> list[str]:
    """One sentence per line, jieba's words separated by single spaces."""
    lines = []
    for text in texts:
        for sentence in _SENT_END.split(text):
            words = tokens(sentence, "jieba")
            if words:
                lines.append(" ".join(words))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iter", type=int, default=10, help="training iterations (default 10)")
    parser.add_argument("--out", type=Path, default=PKUSEG_MODEL, help="model directory")
    args = parser.parse_args(argv)

    import spacy_pkuseg

    lines = training_lines(source_texts())
    train = [line for i, line in enumerate(lines) if i % 10 != 9]
    test = [line for i, line in enumerate(lines) if i % 10 == 9]
    print(f"{len(lines)} sentences, {sum(len(x.split()) for x in lines)} words: {len(train)} train, {len(test)} test")
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        train_file, test_file = Path(tmp) / "train.txt", Path(tmp) / "test.txt"
        train_file.write_text("\n".join(train) + "\n", encoding="utf-8")
        test_file.write_text("\n".join(test) + "\n", encoding="utf-8")
        model_tmp = Path(tmp) / "model"
        spacy_pkuseg.train(str(train_file), str(test_file), str(model_tmp), train_iter=args.iter)
        kept = ("features.msgpack", "weights.npz")
        missing = [name for name in kept if not (model_tmp / name).is_file()]
        if missing:
            raise SystemExit(f"pkuseg training wrote no {', '.join(missing)}")
        if args.out.exists():
            shutil.rmtree(args.out)
        args.out.mkdir(parents=True)
        for name in kept:
            shutil.copy2(model_tmp / name, args.out / name)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"model in {args.out} ({size / 1e6:.1f} MB) after {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
