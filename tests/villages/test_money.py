"""Money as clerks type it (separators, full-width digits) and as every page and e-mail shows it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from villages.money import format_yuan, format_yuan_rounded, parse_yuan


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("1200000", 1_200_000),
        ("1,200,000", 1_200_000),
        ("1 200 000", 1_200_000),
        ("１２０００００", 1_200_000),
        ("１，２００，０００", 1_200_000),
        ("1,200,000元", 1_200_000),
        (" 1200000.00 ", 1_200_000),
        ("0", 0),
        ("-5", -5),
        ("", None),
        ("  ", None),
        (None, None),
        (1200, 1200),
    ],
)
def test_amounts_typed_the_usual_ways_parse_to_whole_yuan(typed, yuan):
    assert parse_yuan(typed) == yuan


@pytest.mark.parametrize("typed", ["1,20,0000", "12,00", "1.2.3", "abc", "1200000x", "1,200 000", "²"])
def test_what_is_not_an_amount_is_refused_not_guessed(typed):
    with pytest.raises(ValidationError) as refused:
        parse_yuan(typed)

    assert "whole yuan" in refused.value.messages[0]


def test_a_fraction_of_a_yuan_is_refused_with_its_own_reason():
    with pytest.raises(ValidationError) as refused:
        parse_yuan("1200.5")

    assert refused.value.code == "fraction"


@pytest.mark.parametrize(
    ("amount", "chinese", "english"),
    [
        (11_800_000, "1,180 万元", "RMB 11,800,000"),
        (12_345_678, "1,234.57 万元", "RMB 12,345,678"),
        (10_000, "1 万元", "RMB 10,000"),
        (200, "200 元", "RMB 200"),
        (9_999, "9,999 元", "RMB 9,999"),
        (0, "0 元", "RMB 0"),
        (None, "–", "–"),
    ],
)
def test_one_money_format_per_language_small_amounts_in_yuan(amount, chinese, english):
    with translation.override("zh-hans"):
        assert format_yuan(amount) == chinese
    with translation.override("en"):
        assert format_yuan(amount) == english


def test_rounded_amounts_for_sentences_keep_small_sums_exact():
    with translation.override("zh-hans"):
        assert format_yuan_rounded(1_449_000) == "144.9 万元"
        assert format_yuan_rounded(300) == "300 元"
    with translation.override("en"):
        assert format_yuan_rounded(1_449_000) == "RMB 1.4 million"
        assert format_yuan_rounded(300) == "RMB 300"
