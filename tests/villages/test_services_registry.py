"""Registry services: villages, shops and shop figures are validated, versioned, locked and kept in scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from villages.models import AnnualReport, OnlineShop, ShopYear, Village
from villages.services.errors import ConflictError
from villages.services.registry import (
    shop_create,
    shop_delete,
    shop_update,
    shop_year_create,
    shop_year_delete,
    shop_year_update,
    village_create,
    village_delete,
    village_update,
)


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村")


def test_village_create_derives_township_and_committee_type_from_the_code(tree, official):
    village = village_create(by=official, code="371721121211", name="张庄村", households=900)

    assert village.township == tree.town
    assert village.committee_type == Village.CommitteeType.VILLAGE_COMMITTEE
    assert village.version == 1
    assert village.history.get().history_user == official


def test_village_create_names_the_missing_township_when_the_code_points_nowhere(tree, official):
    with pytest.raises(ValidationError) as error:
        village_create(by=official, code="371721999227", name="无名村")

    assert "371721999" in str(error.value.message_dict["code"])
    assert not Village.objects.exists()


def test_village_create_refuses_a_code_that_is_not_twelve_digits(tree, official):
    with pytest.raises(ValidationError) as error:
        village_create(by=official, code="37172112122", name="短码村")
    assert "12 digits" in str(error.value.message_dict["code"])


def test_village_create_refuses_a_code_in_another_county_for_an_official(tree, official):
    with pytest.raises(PermissionDenied):
        village_create(by=official, code="320324109227", name="东风村")
    assert not Village.objects.exists()


def test_village_create_refuses_fields_that_the_service_derives(tree, official):
    with pytest.raises(ValidationError) as error:
        village_create(by=official, code="371721121211", name="张庄村", committee_type="other")
    assert "committee_type" in error.value.message_dict


def test_village_update_bumps_the_version_and_records_the_editor(village, official):
    updated = village_update(village=village, by=official, version=1, households=950, main_products="演出服")

    village.refresh_from_db()
    assert (village.households, village.main_products, village.version) == (950, "演出服", 2)
    assert updated.version == 2
    latest = village.history.latest()
    assert latest.history_type == "~" and latest.history_user == official


def test_village_update_with_a_stale_version_is_refused_and_writes_nothing(village, official):
    village_update(village=village, by=official, version=1, households=950)

    with pytest.raises(ConflictError) as error:
        village_update(village=village, by=official, version=1, households=10)

    village.refresh_from_db()
    assert village.households == 950 and village.version == 2
    assert error.value.current_version == 2
    assert village.history.count() == 2


def test_village_update_without_a_version_is_refused(village, official):
    with pytest.raises(ValidationError) as error:
        village_update(village=village, by=official, version=None, households=10)
    assert "version" in error.value.message_dict


def test_village_update_validation_error_leaves_the_version_untouched(village, official):
    with pytest.raises(ValidationError):
        village_update(village=village, by=official, version=1, latitude=10)

    village.refresh_from_db()
    assert village.version == 1 and village.latitude is None


def test_village_code_change_moves_it_to_the_new_township_and_committee_type(village, tree, official):
    updated = village_update(village=village, by=official, version=1, code="371721001101")

    assert updated.township == tree.subdistrict
    assert updated.committee_type == Village.CommitteeType.NEIGHBOURHOOD_COMMITTEE


def test_village_code_cannot_move_into_a_county_the_official_does_not_hold(village, official):
    with pytest.raises(PermissionDenied):
        village_update(village=village, by=official, version=1, code="371722102227")
    village.refresh_from_db()
    assert village.code == "371721121227"


def test_village_with_an_approved_report_keeps_its_code(village, official):
    AnnualReportFactory(village=village, status=AnnualReport.Status.APPROVED)

    with pytest.raises(ConflictError) as error:
        village_update(village=village, by=official, version=1, code="371721121211")

    assert "reopen" in str(error.value)
    village.refresh_from_db()
    assert village.code == "371721121227" and village.version == 1


def test_village_with_an_approved_report_may_still_change_its_other_fields(village, official):
    AnnualReportFactory(village=village, status=AnnualReport.Status.APPROVED)

    assert village_update(village=village, by=official, version=1, households=777).households == 777


def test_village_with_an_approved_report_cannot_be_deleted(village, administrator):
    AnnualReportFactory(village=village, status=AnnualReport.Status.APPROVED)

    with pytest.raises(ConflictError):
        village_delete(village=village, by=administrator)
    assert Village.objects.filter(pk=village.pk).exists()


def test_village_with_draft_reports_cannot_be_deleted_and_the_message_says_why(village, administrator):
    AnnualReportFactory(village=village)

    with pytest.raises(ConflictError) as error:
        village_delete(village=village, by=administrator)
    assert "annual e-commerce reports" in str(error.value)


def test_village_delete_by_an_administrator_is_recorded_with_the_deleter(village, administrator):
    village_pk = village.pk
    village_delete(village=village, by=administrator)

    assert not Village.objects.filter(pk=village_pk).exists()
    deletion = Village.history.filter(id=village_pk).latest()
    assert deletion.history_type == "-" and deletion.history_user == administrator


def test_village_delete_is_refused_to_a_county_official(village, official):
    with pytest.raises(PermissionDenied):
        village_delete(village=village, by=official)


def test_shop_create_validates_and_reports_a_duplicate_platform_id(village, official):
    shop_create(by=official, village=village, platform="taobao", platform_shop_id="tb-1", name="丁楼汉服")

    with pytest.raises(ValidationError) as error:
        shop_create(by=official, village=village, platform="taobao", platform_shop_id="tb-1", name="重复")
    assert "already registered" in str(error.value)
    assert OnlineShop.objects.count() == 1


def test_shop_update_refuses_a_closing_date_before_the_opening(village, official):
    shop = OnlineShopFactory(village=village)

    with pytest.raises(ValidationError) as error:
        shop_update(shop=shop, by=official, version=1, closed_on=shop.opened_on.replace(year=2010))
    assert "closed_on" in error.value.message_dict


def test_shop_update_stale_version_is_a_conflict(village, official):
    shop = OnlineShopFactory(village=village)
    shop_update(shop=shop, by=official, version=1, name="新名字")

    with pytest.raises(ConflictError):
        shop_update(shop=shop, by=official, version=1, name="旧名字")
    shop.refresh_from_db()
    assert shop.name == "新名字"


def test_shop_cannot_move_to_a_village_outside_the_officials_counties(village, tree, official):
    shop = OnlineShopFactory(village=village)
    elsewhere = VillageFactory(township=tree.other_town)

    with pytest.raises(PermissionDenied):
        shop_update(shop=shop, by=official, version=1, village=elsewhere)


def test_shop_delete_records_the_deleter_on_the_shop_and_its_yearly_figures(village, official):
    shop_year = ShopYearFactory(shop=OnlineShopFactory(village=village))
    shop_pk, shop_year_pk = shop_year.shop_id, shop_year.pk

    shop_delete(shop=shop_year.shop, by=official)

    assert ShopYear.history.filter(id=shop_year_pk).latest().history_user == official
    assert OnlineShop.history.filter(id=shop_pk).latest().history_user == official
    assert not OnlineShop.objects.filter(pk=shop_pk).exists()


def test_shop_year_create_refuses_a_second_row_for_the_same_year(village, official):
    shop = OnlineShopFactory(village=village)
    shop_year_create(by=official, shop=shop, year=2023, sales=1000, orders_last_3_months=5, days_open=200)

    with pytest.raises(ValidationError) as error:
        shop_year_create(by=official, shop=shop, year=2023, sales=1, orders_last_3_months=1, days_open=1)
    assert "already has figures" in str(error.value)


def test_shop_year_days_open_above_366_is_refused(village, official):
    shop_year = ShopYearFactory(shop=OnlineShopFactory(village=village))

    with pytest.raises(ValidationError) as error:
        shop_year_update(shop_year=shop_year, by=official, version=1, days_open=400)
    assert "days_open" in error.value.message_dict


def test_shop_year_delete_is_refused_to_an_official_of_another_county(village, official, other_official):
    shop_year = ShopYearFactory(shop=OnlineShopFactory(village=village))

    with pytest.raises(PermissionDenied):
        shop_year_delete(shop_year=shop_year, by=other_official)
    shop_year_delete(shop_year=shop_year, by=official)
    assert not ShopYear.objects.exists()
