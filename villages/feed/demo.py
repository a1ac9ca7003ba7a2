"""The sample feed of the demo villages: the platform's shop figures for 2024, as a CSV file kept in the repo.

`demo_feed_rows()` makes the rows deterministically from `villages.demo_data`: for each demo village, the
shops the county registered (with the figures the demo gives them, except one that the platform does not
know), and as many shops the county never registered as it takes for the platform to see about as many
active shops and as much in sales as the village declares. Two declarations are set apart on purpose, so
that the reconciliation has something to show: 张庄村 declares 15 % more sales than the platform sees, and
孙庄村 (whose 2024 report was returned for exactly that) 12 % more. `load_demo_feed()` posts the file through
the feed service as the demo data-feed account, once: a second load finds its batch applied and posts nothing.

Regenerate the file after changing the demo villages: `python manage.py shell -c "from villages.feed.demo
import write_demo_feed; write_demo_feed()"`; a test checks that the file and the generator agree.
"""

import datetime
import io
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from villages.demo_data import BRANDS, DEMO_VILLAGES, SHOP_SUFFIXES, SHOPS_PER_VILLAGE, _shop_plan, _shop_year_figures
from villages.feed.rows import CSV
from villages.models import DATA_FEEDS, FeedBatch, FeedToken, OnlineShop, Village
from villages.scoring import is_active_shop
from villages.services.feed import feed_batch_post, feed_token_issue

DEMO_FEED_YEAR = 2024
DEMO_FEED_FILE = Path(__file__).resolve().parent.parent / "demo_feed" / f"shop_years_{DEMO_FEED_YEAR}.csv"
DEMO_FEED_USERNAME = "taobao_feed"
COLUMNS = ("platform", "platform_shop_id", "village_code", "year", "sales", "orders_last_3_months", "days_open",
           "shop_name")
# Declared sales ÷ the platform's: 1.15 is a gap the reviewer is warned about; the others stay within 3 %.
DECLARATION_OVER_PLATFORM = {"371721121211": Decimal("1.15"), "371721121240": Decimal("1.12")}
DEFAULT_RATIO = Decimal("1.02")
# The registered shop (index) the platform has no figures for, in the first demo village.
UNKNOWN_TO_PLATFORM = 5
INACTIVE_UNREGISTERED = 3


def _registered(spec) -> list[dict]:
    village = Village(code=spec.code)
    rows = []
    for index in range(SHOPS_PER_VILLAGE):
        if spec is DEMO_VILLAGES[0] and index == UNKNOWN_TO_PLATFORM:
            continue
        plan = _shop_plan(spec, index)
        figures = _shop_year_figures(OnlineShop(village=village, **plan), DEMO_FEED_YEAR)
        if figures is None:
            continue
        rows.append({"platform": plan["platform"], "platform_shop_id": plan["platform_shop_id"],
                     "village_code": spec.code, "year": DEMO_FEED_YEAR, "sales": figures.sales,
                     "orders_last_3_months": figures.orders_last_3_months, "days_open": figures.days_open,
                     "shop_name": plan["name"]})
    return rows


def _unregistered(spec, *, active: int, sales: int) -> list[dict]:
    rows = []
    weights = [1 + index % 5 for index in range(active)]
    for index in range(active + INACTIVE_UNREGISTERED):
        brand = BRANDS[(index * 5 + int(spec.code[-3:])) % len(BRANDS)]
        category = spec.categories[index % len(spec.categories)]
        is_active = index < active
        shop_sales = sales * weights[index] // sum(weights) if is_active else 0
        rows.append({"platform": "taobao", "platform_shop_id": f"TB{spec.code}{index + 1:04d}",
                     "village_code": spec.code, "year": DEMO_FEED_YEAR, "sales": shop_sales,
                     "orders_last_3_months": 3 + index % 40 if is_active else 0,
                     "days_open": 365 if is_active else 20,
                     "shop_name": f"{brand}{category}{SHOP_SUFFIXES[index % len(SHOP_SUFFIXES)]}"})
    if active:
        # The rounding remainder goes to the first shop, so that the village's total is exact.
        rows[0]["sales"] += sales - sum(row["sales"] for row in rows)
    return rows


def demo_feed_rows() -> list[dict]:
    rows = []
    for spec in DEMO_VILLAGES:
        declared_sales, declared_shops = spec.report_figures(DEMO_FEED_YEAR)
        platform_sales = int(Decimal(declared_sales) / DECLARATION_OVER_PLATFORM.get(spec.code, DEFAULT_RATIO))
        registered = _registered(spec)
        registered_active = sum(
            is_active_shop(days_open=row["days_open"], orders_last_3_months=row["orders_last_3_months"])
            for row in registered)
        remaining = max(0, platform_sales - sum(row["sales"] for row in registered))
        rows += registered + _unregistered(spec, active=max(0, declared_shops - registered_active), sales=remaining)
    return rows


def demo_feed_csv() -> bytes:
    lines = [",".join(COLUMNS)] + [",".join(str(row[column]) for column in COLUMNS) for row in demo_feed_rows()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_demo_feed() -> Path:
    DEMO_FEED_FILE.write_bytes(demo_feed_csv())
    return DEMO_FEED_FILE


def _demo_feed_token() -> FeedToken:
    user, created = get_user_model().objects.get_or_create(username=DEMO_FEED_USERNAME)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=DATA_FEEDS))
    token = FeedToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-expires_on").first()
    if token is None or not token.is_usable():
        token, _secret = feed_token_issue(user=user, label="demo platform feed",
                                          expires_on=datetime.date.today() + datetime.timedelta(days=3650))
    return token


def load_demo_feed() -> FeedBatch | None:
    """Post the sample feed through the feed service, unless the demo feed account already applied one."""
    token = _demo_feed_token()
    if FeedBatch.objects.filter(posted_by=token.user, year=DEMO_FEED_YEAR, status=FeedBatch.Status.APPLIED).exists():
        return None
    with DEMO_FEED_FILE.open("rb") as stored:
        return feed_batch_post(token=token, kind=FeedBatch.Kind.SHOP_YEARS, body=io.BytesIO(stored.read()),
                               file_format=CSV, year=DEMO_FEED_YEAR)
