"""Deleting from the web pages: a confirmation page first, the service's rules, and only for those allowed."""

import pytest
from django.test import Client
from django.urls import reverse

from rural_services.models import CountyOperationCenter, ServiceActivity, ServicePoint
from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    OnlineShopFactory,
    ReviewEventFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    ShopYearFactory,
    VillageFactory,
)
from villages.models import AnnualReport, OnlineShop, ReviewEvent, ShopYear, Village

Status = AnnualReport.Status


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, name="丁楼村")


def follow_messages(client, response) -> str:
    """The page a redirect leads to, where the flash messages are shown."""
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_administrator_deletes_an_empty_village_after_a_confirmation_page(client_for, administrator, village):
    client = client_for(administrator)
    url = reverse("villages:village_delete", args=[village.code])
    assert url in client.get(reverse("villages:village_detail", args=[village.code])).content.decode()
    page = client.get(url).content.decode()
    assert "Delete village 丁楼村" in page and "Yes, delete the village" in page
    assert Village.objects.filter(pk=village.pk).exists()

    response = client.post(url)
    assert response["Location"] == reverse("villages:village_list")
    assert "Village 丁楼村 deleted." in follow_messages(client, response)
    assert not Village.objects.filter(pk=village.pk).exists()
    deletion = Village.history.get(code=village.code, history_type="-")
    assert deletion.history_user == administrator


def test_a_village_that_still_has_records_says_which_and_stays(client_for, administrator, village):
    OnlineShopFactory(village=village)
    AnnualReportFactory(village=village, year=2022)
    AnnualReportFactory(village=village, year=2023)
    client = client_for(administrator)
    url = reverse("villages:village_delete", args=[village.code])
    page = client.get(url).content.decode()
    assert "It still has 2 annual reports." in page and "It still has 1 online shop." in page
    assert "service point" not in page
    assert "Yes, delete the village" not in page

    # A POST made anyway (an old tab, a hand-made request) is refused by the service with the reason.
    response = client.post(url)
    assert response["Location"] == reverse("villages:village_detail", args=[village.code])
    assert "cannot be deleted while it still has" in follow_messages(client, response)
    assert Village.objects.filter(pk=village.pk).exists()
    assert OnlineShop.objects.filter(village=village).count() == 1


def test_administrator_deletes_a_submitted_report_with_its_review_history(client_for, administrator, village):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED)
    ReviewEventFactory(report=report)
    client = client_for(administrator)
    url = reverse("villages:report_delete", args=[report.pk])
    assert url in client.get(reverse("villages:report_detail", args=[report.pk])).content.decode()
    assert "Yes, delete the report" in client.get(url).content.decode()

    response = client.post(url)
    assert response["Location"] == reverse("villages:village_detail", args=[village.code])
    assert "The report of 丁楼村 for 2023 was deleted." in follow_messages(client, response)
    assert not AnnualReport.objects.filter(pk=report.pk).exists()
    assert not ReviewEvent.objects.filter(report_id=report.pk).exists()


def test_an_approved_report_is_not_deleted(client_for, administrator, village):
    report = AnnualReportFactory(village=village, status=Status.APPROVED)
    client = client_for(administrator)
    assert reverse("villages:report_delete", args=[report.pk]) not in client.get(
        reverse("villages:report_detail", args=[report.pk])
    ).content.decode()
    url = reverse("villages:report_delete", args=[report.pk])
    page = client.get(url).content.decode()
    assert "Reopen it first" in page and "Yes, delete the report" not in page

    response = client.post(url)
    assert response["Location"] == reverse("villages:report_detail", args=[report.pk])
    assert "reopen it first" in follow_messages(client, response)
    assert AnnualReport.objects.get(pk=report.pk).status == Status.APPROVED


def test_official_deletes_one_year_of_a_shop_and_keeps_the_shop(client_for, official, village):
    shop = OnlineShopFactory(village=village, name="汉服小店")
    kept, deleted = ShopYearFactory(shop=shop, year=2022), ShopYearFactory(shop=shop, year=2023)
    client = client_for(official)
    url = reverse("villages:shop_year_delete", args=[deleted.pk])
    assert url in client.get(reverse("villages:village_detail", args=[village.code])).content.decode()
    assert "Delete the figures of shop 汉服小店 for 2023?" in client.get(url).content.decode()

    response = client.post(url)
    assert "The figures of 2023 of shop 汉服小店 were deleted." in follow_messages(client, response)
    assert list(ShopYear.objects.filter(shop=shop)) == [kept]
    assert OnlineShop.objects.filter(pk=shop.pk).exists()


def test_administrator_deletes_points_activity_and_empty_centres(client_for, administrator, village, tree):
    point = ServicePointFactory(village=village, name="丁楼村服务站")
    kept, deleted = (
        ServiceActivityFactory(point=point, month="2024-02-01"),
        ServiceActivityFactory(point=point, month="2024-03-01"),
    )
    client = client_for(administrator)
    detail = client.get(reverse("rural_services:point_detail", args=[point.code])).content.decode()
    assert reverse("rural_services:point_delete", args=[point.code]) in detail
    assert reverse("rural_services:activity_delete", args=[deleted.pk]) in detail

    client.post(reverse("rural_services:activity_delete", args=[deleted.pk]))
    assert list(ServiceActivity.objects.filter(point=point)) == [kept]

    center = CountyOperationCenterFactory(county=tree.county, name="曹县运营中心")
    point.county_center = center
    point.save()
    center_page = client.get(reverse("rural_services:center_delete", args=[center.pk])).content.decode()
    assert "It still has 1 service point." in center_page and "Yes, delete the centre" not in center_page
    client.post(reverse("rural_services:center_delete", args=[center.pk]))
    assert CountyOperationCenter.objects.filter(pk=center.pk).exists()

    page = client.get(reverse("rural_services:point_delete", args=[point.code])).content.decode()
    assert "activity of 1 month?" in page
    response = client.post(reverse("rural_services:point_delete", args=[point.code]))
    assert response["Location"] == reverse("rural_services:point_list")
    assert not ServicePoint.objects.filter(pk=point.pk).exists()
    assert not ServiceActivity.objects.filter(pk=kept.pk).exists()

    response = client.post(reverse("rural_services:center_delete", args=[center.pk]))
    assert "County operation centre 曹县运营中心 deleted." in follow_messages(client, response)
    assert not CountyOperationCenter.objects.filter(pk=center.pk).exists()


@pytest.mark.parametrize("who", ["official", "reviewer", "other_official", "anonymous"])
def test_only_administrators_may_delete_villages_reports_points_centres_activity(
    request, client_for, who, village, tree
):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED)
    point = ServicePointFactory(village=village)
    activity = ServiceActivityFactory(point=point)
    center = CountyOperationCenterFactory(county=tree.county)
    empty_village = VillageFactory(township=tree.town)
    urls = [
        reverse("villages:village_delete", args=[empty_village.code]),
        reverse("villages:report_delete", args=[report.pk]),
        reverse("rural_services:point_delete", args=[point.code]),
        reverse("rural_services:activity_delete", args=[activity.pk]),
        reverse("rural_services:center_delete", args=[center.pk]),
    ]
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue(who))
    for url in urls:
        for response in (client.get(url), client.post(url)):
            if who == "anonymous":
                assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
            else:
                # Outside the user's area the record is not found at all; inside it, the step is forbidden.
                assert response.status_code in ((404,) if who == "other_official" else (403,)), (url, response)
    if who == "official":
        detail = client.get(reverse("villages:village_detail", args=[empty_village.code])).content.decode()
        assert reverse("villages:village_delete", args=[empty_village.code]) not in detail
    assert Village.objects.filter(pk=empty_village.pk).exists()
    assert AnnualReport.objects.filter(pk=report.pk).exists()
    assert ServicePoint.objects.filter(pk=point.pk).exists() and ServiceActivity.objects.filter(pk=activity.pk).exists()
    assert CountyOperationCenter.objects.filter(pk=center.pk).exists()


def test_confirmation_page_speaks_chinese(administrator, village):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(administrator)
    OnlineShopFactory(village=village)
    page = client.get(reverse("villages:village_delete", args=[village.code])).content.decode()
    assert "删除村庄 丁楼村" in page and "目前无法删除：" in page and "仍有 1 家网店。" in page
    assert "It still has" not in page and "It cannot be deleted" not in page
