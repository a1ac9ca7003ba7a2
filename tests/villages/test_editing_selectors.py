"""The `*_for_editing` / `*_for_deleting` selectors: 404 outside the user's area, 403 inside it without the right."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import AnnualReportFactory, OnlineShopFactory, ShopYearFactory, VillageFactory
from villages.selectors import editing


@pytest.fixture
def records(tree):
    """Each record of the official's county, with the key its selector takes."""
    village = VillageFactory(township=tree.town)
    shop = OnlineShopFactory(village=village)
    report = AnnualReportFactory(village=village, year=2023)
    shop_year = ShopYearFactory(shop=shop, year=2023)
    return {
        "village": (village, village.code),
        "report": (report, report.pk),
        "shop": (shop, shop.pk),
        "shop_year": (shop_year, shop_year.pk),
    }


EDITING = {
    "village": editing.village_for_editing,
    "report": editing.report_for_editing,
    "shop": editing.shop_for_editing,
    "shop_year": editing.shop_year_for_editing,
}
DELETING = {"village": editing.village_for_deleting, "report": editing.report_for_deleting}


@pytest.mark.parametrize("name", EDITING)
def test_the_official_of_the_county_gets_the_record_to_edit(official, records, name):
    record, key = records[name]
    assert EDITING[name](official, key) == record


@pytest.mark.parametrize("name", EDITING)
def test_a_record_in_another_county_does_not_exist_for_an_official(other_official, records, name):
    with pytest.raises(Http404):
        EDITING[name](other_official, records[name][1])


@pytest.mark.parametrize("name", EDITING)
def test_a_reviewer_sees_the_record_but_may_not_edit_it(reviewer, records, name):
    with pytest.raises(PermissionDenied):
        EDITING[name](reviewer, records[name][1])


@pytest.mark.parametrize("name", DELETING)
def test_only_an_administrator_gets_a_record_to_delete(official, other_official, administrator, records, name):
    record, key = records[name]
    assert DELETING[name](administrator, key) == record
    with pytest.raises(PermissionDenied):
        DELETING[name](official, key)
    with pytest.raises(Http404):
        DELETING[name](other_official, key)


def test_an_unknown_key_is_404_even_for_an_administrator(administrator, tree):
    with pytest.raises(Http404):
        editing.village_for_editing(administrator, "371721121999")
