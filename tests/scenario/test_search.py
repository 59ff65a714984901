"""`/interview search` as a person uses it: signed requests to the real endpoint, the fake Slack's
record of what the bot answered (ephemeral, ten a page, Previous and Next, Open in a modal)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.capture.interviews import InterviewDraft, log_interview
from handlers.views.interview import InterviewAction
from handlers.views.search import SearchAction
from tests.conftest import RunningBot
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import TEAM_ID


def stored(
    bot: RunningBot, *, team_id: str = TEAM_ID, account: str = "Acme", day: int = 0, **texts: str
) -> int:
    """An interview stored straight through the capture service (as the log modal stores it)."""
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "account": account,
        "kind": "discovery",
        "held_on": date(2026, 11, 1) + timedelta(days=day),
        "pains": "Something else",
    }
    fields.update(texts)
    with bot.db.transaction() as session:
        logged = log_interview(
            session=session,
            team_id=team_id,
            user_id="U0001",
            draft=InterviewDraft(**fields),
            now=now,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return logged.interview.id


def sections(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if (b.get("accessory") or {}).get("action_id") == InterviewAction.OPEN]


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_search_finds_a_word_from_a_quote_and_nothing_from_another_workspace(
    bot: RunningBot, elsewhere: RunningBot
) -> None:
    submit_log_modal(bot, "Acme", quotes="We export invoices by hand <!channel> & <@U0002> *every* Friday")
    stored(bot, team_id="T0OTHER", account="Globex", quotes="We export invoices by hand too")
    body = bot.slack.command("search invoices").json()
    assert body["response_type"] == "ephemeral"
    (result,) = sections(body["blocks"])
    shown = result["text"]["text"]
    assert "*Acme*" in shown and "logged by <@U0001>" in shown
    assert "_What they said:_" in shown and "*invoices*" in shown
    # Typed text is escaped: nobody is pinged, the typed bold stays as typed.
    assert "&lt;!channel&gt; &amp; &lt;@U0002&gt;" in shown and "<!channel>" not in json.dumps(body)
    assert "Globex" not in json.dumps(body)
    # The other workspace finds its own, and nothing of ours.
    theirs = json.dumps(elsewhere.slack.command("search invoices").json())
    assert "Globex" in theirs and "Acme" not in theirs


def test_ten_a_page_with_next_and_previous_redrawing_the_same_message(bot: RunningBot) -> None:
    logged = [stored(bot, account=f"Customer {n:02d}", day=n, pains="Calendar sync fails") for n in range(12)]
    first = bot.slack.command("search calendar sync").json()["blocks"]
    newest_first = [f"Customer {n:02d}" for n in reversed(range(12))]
    assert [s["text"]["text"].split("*")[1] for s in sections(first)] == newest_first[:10]
    assert set(buttons(first)) == {SearchAction.NEXT}
    nxt = buttons(first)[SearchAction.NEXT]
    response = bot.slack.block_action(
        SearchAction.NEXT, block_id="b", value=nxt["value"], response_url=bot.fake.response_url
    )
    assert response.status == 200
    (redrawn,) = bot.fake.wait_for("response.url")
    assert redrawn.args["replace_original"] in (True, "true") and redrawn.args["response_type"] == "ephemeral"
    second = redrawn.args["blocks"]
    assert [s["text"]["text"].split("*")[1] for s in sections(second)] == newest_first[10:]
    assert set(buttons(second)) == {SearchAction.PREVIOUS}
    bot.slack.block_action(
        SearchAction.PREVIOUS,
        block_id="b",
        value=buttons(second)[SearchAction.PREVIOUS]["value"],
        response_url=bot.fake.response_url,
    )
    back = bot.fake.wait_for("response.url", count=2)[-1].args["blocks"]
    assert len(sections(back)) == 10
    assert len(logged) == 12


def test_open_shows_the_interview_in_a_modal(bot: RunningBot) -> None:
    found = stored(bot, account="Initech", pains="Renewal blocked by security review")
    (result,) = sections(bot.slack.command("search renewal").json()["blocks"])
    assert result["accessory"]["value"] == str(found)
    response = bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(found))
    assert response.status == 200
    (opened,) = bot.fake.wait_for("views.open")
    view = json.dumps(opened.args["view"])
    assert "Initech" in view and "Renewal blocked by security review" in view


def test_phrases_and_account_narrow_it(bot: RunningBot) -> None:
    stored(bot, account="Acme", pains="The export button is hidden")
    stored(bot, account="Globex", pains="The export button is hidden")
    stored(bot, account="Globex", pains="Export works, the button does not")

    def accounts(text: str) -> list[str]:
        blocks = bot.slack.command(f"search {text}").json()["blocks"]
        return sorted(s["text"]["text"].split("*")[1] for s in sections(blocks))

    assert accounts("export button") == ["Acme", "Globex", "Globex"]
    assert accounts('"export button"') == ["Acme", "Globex"]
    assert accounts('"export button" account:globex') == ["Globex"]
    unknown = json.dumps(bot.slack.command("search export account:Nowhere").json())
    assert "I know no account called *Nowhere*" in unknown


def test_an_empty_search_says_how_and_nothing_found_says_so(bot: RunningBot) -> None:
    assert "/interview search onboarding" in bot.slack.command("search").json()["text"]
    nothing = json.dumps(bot.slack.command('search "zebra crossing" NEAR(*)').json())
    assert "No interview matches" in nothing


def test_a_forged_page_button_is_refused_politely(bot: RunningBot) -> None:
    response = bot.slack.block_action(
        SearchAction.NEXT, block_id="b", value="{not json", response_url=bot.fake.response_url
    )
    assert response.status == 200
    (said,) = bot.fake.wait_for("chat.postMessage")  # the one error handler tells the person
    assert "out of date" in json.dumps(said.args)
    assert bot.fake.calls("response.url") == []


def test_a_study_narrows_the_search_each_result_names_its_study_and_an_unknown_one_lists_the_open(
    bot: RunningBot,
) -> None:
    from bot.studies.answers import set_study
    from bot.studies.store import StudyForm, create_study

    now = datetime.now(UTC)
    form = StudyForm(name="Older & slow phones", goal="Is the app too slow on old phones?", points="Slow")
    with bot.db.transaction() as session:
        study = create_study(session=session, team_id=TEAM_ID, by="U0001", form=form, now=now)
        pricing = StudyForm("<!here> pricing", "Why", "Dear")
        other = create_study(session=session, team_id=TEAM_ID, by="U0001", form=pricing, now=now)
    inside = stored(bot, account="Acme", pains="The app is slow on old phones")
    stored(bot, account="Globex", pains="The app is slow on old phones")
    with bot.db.transaction() as session:
        set_study(
            session=session,
            team_id=TEAM_ID,
            interview_id=inside,
            study_id=study.id,
            replies=[],
            by="U0001",
            now=now,
        )
    body = bot.slack.command('search slow study:"older & SLOW phones"').json()
    (result,) = sections(body["blocks"])
    assert "*Acme*" in result["text"]["text"]
    assert "_Study:_ Older &amp; slow phones" in result["text"]["text"]
    answer = bot.slack.command("search slow study:Onboarding").json()
    assert sections(answer["blocks"]) == []
    unknown = json.dumps(answer)
    assert "I know no study called *Onboarding*" in unknown
    assert 'Open studies: \\"&lt;!here&gt; pricing\\", \\"Older &amp; slow phones\\".' in unknown and other.id
    assert "<!here>" not in unknown
