"""The files of an ``extract`` run: checked before it starts, locked while it runs, written line by
line, and what they already hold (``--resume``).

``OUT`` and ``OUT.errors.jsonl`` are appended one complete line per ``write`` call and synced
per batch; :func:`load_done` reads back what a killed run finished, cutting a partial last line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.paths import writable_problem

# A failure as recorded: (source, document id or None, JSONL line or None). (source, None, None)
# is a whole file that could not be read.
FailureKey = tuple[str, str | None, int | None]


@dataclass
class Done:
    """What OUT and the errors file already hold (``--resume``)."""

    ids: dict[str, str] = field(default_factory=dict)  # document id → source
    # Every recorded failure, in the order recorded (a dict keeps it).
    failed: dict[FailureKey, bool] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, problem) for the summary


def errors_path(out: Path) -> Path:
    base = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(base + ".errors.jsonl")


# --------------------------------------------------------------------------------------------
# Before the run: every output writable, none of them an input or each other, no other run on OUT


def output_problems(outputs: dict[str, Path], inputs: Iterable[str | Path], files: Iterable[Path]) -> list[str]:
    """Why the run cannot write ``outputs`` ({"-o": OUT, "--csv": …}); empty when it can.

    Refused: a folder, a place that cannot be written, two outputs on one file (the JSONL would be
    replaced by the CSV), an output that is an input file (it would be truncated before it is
    read) or lies inside an input folder (the next run would read it as a report).
    """
    problems, first = [], {}
    real = {label: os.path.realpath(path) for label, path in outputs.items()}
    for label, where in real.items():
        problem = writable_problem(outputs[label])
        # The errors file lies beside OUT: its problems are OUT's, said once.
        if problem and not (label == "the errors file" and problems):
            problems.append(f"{label}: {problem}")
        if where in first:
            problems.append(f"{first[where]} and {label} are the same file ({outputs[label]}): give them different names")
        first.setdefault(where, label)
    input_files = {os.path.realpath(f) for f in files}
    folders = [(raw, os.path.realpath(raw)) for raw in inputs if os.path.isdir(raw)]
    for label, where in real.items():
        if label == "the errors file" and problems:
            continue
        if where in input_files:
            problems.append(f"{label} {outputs[label]} is also an input file: it would be overwritten; "
                            "write the output somewhere else")
            continue
        for raw, folder in folders:
            if Path(where).is_relative_to(folder):
                problems.append(f"{label} {outputs[label]} is inside the input folder {raw}: the next run would "
                                "read it as a report; write outputs outside the folders you extract (e.g. out/)")
                break
    return problems


class OutputLock:
    """An exclusive lock on OUT for one run (``.OUT.lock`` beside it), so that two runs never write
    one OUT (each would append every document). The kernel drops the lock when the process ends,
    even by kill -9, so a lock file left behind never blocks a later run."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out.with_name(f".{out.name}.lock")
        self.fd: int | None = None

    def acquire(self) -> str | None:
        """Take the lock; the problem (another run holds it) when it cannot be had at once."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 100).decode("ascii", "replace").strip()
                os.close(fd)
                return (f"another extract run (process {holder or '?'}) is writing {self.out}: wait for it to "
                        f"finish, or write to another -o (its lock: {self.path})")
            try:  # a run that just ended removed the file we opened: lock the one that is there now
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd
        return None

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


# --------------------------------------------------------------------------------------------
# During and after the run


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
        done.failed[(source, obj.get("id"), obj.get("line"))] = True
        done.failures.append((failure_label(source, obj.get("id"), obj.get("line")), problem))
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


def failure_label(source: str, doc_id: str | None, line: int | None = None) -> str:
    """``path``, ``path:line`` for a JSONL line, plus ``[id]`` when the id does not follow from the path."""
    label = f"{source}:{line}" if line else source
    stem = Path(source).with_suffix("").as_posix()
    if doc_id is None or (not line and (Path(source).stem == doc_id or stem.endswith("/" + doc_id))):
        return label
    return f"{label} [{doc_id}]"
