"""perfreport: structured facts from Chinese government performance self-evaluation reports (绩效自评报告).

For notebooks (:mod:`pipeline.api`; the model is loaded once, on first use)::

    from pipeline import extract_text, extract_file, to_frames

Importing the package loads nothing heavy: the names below are looked up when first used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__", "extract_file", "extract_files", "extract_text", "load", "to_frames"]
_API = frozenset({"extract_file", "extract_files", "extract_text", "load", "to_frames"})


def __getattr__(name: str) -> Any:
    if name in _API:
        from pipeline import api

        return getattr(api, name)
    if name == "__version__":
        from pipeline.version import version

        return version()
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
