"""A theme's weight in words: its accounts, their ARR summed (and how many have one), their segments."""

from __future__ import annotations

from bot.digest.weight import AccountWeights, Weight


def test_the_weight_sums_known_arr_and_counts_segments() -> None:
    weights = AccountWeights(
        arr={1: 300_000, 2: 120_000, 3: None, 4: None, 5: 0},
        segment={1: "Enterprise", 2: "SMB", 3: "Enterprise", 4: "SMB", 5: "Enterprise"},
    )
    weight = weights.of([1, 2, 3, 4, 5])
    assert (weight.accounts, weight.arr, weight.arr_known) == (5, 420_000, 3)
    assert weight.words() == "5 accounts · $420k ARR (ARR known for 3 of 5) · Enterprise 3, SMB 2"
    assert weights.of([1, 2]).words() == "2 accounts · $420k ARR · Enterprise 1, SMB 1"
    # The most accounts first, whatever the names.
    assert (
        weights.of([2, 3, 4]).words() == "3 accounts · $120k ARR (ARR known for 1 of 3) · SMB 2, Enterprise 1"
    )
    # An account the period did not read counts as an account of unknown ARR and segment.
    assert weights.of([1, 99]).words() == "2 accounts · $300k ARR (ARR known for 1 of 2) · Enterprise 1"


def test_a_weight_with_nothing_known_says_nothing() -> None:
    weights = AccountWeights(arr={1: None, 2: None}, segment={1: None, 2: ""})
    assert weights.of([1, 2]).words() is None
    assert Weight(2, 0, 0, (("SMB", 2),)).words() == "2 accounts · SMB 2"


def test_many_segments_are_cut_with_a_count_and_another_currency_keeps_its_code() -> None:
    weight = Weight(7, 1_200_000, 7, (("A", 3), ("B", 1), ("C", 1), ("D", 1), ("E", 1)), "EUR")
    assert weight.words() == "7 accounts · EUR 1.2M ARR · A 3, B 1, C 1 and 2 more segments"
