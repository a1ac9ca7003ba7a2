"""The feed's two ways of checking a chunk give the same rows and the same errors.

`FeedRowChecker.check_chunk` first tries the column-at-a-time check (`_check_columns`), which accepts only a
chunk without a problem; anything else goes row by row (`_check_rows`). Each case here runs through
`check_chunk` and, on a fresh checker, through `_check_rows` alone: rows, errors and the remembered keys agree.
"""

import pytest

from tests.factories import VillageFactory
from villages.feed.rows import SHOP_YEARS, VILLAGE_YEARS, FeedRowChecker


@pytest.fixture
def codes(tree):
    return [VillageFactory(township=tree.town, code=f"371721121{200 + number}").code for number in range(2)]


def shop(code, number, **changes):
    record = {"platform": "taobao", "platform_shop_id": f"tb-{number:05d}", "village_code": code,
              "year": "2023", "sales": str(1000 + number), "orders_last_3_months": "3", "days_open": "365",
              "shop_name": f" 店铺{number} "}
    record.update(changes)
    return record


def both(records, *, kind=SHOP_YEARS, year=None, before=()):
    """check_chunk's answer and _check_rows' answer (rows, errors as dicts, remembered keys) on fresh checkers."""
    answers = []
    for method in ("check_chunk", "_check_rows"):
        checker = FeedRowChecker(kind, year=year)
        for chunk in before:
            checker.check_chunk(list(enumerate(chunk, start=100)))
        numbered = list(enumerate(records, start=2))
        checker._look_up_villages(numbered)
        valid, errors = getattr(checker, method)(numbered)
        answers.append((valid, [error.as_dict() for error in errors], dict(checker.seen)))
    return answers



CASES = {
    "all valid, CSV text": lambda c: [shop(c[number % 2], number) for number in range(20)],
    "all valid, JSON numbers": lambda c: [shop(c[0], n, year=2023, sales=5, orders_last_3_months=0, days_open=0)
                                          for n in range(5)],
    "optional name absent": lambda c: [{k: v for k, v in shop(c[0], n).items() if k != "shop_name"}
                                       for n in range(3)],
    "optional name empty": lambda c: [shop(c[0], n, shop_name="  ") for n in range(3)],
    "a leading zero": lambda c: [shop(c[0], 1, sales="007")],
    "a negative number": lambda c: [shop(c[0], 1), shop(c[0], 2, sales="-5")],
    "a sign": lambda c: [shop(c[0], 1, sales="+5")],
    "a float": lambda c: [shop(c[0], 1, sales=5.0), shop(c[0], 2, sales=5.5)],
    "a boolean": lambda c: [shop(c[0], 1, days_open=True)],
    "too many days": lambda c: [shop(c[0], 1), shop(c[0], 2, days_open="367")],
    "a full-width digit": lambda c: [shop(c[0], 1, sales="１２")],
    "twenty digits": lambda c: [shop(c[0], 1, sales="1" * 20)],
    "a year out of range": lambda c: [shop(c[0], 1, year="1990")],
    "a missing value": lambda c: [shop(c[0], 1, sales="")],
    "a missing column": lambda c: [{k: v for k, v in shop(c[0], 1).items() if k != "sales"}],
    "an unknown platform": lambda c: [shop(c[0], 1, platform="ebay")],
    "an unknown village": lambda c: [shop("371721121299", 1)],
    "a bad village code": lambda c: [shop("3717", 1)],
    "a numeric village code": lambda c: [shop(int(c[0]), 1)],
    "a long name": lambda c: [shop(c[0], 1, shop_name="x" * 201)],
    "a NUL in a name": lambda c: [shop(c[0], 1, shop_name="a\x00b")],
    "a list as a name": lambda c: [shop(c[0], 1, shop_name=["a"])],
    "a duplicate key": lambda c: [shop(c[0], 1), shop(c[1], 1)],
}


@pytest.mark.parametrize("name", CASES)
def test_both_ways_agree(codes, name):
    column_way, row_way = both(CASES[name](codes))
    assert column_way == row_way


def test_a_valid_chunk_goes_the_column_way_with_the_values_the_rows_way_gives(codes):
    checker = FeedRowChecker(SHOP_YEARS, year=None)
    numbered = list(enumerate([shop(codes[0], 1), shop(codes[1], 2, shop_name="")], start=2))
    checker._look_up_villages(numbered)
    assert checker._check_columns(numbered) == [
        ("taobao", "tb-00001", 2023, checker.village_ids[codes[0]], "店铺1", 1001, 3, 365),
        ("taobao", "tb-00002", 2023, checker.village_ids[codes[1]], "", 1002, 3, 365),
    ]
    assert checker.seen == {("taobao", "tb-00001", 2023): 2, ("taobao", "tb-00002", 2023): 3}


def test_a_chunk_with_a_problem_is_not_taken_the_column_way_and_leaves_nothing_remembered(codes):
    checker = FeedRowChecker(SHOP_YEARS, year=None)
    numbered = list(enumerate([shop(codes[0], 1), shop(codes[0], 2, sales="x")], start=2))
    checker._look_up_villages(numbered)
    assert checker._check_columns(numbered) is None
    assert checker.seen == {}


@pytest.mark.parametrize("year", ["", "2023", "2022", 2023])
def test_the_batch_year_fills_and_checks_the_column_alike(codes, year):
    column_way, row_way = both([shop(codes[0], 1, year=year), shop(codes[0], 2)], year=2023)
    assert column_way == row_way


def test_a_key_seen_in_an_earlier_chunk_is_named_alike(codes):
    column_way, row_way = both([shop(codes[0], 1)], before=[[shop(codes[0], 1)]])
    assert column_way == row_way
    assert column_way[1][0]["row"] == 2


def test_village_totals_agree_both_ways(codes):
    records = [{"village_code": codes[0], "year": "2023", "platform": "taobao", "sales": "10", "active_shops": "2"},
               {"village_code": codes[1], "year": "2023", "platform": "taobao", "sales": "10", "active_shops": "-1"}]
    for chunk in (records[:1], records):
        column_way, row_way = both(chunk, kind=VILLAGE_YEARS)
        assert column_way == row_way
