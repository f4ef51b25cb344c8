"""Where things are: the project root and the default model, typed once."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = "models/perfreport"
ANNOTATIONS = "annotations"


def from_root(path: str | Path, must_be_dir: bool = False) -> Path:
    """A relative path is taken from the working directory, else from the project root.

    Commands are run from the repository and from elsewhere (tests, notebooks); the working
    directory wins so that a user's own ``models/perfreport`` is never shadowed.
    """
    path = Path(path)
    here = path.is_dir() if must_be_dir else path.exists()
    there = (ROOT / path).is_dir() if must_be_dir else (ROOT / path).exists()
    if not path.is_absolute() and not here and there:
        return ROOT / path
    return path


def writable_problem(path: str | Path) -> str | None:
    """Why a file cannot be written at ``path`` (None when it can), found without leaving anything on disk.

    Checked before a command starts its work, so that a bad output path costs a message, not a run.
    Writing needs the folder (new files, atomic replacement), so a test file is made and removed
    in the nearest folder that exists; missing folders below it are made when writing.
    """
    import tempfile

    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder: name a file in it (e.g. {path / 'predictions.jsonl'})"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot write {path}: {folder} is a file, not a folder; choose a place you can write to"
    try:
        fd, test = tempfile.mkstemp(dir=folder, prefix=".write-test-")
        os.close(fd)
        os.unlink(test)
    except OSError as err:
        return f"cannot write {path}: {err.strerror or err} ({folder}); choose a place you can write to"
    if path.exists() and not os.access(path, os.W_OK):
        return f"cannot write {path}: Permission denied; choose a place you can write to"
    return None


def cache_dir() -> Path | None:
    """The user's cache folder for perfreport, created if missing (None when it cannot be made).

    ``$PERFREPORT_CACHE_DIR`` if set; else ``$XDG_CACHE_HOME/perfreport`` or ``~/.cache/perfreport``
    (Linux), ``~/Library/Caches/perfreport`` (macOS), ``%LOCALAPPDATA%\\perfreport\\Cache`` (Windows).
    Never inside the installed package: site-packages may be read-only or shared.
    """
    if os.environ.get("PERFREPORT_CACHE_DIR"):
        folder = Path(os.environ["PERFREPORT_CACHE_DIR"])
    elif sys.platform == "win32":
        folder = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "perfreport" / "Cache"
    elif sys.platform == "darwin":
        folder = Path.home() / "Library" / "Caches" / "perfreport"
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "perfreport"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK | os.X_OK) else None
