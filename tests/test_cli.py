"""Every command answers --help the same way: exit 0, usage naming it as ``python -m pipeline <cmd>``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.__main__ import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_naming_itself(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m pipeline {command} ")
    assert "options:" in out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_bad_option_is_a_usage_error_naming_the_command(command, capsys):
    assert main([command, "--no-such-option"]) == 2
    assert f"python -m pipeline {command}: error:" in capsys.readouterr().err


def test_help_from_a_fresh_interpreter():
    run = subprocess.run([sys.executable, "-m", "pipeline", "build-gold", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("usage: python -m pipeline build-gold")


def test_old_module_entry_points_still_run(tmp_path):
    # annotators run the gold source compiler by its module path; a name that matches nothing compiles nothing
    run = subprocess.run([sys.executable, "-m", "pipeline.gold_source", "no-such-source", "-v"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == ""


def test_usage_errors_name_the_command(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nothing"), "-o", str(tmp_path / "o.jsonl"),
                 "--model", str(tmp_path / "no-model")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m pipeline extract: error: no model at")
    assert main(["evaluate", "--gold", str(tmp_path / "missing.jsonl"), "--pred", str(tmp_path / "p.jsonl")]) == 1
    assert capsys.readouterr().err.startswith("python -m pipeline evaluate: error:")
