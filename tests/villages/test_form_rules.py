"""Each rule of a village or shop form lives once, in the model or service: the form passes, the page refuses."""

import pytest
from django.urls import reverse

from tests.factories import OnlineShopFactory, VillageFactory
from villages.forms import ShopForm, VillageForm
from villages.models import OnlineShop, Village

pytestmark = pytest.mark.django_db


def village_data(tree, **overrides):
    fields = {"township": tree.town.code, "code": tree.town.code + "231", "name": "新村", "households": "500"}
    return {**fields, **overrides}


def post_village(client, tree, **overrides):
    return client.post(reverse("villages:village_create"), village_data(tree, **overrides))


def test_village_form_alone_accepts_a_code_outside_the_chosen_township(tree, official):
    form = VillageForm(village_data(tree, code=tree.subdistrict.code + "231"))

    assert form.is_valid(), form.errors


def test_a_code_outside_the_chosen_township_is_refused_by_the_model_beside_the_code(client_for, official, tree):
    response = post_village(client_for(official), tree, code=tree.subdistrict.code + "231")

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert any(f"does not belong to township {tree.town.code}" in message for message in errors["code"])
    assert not Village.objects.exists()


def test_editing_a_village_into_another_township_is_refused_beside_the_code(client_for, official, tree):
    village = VillageFactory(township=tree.town, code=tree.town.code + "227", name="丁楼村")

    response = client_for(official).post(
        reverse("villages:village_edit", args=[village.code]),
        {"version": village.version, "township": tree.subdistrict.code, "code": village.code, "name": "丁楼村"},
    )

    assert response.status_code == 200
    assert any("does not belong to township" in message for message in response.context["form"].errors["code"])
    village.refresh_from_db()
    assert village.township == tree.town and village.version == 1


def test_village_form_alone_accepts_a_township_in_another_county(tree, official):
    data = village_data(tree, township=tree.other_town.code, code=tree.other_town.code + "231")

    form = VillageForm(data)

    assert form.is_valid(), form.errors


def test_a_village_in_another_county_is_refused_by_the_service_with_its_words(client_for, official, tree):
    response = post_village(
        client_for(official), tree, township=tree.other_town.code, code=tree.other_town.code + "231"
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You may change registry data only in the counties assigned to you."
    ]
    assert not Village.objects.exists()


def shop_data(**overrides):
    return {
        "platform": "taobao",
        "platform_shop_id": "TB-1",
        "name": "丁楼演出服",
        "opened_on": "2024-05-01",
        "closed_on": "2024-04-01",
        **overrides,
    }


def test_shop_form_alone_accepts_a_closing_date_before_the_opening():
    assert ShopForm(shop_data()).is_valid()


def test_a_shop_closing_before_it_opened_is_refused_by_the_model_beside_the_field(client_for, official, tree):
    village = VillageFactory(township=tree.town, code=tree.town.code + "227")

    response = client_for(official).post(reverse("villages:shop_create", args=[village.code]), shop_data())

    assert response.status_code == 200
    assert response.context["form"].errors["closed_on"] == ["A shop cannot close before it opened."]
    assert not OnlineShop.objects.exists()


def test_editing_a_shop_to_close_before_it_opened_is_refused_beside_the_field(client_for, official, tree):
    shop = OnlineShopFactory(village=VillageFactory(township=tree.town, code=tree.town.code + "227"))

    response = client_for(official).post(
        reverse("villages:shop_edit", args=[shop.pk]),
        shop_data(version=shop.version, platform_shop_id=shop.platform_shop_id),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["closed_on"] == ["A shop cannot close before it opened."]
    shop.refresh_from_db()
    assert shop.closed_on is None and shop.version == 1


def test_village_form_alone_accepts_half_a_coordinate_pair(tree):
    form = VillageForm(village_data(tree, latitude="34.7"))

    assert form.is_valid(), form.errors


def test_half_a_coordinate_pair_is_refused_by_the_model_beside_the_missing_one(client_for, official, tree):
    response = post_village(client_for(official), tree, latitude="34.7")

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["longitude"] == ["Give both latitude and longitude, or neither."]
    assert not form.non_field_errors()
    assert not Village.objects.exists()
