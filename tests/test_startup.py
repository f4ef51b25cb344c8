"""Start-up: commands import only what they need, jieba's prefix dictionary is cached in the user
cache folder (never in site-packages), and the version lives in pyproject.toml alone."""

from __future__ import annotations

import ast
import marshal
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pipeline import segment
from pipeline.paths import cache_dir

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("spacy", "sklearn", "pandas", "openpyxl", "jieba", "torch")


def imported_by(args: list[str]) -> list[str]:
    """The heavy modules a command imports, run in a fresh interpreter."""
    code = ("import sys; from pipeline.__main__ import main; code = main(sys.argv[1:]);"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["review", "--help"], ["extract", "--help"],
                                  ["evaluate", "--help"], ["convert", "--help"], ["rank", "--help"]])
def test_commands_import_only_what_they_need(args):
    assert imported_by(args) == []


def test_version_is_the_pyproject_version(capsys):
    from pipeline.__main__ import main
    from pipeline.version import version

    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    assert version() == project["version"]
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"perfreport {project['version']}")
    assert project["scripts"]["perfreport"] == "pipeline.__main__:main"


def test_version_of_a_source_checkout_comes_from_pyproject(monkeypatch):
    import importlib.metadata

    from pipeline.version import version

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with (ROOT / "pyproject.toml").open("rb") as f:
        assert version() == tomllib.load(f)["project"]["version"]


def test_console_script_names_itself(tmp_path):
    script = Path(sys.executable).parent / "perfreport"
    if not script.exists():
        pytest.skip("the package is not installed with its console script (pip install -e .)")
    out = subprocess.run([str(script), "extract", "--nope"], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("usage: perfreport extract")
    assert subprocess.run([str(script), "--version"], capture_output=True, text=True).stdout.startswith("perfreport ")


def test_cache_dir_is_made_where_the_user_says(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFREPORT_CACHE_DIR", str(tmp_path / "a" / "b"))
    assert cache_dir() == tmp_path / "a" / "b" and (tmp_path / "a" / "b").is_dir()
    monkeypatch.delenv("PERFREPORT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache_dir() == tmp_path / "xdg" / "perfreport"


def test_cache_dir_is_none_when_it_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PERFREPORT_CACHE_DIR", str(blocker / "cache"))
    assert cache_dir() is None


@pytest.fixture
def fresh_jieba(tmp_path, monkeypatch):
    """A cache folder of its own and no tokenizer built yet (restored afterwards)."""
    monkeypatch.setenv("PERFREPORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(segment, "_jieba", None)
    import jieba

    return jieba


def test_jieba_reads_its_prefix_dictionary_from_the_user_cache(fresh_jieba):
    path = segment.jieba_cache_file(fresh_jieba)
    assert path.parent == Path(os.environ["PERFREPORT_CACHE_DIR"])
    assert "site-packages" not in str(path)
    path.write_bytes(marshal.dumps(({"预算": 50, "预": 0, "执行": 40, "执": 0}, 90)))
    tok = segment.jieba_tokenizer()
    assert tok.FREQ["预算"] == 50 and "中国" not in tok.FREQ  # the tiny cache, not jieba's dictionary
    assert "绩效自评" in tok.FREQ  # the user dictionary is added on top
    assert tok.tmp_dir == str(path.parent) and tok.cache_file == path.name


@pytest.mark.slow
def test_cache_is_built_when_missing_or_broken_and_segments_as_jieba_does(fresh_jieba):
    path = segment.jieba_cache_file(fresh_jieba)
    path.write_bytes(b"not a cache")
    text = "2023年调整预算数1000.00万元，预算执行率为95%，公众满意度达到88%。"
    cached = segment.tokens(text, "jieba")
    freq, total = marshal.loads(path.read_bytes())  # rebuilt by jieba and written there
    plain = fresh_jieba.Tokenizer()
    plain.initialize()
    assert (freq, total) == (plain.FREQ, plain.total)
    plain.load_userdict(str(segment.JIEBA_USERDICT))
    assert segment.jieba_tokenizer().FREQ == plain.FREQ
    assert cached == [w for w in plain.cut(text, HMM=True) if w.strip()]
