"""The demo registry: real Daji, Shaji, Yiwu and Jinyun places, with illustrative shops, reports and accounts.

The division codes and the village codes 371721121227, 371721121211, 371721121240 and 320324109002 are real
(DOMAIN.md); the other village codes are plausible 2xx codes inside real townships, and every figure is
illustrative. Loading is idempotent: each table is keyed on its natural key, only missing rows are created
(in bulk, with history), and rows that already exist are left as they are, edits included.
"""

import datetime
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from villages.models import (
    ADMINISTRATORS,
    COUNTY_OFFICIALS,
    REVIEWERS,
    AnnualReport,
    Division,
    JurisdictionAssignment,
    OnlineShop,
    ReportingWindow,
    ReviewEvent,
    ShopYear,
    Village,
)
from villages.services.certification import assessments_rescore

DEFAULT_DEMO_PASSWORD = "taobao-demo"
DEMO_YEARS = range(2019, 2025)
CHANGE_REASON = "demo data"
CHINA_TIME = ZoneInfo("Asia/Shanghai")

Status = AnnualReport.Status


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    division_codes: tuple[str, ...] = ()
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin", ADMINISTRATORS, superuser=True),
    DemoAccount("reviewer", REVIEWERS, ("370000", "320000")),
    DemoAccount("caoxian", COUNTY_OFFICIALS, ("371721",)),
    DemoAccount("suining", COUNTY_OFFICIALS, ("320324",)),
)


@dataclass(frozen=True)
class DemoVillage:
    """A village and the trend of its yearly figures; `status_2024` is where its latest report stands."""

    code: str
    name: str
    households: int
    population: int
    urban_rural_code: int
    latitude: str
    longitude: str
    main_products: str
    categories: tuple[str, ...]
    sales_2019: int
    sales_growth: str
    shops_2019: int
    shops_per_year: int
    status_2024: str = Status.APPROVED
    official: str = "admin"
    reviewer: str = "admin"

    def report_figures(self, year: int) -> tuple[int, int]:
        """E-commerce sales (rounded to RMB 10,000) and active shops declared for a year."""
        steps = year - DEMO_YEARS[0]
        sales = Decimal(self.sales_2019) * Decimal(self.sales_growth) ** steps
        return int(round(sales, -4)), self.shops_2019 + self.shops_per_year * steps


CAO = {"official": "caoxian", "reviewer": "reviewer"}
SUINING = {"official": "suining", "reviewer": "reviewer"}
COSTUMES = ("演出服", "汉服", "儿童表演服")
WOODWORK = ("木制品", "实木相框", "木质收纳")

DEMO_VILLAGES = (
    # Daji town, Cao County: six Taobao villages, so Daji is a Taobao town by both routes.
    DemoVillage("371721121227", "丁楼村", 420, 1560, 220, "34.712300", "115.652100", "演出服、汉服", COSTUMES,
                60_000_000, "1.15", 260, 30, **CAO),
    DemoVillage("371721121211", "张庄村", 530, 1980, 220, "34.705800", "115.640400", "演出服、摄影服装", COSTUMES,
                35_000_000, "1.12", 180, 15, status_2024=Status.SUBMITTED, **CAO),
    DemoVillage("371721121240", "孙庄村", 460, 1720, 220, "34.720900", "115.661800", "木制品、演出服", WOODWORK,
                25_000_000, "1.10", 140, 10, status_2024=Status.RETURNED, **CAO),
    DemoVillage("371721121201", "大集村", 610, 2300, 121, "34.709500", "115.648700", "演出服、商贸", COSTUMES,
                18_000_000, "1.08", 120, 8, status_2024=Status.DRAFT, **CAO),
    DemoVillage("371721121231", "桑庄村", 380, 1410, 220, "34.698200", "115.655300", "演出服", COSTUMES,
                14_000_000, "1.05", 105, 5, **CAO),
    # Near miss on sales: always a few hundred thousand yuan short of RMB 10 million.
    DemoVillage("371721121250", "郑庄村", 700, 2610, 220, "34.716400", "115.671200", "木制品", WOODWORK,
                9_200_000, "1.015", 115, 2, status_2024=Status.SUBMITTED, **CAO),
    # Fewer than 100 active shops, but more than 10 % of its households: qualifies by the share route only.
    DemoVillage("371721121262", "殷庄村", 520, 1890, 220, "34.701100", "115.633900", "汉服、演出服", COSTUMES,
                11_500_000, "1.05", 56, 1, **CAO),
    # Near miss on breadth: 98 active shops in 2024, short of both 100 shops and 10 % of 1,100 households.
    DemoVillage("371721121273", "李庄村", 1100, 4050, 220, "34.693700", "115.668400", "木制品、家居", WOODWORK,
                13_000_000, "1.04", 88, 2, **CAO),
    # Shaji town, Suining: Dongfeng, one of the first three Taobao villages, is now a neighbourhood committee.
    # From 2020 on no new neighbourhood committees are admitted; certified before, it keeps its eligibility.
    DemoVillage("320324109002", "东风社区居委会", 1900, 6800, 121, "34.032600", "117.781500", "板式家具",
                ("板式家具", "儿童家具", "电脑桌"), 220_000_000, "1.06", 1100, 40, **SUINING),
    DemoVillage("320324109215", "王圩村", 640, 2400, 220, "34.041200", "117.769800", "家具", ("实木家具", "板式家具"),
                60_000_000, "1.07", 300, 20, status_2024=Status.DRAFT, **SUINING),
    # Jiangdong subdistrict, Yiwu: a village committee in a subdistrict (the village counts, the town does not).
    DemoVillage("330782002203", "青岩刘村", 1400, 4100, 112, "29.298700", "120.094300", "小商品、饰品",
                ("饰品", "日用百货", "小商品"), 800_000_000, "1.08", 2800, 100),
    # Huzhen town, Jinyun: outdoor gear.
    DemoVillage("331122101215", "北山村", 480, 1700, 220, "28.822400", "120.262100", "户外用品",
                ("户外用品", "烧烤炉", "帐篷"), 140_000_000, "1.05", 190, 5, status_2024=Status.SUBMITTED),
)

REQUIRED_DIVISIONS = ("370000", "320000", "330000", "371721", "320324", "330782", "331122") + tuple(
    sorted({village.code[:9] for village in DEMO_VILLAGES})
)

PLATFORMS = (
    OnlineShop.Platform.TAOBAO,
    OnlineShop.Platform.TMALL,
    OnlineShop.Platform.ALIBABA_1688,
    OnlineShop.Platform.PINDUODUO,
    OnlineShop.Platform.DOUYIN,
    OnlineShop.Platform.JD,
)
BRANDS = ("鑫源", "华艺", "锦绣", "乐童", "星辰", "金凤", "瑞祥", "恒达", "福满", "巧手", "汉韵", "云裳")
SHOP_SUFFIXES = ("旗舰店", "专营店", "小店", "工厂店")
SHOPS_PER_VILLAGE = 8
CLOSED_SHOP = 1
QUIET_SHOP = 2
NEWEST_SHOP_OPENED = datetime.date(2024, 6, 10)
AVERAGE_ORDER_YUAN = 85
RETURN_COMMENT = "请补充2024年下半年的快递发货单据，销售额与平台对账单不一致。"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def missing_divisions() -> list[str]:
    present = set(Division.objects.filter(code__in=REQUIRED_DIVISIONS).values_list("code", flat=True))
    return [code for code in REQUIRED_DIVISIONS if code not in present]


def _at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=CHINA_TIME)


def _validated(objects, exclude=()):
    """Run field validation and each model's clean() before a bulk insert, which skips both."""
    for obj in objects:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    return objects


def ensure_accounts() -> dict[str, object]:
    """The four demo accounts with their roles and areas; a password is set only when an account is made."""
    User = get_user_model()
    password = demo_password()
    groups = {group.name: group for group in Group.objects.filter(name__in={a.role for a in DEMO_ACCOUNTS})}
    users = {}
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "is_staff": True,
                "is_superuser": account.superuser,
                "email": f"{account.username}@example.gov.cn",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        if not account.superuser:
            user.groups.add(groups[account.role])
        for code in account.division_codes:
            JurisdictionAssignment.objects.get_or_create(user=user, division_id=code)
        users[account.username] = user
    return users


def _create_missing_villages(admin) -> dict[str, Village]:
    existing = set(Village.objects.filter(code__in=[v.code for v in DEMO_VILLAGES]).values_list("code", flat=True))
    new = [
        Village(
            code=spec.code,
            name=spec.name,
            township_id=spec.code[:9],
            households=spec.households,
            population=spec.population,
            urban_rural_code=spec.urban_rural_code,
            latitude=Decimal(spec.latitude),
            longitude=Decimal(spec.longitude),
            main_products=spec.main_products,
        )
        for spec in DEMO_VILLAGES
        if spec.code not in existing
    ]
    for village in _validated(new, exclude=["township"]):
        # save() derives the committee type from the code; bulk_create does not call save().
        village.committee_type = village.parsed_code.committee_type
    bulk_create_with_history(new, Village, default_user=admin, default_change_reason=CHANGE_REASON)
    return Village.objects.in_bulk([v.code for v in DEMO_VILLAGES], field_name="code")


def _shop_plan(spec: DemoVillage, index: int) -> dict:
    brand = BRANDS[(index + int(spec.code[-3:])) % len(BRANDS)]
    category = spec.categories[index % len(spec.categories)]
    if index == SHOPS_PER_VILLAGE - 1:
        opened_on = NEWEST_SHOP_OPENED
    else:
        opened_on = datetime.date(2013 + (index * 3) % 10, 1 + (index * 5) % 12, 1 + (index * 7) % 28)
    return {
        "platform": PLATFORMS[index % len(PLATFORMS)],
        "platform_shop_id": f"{spec.code}-{index + 1:02d}",
        "name": f"{brand}{category}{SHOP_SUFFIXES[index % len(SHOP_SUFFIXES)]}",
        "category": category,
        "opened_on": opened_on,
        "closed_on": datetime.date(2022, 3, 31) if index == CLOSED_SHOP else None,
    }


def _create_missing_shops(villages, admin) -> list[OnlineShop]:
    planned = {
        (plan["platform"], plan["platform_shop_id"]): (spec, index, plan)
        for spec in DEMO_VILLAGES
        for index in range(SHOPS_PER_VILLAGE)
        for plan in [_shop_plan(spec, index)]
    }
    shop_ids = {shop_id for _platform, shop_id in planned}
    existing = set(
        OnlineShop.objects.filter(platform_shop_id__in=shop_ids).values_list("platform", "platform_shop_id")
    )
    new = [
        OnlineShop(village=villages[spec.code], **plan)
        for key, (spec, _index, plan) in planned.items()
        if key not in existing
    ]
    bulk_create_with_history(
        _validated(new, exclude=["village"]), OnlineShop, default_user=admin, default_change_reason=CHANGE_REASON
    )
    shops = OnlineShop.objects.filter(platform_shop_id__in=shop_ids).select_related("village")
    return [shop for shop in shops if (shop.platform, shop.platform_shop_id) in planned]


def _shop_year_figures(shop: OnlineShop, year: int) -> ShopYear | None:
    """The figures of a shop for the 12 months to the end of June of `year`, if it was open then."""
    cutoff = datetime.date(year, 6, 30)
    if shop.opened_on > cutoff or (shop.closed_on and shop.closed_on < datetime.date(year - 1, 7, 1)):
        return None
    index = int(shop.platform_shop_id[-2:]) - 1
    days_open = min(365, (cutoff - shop.opened_on).days)
    orders = 60 + (index * 37 + int(shop.village.code[-3:])) % 240 + 15 * (year - DEMO_YEARS[0])
    annual_orders = orders * 4
    if index == QUIET_SHOP:
        orders = annual_orders = 2
    if shop.closed_on and shop.closed_on < cutoff:
        # Closed during the window: its sales stop at the closing date and it has no recent orders.
        annual_orders = annual_orders * (shop.closed_on - datetime.date(year - 1, 7, 1)).days // 365
        orders = 0
    return ShopYear(
        shop=shop,
        year=year,
        sales=annual_orders * AVERAGE_ORDER_YUAN,
        orders_last_3_months=orders,
        days_open=days_open,
    )


def _create_missing_shop_years(shops, admin) -> None:
    existing = set(ShopYear.objects.filter(shop__in=shops).values_list("shop_id", "year"))
    new = [
        figures
        for shop in shops
        for year in DEMO_YEARS
        if (shop.pk, year) not in existing
        for figures in [_shop_year_figures(shop, year)]
        if figures is not None
    ]
    bulk_create_with_history(
        _validated(new, exclude=["shop"]), ShopYear, default_user=admin, default_change_reason=CHANGE_REASON
    )


def _report_status(spec: DemoVillage, year: int) -> str:
    return spec.status_2024 if year == DEMO_YEARS[-1] else Status.APPROVED


def _create_missing_reports(villages, users) -> list[AnnualReport]:
    """Reports 2019–2024, with who submitted and reviewed them and their review timeline."""
    existing = set(
        AnnualReport.objects.filter(village__in=villages.values()).values_list("village__code", "year")
    )
    new = []
    for spec in DEMO_VILLAGES:
        for year in DEMO_YEARS:
            if (spec.code, year) in existing:
                continue
            sales, active_shops = spec.report_figures(year)
            status = _report_status(spec, year)
            official, reviewer = users[spec.official], users[spec.reviewer]
            report = AnnualReport(
                village=villages[spec.code],
                year=year,
                ecommerce_sales=sales,
                active_shops=active_shops,
                households=spec.households,
                status=status,
                created_by=official,
            )
            if status != Status.DRAFT:
                report.submitted_by, report.submitted_at = official, _at(year, 8, 15)
            if status in (Status.APPROVED, Status.RETURNED):
                report.reviewed_by, report.reviewed_at = reviewer, _at(year, 9, 10)
            if status == Status.RETURNED:
                report.review_comment = RETURN_COMMENT
            new.append(report)
    created = bulk_create_with_history(
        _validated(new, exclude=["village", "created_by", "submitted_by", "reviewed_by"]),
        AnnualReport,
        default_user=users["admin"],
        default_change_reason=CHANGE_REASON,
    )
    _create_review_timeline(created)
    return created


def _create_review_timeline(reports) -> None:
    """The steps each new report went through; `at` is set afterwards because the field fills itself in."""
    events = []
    for report in reports:
        if report.status == Status.DRAFT:
            continue
        events.append(
            ReviewEvent(report=report, from_status=Status.DRAFT, to_status=Status.SUBMITTED, by=report.submitted_by)
        )
        if report.status in (Status.APPROVED, Status.RETURNED):
            events.append(
                ReviewEvent(
                    report=report,
                    from_status=Status.SUBMITTED,
                    to_status=report.status,
                    by=report.reviewed_by,
                    comment=report.review_comment,
                )
            )
    ReviewEvent.objects.bulk_create(events)
    event_ids_by_time = defaultdict(list)
    for event in events:
        at = event.report.submitted_at if event.to_status == Status.SUBMITTED else event.report.reviewed_at
        event_ids_by_time[at].append(event.pk)
    for at, event_ids in event_ids_by_time.items():
        ReviewEvent.objects.filter(pk__in=event_ids).update(at=at)


def _ensure_reporting_windows() -> None:
    """Past windows for 2019–2023; the 2024 window stays open to the end of this year, so the demo can submit."""
    this_year = timezone.localdate().year
    existing = set(ReportingWindow.objects.filter(year__in=DEMO_YEARS).values_list("year", flat=True))
    ReportingWindow.objects.bulk_create(
        [
            ReportingWindow(
                year=year,
                opens_on=datetime.date(year, 7, 1),
                closes_on=datetime.date(this_year, 12, 31) if year == DEMO_YEARS[-1] else datetime.date(year, 10, 31),
            )
            for year in DEMO_YEARS
            if year not in existing
        ]
    )


@dataclass(frozen=True)
class VillagesDemo:
    users: dict
    villages: dict[str, Village]
    new_reports: list[AnnualReport]


def load_villages_demo() -> VillagesDemo:
    """Create whatever part of the villages demo is missing, in one transaction."""
    missing = missing_divisions()
    if missing:
        raise ImproperlyConfigured(
            _("The demo needs the official divisions (missing: %(codes)s). Run `manage.py load_divisions` first.")
            % {"codes": ", ".join(missing)}
        )
    with transaction.atomic():
        users = ensure_accounts()
        villages = _create_missing_villages(users["admin"])
        shops = _create_missing_shops(villages, users["admin"])
        _create_missing_shop_years(shops, users["admin"])
        new_reports = _create_missing_reports(villages, users)
        _ensure_reporting_windows()
        # Approved reports are scored as the review workflow would: one set-based rescoring of their years.
        approved_years = {report.year for report in new_reports if report.status == Status.APPROVED}
        if approved_years:
            assessments_rescore(years=approved_years)
    return VillagesDemo(users=users, villages=villages, new_reports=new_reports)
