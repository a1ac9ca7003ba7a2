"""A generated province for the completeness tests: prefectures, counties, and villages in every reporting state.

Henan (410000): Zhengzhou (410100) with counties 410102 and 410103, Kaifeng (410200) with county 410221.
The season is 2024; its window closes on 2024-10-31. Each village's comment says why it is (not) expected.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from tests.conftest import make_user
from tests.factories import (
    AnnualReportFactory,
    AssessmentFactory,
    DivisionFactory,
    OnlineShopFactory,
    ReportingWindowFactory,
    ShopYearFactory,
    VillageFactory,
    criteria_for,
)
from villages.models import (
    ADMINISTRATORS,
    COUNTY_OFFICIALS,
    REVIEWERS,
    Assessment,
    OnlineShop,
    ReportingTrack,
    ReviewEvent,
    ShopYear,
    Village,
)

YEAR = 2024
ON_TIME = timezone.make_aware(datetime.datetime(2024, 9, 15, 10, 0))
LATE = timezone.make_aware(datetime.datetime(2024, 11, 2, 10, 0))


@dataclass
class Season:
    province: object
    prefectures: dict
    counties: dict
    towns: dict
    villages: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def build_divisions() -> Season:
    province = DivisionFactory(code="410000", name="河南省", level="province")
    zhengzhou = DivisionFactory(code="410100", name="郑州市", level="prefecture", parent=province)
    kaifeng = DivisionFactory(code="410200", name="开封市", level="prefecture", parent=province)
    counties = {
        "a": DivisionFactory(code="410102", name="中原区", level="county", parent=zhengzhou),
        "b": DivisionFactory(code="410103", name="二七区", level="county", parent=zhengzhou),
        "c": DivisionFactory(code="410221", name="杞县", level="county", parent=kaifeng),
    }
    towns = {key: DivisionFactory(code=f"{county.code}100", name=f"{county.name}一镇", level="township",
                                  parent=county) for key, county in counties.items()}
    return Season(province=province, prefectures={"zhengzhou": zhengzhou, "kaifeng": kaifeng},
                  counties=counties, towns=towns)


def submitted(report, at, by):
    """Give a report a submission in its timeline at the moment `at` (the event's own time is set on save)."""
    event = ReviewEvent.objects.create(report=report, from_status="draft", to_status="submitted", by=by)
    ReviewEvent.objects.filter(pk=event.pk).update(at=at)
    type(report).objects.filter(pk=report.pk).update(submitted_at=at)


def build_season(tree) -> Season:
    """The hand-made season whose numbers the tests assert (see each village's line)."""
    season = build_divisions()
    users = season.users
    users["official_a"] = make_user("official_a", COUNTY_OFFICIALS, [season.counties["a"]],
                                    email="a@example.gov.cn")
    users["official_b"] = make_user("official_b", COUNTY_OFFICIALS, [season.counties["b"]],
                                    email="b@example.gov.cn")
    users["official_c_silent"] = make_user("official_c", COUNTY_OFFICIALS, [season.counties["c"]], email="")
    users["reviewer"] = make_user("henan_reviewer", REVIEWERS, [season.province])
    users["prefecture_reviewer"] = make_user("zhengzhou_reviewer", REVIEWERS, [season.prefectures["zhengzhou"]])
    users["other_reviewer"] = make_user("shandong_reviewer", REVIEWERS, [tree.province])
    users["other_official"] = make_user("caoxian_official", COUNTY_OFFICIALS, [tree.county])
    users["administrator"] = make_user("season_admin", ADMINISTRATORS, is_staff=True)
    ReportingWindowFactory(year=YEAR, opens_on=datetime.date(2024, 7, 1), closes_on=datetime.date(2024, 10, 31))
    official = users["official_a"]

    def village(key, town, unit, name):
        season.villages[key] = VillageFactory(township=season.towns[town], code=f"{season.towns[town].code}{unit}",
                                              name=name)
        return season.villages[key]

    # County A (410102)
    AssessmentFactory(village=village("v1", "a", "201", "一村"), year=YEAR - 1)  # certified, no report: missing
    v2 = village("v2", "a", "202", "二村")
    AssessmentFactory(village=v2, year=YEAR - 1)
    submitted(AnnualReportFactory(village=v2, year=YEAR, status="approved"), ON_TIME, official)  # approved, on time
    v3 = village("v3", "a", "203", "三村")
    ShopYearFactory(shop=OnlineShopFactory(village=v3), year=YEAR)
    submitted(AnnualReportFactory(village=v3, year=YEAR, status="submitted"), LATE, official)  # submitted late
    v4 = village("v4", "a", "204", "四村")
    ShopYearFactory(shop=OnlineShopFactory(village=v4), year=YEAR, days_open=10)  # inactive shop: not expected
    ReportingTrack.objects.create(village=village("v5", "a", "205", "五村"), year=YEAR)  # tracked, missing
    village("v6", "a", "206", "六村")  # nothing: not expected
    AssessmentFactory(village=village("v7", "a", "207", "七村"), year=YEAR - 1, qualified=False)  # not expected
    v8 = village("v8", "a", "208", "八村")
    ShopYearFactory(shop=OnlineShopFactory(village=v8), year=YEAR)  # active shops, missing
    AssessmentFactory(village=village("v13", "a", "213", "十三村"), year=YEAR - 2)  # certified two years ago only
    # County B (410103)
    v9 = village("v9", "b", "209", "九村")
    ReportingTrack.objects.create(village=v9, year=YEAR)
    AnnualReportFactory(village=v9, year=YEAR, status="draft")  # tracked, draft
    v10 = village("v10", "b", "210", "十村")
    AssessmentFactory(village=v10, year=YEAR - 1)
    submitted(AnnualReportFactory(village=v10, year=YEAR, status="returned"), ON_TIME, official)  # returned, on time
    # County C (410221)
    AssessmentFactory(village=village("v11", "c", "211", "十一村"), year=YEAR - 1)  # certified, missing
    AnnualReportFactory(village=village("v12", "c", "212", "十二村"), year=YEAR, status="draft")  # only a draft
    return season


def build_bulk_villages(season: Season, count: int) -> None:
    """`count` more villages in county A's town, set-wise: a third certified last year, a third with an active
    shop, the rest tracked; none has a report. Written with bulk_create so that 1,000 take a moment."""
    county = season.counties["a"]
    criteria = criteria_for(YEAR - 1)
    towns = {}
    villages = []
    for index in range(count):
        town_code = f"{county.code}{300 + index // 190:03d}"
        if town_code not in towns:
            towns[town_code] = DivisionFactory(code=town_code, name=f"批量镇{len(towns)}", level="township",
                                               parent=season.counties["a"])
        villages.append(Village(code=f"{town_code}{200 + index % 190:03d}", name=f"批量村{index}",
                                township=towns[town_code], committee_type="village_committee", households=500))
    villages = Village.objects.bulk_create(villages)
    villages = list(Village.objects.filter(code__in=[village.code for village in villages]).order_by("code"))
    thirds = [villages[index::3] for index in range(3)]
    Assessment.objects.bulk_create(
        Assessment(village=village, year=YEAR - 1, criteria_set=criteria, qualified=True, score=100)
        for village in thirds[0]
    )
    shops = OnlineShop.objects.bulk_create(
        OnlineShop(village=village, platform="taobao", platform_shop_id=f"bulk-{village.code}", name="批量店")
        for village in thirds[1]
    )
    shops = OnlineShop.objects.filter(platform_shop_id__in=[shop.platform_shop_id for shop in shops])
    ShopYear.objects.bulk_create(
        ShopYear(shop=shop, year=YEAR, orders_last_3_months=30, days_open=365) for shop in shops
    )
    ReportingTrack.objects.bulk_create(ReportingTrack(village=village, year=YEAR) for village in thirds[2])
