"""Choosing a theme's label from its lines: pure functions, no database, no model."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.themes.embeddings import LexicalEmbedder
from bot.themes.labels import (
    KEEP_WITHIN,
    Background,
    Candidate,
    ThemeText,
    choose,
    label_themes,
    phrases,
    shortlist,
)

EXPORTS = [
    "The Excel export keeps failing",
    "Excel export is broken for big files",
    "We cannot get the Excel export to finish",
]
LOGINS = ["We get logged out all the time", "Logged out every hour", "I keep getting logged out"]


def collapsed(text: str) -> str:
    return " ".join(text.split())


def test_phrases_are_two_to_six_words_with_no_stop_word_at_either_end() -> None:
    found = phrases("We cannot get the Excel export to finish, it times out")
    assert "Excel export" in found.values()
    for phrase in found.values():
        words = phrase.split()
        assert 2 <= len(words) <= 6
        assert words[0].lower() not in {"we", "the", "to", "it"} and words[-1].lower() not in {"the", "to"}
        # Never across the comma: each phrase is in one clause of the line.
        assert phrase in "We cannot get the Excel export to finish" or phrase in "it times out"


def test_a_phrasal_verb_may_end_on_its_particle_and_a_clause_word_splits() -> None:
    assert "logged out" in phrases("We get logged out all the time").values()
    assert "top up" in phrases("I can't top up with my card").values()
    # "but" starts another thought: no phrase runs across it.
    assert not any("but" in p.split() for p in phrases("My top-up failed but the app says done").values())


def test_phrases_keep_the_words_as_typed_and_one_key_per_spelling() -> None:
    found = phrases("The EXCEL Export fails")
    assert "EXCEL Export" in found.values()
    assert found.keys() == phrases("the excel exports fails").keys()  # case and a plural are one key


def test_markup_between_words_is_no_phrase() -> None:
    assert phrases("<!channel> & <@U123> *bold* reports") == {}
    assert phrases("slow") == {}
    assert phrases("報告書の作成に時間がかかりすぎる") == {}


def test_the_shortlist_prefers_what_many_of_its_lines_say_and_few_others_do() -> None:
    background = Background.of(EXPORTS + LOGINS + ["The export of contacts is fine"] * 5)
    best = shortlist(EXPORTS, background)[0]
    assert best.text == "Excel export" and best.lines == 3
    # A phrase of a single line is a fragment, while others are shared by several.
    assert all(c.lines >= 2 for c in shortlist(EXPORTS, background))


def test_the_current_label_stays_while_it_is_nearly_as_good() -> None:
    a = Candidate("Excel export", ("excel", "export"), 3, 1.0)
    b = Candidate("export keeps failing", ("export", "keep", "fail"), 2, KEEP_WITHIN + 0.01)
    assert choose(candidates=[a, b]) is a
    assert choose(candidates=[a, b], current="export keeps failing") is b
    c = Candidate("big files", ("big", "file"), 2, KEEP_WITHIN - 0.05)
    assert choose(candidates=[a, c], current="big files") is a  # too far behind: replaced


def test_a_label_another_theme_has_is_not_repeated_while_there_is_another() -> None:
    a = Candidate("Excel export", ("excel", "export"), 3, 1.0)
    b = Candidate("big files", ("big", "file"), 2, 0.5)
    assert choose(candidates=[a, b], taken=frozenset({("excel", "export")})) is b
    assert choose(candidates=[a], taken=frozenset({("excel", "export")})) is a


def test_the_phrase_closest_to_the_centroid_wins_when_the_method_understands_phrases() -> None:
    a = Candidate("Excel export", ("excel", "export"), 3, 1.0)
    b = Candidate("export keeps failing", ("export", "keep", "fail"), 2, 0.8)
    assert choose(candidates=[a, b], similarity=np.array([0.3, 0.9]), weight=0.9) is b
    assert choose(candidates=[a, b], similarity=np.array([0.3, 0.9]), weight=0.0) is a


def test_lexical_labels_come_from_counts_and_are_drawn_from_the_lines() -> None:
    themes = [ThemeText(1, EXPORTS), ThemeText(2, LOGINS)]
    labels = label_themes(
        themes=themes, background=Background.of(EXPORTS + LOGINS), embedder=LexicalEmbedder()
    )
    assert labels == {1: "Excel export", 2: "logged out"}


def test_lines_with_no_two_word_phrase_fall_back_to_the_commonest_line() -> None:
    labels = label_themes(themes=[ThemeText(1, ["slow", "Slow", "slow"])], background=Background.of([]))
    assert labels == {1: "slow"}


typed = st.lists(
    st.sampled_from(["report", "Excel", "export", "the", "to", "is", "<@U1>", "&", ",", "😀", "top-up", "ü"]),
    min_size=1,
    max_size=30,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(typed, min_size=1, max_size=8))
def test_any_label_is_at_most_six_words_from_one_of_its_lines(lines: list[str]) -> None:
    label = label_themes(themes=[ThemeText(1, lines)], background=Background.of(lines))[1]
    assert len(label.split()) <= 6
    assert any(collapsed(label) in collapsed(line) for line in lines) or not label
    counted = Counter(k for line in lines for k in phrases(line))
    if counted:  # a phrase exists: the label is one, so at least two words
        assert len(label.split()) >= 2
