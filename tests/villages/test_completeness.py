"""Completeness of a reporting season: the expected villages, counts per status, on time, drill-down, per role."""

import datetime

import pytest
from django.http import Http404

from tests.completeness_data import YEAR, build_season
from villages.models import ReportingWindow
from villages.selectors.completeness import (
    JURISDICTION,
    NATION,
    completeness,
    completeness_area,
    may_follow_completeness,
)


@pytest.fixture
def season(tree):
    return build_season(tree)


def counts_of(row):
    return {name: getattr(row.counts, name) for name in
            ("expected", "draft", "submitted", "returned", "approved", "missing", "on_time")}


def season_of(user, area=None, year=YEAR):
    return completeness(user, year=year, area=completeness_area(user, area))


def test_the_province_counts_every_expected_village_once_per_prefecture(season):
    result = season_of(season.users["reviewer"], ("province", "410000"))
    rows = {row.code: counts_of(row) for row in result.children}
    assert rows == {
        "410100": {"expected": 7, "draft": 1, "submitted": 1, "returned": 1, "approved": 1, "missing": 3,
                   "on_time": 2},
        "410200": {"expected": 2, "draft": 1, "submitted": 0, "returned": 0, "approved": 0, "missing": 1,
                   "on_time": 0},
    }
    assert [row.name for row in result.children] == ["郑州市", "开封市"]
    assert result.totals.expected == 9
    assert result.totals.missing == 4
    assert result.totals.on_time == 2
    assert result.totals.on_time_rate == round(2 / 9, 4)


def test_the_expected_set_holds_last_years_taobao_villages_active_shops_tracked_and_reported(season):
    result = season_of(season.users["administrator"], ("province", "410000"))
    expected = set(result.expected.values_list("name", flat=True))
    assert expected == {"一村", "二村", "三村", "五村", "八村", "九村", "十村", "十一村", "十二村"}
    # Not expected: an inactive shop only, nothing at all, a failed assessment, certified two years ago only.
    assert not expected & {"四村", "六村", "七村", "十三村"}


def test_missing_villages_list_last_years_taobao_villages_first_with_their_reason(season):
    result = season_of(season.users["reviewer"], ("province", "410000"))
    missing = [(village.name, village.reason) for village in result.missing]
    assert missing == [
        ("一村", "certified_last_year"),
        ("十一村", "certified_last_year"),
        ("八村", "active_shops"),
        ("五村", "tracked"),
    ]


def test_drill_down_from_prefecture_to_counties_to_villages(season):
    reviewer = season.users["reviewer"]
    prefecture = season_of(reviewer, ("prefecture", "410100"))
    assert {row.code: row.counts.expected for row in prefecture.children} == {"410102": 5, "410103": 2}
    assert [division.code for division in prefecture.area.trail] == ["410000"]
    county = season_of(reviewer, ("county", "410102"))
    villages = {row.name: (row.status, row.reasons, row.counts.on_time) for row in county.children}
    assert villages == {
        "一村": ("missing", ("certified_last_year",), 0),
        "二村": ("approved", ("certified_last_year",), 1),
        "三村": ("submitted", ("active_shops",), 0),
        "五村": ("missing", ("tracked",), 0),
        "八村": ("missing", ("active_shops",), 0),
    }
    assert county.totals.expected == 5 and county.totals.missing == 3 and county.totals.on_time == 1
    assert [division.code for division in county.area.trail] == ["410000", "410100"]


def test_a_late_first_submission_is_not_on_time_and_without_a_window_every_submission_is(season):
    reviewer = season.users["reviewer"]
    assert season_of(reviewer, ("county", "410102")).totals.on_time == 1
    ReportingWindow.objects.filter(year=YEAR).delete()
    assert season_of(reviewer, ("county", "410102")).totals.on_time == 2


def test_a_window_closing_later_makes_the_late_submission_on_time(season):
    ReportingWindow.objects.filter(year=YEAR).update(closes_on=datetime.date(2024, 11, 30))
    assert season_of(season.users["reviewer"], ("county", "410102")).totals.on_time == 2


def test_a_county_official_sees_their_county_and_nothing_above_or_beside_it(season):
    official = season.users["official_a"]
    root = completeness_area(official, None)
    assert root.level == JURISDICTION
    result = completeness(official, year=YEAR, area=root)
    assert [(row.code, row.counts.expected) for row in result.children] == [("410102", 5)]
    assert result.totals.expected == 5
    for area in (("county", "410103"), ("prefecture", "410100"), ("province", "410000")):
        with pytest.raises(Http404):
            completeness_area(official, area)
    assert season_of(official, ("county", "410102")).area.trail == ()


def test_another_countys_official_and_another_provinces_reviewer_see_nothing_of_it(season):
    for user in (season.users["other_official"], season.users["other_reviewer"]):
        with pytest.raises(Http404):
            completeness_area(user, ("province", "410000"))
        with pytest.raises(Http404):
            completeness_area(user, ("county", "410102"))
        assert season_of(user).totals.expected == 0


def test_a_prefecture_reviewer_sees_their_prefecture_but_not_the_province(season):
    reviewer = season.users["prefecture_reviewer"]
    with pytest.raises(Http404):
        completeness_area(reviewer, ("province", "410000"))
    assert season_of(reviewer).totals.expected == 7
    assert season_of(reviewer, ("county", "410103")).totals.expected == 2


def test_the_administrator_sees_the_nation_by_province(season):
    administrator = season.users["administrator"]
    area = completeness_area(administrator, None)
    assert area.level == NATION
    rows = {row.code: row.counts.expected for row in completeness(administrator, year=YEAR, area=area).children}
    assert rows["410000"] == 9
    assert rows["370000"] == 0 and rows["320000"] == 0


def test_only_registry_roles_follow_completeness(season, db):
    from tests.conftest import make_user

    assert may_follow_completeness(season.users["official_a"])
    assert may_follow_completeness(season.users["reviewer"])
    assert not may_follow_completeness(make_user("visitor"))
