"""Village pages: the list with filters and pinned query count, the detail page, and the village form by role."""

import pytest
from django.urls import reverse

from tests.factories import (
    AnnualReportFactory,
    OnlineShopFactory,
    ServicePointFactory,
    ShopYearFactory,
    VillageFactory,
)
from villages.models import Assessment, CriteriaSet, Village

pytestmark = pytest.mark.django_db


def certify(village, year=2023, qualified=True, checks=None):
    report = AnnualReportFactory(village=village, year=year, status="approved")
    return Assessment.objects.create(
        village=village,
        year=year,
        report=report,
        criteria_set=CriteriaSet.objects.order_by("-first_year").first(),
        qualified=qualified,
        score=100 if qualified else 80,
        checks=checks
        or [
            {
                "key": "location",
                "passed": True,
                "actual": "village_committee",
                "required": ["village_committee"],
                "gap": None,
            },
            {
                "key": "sales",
                "passed": qualified,
                "actual": 12_000_000 if qualified else 8_600_000,
                "required": 10_000_000,
                "gap": 0 if qualified else 1_400_000,
            },
            {
                "key": "shops",
                "passed": qualified,
                "actual": 120 if qualified else 88,
                "required": 100,
                "gap": 0 if qualified else 12,
                "share_actual": 15.0 if qualified else 8.8,
                "share_required": 10.0,
                "share_gap": 0 if qualified else 1.2,
            },
        ],
    )


def test_anonymous_village_list_shows_only_certified_villages(client, tree):
    certified = VillageFactory(township=tree.town, name="丁楼村")
    certify(certified)
    VillageFactory(township=tree.town, name="未认证村")
    response = client.get(reverse("villages:village_list"))
    assert response.status_code == 200
    assert "丁楼村" in response.content.decode()
    assert "未认证村" not in response.content.decode()


def test_official_village_list_filters_by_township_and_search(client_for, official, tree):
    VillageFactory(township=tree.town, name="大集一村")
    VillageFactory(township=tree.subdistrict, name="街道社区")
    client = client_for(official)
    page = client.get(reverse("villages:village_list"), {"township": tree.town.code}).content.decode()
    assert "大集一村" in page and "街道社区" not in page
    page = client.get(reverse("villages:village_list"), {"search": "街道"}).content.decode()
    assert "街道社区" in page and "大集一村" not in page


def test_village_list_filters_certified_in_year(client, tree):
    in_2022 = VillageFactory(township=tree.town, name="二二村")
    certify(in_2022, year=2022)
    in_2023 = VillageFactory(township=tree.town, name="二三村")
    certify(in_2023, year=2023)
    page = client.get(reverse("villages:village_list"), {"certified_in": "2022"}).content.decode()
    assert "二二村" in page and "二三村" not in page


def test_village_list_shows_filter_errors_instead_of_failing(client, tree):
    response = client.get(reverse("villages:village_list"), {"county": "abc"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_village_list_page_links_keep_the_filters_but_not_the_page_number(client, tree):
    for number in range(26):
        certify(VillageFactory(township=tree.town, name=f"第{number}村"))
    response = client.get(reverse("villages:village_list"), {"certified_in": "2023", "page": "2"})
    assert response.context["query"] == "certified_in=2023"
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 1


def test_village_list_lists_nothing_while_a_filter_is_invalid(client, tree):
    certify(VillageFactory(township=tree.town))
    response = client.get(reverse("villages:village_list"), {"county": "abc"})
    assert list(response.context["page"].object_list) == []


def test_village_list_runs_a_constant_number_of_queries(client_for, administrator, tree, django_assert_num_queries):
    client = client_for(administrator)
    for _ in range(3):
        certify(VillageFactory(township=tree.town), year=2023)
    client.get(reverse("villages:village_list"))
    with django_assert_num_queries(_count_queries(client)) as small:
        client.get(reverse("villages:village_list"))
    for _ in range(20):
        certify(VillageFactory(township=tree.town), year=2023)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("villages:village_list"))


def _count_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(reverse("villages:village_list"))
    return len(context.captured_queries)


def test_village_detail_explains_each_criterion_and_the_gap_in_words(client, tree):
    village = VillageFactory(township=tree.town, name="差一点村")
    certify(village, year=2022)
    certify(village, year=2023, qualified=False)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("villages:village_detail", args=[village.code]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Needs RMB 1.4 million more sales, and 12 more active shops, or 1.2 percentage points more" in page
    assert "Annual e-commerce sales" in page
    assert "RMB 10,000,000" in page


def test_village_detail_in_chinese_shows_money_in_wan_yuan(client, tree):
    village = VillageFactory(township=tree.town)
    certify(village, qualified=True)
    page = client.get(
        reverse("villages:village_detail", args=[village.code]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "1,200 万元" in page


def test_official_opening_another_countys_uncertified_village_gets_404(client_for, official, tree):
    village = VillageFactory(township=tree.other_town)
    assert client_for(official).get(reverse("villages:village_detail", args=[village.code])).status_code == 404


def test_anonymous_never_sees_drafts_shops_or_partner_phone(client, tree):
    village = VillageFactory(township=tree.town)
    certify(village, year=2022)
    AnnualReportFactory(village=village, year=2023, ecommerce_sales=7_654_321)
    OnlineShopFactory(village=village, name="秘密网店")
    ServicePointFactory(village=village, partner_phone="13912345678", partner_name="李四")
    page = client.get(reverse("villages:village_detail", args=[village.code])).content.decode()
    assert "765" not in page
    assert "秘密网店" not in page
    assert "13912345678" not in page and "李四" not in page


def test_official_sees_shops_history_and_partner_of_own_village(client_for, official, tree):
    village = VillageFactory(township=tree.town)
    shop = OnlineShopFactory(village=village, name="自家网店")
    ShopYearFactory(shop=shop, year=2023)
    ServicePointFactory(village=village, partner_phone="13912345678")
    page = client_for(official).get(reverse("villages:village_detail", args=[village.code])).content.decode()
    assert "自家网店" in page and "13912345678" in page


def test_official_registers_a_village_in_their_county(client_for, official, tree):
    response = client_for(official).post(
        reverse("villages:village_create"),
        {"township": tree.town.code, "code": tree.town.code + "231", "name": "新村", "households": "500"},
    )
    assert response.status_code == 302
    village = Village.objects.get(code=tree.town.code + "231")
    assert village.township == tree.town and village.households == 500


def test_village_form_puts_a_code_outside_the_township_beside_the_code_field(client_for, official, tree):
    response = client_for(official).post(
        reverse("villages:village_create"),
        {"township": tree.town.code, "code": tree.subdistrict.code + "231", "name": "错村", "households": "500"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Village.objects.filter(name="错村").exists()


def test_official_cannot_register_a_village_in_another_county(client_for, official, tree):
    response = client_for(official).post(
        reverse("villages:village_create"),
        {
            "township": tree.other_town.code,
            "code": tree.other_town.code + "231",
            "name": "外县村",
            "households": "500",
        },
    )
    assert response.status_code == 200
    assert not Village.objects.filter(name="外县村").exists()


def test_reviewer_and_anonymous_cannot_open_the_village_form(client, client_for, reviewer):
    assert client_for(reviewer).get(reverse("villages:village_create")).status_code == 403
    assert client.get(reverse("villages:village_create")).status_code == 302


def test_stale_village_edit_shows_both_versions_and_overwrites_nothing(client_for, official, tree):
    village = VillageFactory(township=tree.town, name="原名村")
    client = client_for(official)
    form_page = client.get(reverse("villages:village_edit", args=[village.code]))
    version = form_page.context["form"].initial["version"]
    Village.objects.filter(pk=village.pk).update(name="别人改的村", version=version + 1)
    response = client.post(
        reverse("villages:village_edit", args=[village.code]),
        {
            "version": version,
            "township": tree.town.code,
            "code": village.code,
            "name": "我改的村",
            "households": "800",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "我改的村" in page and "别人改的村" in page
    assert Village.objects.get(pk=village.pk).name == "别人改的村"


def test_division_options_cascade_and_search(client, tree):
    counties = client.get(
        reverse("villages:division_options"), {"level": "county", "within": tree.province.code}
    ).json()
    assert {item["code"] for item in counties["results"]} == {tree.county.code, tree.second_county.code}
    found = client.get(reverse("villages:division_options"), {"search": "大集"}).json()
    assert [item["code"] for item in found["results"]] == [tree.town.code]
