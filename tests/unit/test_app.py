"""The one error handler: typed errors keep their short answers, and no body's shape can make it fail."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.errors import BotError, InvalidInput, StartupError
from handlers.app import handle_error, read_installation
from handlers.requests.shape import Installation
from tests.support.fake_slack import FakeSlack

ODD_VIEWS: list[Any] = [
    "a string",
    None,
    ["a", "list"],
    5,
    {"blocks": "x"},
    {"blocks": [5, "x", None, {"type": "input"}, {"type": "input", "block_id": 5}]},
]


@pytest.mark.parametrize("view", ODD_VIEWS)
def test_a_view_of_any_shape_gets_an_answer(view: Any, caplog: pytest.LogCaptureFixture) -> None:
    response = handle_error(RuntimeError("bug"), {"type": "view_submission", "view": view}, BoltContext())
    assert response.status == 200
    # One error, the listener's: the handler did not fail on the view too.
    assert [r.getMessage()[:16] for r in caplog.records if r.levelno >= logging.ERROR] == ["unexpected error"]


def test_the_first_readable_input_block_shows_the_message() -> None:
    view = {"blocks": [5, "x", {"type": "input", "block_id": 5}, {"type": "input", "block_id": "account"}]}
    response = handle_error(BotError("Not now."), {"type": "view_submission", "view": view}, BoltContext())
    assert json.loads(response.body) == {"response_action": "errors", "errors": {"account": "Not now."}}


def test_typed_errors_keep_their_answers() -> None:
    view = {"blocks": [{"type": "section", "block_id": "s"}, {"type": "input", "block_id": "account"}]}
    body = {"type": "view_submission", "view": view}
    fields = json.loads(handle_error(InvalidInput({"kind": "Pick one."}), body, BoltContext()).body)
    assert fields == {"response_action": "errors", "errors": {"kind": "Pick one."}}
    on_first = json.loads(handle_error(BotError("Not now."), body, BoltContext()).body)
    assert on_first == {"response_action": "errors", "errors": {"account": "Not now."}}
    command = json.loads(handle_error(BotError("Not now."), {"command": "/interview"}, BoltContext()).body)
    assert command == {"response_type": "ephemeral", "text": "Not now."}
    assert json.loads(handle_error(BotError("x"), {"type": "block_suggestion"}, BoltContext()).body) == {
        "options": []
    }


def test_the_installation_is_the_bot_tokens_workspace_and_an_org_wide_token_is_refused() -> None:
    with FakeSlack(token="xoxb-test", team_id="T0042") as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)
        assert read_installation(client) == Installation(team_id="T0042")
        grid = {"ok": True, "team_id": "T0042", "enterprise_id": "E0001", "is_enterprise_install": False}
        fake.answer("auth.test", grid)
        assert read_installation(client) == Installation(team_id="T0042", enterprise_id="E0001")
        fake.answer("auth.test", {**grid, "team_id": None, "is_enterprise_install": True})
        with pytest.raises(StartupError, match="organisation-wide install \\(enterprise E0001\\)"):
            read_installation(client)
