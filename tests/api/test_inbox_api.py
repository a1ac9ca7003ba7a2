"""API v1 inbox: `notifications/` lists the caller's own entries, `notifications/{id}/read/` marks one read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import VillageFactory
from villages.models import Notification
from villages.services.evidence import comment_add
from villages.services.reports import report_create, report_submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def token_client(user, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def report(tree, official):
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    return report_create(
        by=official, village=village, year=2023, ecommerce_sales=15_000_000, active_shops=150, households=1200
    )


@pytest.fixture
def submitted(report, official, reviewer):
    return report_submit(report=report, by=official)


def test_the_list_holds_the_callers_own_entries_newest_first(submitted, official, reviewer, other_reviewer):
    comment_add(report=submitted, by=official, text="Screenshots attached.")

    body = token_client(reviewer).get(URL).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert [first["kind"], second["kind"]] == ["comment", "submitted"]
    assert set(first) == {"id", "kind", "text", "report", "township_report", "url", "created_at", "read_at", "unread"}
    assert first["report"] == submitted.pk and first["township_report"] is None
    assert first["url"] == f"http://testserver/reports/{submitted.pk}/"
    assert first["unread"] is True and first["read_at"] is None
    assert first["text"] == "official commented on the 2023 report of 丁楼村 (371721121227): Screenshots attached."
    assert token_client(other_reviewer).get(URL).json()["count"] == 0


def test_the_text_comes_in_the_requests_language(submitted, reviewer):
    text = token_client(reviewer, "zh-hans").get(URL).json()["results"][0]["text"]
    assert text == "official 已提交 丁楼村（371721121227）2023 年的报表，等待审核。"


def test_marking_read_and_the_unread_filter(submitted, official, reviewer):
    comment_add(report=submitted, by=official, text="Screenshots attached.")
    client = token_client(reviewer)
    comment_entry = Notification.objects.get(recipient=reviewer, kind="comment")

    answer = client.post(f"{URL}{comment_entry.pk}/read/")
    assert answer.status_code == 200
    assert answer.json()["unread"] is False and answer.json()["read_at"] is not None
    again = client.post(f"{URL}{comment_entry.pk}/read/")
    assert again.json()["read_at"] == answer.json()["read_at"]

    unread = client.get(URL, {"unread": "true"}).json()
    assert [entry["kind"] for entry in unread["results"]] == ["submitted"]
    assert client.get(URL, {"unread": "false"}).json()["count"] == 2


def test_another_users_entry_answers_404_and_stays_unread(submitted, reviewer, other_reviewer, administrator):
    entry = Notification.objects.get(recipient=reviewer)
    for intruder in (other_reviewer, administrator):
        answer = token_client(intruder).post(f"{URL}{entry.pk}/read/")
        assert answer.status_code == 404
        assert set(answer.json()) == {"detail"}
    assert Notification.objects.get(pk=entry.pk).read_at is None


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_a_malformed_id_answers_404(db, reviewer, bad_id):
    assert token_client(reviewer).post(f"{URL}{bad_id}/read/").status_code == 404


@pytest.mark.parametrize("bad_value", ["maybe", "2", "yes please"])
def test_a_bad_unread_value_answers_400(db, reviewer, bad_value):
    answer = token_client(reviewer).get(URL, {"unread": bad_value})
    assert answer.status_code == 400
    assert "unread" in answer.json()


def test_anonymous_callers_get_401(submitted):
    entry = Notification.objects.first()
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(f"{URL}{entry.pk}/read/").status_code == 401
    assert Notification.objects.get(pk=entry.pk).read_at is None


def test_the_list_runs_the_same_queries_for_one_entry_or_a_full_page(submitted, official, reviewer):
    client = token_client(reviewer)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).json()["count"] == 1
    for number in range(60):
        comment_add(report=submitted, by=official, text=f"comment {number}")
    with CaptureQueriesContext(connection) as full:
        body = client.get(URL, {"unread": "true"}).json()
    assert len(body["results"]) == 50
    # The token with its user, the count and the page: no query per entry.
    assert len(full.captured_queries) == len(one.captured_queries) <= 3
