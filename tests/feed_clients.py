"""Fixtures' helpers for the data-feed tests: a data-feed user with a real token, and bodies in each format."""

import datetime
import json

from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from tests.factories import UserFactory
from villages.models import DATA_FEEDS
from villages.services.feed import feed_token_issue

SHOP_COLUMNS = ("platform", "platform_shop_id", "village_code", "year", "sales", "orders_last_3_months",
                "days_open", "shop_name")


def make_feed_user(username="platform_feed"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=DATA_FEEDS))
    return user


def issue_token(user, *, days=365):
    return feed_token_issue(user=user, label="platform team",
                            expires_on=datetime.date.today() + datetime.timedelta(days=days))


def feed_client(secret: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Feed {secret}")
    return client


def shop_row(village, number, **changes):
    row = {"platform": "taobao", "platform_shop_id": f"tb-{number:05d}", "village_code": village.code,
           "year": 2023, "sales": 100_000 + number, "orders_last_3_months": 10, "days_open": 365,
           "shop_name": f"店铺{number}"}
    row.update(changes)
    return row


def ndjson(rows) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def csv_body(rows, *, encoding="utf-8", columns=SHOP_COLUMNS) -> bytes:
    lines = [",".join(columns)] + [",".join(str(row.get(column, "")) for column in columns) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
