"""The province → prefecture → county → township picker reads the levels a chosen division names in one query."""

import pytest

from tests.conftest import make_user
from villages.models import COUNTY_OFFICIALS
from villages.selectors.divisions import picker_choices

pytestmark = pytest.mark.django_db


def test_a_chosen_county_names_every_level_and_they_are_read_together(tree, django_assert_num_queries):
    # The chosen county with its parents, then the four levels' options.
    with django_assert_num_queries(2):
        choices = picker_choices({"county": tree.county.code})

    assert choices["selected"] == {"province": "370000", "prefecture": "371700", "county": "371721"}
    assert choices["provinces"] == [("320000", "江苏省"), ("370000", "山东省")]
    assert choices["prefectures"] == [("371700", "菏泽市")]
    assert choices["counties"] == [("371721", "曹县"), ("371722", "单县")]
    assert choices["townships"] == [("371721001", "曹城街道"), ("371721121", "大集镇")]


def test_nothing_chosen_reads_the_provinces_alone(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        choices = picker_choices({})
    assert [code for code, _name in choices["provinces"]] == ["320000", "370000"]
    assert choices["prefectures"] == choices["counties"] == choices["townships"] == []


def test_for_a_one_county_official_the_single_options_are_chosen_level_by_level(tree):
    official = make_user("clerk", COUNTY_OFFICIALS, [tree.county])
    choices = picker_choices({}, user=official)
    # Only the way down to the official's county is offered, each single option chosen for them.
    assert choices["provinces"] == [("370000", "山东省")]
    assert choices["counties"] == [("371721", "曹县")]
    assert choices["selected"] == {"province": "370000", "prefecture": "371700", "county": "371721"}
    assert [code for code, _name in choices["townships"]] == ["371721001", "371721121"]
