"""The matching words in bold, and nothing people typed able to bold, ping or link anything."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.search.query import MARK_END, MARK_START, parse_query
from bot.text import clean_text, escape_mrkdwn
from handlers.views.search import BUTTON_VALUE_MAX, EXCERPT_MAX, highlighted, page_value, parse_page_value

S, E = MARK_START, MARK_END


def test_marked_words_are_bold_and_typed_text_escaped() -> None:
    assert highlighted(f"the {S}billing{E} <!channel> & <@U123>") == (
        "the *billing* &lt;!channel&gt; &amp; &lt;@U123&gt;"
    )


def test_lines_are_joined_and_a_cut_inside_a_mark_is_closed() -> None:
    assert highlighted(f"one\n\ntwo {S}three{E}") == "one · two *three*"
    cut = highlighted(f"{S}{'a' * 50}{E}", limit=20)
    assert cut.startswith("*") and cut.endswith("*") and cut.count("*") == 2


def test_a_cut_never_splits_an_entity() -> None:
    out = highlighted("&" * 30, limit=12)
    assert "&amp" not in out.replace("&amp;", "")


# Any text, and long text full of what matters here (stars, entities, line breaks), cut to an excerpt.
long_typed = st.text(st.sampled_from("ab *&<\n") | st.characters(), min_size=300, max_size=1500)


@given(st.text() | long_typed)
def test_typed_text_can_never_make_a_mark(typed: str) -> None:
    # What people type is stored through clean_text: the marks cannot survive it, so every * in the
    # output is one they typed.
    stored = clean_text(typed)
    assert S not in stored and E not in stored
    out = highlighted(stored)
    typed_stars = stored.replace("\n", " ").count("*")
    assert out.count("*") <= typed_stars, out  # a cut drops some of them, and adds none
    if 3 * len(escape_mrkdwn(stored)) < EXCERPT_MAX:  # too short to be cut (" · " joins lines): all kept
        assert out.count("*") == typed_stars, out
    assert "<" not in out and ">" not in out


@given(st.text(max_size=3000), st.integers(min_value=0, max_value=999))
def test_a_page_button_carries_the_search_within_slacks_limit(typed: str, page: int) -> None:
    value = page_value(typed, page)
    assert len(value) <= BUTTON_VALUE_MAX
    parsed = parse_page_value(value)
    assert parsed is not None and parsed[1] == page
    # The search read back from the button is the one asked, or its start when the button had to cut.
    assert clean_text(typed).startswith(parsed[0]) or parse_query(parsed[0]) == parse_query(typed)


def test_forged_page_values_are_refused() -> None:
    for raw in [
        None,
        3,
        "",
        "[]",
        '{"q": 1, "p": 0}',
        '{"q": "x", "p": true}',
        '{"q": "x", "p": -1}',
        "{" * 5000,
    ]:
        assert parse_page_value(raw) is None


def test_an_unknown_study_lists_as_many_open_ones_as_fit_and_says_how_many_more() -> None:
    from bot.search.query import SearchQuery
    from bot.search.service import SearchPage
    from handlers.views.search import STUDY_NAMES_MAX, search_message

    names = tuple(f"{n:03d} " + "&" * 76 for n in range(120))  # each as long as a name may be
    page = SearchPage(SearchQuery(studies=("Nope",)), 0, [], False, (), ("Nope",), names)
    said = search_message(page, "study:Nope")[0].to_dict()["text"]["text"]
    assert said.startswith('I know no study called *Nope* in this workspace. Open studies: "000 &amp;')
    assert len(said) <= STUDY_NAMES_MAX + 200 and said.endswith(" more (`/interview study` lists them).")
    shown = said.count('"') // 2
    assert f"and {120 - shown} more" in said and '&amp;&amp"' not in said and shown >= 2
