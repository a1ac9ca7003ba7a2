"""factory_boy factories for every registry model, and a small division tree to hang them on."""

import datetime
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model

from rural_services.models import CountyOperationCenter, ServiceActivity, ServicePoint
from villages.models import (
    AnnualReport,
    Assessment,
    CriteriaSet,
    Division,
    JurisdictionAssignment,
    OnlineShop,
    ReportingWindow,
    ReviewEvent,
    ShopYear,
    TaobaoTown,
    Village,
    VillageCluster,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov.cn")
    password = factory.django.Password("secret-pass-123")


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"区划{n}")


@dataclass
class DivisionTree:
    province: Division
    prefecture: Division
    county: Division
    town: Division
    subdistrict: Division
    second_county: Division
    second_county_town: Division
    other_province: Division
    other_prefecture: Division
    other_county: Division
    other_town: Division


class DivisionTreeFactory:
    """Shandong › Heze › Cao County (Daji town, a subdistrict) and Shan County; Jiangsu › Xuzhou › Suining."""

    @staticmethod
    def build_tree() -> DivisionTree:
        def division(code, name, level, parent=None):
            return DivisionFactory(code=code, name=name, level=level, parent=parent)

        province = division("370000", "山东省", "province")
        prefecture = division("371700", "菏泽市", "prefecture", province)
        county = division("371721", "曹县", "county", prefecture)
        second_county = division("371722", "单县", "county", prefecture)
        other_province = division("320000", "江苏省", "province")
        other_prefecture = division("320300", "徐州市", "prefecture", other_province)
        other_county = division("320324", "睢宁县", "county", other_prefecture)
        return DivisionTree(
            province=province,
            prefecture=prefecture,
            county=county,
            town=division("371721121", "大集镇", "township", county),
            subdistrict=division("371721001", "曹城街道", "township", county),
            second_county=second_county,
            second_county_town=division("371722102", "黄岗镇", "township", second_county),
            other_province=other_province,
            other_prefecture=other_prefecture,
            other_county=other_county,
            other_town=division("320324109", "沙集镇", "township", other_county),
        )


def free_village_code(township_code: str, n: int) -> str:
    """The n-th village committee code of the township (unit digits 200–399, round again after 399), or the next
    one that no village holds yet: tests also give villages codes of their own (371721121227), which the
    sequence would otherwise meet one time in two hundred."""
    taken = set(Village.objects.filter(township_id=township_code).values_list("code", flat=True))
    for step in range(200):
        code = f"{township_code}{200 + (n + step) % 200:03d}"
        if code not in taken:
            return code
    raise ValueError(f"no village committee code left in township {township_code}")


class VillageFactory(factory.django.DjangoModelFactory):
    """A village committee (unit digits 2xx) in the township given, or in a township made for it."""

    class Meta:
        model = Village

    township = factory.LazyFunction(lambda: DivisionTreeFactory.build_tree().town)
    code = factory.LazyAttributeSequence(lambda village, n: free_village_code(village.township.code, n))
    name = factory.Sequence(lambda n: f"测试村{n}")
    households = 800
    population = 3000


class OnlineShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnlineShop

    village = factory.SubFactory(VillageFactory)
    platform = OnlineShop.Platform.TAOBAO
    platform_shop_id = factory.Sequence(lambda n: f"shop-{n:06d}")
    name = factory.Sequence(lambda n: f"网店{n}")
    category = "服装"
    opened_on = datetime.date(2018, 3, 1)


class ShopYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShopYear

    shop = factory.SubFactory(OnlineShopFactory)
    year = 2023
    sales = 150_000
    orders_last_3_months = 30
    days_open = 365


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport

    village = factory.SubFactory(VillageFactory)
    year = 2023
    ecommerce_sales = 12_000_000
    active_shops = 120
    households = 800


class CountyOperationCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountyOperationCenter

    county = factory.LazyFunction(lambda: DivisionTreeFactory.build_tree().county)
    name = factory.Sequence(lambda n: f"农村淘宝县级运营中心{n}")
    address = "曹县青菏街道"
    opened_on = datetime.date(2016, 5, 1)


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    code = factory.Sequence(lambda n: f"SP{n:06d}")
    name = factory.Sequence(lambda n: f"村淘服务站{n}")
    village = factory.SubFactory(VillageFactory)
    status = ServicePoint.Status.OPEN
    opened_on = datetime.date(2017, 6, 1)
    partner_name = "张三"
    partner_phone = "13812345678"


class ServiceActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceActivity

    point = factory.SubFactory(ServicePointFactory)
    month = datetime.date(2024, 3, 1)
    assisted_purchases = 40
    assisted_purchase_value = 12_000
    produce_sales_value = 30_000
    parcels = 500


class ReviewEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewEvent

    report = factory.SubFactory(AnnualReportFactory)
    from_status = AnnualReport.Status.DRAFT
    to_status = AnnualReport.Status.SUBMITTED
    by = factory.SubFactory(UserFactory)


class ReportingWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingWindow
        django_get_or_create = ("year",)

    year = 2023
    opens_on = factory.LazyAttribute(lambda window: datetime.date(window.year, 7, 1))
    closes_on = factory.LazyAttribute(lambda window: datetime.date(window.year, 10, 31))


class JurisdictionAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JurisdictionAssignment

    user = factory.SubFactory(UserFactory)
    division = factory.LazyFunction(lambda: DivisionTreeFactory.build_tree().county)


class CriteriaSetFactory(factory.django.DjangoModelFactory):
    """A criteria version, for building unsaved instances: the seeded 2020 version is open-ended, so saving
    one needs that version closed first (a year has exactly one version)."""

    class Meta:
        model = CriteriaSet

    name = factory.Sequence(lambda n: f"Test criteria {n}")
    first_year = 2090
    last_year = 2090
    eligible_committee_types = factory.LazyFunction(lambda: ["village_committee"])
    village_min_sales = 10_000_000
    village_min_active_shops = 100
    village_min_household_share = "0.1000"
    town_min_taobao_villages = 3
    town_scale_route = False
    subdistricts_can_be_towns = False


def criteria_for(year):
    """The seeded criteria version that covers a year."""
    return CriteriaSet.objects.filter(first_year__lte=year).order_by("-first_year").first()


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    village = factory.SubFactory(VillageFactory)
    year = 2023
    criteria_set = factory.LazyAttribute(lambda assessment: criteria_for(assessment.year))
    qualified = True
    score = 100
    inputs = factory.LazyFunction(dict)
    checks = factory.LazyFunction(list)


class TaobaoTownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaobaoTown

    township = factory.LazyFunction(lambda: DivisionTreeFactory.build_tree().town)
    year = 2023
    criteria_set = factory.LazyAttribute(lambda town: criteria_for(town.year))
    route = TaobaoTown.Route.VILLAGES
    taobao_villages = 3
    ecommerce_sales = 40_000_000
    active_shops = 350


class VillageClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageCluster

    year = 2023
    size_class = VillageCluster.SizeClass.CLUSTER
    village_count = 10
    counties = factory.LazyFunction(lambda: ["371721"])
