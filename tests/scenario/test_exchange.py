"""`/interview export` as a person types it: the file comes by DM, reads back as what was logged, and no
cell of it can run as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID

HOSTILE = {
    "contact_name": '=HYPERLINK("http://evil.example","Click")',
    "contact_role": "+1 555 0100",
    "goal": "-2+3",
    "quotes": "@SUM(A1:A9)\nThey said “it is slow”, twice",
    "interpretation": 'Line one\nLine two, with a comma, and "quotes"',
    "closing_answer": "Ask Dana",
    "notes": "Plain notes",
}


@pytest.fixture(autouse=True)
def exporter_is_an_admin(bot: RunningBot) -> None:
    """Exporting the workspace is for admins and owners (who else may: tests/scenario/test_permissions.py)."""
    bot.fake.set_user(USER_ID, is_admin=True)


def exported(bot: RunningBot, text: str = "export", **kwargs: str) -> list[dict[str, str]]:
    """Run the command, wait for what follows the ack, and read the DM'd file back with csv."""
    before = set(bot.fake.uploads)
    body = bot.slack.command(text, **kwargs).json()
    assert body["response_type"] == "ephemeral" and "DM you" in body["text"]
    after_ack_done(bot.deps)
    new = [f for f in bot.fake.uploads if f not in before]
    assert len(new) == 1, new
    raw = bot.fake.uploads[new[0]]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_exported_file_reads_back_as_what_was_logged_with_formulas_defused(bot: RunningBot) -> None:
    submit_log_modal(
        bot, "Acme", held_on="2026-03-02", pains="Reports are slow\nSSO breaks", requests="SAML", **HOSTILE
    )
    submit_log_modal(bot, "Globex", held_on="2026-03-05", pains="Billing is confusing", user_id="U0002")
    after_ack_done(bot.deps)
    rows = exported(bot)
    # The file went to the person's DM, opened first, with files_upload_v2.
    complete = bot.fake.calls("files.completeUploadExternal")[-1]
    opened = bot.fake.calls("conversations.open")[-1]
    assert opened.args["users"] == "U0001"
    assert complete.args["channel_id"].startswith("D")
    assert [r["account"] for r in rows] == ["Acme", "Globex"]
    acme = rows[0]
    assert acme["date"] == "2026-03-02" and acme["kind"] == "discovery" and acme["who"] == "U0001"
    assert acme["pains"] == "Reports are slow\nSSO breaks" and acme["requests"] == "SAML"
    # Line breaks, commas and quotes inside a cell come back as typed.
    assert acme["what we heard"] == HOSTILE["interpretation"]
    assert acme["closing answer"] == "Ask Dana" and acme["notes"] == "Plain notes"
    # Whatever could run as a formula starts with a quote; the rest of it is as typed.
    assert acme["contact"] == "'" + HOSTILE["contact_name"]
    assert acme["role"] == "'+1 555 0100"
    assert acme["goal"] == "'-2+3"
    assert acme["what they said"] == "'" + HOSTILE["quotes"]
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "thank_you (open): Send Acme a thank-you email" in acme["follow-ups"]
    assert rows[1]["who"] == "U0002"


def test_export_of_one_account_since_a_date_and_never_another_workspaces(
    bot: RunningBot, elsewhere: RunningBot
) -> None:
    submit_log_modal(bot, "Acme", held_on="2026-01-10", pains="Old pain")
    submit_log_modal(bot, "Acme", held_on="2026-03-10", pains="New pain")
    submit_log_modal(bot, "Globex", held_on="2026-03-11", pains="Globex pain")
    submit_log_modal(elsewhere, "Initech", held_on="2026-03-12", pains="Not yours")
    after_ack_done(bot.deps)
    after_ack_done(elsewhere.deps)
    elsewhere.fake.set_user(USER_ID, is_admin=True)
    assert [r["pains"] for r in exported(bot, "export acme since 2026-02-01")] == ["New pain"]
    assert [r["account"] for r in exported(bot, "export since 2026-03-01")] == ["Acme", "Globex"]
    assert [r["account"] for r in exported(elsewhere, "export")] == ["Initech"]
    # Another workspace's account is no account here.
    body = bot.slack.command("export Initech").json()
    assert "no account named" in body["text"] and body["response_type"] == "ephemeral"


def test_a_bad_date_is_said_at_once_and_nothing_is_sent(bot: RunningBot) -> None:
    body = bot.slack.command("export since yesterday").json()
    assert body["response_type"] == "ephemeral" and "is not a date" in body["text"]
    after_ack_done(bot.deps)
    assert not bot.fake.calls("files.getUploadURLExternal")


def test_nothing_to_export_is_said_by_dm(bot: RunningBot) -> None:
    bot.slack.command("export")
    after_ack_done(bot.deps)
    assert not bot.fake.uploads
    assert "no interviews" in bot.fake.calls("chat.postMessage")[-1].args["text"]
