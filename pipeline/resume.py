"""The files of an ``extract`` run, written line by line, and what they already hold (``--resume``).

``OUT`` and ``OUT.errors.jsonl`` are appended one complete line per ``write`` call and synced
per batch; :func:`load_done` reads back what a killed run finished, cutting a partial last line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Done:
    """What OUT and the errors file already hold (``--resume``)."""

    ids: dict[str, str] = field(default_factory=dict)  # document id → source
    # (source, id or None for a whole file) → True, in the order recorded (a dict keeps it).
    failed: dict[tuple[str, str | None], bool] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, problem) for the summary


def errors_path(out: Path) -> Path:
    base = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(base + ".errors.jsonl")


def _complete_lines(path: Path) -> list[bytes]:
    """The complete lines of ``path``, after cutting off a trailing partial line in place."""
    if not path.exists():
        return []
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep != len(data):
        # A crash mid-write left a line without its newline: it is incomplete, so it goes.
        with path.open("r+b") as f:
            f.truncate(keep)
            os.fsync(f.fileno())
    return [line for line in data[:keep].split(b"\n") if line.strip()]


def load_done(out: Path, errors: Path) -> Done:
    """What a previous run wrote (``--resume``); raises ValueError when a file is not ours."""
    done = Done()
    for number, line in enumerate(_complete_lines(out), 1):
        try:
            obj = json.loads(line)
            doc_id, source = obj["id"], obj.get("meta", {}).get("source")
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{out}:{number} is not a document line ({err}); cannot resume into this file") from err
        done.ids[doc_id] = source
    for number, line in enumerate(_complete_lines(errors), 1):
        try:
            obj = json.loads(line)
            source, problem = obj["source"], obj["error"]
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{errors}:{number} is not an error record ({err}); cannot resume") from err
        done.failed[(source, obj.get("id"))] = True
        done.failures.append((failure_label(source, obj.get("id")), problem))
    return done


class LineWriter:
    """Appends whole lines with one write call each; ``sync`` makes them durable."""

    def __init__(self, path: Path, truncate: bool):
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        self.fd = os.open(path, flags, 0o644)

    def write(self, line: str) -> None:
        data = (line + "\n").encode("utf-8")
        # os.write on an unbuffered descriptor: a full line goes out in one system call, never
        # split by a buffer boundary. A short write (disk full) is finished off; if we die
        # in between, resume cuts the partial line.
        while data:
            data = data[os.write(self.fd, data) :]

    def sync(self) -> None:
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def failure_label(source: str, doc_id: str | None) -> str:
    """``path``, or ``path [id]`` when the failed document is one of several in the file."""
    return source if doc_id is None or Path(source).stem == doc_id else f"{source} [{doc_id}]"
