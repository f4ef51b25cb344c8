"""Where things are: the project root and the default model, typed once."""

from __future__ import annotations

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
