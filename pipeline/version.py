"""The version, kept in one place: ``version`` in pyproject.toml.

An installed package (``pip install``, ``pip install -e``) reports it through
:mod:`importlib.metadata`; a source checkout that was never installed reads pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "perfreport-extract"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def version() -> str:
    """The package version, e.g. ``0.2.0`` (``0+unknown`` when neither source can say)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        pass
    try:
        import tomllib

        with _PYPROJECT.open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "0+unknown"
