"""Save and load a trained stage as one pickle with a ``kind`` tag (cue/rule/learned).

The role classifier and the linker are stored inside the spaCy model directory by their
components' ``to_disk``; the file layout is unchanged from earlier models, so shipped models
keep loading.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any


def save_kind(path: str | Path, filename: str, kind: str, **state: Any) -> None:
    Path(path).mkdir(parents=True, exist_ok=True)
    (Path(path) / filename).write_bytes(pickle.dumps({"kind": kind, **state}))


def load_kind(path: str | Path, filename: str) -> dict[str, Any]:
    """The stored dict (``kind`` plus state). Only load models you trust: this is pickle."""
    return pickle.loads((Path(path) / filename).read_bytes())
