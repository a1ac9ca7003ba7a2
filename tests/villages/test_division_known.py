"""Whether a code is a known division (villages.selectors.divisions.division_known), as the list filters ask it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from redis.exceptions import RedisError
from rest_framework.test import APIClient

from tests.factories import DivisionFactory
from villages.selectors import divisions
from villages.selectors.divisions import division_known

pytestmark = pytest.mark.django_db


def queries_of(call):
    with CaptureQueriesContext(connection) as queries:
        answer = call()
    return answer, len(queries)


def test_a_known_division_is_looked_up_once_then_remembered(tree):
    assert queries_of(lambda: division_known(tree.county.code, "county")) == (True, 1)
    assert queries_of(lambda: division_known(tree.county.code, "county")) == (True, 0)
    assert queries_of(lambda: division_known(tree.county.code)) == (True, 1)


def test_a_code_of_another_level_or_of_nothing_is_unknown_and_asked_again(tree):
    assert queries_of(lambda: division_known(tree.county.code, "province")) == (False, 1)
    assert queries_of(lambda: division_known(tree.county.code, "province")) == (False, 1)
    assert queries_of(lambda: division_known("371799", "county")) == (False, 1)


def test_a_division_added_after_an_unknown_answer_is_known_at_once(tree):
    assert not division_known("371799", "county")
    DivisionFactory(code="371799", level="county", parent=tree.county.parent)
    assert division_known("371799", "county")


def test_with_the_shared_cache_down_the_database_answers(tree, monkeypatch):
    def down(*args, **kwargs):
        raise RedisError("connection refused")

    monkeypatch.setattr(divisions.cache, "get", down)
    monkeypatch.setattr(divisions.cache, "set", down)
    assert queries_of(lambda: division_known(tree.county.code, "county")) == (True, 1)
    assert queries_of(lambda: division_known(tree.county.code, "county")) == (True, 1)
    assert not division_known("371799", "county")


def test_the_api_refuses_an_unknown_county_every_time_and_filters_by_a_known_one(tree):
    anonymous_api = APIClient()
    for _attempt in range(2):
        answer = anonymous_api.get("/api/v1/villages/", {"county": "371799"}, HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 400
        assert "371799 is not the code of a known county" in str(answer.json())
    for _attempt in range(2):
        assert anonymous_api.get("/api/v1/villages/", {"county": tree.county.code}).status_code == 200
