"""The data-feed API: posting shop and village figures, the row-error report, idempotency, its token's limits."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from tests.conftest import make_user
from tests.factories import VillageFactory
from tests.feed_clients import csv_body, feed_client, issue_token, make_feed_user, ndjson, shop_row
from villages.models import FeedBatch, FeedToken, PlatformShopYear, PlatformVillageYear
from villages.services.feed import feed_token_revoke

SHOPS = "/api/v1/feed/shop-years/"
VILLAGES = "/api/v1/feed/village-years/"


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227")


@pytest.fixture
def feed(db):
    token, secret = issue_token(make_feed_user())
    return feed_client(secret), token


def post(client, path, body, content_type="application/x-ndjson", **params):
    query = "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    return client.generic("POST", path + query, body, content_type=content_type)


def stored_shops():
    return sorted(PlatformShopYear.objects.values_list(
        "platform", "platform_shop_id", "year", "village_id", "shop_name", "sales", "orders_last_3_months",
        "days_open", "batch_id", "updated_at"))


def test_a_batch_of_json_lines_is_stored_with_its_record(feed, village):
    client, token = feed
    response = post(client, SHOPS, ndjson([shop_row(village, 1), shop_row(village, 2, days_open=20)]))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["status"], answer["row_count"], answer["created_count"], answer["year"]) == ("applied", 2, 2, 2023)
    assert answer["message"] == "Applied: 2 new, 0 updated, 0 unchanged."
    batch = FeedBatch.objects.get(pk=answer["id"])
    assert (batch.token, batch.posted_by, batch.kind) == (token, token.user, FeedBatch.Kind.SHOP_YEARS)
    shop = PlatformShopYear.objects.get(platform_shop_id="tb-00002")
    assert (shop.village, shop.sales, shop.days_open, shop.shop_name, shop.batch) == (
        village, 100_002, 20, "店铺2", batch)
    assert response["Location"] == f"/api/v1/feed/batches/{batch.pk}/"


def test_the_same_batch_twice_changes_nothing_the_second_time(feed, village):
    client, _token = feed
    body = ndjson([shop_row(village, number) for number in range(5)])
    assert post(client, SHOPS, body).status_code == 201
    before = stored_shops()
    again = post(client, SHOPS, body).json()
    assert (again["created_count"], again["updated_count"], again["unchanged_count"]) == (0, 0, 5)
    assert stored_shops() == before


def test_a_changed_row_is_updated_and_takes_the_new_batch(feed, village):
    client, _token = feed
    post(client, SHOPS, ndjson([shop_row(village, 1), shop_row(village, 2)]))
    answer = post(client, SHOPS, ndjson([shop_row(village, 1), shop_row(village, 2, sales=5)])).json()
    assert (answer["created_count"], answer["updated_count"], answer["unchanged_count"]) == (0, 1, 1)
    assert PlatformShopYear.objects.get(platform_shop_id="tb-00002").batch_id == answer["id"]
    assert PlatformShopYear.objects.get(platform_shop_id="tb-00001").batch_id != answer["id"]


def test_one_bad_row_writes_nothing_and_is_reported_with_its_row_and_column(feed, village):
    client, _token = feed
    rows = [shop_row(village, number) for number in range(3)]
    rows[1]["days_open"] = 400
    rows.append(shop_row(village, 9, village_code="999999999999"))
    response = post(client, SHOPS, ndjson(rows))
    assert response.status_code == 400
    answer = response.json()
    assert answer["status"] == "rejected" and answer["invalid_count"] == 2
    assert [(error["row"], error["column"]) for error in answer["errors"]] == [(2, "days_open"), (4, "village_code")]
    assert answer["errors"][0]["message"] == "Enter a whole number from 0 to 366."
    assert answer["errors"][0]["value"] == "400"
    assert not PlatformShopYear.objects.exists()
    assert FeedBatch.objects.get(pk=answer["id"]).status == FeedBatch.Status.REJECTED


def test_row_errors_are_in_the_language_of_the_request(feed, village):
    client, _token = feed
    client.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    answer = post(client, SHOPS, ndjson([shop_row(village, 1, platform_shop_id="")])).json()
    assert answer["errors"][0]["message"] == "此列为必填。"


def test_the_same_shop_twice_in_one_batch_is_refused(feed, village):
    client, _token = feed
    answer = post(client, SHOPS, ndjson([shop_row(village, 1), shop_row(village, 1)])).json()
    assert answer["errors"][0]["row"] == 2 and "row 1" in answer["errors"][0]["message"]


def test_a_gb18030_csv_is_accepted_and_the_year_parameter_fills_the_rows(feed, village):
    client, _token = feed
    rows = [shop_row(village, 1, year=""), shop_row(village, 2, year="")]
    response = post(client, SHOPS, csv_body(rows, encoding="gb18030"), content_type="text/csv", year=2022)
    assert response.status_code == 201, response.content
    assert set(PlatformShopYear.objects.values_list("year", "shop_name")) == {(2022, "店铺1"), (2022, "店铺2")}


def test_a_csv_with_bom_is_accepted(feed, village):
    client, _token = feed
    response = post(client, SHOPS, b"\xef\xbb\xbf" + csv_body([shop_row(village, 1)]), content_type="text/csv")
    assert response.status_code == 201, response.content


def test_a_row_year_other_than_the_batch_year_is_refused(feed, village):
    client, _token = feed
    answer = post(client, SHOPS, ndjson([shop_row(village, 1)]), year=2022).json()
    assert answer["errors"][0]["column"] == "year"


def test_a_csv_without_a_required_column_is_refused_as_a_whole(feed, village):
    client, _token = feed
    response = post(client, SHOPS, b"platform,platform_shop_id\ntaobao,1\n", content_type="text/csv")
    assert response.status_code == 400
    assert "village_code" in response.json()["message"]


@pytest.mark.parametrize("year", ["abc", "1900", "-1"])
def test_a_bad_year_parameter_is_a_400(feed, village, year):
    client, _token = feed
    response = post(client, SHOPS, ndjson([shop_row(village, 1)]), year=year)
    assert response.status_code == 400 and "year" in response.json()


def test_lines_that_are_no_json_objects_are_row_errors(feed, village):
    client, _token = feed
    answer = post(client, SHOPS, b'{"platform": \n[1, 2]\n').json()
    assert [error["row"] for error in answer["errors"]] == [1, 2]


def test_another_content_type_is_415(feed):
    client, _token = feed
    assert post(client, SHOPS, b"{}", content_type="application/json").status_code == 415


def test_a_body_over_the_limit_is_413_json(feed, village, settings):
    settings.FEED_MAX_BODY_BYTES = 100
    client, _token = feed
    response = post(client, SHOPS, ndjson([shop_row(village, number) for number in range(5)]))
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert not FeedBatch.objects.exists()


def test_village_totals_are_stored_idempotently(feed, village):
    client, _token = feed
    body = ndjson([{"village_code": village.code, "year": 2023, "platform": "taobao", "sales": 12_000_000,
                    "active_shops": 130}])
    assert post(client, VILLAGES, body).json()["created_count"] == 1
    assert post(client, VILLAGES, body).json()["unchanged_count"] == 1
    assert PlatformVillageYear.objects.get().active_shops == 130


def test_a_big_batch_is_stored_and_answered_202_then_applied_by_the_task(feed, village, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.FEED_BACKGROUND_ROWS = 3
    client, _token = feed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, SHOPS, ndjson([shop_row(village, number) for number in range(10)]))
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending" and not PlatformShopYear.objects.exists()
    for callback in callbacks:
        callback()  # the immediate task backend runs the batch here, as a worker would
    detail = client.get(response.json()["url"]).json()
    assert (detail["status"], detail["created_count"]) == ("applied", 10)
    assert FeedBatch.objects.get().task_id
    assert PlatformShopYear.objects.count() == 10


def test_the_caller_lists_and_reads_only_its_own_batches(feed, village):
    client, _token = feed
    mine = post(client, SHOPS, ndjson([shop_row(village, 1)])).json()
    _other_token, other_secret = issue_token(make_feed_user("other_feed"))
    theirs = post(feed_client(other_secret), SHOPS, ndjson([shop_row(village, 2)])).json()
    listed = client.get("/api/v1/feed/batches/").json()["results"]
    assert [batch["id"] for batch in listed] == [mine["id"]]
    assert client.get(f"/api/v1/feed/batches/{theirs['id']}/").status_code == 404
    assert client.get(f"/api/v1/feed/batches/{mine['id']}/").json()["status"] == "applied"


def test_the_batch_list_runs_a_constant_number_of_queries(feed, village, django_assert_max_num_queries):
    client, _token = feed
    for number in range(5):
        post(client, SHOPS, ndjson([shop_row(village, number)]))
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/feed/batches/").json()["results"]) == 5


# --- the token ---------------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_with_a_clear_401(feed, village):
    client, token = feed
    FeedToken.objects.filter(pk=token.pk).update(expires_on=datetime.date(2024, 1, 31))
    response = post(client, SHOPS, ndjson([shop_row(village, 1)]))
    assert response.status_code == 401
    assert "expired on" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Feed"
    assert not FeedBatch.objects.exists()


def test_a_revoked_token_is_refused_with_a_clear_401(feed, village):
    client, token = feed
    feed_token_revoke(token=token, reason="leaked in a log")
    response = post(client, SHOPS, ndjson([shop_row(village, 1)]))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_an_unknown_secret_is_401(db, village):
    assert post(feed_client("not-a-secret"), SHOPS, ndjson([shop_row(village, 1)])).status_code == 401


def test_only_the_digest_of_the_secret_is_stored(feed):
    _client, token = feed
    token.refresh_from_db()
    assert len(token.key_digest) == 64 and token.key_prefix


def test_last_used_is_written_at_most_once_a_minute(feed, django_assert_num_queries):
    client, token = feed
    client.get("/api/v1/feed/batches/")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/api/v1/feed/batches/")
    token.refresh_from_db()
    assert token.last_used_at == first_use
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=first_use - datetime.timedelta(minutes=2))
    client.get("/api/v1/feed/batches/")
    token.refresh_from_db()
    assert token.last_used_at > first_use


# --- the role matrix ---------------------------------------------------------------------------------------


def _every_operation(anonymous_api):
    paths = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path, operations in paths.items():
        concrete = path
        for name in ("{id}", "{pk}", "{code}", "{serial}", "{kind}", "{extension}", "{list_name}"):
            concrete = concrete.replace(name, "1")
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, concrete


def test_a_feed_token_gets_403_or_404_on_every_other_endpoint(feed, anonymous_api, village):
    client, _token = feed
    checked = 0
    for method, path, concrete in _every_operation(anonymous_api):
        if path.startswith("/api/v1/feed/"):
            continue
        response = getattr(client, method)(concrete, {}, format="json")
        assert response.status_code in (403, 404), (method, path, response.status_code)
        checked += 1
    assert checked > 40
    assert client.get("/api/v1/").status_code == 403
    assert client.get("/api/v1/divisions/").status_code == 403  # public reads too


def test_a_feed_user_cannot_log_in_to_the_web_the_admin_or_the_token_endpoint(db, anonymous_api):
    user = make_feed_user()
    user.set_password("feed-pass-123")
    user.save()
    assert authenticate(RequestFactory().post("/accounts/login/"), username=user.username,
                        password="feed-pass-123") is None
    browser = Client()
    response = browser.post("/admin/login/", {"username": user.username, "password": "feed-pass-123"})
    assert response.status_code == 200 and "_auth_user_id" not in browser.session
    answer = anonymous_api.post("/api/v1/auth/token/", {"username": user.username, "password": "feed-pass-123"},
                                format="json")
    assert answer.status_code == 400 and "token" not in answer.json()
    user.groups.clear()  # the same account outside the role logs in: it is the role that is refused
    assert authenticate(RequestFactory().post("/accounts/login/"), username=user.username,
                        password="feed-pass-123") == user


@pytest.mark.parametrize("role", ["county_official", "reviewer", "administrator", "none"])
def test_other_roles_cannot_post_to_the_feed(tree, village, role, anonymous_api):
    divisions = {"county_official": [tree.county], "reviewer": [tree.province]}.get(role, [])
    user = make_user(f"user_{role}", None if role == "none" else role, divisions, is_staff=role == "administrator")
    anonymous_api.post("/api/v1/auth/token/", {"username": user.username, "password": "secret-pass-123"},
                       format="json")
    token = anonymous_api.post("/api/v1/auth/token/", {"username": user.username, "password": "secret-pass-123"},
                               format="json").json()["token"]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    for path in (SHOPS, VILLAGES):
        response = client.post(path, ndjson([shop_row(village, 1)]), content_type="application/x-ndjson")
        assert response.status_code == 403, (role, path)
    assert client.get("/api/v1/feed/batches/").status_code == 403
    session = Client()
    session.force_login(user)
    assert session.get("/api/v1/feed/batches/").status_code == 403
    assert not PlatformShopYear.objects.exists()


def test_anonymous_callers_cannot_post_to_the_feed(anonymous_api, village):
    response = post(anonymous_api, SHOPS, ndjson([shop_row(village, 1)]))
    assert response.status_code == 401
    assert not FeedBatch.objects.exists()


def test_the_feed_is_in_the_schema_with_its_security_scheme(anonymous_api):
    schema = anonymous_api.get("/api/v1/schema/", {"format": "json"}).json()
    assert "feedToken" in schema["components"]["securitySchemes"]
    operation = schema["paths"]["/api/v1/feed/shop-years/"]["post"]
    assert operation["security"] == [{"feedToken": []}]
    assert {"201", "202", "400", "401", "403", "413", "415"} <= set(operation["responses"])
    assert {"application/x-ndjson", "text/csv"} <= set(operation["requestBody"]["content"])
    assert "feedToken" not in str(schema["paths"]["/api/v1/villages/"])


@pytest.mark.parametrize("body", [
    b'{"platform": ["taobao"], "platform_shop_id": {"a": 1}, "village_code": [1], "year": true, "sales": 1e400,'
    b' "orders_last_3_months": null, "days_open": "3.5"}\n',
    b"[" * 100_000 + b"\n",
    b'{"platform": "taobao", "sales": 100000000000000000000000000000}\n',
])
def test_json_values_of_any_type_are_row_errors_never_a_failure(feed, village, body):
    client, _token = feed
    response = post(client, SHOPS, body)
    assert response.status_code == 400
    assert response.json()["status"] == "rejected" and response.json()["errors"]


@pytest.mark.parametrize("body", [b"platform\x00,x\n", "platform,x\n".encode("utf-16")])
def test_a_csv_body_that_is_no_text_is_refused_as_a_whole(feed, body):
    client, _token = feed
    response = post(client, SHOPS, body, content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["status"] == "rejected" and response.json()["message"]
