"""Typed text made safe for Slack: escaping, splitting and cutting never break an entity or a mention."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import TRUNCATION_MARK, chunk, clean_text, counted, escape_mrkdwn, plural, split_lines, truncate

hostile = st.text(alphabet=st.sampled_from(list("<>&!@#|abc xyz\n\u200f😀")), max_size=400)


def test_escape_leaves_no_control_characters() -> None:
    assert escape_mrkdwn("<!channel> & <@U1> &lt;") == "&lt;!channel&gt; &amp; &lt;@U1&gt; &amp;lt;"


@given(hostile)
def test_escaped_text_has_no_angle_brackets_and_round_trips(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@given(hostile, st.integers(min_value=20, max_value=300))
def test_chunks_fit_and_never_split_an_entity(text: str, limit: int) -> None:
    escaped = escape_mrkdwn(text)
    pieces = chunk(escaped, limit)
    assert all(len(p) <= limit for p in pieces)
    for piece in pieces:
        amp = piece.rfind("&")
        assert amp == -1 or ";" in piece[amp:], piece
    assert "".join(pieces).replace(" ", "").replace("\n", "") == escaped.replace(" ", "").replace("\n", "")


@given(hostile, st.integers(min_value=len(TRUNCATION_MARK) + 5, max_value=300))
def test_truncate_fits_shows_the_mark_and_never_splits_an_entity(text: str, limit: int) -> None:
    escaped = escape_mrkdwn(text)
    cut = truncate(escaped, limit)
    assert len(cut) <= limit
    if cut != escaped:
        assert cut.endswith(TRUNCATION_MARK)
        body = cut[: -len(TRUNCATION_MARK)]
        amp = body.rfind("&")
        assert amp == -1 or ";" in body[amp:]


def test_split_lines_drops_bullets_and_blank_lines_but_keeps_emoji_and_rtl() -> None:
    text = "- slow reports\n\n• no audit trail 🐢\n  * مشكلة في التقارير  \n\x07bell"
    assert split_lines(text) == ["slow reports", "no audit trail 🐢", "مشكلة في التقارير", "bell"]


def test_clean_text_keeps_emoji_sequences_and_direction_marks() -> None:
    family = "👩\u200d👩\u200d👧"
    england = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    isolated = "\u2067שלום\u2069"
    assert (
        clean_text(f" {family} \u200fשלום {england} {isolated} ")
        == f"{family} \u200fשלום {england} {isolated}"
    )


def test_clean_text_drops_nul_controls_and_direction_overrides() -> None:
    assert clean_text("a\x00b\x07c\u202eevil\u202d") == "abcevil"
    assert clean_text("two\nlines\tand a tab") == "two\nlines\tand a tab"


@pytest.mark.parametrize(
    ("n", "word", "said"),
    [
        (1, "interview", "1 interview"),
        (2, "interview", "2 interviews"),
        (0, "account", "0 accounts"),
        (1, "account", "1 account"),
        (3, "reply", "3 replies"),
        (2, "day", "2 days"),
        (2, "match", "2 matches"),
        (2, "person", "2 people"),
        (1, "person", "1 person"),
        (2, "more topic", "2 more topics"),
    ],
)
def test_counted_puts_the_word_in_the_number_it_takes(n: int, word: str, said: str) -> None:
    assert counted(n, word) == said


def test_plural_takes_an_odd_plural_and_agrees_a_verb() -> None:
    assert (
        counted(2, "criterion", "criteria") == "2 criteria"
        and counted(1, "criterion", "criteria") == "1 criterion"
    )
    assert f"1 pair {plural(1, 'looks')} alike" == "1 pair looks alike"
    assert f"2 pairs {plural(2, 'looks')} alike" == "2 pairs look alike"
