"""The digest's Block Kit, whatever people typed: Slack accepts it, nobody is pinged, long lists end
with "and N more"."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.content import Digest, FollowUpHealth, Heard
from bot.digest.period import Period
from bot.digest.ranking import Ranked, Said, ThemeInPeriod, TopicInPeriod, Trend
from bot.digest.terminal import digest_text
from bot.digest.weight import Weight
from bot.text import escape_mrkdwn
from handlers.views.digest import digest_message, digest_replies, preview_message
from handlers.views.subscriptions import SubscriptionForm, SubscriptionRow, subscriptions_modal
from storage.models import QuietWeek, RankBy, ThemeKind
from tests.support.digests import digest as hand_built
from tests.support.digests import pain
from tests.support.fake_slack import slack_would_reject

HOSTILE = "<!channel> <!here> <@U0BOSS> <#C0GENERAL> &amp; *bold* <https://evil.example|click>"
text = st.text(min_size=1, max_size=400) | st.just(HOSTILE) | st.text(alphabet="<>&@!|*_~`", min_size=1)


def theme(
    n: int, name: str, words: list[str], *, kind: ThemeKind = ThemeKind.PAIN, ever: int = 5
) -> ThemeInPeriod:
    return ThemeInPeriod(
        theme_id=n,
        name=name,
        kind=kind,
        accounts=min(ever, 5),
        mentions=7,
        last_seen=date(2026, 11, 20),
        accounts_ever=ever,
        history=(0, 1, 0, 2, 1, 0, 1, 1),
        trend=Trend.RISING,
        words=tuple(Said(w, name, date(2026, 11, 20), 100 + n, ("pain", n)) for w in words),
        emerging="5 accounts this week, 0.5 a week before",
        # Segments are typed by people: the theme's name stands in for one, whatever it holds.
        weight=Weight(
            min(ever, 5), 420_000 * min(ever, 5), max(min(ever, 5) - 1, 1), ((name, 2), ("SMB", 1))
        ),
    )


def topics_of(recurring: list[ThemeInPeriod], names: list[str]) -> list[TopicInPeriod]:
    """Two pains to a topic (the last alone, named as its pain), as the ranking groups them."""
    pairs = [recurring[i : i + 2] for i in range(0, len(recurring), 2)]
    return [
        TopicInPeriod(
            topic_id=n,
            name=pains[0].name if len(pains) == 1 else names[n % len(names)] + " area",
            kind=ThemeKind.PAIN,
            accounts=6,
            mentions=sum(p.mentions for p in pains),
            last_seen=date(2026, 11, 20),
            accounts_ever=9,
            history=(0, 1, 0, 2, 1, 0, 1, 3),
            trend=Trend.STEADY,
            pains=tuple(pains),
            weight=Weight(6, 9_000_000, 6, (("Enterprise", 4), ("SMB", 2))),
        )
        for n, pains in enumerate(pairs)
    ]


def digest(names: list[str], words: list[str], many: int = 3) -> Digest:
    recurring = [theme(n, names[n % len(names)], words) for n in range(many)]
    single = [theme(100 + n, names[n % len(names)], words, ever=1) for n in range(many)]
    requests = [theme(200 + n, names[n % len(names)], words, kind=ThemeKind.REQUEST) for n in range(many)]
    return Digest(
        team_id="T1",
        period=Period(end=date(2026, 11, 23)),
        heard=Heard(30, [("Discovery interview", 30)], [("U0001", 11), ("U0002", 19)], 12, 4),
        pains=Ranked(recurring, single, 4, topics_of(recurring, names)),
        requests=Ranked(requests, [], 1),
        emerging=recurring[:2],
        follow_ups=FollowUpHealth(open=12, overdue=3, thank_yous=10, thank_yous_on_time=8),
        gone_quiet=[(names[0], date(2026, 6, 1))],
        gone_quiet_total=14,
        look_alikes=2,
        chart=recurring[:5],
    )


def accepted(blocks: list, text: str = "x") -> list[str]:
    dumped = [b.to_dict() for b in blocks]
    return slack_would_reject(message={"channel": "C1", "text": text, "blocks": dumped})


def no_ping(blocks: list) -> None:
    raw = json.dumps([b.to_dict() for b in blocks])
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0BOSS>" not in raw
    assert "<https://evil" not in raw


@settings(max_examples=40, deadline=None)
@given(st.lists(text, min_size=1, max_size=3), st.lists(text, min_size=0, max_size=2), st.integers(0, 40))
def test_every_part_is_accepted_and_pings_nobody(names: list[str], words: list[str], many: int) -> None:
    built = digest(names, words, many)
    title, blocks = digest_message(built, lambda user: escape_mrkdwn(HOSTILE))  # as the poster names people
    assert accepted(blocks, title) == [] and len(blocks) <= 50
    no_ping(blocks)
    for reply_title, reply in digest_replies(built):
        assert accepted(reply, reply_title) == []
        no_ping(reply)
    _, preview = preview_message(built, lambda user: f"<@{user}>")
    assert accepted(preview) == [] and len(preview) <= 50


def test_the_channel_message_is_a_screen_and_says_how_many_more() -> None:
    built = digest(["Slow reports"], ["It takes forever"], many=15)  # 8 topics of 15 pains
    _, blocks = digest_message(built, str)
    raw = json.dumps([b.to_dict() for b in blocks])
    # The top 5 topics, each with its pains under it and their own counts; the other 3 in the thread.
    assert raw.count("Slow reports area") == 5 and "and 3 more topics in the thread" in raw
    assert raw.count("6 accounts this week") == 5 and raw.count("5 accounts this week, 7 mentions") == 10
    assert raw.count("Open interview") == 5
    assert len(blocks) < 15
    replies = dict(digest_replies(built))
    more = json.dumps([b.to_dict() for b in replies["More topics"]])
    assert "*6. Slow reports area*" in more and "*8. Slow reports*" in more  # the last: one pain, as itself


def test_each_theme_topic_and_lone_pain_shows_its_weight() -> None:
    built = digest(["Slow <reports>"], ["It takes forever"], many=3)
    _, blocks = digest_message(built, str)
    raw = json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)
    # The topic's own weight, and each of its pains' under it; the segment typed by people escaped.
    assert "6 accounts · $9M ARR · Enterprise 4, SMB 2" in raw
    assert raw.count("5 accounts · $2.1M ARR (ARR known for 4 of 5) · Slow &lt;reports&gt; 2, SMB 1") == 3
    lone = json.dumps([b.to_dict() for b in dict(digest_replies(built))["Pains one account raised"]])
    assert lone.count("(Slow &lt;reports&gt;, $420k ARR)") == 3  # the account (named as the theme here)
    text = digest_text(built)
    assert "      6 accounts · $9M ARR · Enterprise 4, SMB 2" in text
    assert "          5 accounts · $2.1M ARR (ARR known for 4 of 5) · Slow <reports> 2, SMB 1" in text
    assert "(Slow <reports>, $420k ARR)" in text


def test_the_subscriptions_modal_is_accepted_with_forty_one_subscriptions() -> None:
    rows = [
        SubscriptionRow(
            n,
            f"C{n:05d}",
            f"Mondays at 09:00 ({HOSTILE})",
            HOSTILE if n % 2 else None,
            RankBy.ARR if n % 3 == 0 else RankBy.ACCOUNTS,
        )
        for n in range(41)
    ]
    view = subscriptions_modal(
        SubscriptionForm(
            timezone="Europe/Paris", at=time(8, 30), quiet=QuietWeek.NOTHING, rank_by=RankBy.ARR
        ),
        rows,
    ).to_dict()
    assert slack_would_reject(view=view) == []
    assert "and 1 more" in json.dumps(view)
    # The 14 shown that rank by ARR say so; the form opens on the ranking it was given.
    assert json.dumps(view, ensure_ascii=False).count("· ranked by ARR") == 14
    (ranking,) = [b for b in view["blocks"] if b.get("block_id") == "digest_rank"]
    assert ranking["label"]["text"] == "Rank themes by"
    assert [o["value"] for o in ranking["element"]["options"]] == ["accounts", "arr"]
    assert ranking["element"]["initial_option"]["value"] == "arr"


def test_a_first_digest_in_slack_marks_nothing_new_or_emerging_and_says_why() -> None:
    built = hand_built(
        Period(end=date(2026, 12, 8)), [pain(1, "Slow reports", 5), pain(2, "Bad invoices", 3)]
    )
    title, blocks = digest_message(built, str)
    raw = json.dumps([b.to_dict() for b in blocks])
    assert title == "Customer digest, 1 – 7 Dec 2026"
    assert "first digest: no earlier periods to compare with" in raw
    assert "🆕" not in raw and "Emerging" not in raw and "· new" not in raw
    assert "*1. Slow reports*\\n5 accounts this week (5 ever)" in raw  # no trend mark, no trend word


def test_slack_counts_in_the_singular_and_names_a_28_day_period_as_it_is() -> None:
    period = Period(end=date(2026, 12, 8), days=28)
    built = hand_built(period, [pain(1, "Slow reports", 1, (2, 0), ever=3)], interviews=1, accounts=1)
    title, blocks = preview_message(built, str)
    raw = json.dumps([b.to_dict() for b in blocks])
    assert title == "Customer digest, 10 Nov – 7 Dec 2026"
    assert "1 interview with 1 account" in raw and "1 account in these 28 days" in raw
    assert "week" not in raw.lower()
    quiet, _ = preview_message(hand_built(period, interviews=0, accounts=0), str)
    assert quiet.startswith("No interview was logged in these 28 days (10 Nov – 7 Dec 2026).")


def test_one_more_topic_and_one_pair_that_looks_alike_are_singular() -> None:
    built = digest(
        ["Slow reports"], ["It takes forever"], many=11
    )  # 6 topics: one more than the channel shows
    built = replace(built, look_alikes=1)
    raw = json.dumps([b.to_dict() for b in digest_message(built, str)[1]])
    assert "and 1 more topic in the thread" in raw and "1 pair of themes looks alike" in raw
