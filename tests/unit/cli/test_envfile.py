"""`.env` read as the shell reads it when `./scripts/run` sources it: KEY=value lines, quotes, comments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli.envfile import env_file_applied, read_env_file
from bot.config import ConfigError


def test_settings_are_read_as_the_shell_reads_them(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "\ufeff# settings\n"
        "\n"
        "PLAIN=sqlite:///bot.db\n"
        "export EXPORTED=yes\n"
        "COMMENTED=value # a note\n"
        "HASH=a#b\n"
        "SINGLE='its'\n"
        "SPACED='a b  c'   # note\n"
        'DOUBLE="say \\"hi\\" \\\\ $HOME"\n'
        "EMPTY=\n"
        "  INDENTED=1\n",
        encoding="utf-8",
    )
    assert read_env_file(env) == {
        "PLAIN": "sqlite:///bot.db",
        "EXPORTED": "yes",
        "COMMENTED": "value",
        "HASH": "a#b",
        "SINGLE": "its",
        "SPACED": "a b  c",
        "DOUBLE": 'say "hi" \\ $HOME',
        "EMPTY": "",
        "INDENTED": "1",
    }


@pytest.mark.parametrize(
    "line",
    ["SLACK_BOT_TOKEN xoxb-1", "KEY='unclosed", 'KEY="unclosed', "KEY='a' b", "1KEY=x", "KEY = x"],
)
def test_a_line_that_is_not_a_setting_is_named_by_its_number_not_its_text(tmp_path: Path, line: str) -> None:
    env = tmp_path / ".env"
    env.write_text(f"GOOD=1\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_env_file(env)
    assert str(raised.value) == f"{env} line 2 is not a KEY=value setting; fix it or remove it."


def test_no_file_is_no_settings(tmp_path: Path) -> None:
    assert read_env_file(tmp_path / ".env") == {}


def test_the_environment_wins_and_the_files_settings_go_when_the_command_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text("IB_TEST_OURS=file\nIB_TEST_NEW=file\n", encoding="utf-8")
    monkeypatch.setenv("IB_TEST_OURS", "environment")
    monkeypatch.delenv("IB_TEST_NEW", raising=False)
    with env_file_applied(env) as added:
        assert added == {"IB_TEST_NEW": "file"}
        assert os.environ["IB_TEST_OURS"] == "environment" and os.environ["IB_TEST_NEW"] == "file"
    assert "IB_TEST_NEW" not in os.environ and os.environ["IB_TEST_OURS"] == "environment"
