"""The village and figures forms without traps: the code typed is the code saved, every error in one submit,
amounts typed with separators, the division picker starting from the user's own area."""

import pytest
from django.urls import reverse

from tests.factories import AnnualReportFactory, DivisionFactory, ShopYearFactory, VillageFactory
from villages.forms import AnnualReportForm, VillageForm
from villages.models import AnnualReport, Village
from villages.selectors.divisions import picker_choices

pytestmark = pytest.mark.django_db


def create_village(client, tree, **overrides):
    data = {"township": tree.town.code, "code": "288", "name": "新丁楼村", "households": "500", **overrides}
    return client.post(reverse("villages:village_create"), data)


# The village code trap ---------------------------------------------------------------------------------------

def test_the_last_three_digits_follow_the_townships_nine(client_for, official, tree):
    response = create_village(client_for(official), tree, code="288")

    assert response.status_code == 302
    assert Village.objects.get().code == "371721121288"


def test_a_whole_code_typed_over_the_prefix_is_stored_as_typed(client_for, official, tree):
    response = create_village(client_for(official), tree, code="371721121288")

    assert response.status_code == 302
    assert Village.objects.get().code == "371721121288"


def test_a_whole_code_of_another_township_is_refused_never_recombined(client_for, official, tree):
    response = create_village(client_for(official), tree, code="371721001288")

    assert response.status_code == 200
    assert any("does not belong to township 371721121" in error for error in response.context["form"].errors["code"])
    assert not Village.objects.exists()


@pytest.mark.parametrize("typed", ["371721121371288", "3717211212", "28", "28a", "３７１"])
def test_a_code_of_the_wrong_length_is_refused_with_what_was_typed(client_for, official, tree, typed):
    response = create_village(client_for(official), tree, code=typed)

    if typed == "３７１":  # full-width digits are digits: the clerk's input method typed them
        assert Village.objects.get().code == "371721121371"
        return
    assert response.status_code == 200
    assert any("last 3 digits" in error for error in response.context["form"].errors["code"])
    assert not Village.objects.exists()


def test_the_code_box_has_no_maxlength_for_a_browser_to_cut_at(client_for, official, tree):
    page = client_for(official).get(reverse("villages:village_create")).content.decode()

    code_input = page[page.index('id="id_code"') - 200 : page.index('id="id_code"') + 200]
    assert "maxlength" not in code_input
    assert "data-code-prefix" in page


def test_the_edit_form_shows_the_three_digits_after_the_townships_prefix(client_for, official, tree):
    village = VillageFactory(township=tree.town, code="371721121227")

    form = VillageForm(instance=village)

    assert form.initial["code"] == "227"
    assert form.fields["code"].widget.prefix == "371721121"
    page = client_for(official).get(reverse("villages:village_edit", args=[village.code])).content.decode()
    assert ">371721121</span>" in page


def test_the_townships_codes_list_its_villages_and_next_free_numbers(client_for, official, tree):
    VillageFactory(township=tree.town, code="371721121200", name="甲村")
    VillageFactory(township=tree.town, code="371721121201", name="乙村")

    answer = client_for(official).get(reverse("villages:village_code_options"), {"township": tree.town.code})

    body = answer.json()
    assert [row["suffix"] for row in body["registered"]] == ["200", "201"]
    assert body["free"]["village_committee"] == ["202", "203", "204", "205", "206"]
    assert body["free"]["neighbourhood_committee"] == ["001", "002", "003"]


@pytest.mark.parametrize(("who", "status"), [("other_official", 403), ("reviewer", 403), ("administrator", 200)])
def test_the_townships_codes_are_only_for_who_may_register_there(request, client_for, tree, who, status):
    client = client_for(request.getfixturevalue(who))

    assert client.get(reverse("villages:village_code_options"), {"township": tree.town.code}).status_code == status


def test_the_townships_codes_refuse_anonymous_and_bad_input(client, client_for, official, tree):
    assert client.get(reverse("villages:village_code_options"), {"township": tree.town.code}).status_code == 403
    bad = client_for(official).get(reverse("villages:village_code_options"), {"township": "37172112"})
    assert bad.status_code == 400


# All errors at once --------------------------------------------------------------------------------------------

def test_every_field_error_shows_in_one_submit_with_a_summary_linking_to_each(client_for, official, tree):
    response = create_village(
        client_for(official), tree, population="-5", latitude="95", longitude="200", households="0"
    )

    errors = response.context["form"].errors
    assert {"population", "latitude", "longitude", "households"} <= set(errors)
    assert len(errors["households"]) == 1  # ≥ 1 from the model replaces the form's own ≥ 0, never both
    page = response.content.decode()
    assert "Correct the 4 fields below; nothing was saved." in page
    for field in ("population", "latitude", "longitude", "households"):
        assert f'href="#id_{field}"' in page
    assert not Village.objects.exists()


def test_the_summary_speaks_chinese_too(client_for, official, tree):
    client = client_for(official)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    page = create_village(client, tree, population="-5", latitude="95", longitude="200").content.decode()

    assert "请更正下面的 3 个字段；未保存任何内容。" in page


# Money -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["1,200,000", "１２０００００", "1 200 000", "1200000元"])
def test_yuan_fields_accept_separators_and_full_width_digits(tree, typed):
    form = AnnualReportForm({"year": "2023", "ecommerce_sales": typed, "active_shops": "120", "households": "800"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ecommerce_sales"] == 1_200_000


def test_a_yuan_field_refuses_what_is_not_an_amount_with_a_clear_message(tree):
    form = AnnualReportForm({"year": "2023", "ecommerce_sales": "1,20,0000", "active_shops": "120", "households": "8"})

    assert "Enter an amount in whole yuan" in form.errors["ecommerce_sales"][0]


def test_a_yuan_box_is_a_text_box_with_the_live_hint(client_for, official, tree):
    village = VillageFactory(township=tree.town)

    page = client_for(official).get(reverse("villages:report_create", args=[village.code])).content.decode()

    box = page[page.index('id="id_ecommerce_sales"') - 400 : page.index('id="id_ecommerce_sales"') + 100]
    assert 'type="text"' in box and "data-money-hint" in box
    assert "js/forms.js" in page


def test_the_shop_year_form_saves_an_amount_typed_with_separators(client_for, official, tree):
    shop_year = ShopYearFactory(shop__village=VillageFactory(township=tree.town), sales=1)

    response = client_for(official).post(
        reverse("villages:shop_year_edit", args=[shop_year.pk]),
        {"version": shop_year.version, "year": shop_year.year, "sales": "３００,０００",
         "orders_last_3_months": "40", "days_open": "365"},
    )

    assert response.status_code == 302
    shop_year.refresh_from_db()
    assert shop_year.sales == 300_000


def test_the_conflict_table_shows_amounts_as_money(client_for, official, tree):
    report = AnnualReportFactory(village=VillageFactory(township=tree.town), ecommerce_sales=11_800_000)
    AnnualReport.objects.filter(pk=report.pk).update(version=report.version + 1)

    response = client_for(official).post(
        reverse("villages:report_edit", args=[report.pk]),
        {"version": report.version, "ecommerce_sales": "11,700,000", "active_shops": "120", "households": "800"},
    )

    page = response.content.decode()
    assert "RMB 11,800,000" in page and "RMB 11,700,000" in page
    assert "11800000" not in page


def test_small_amounts_are_not_shown_as_hundredths_of_wan(client_for, official, tree):
    shop_year = ShopYearFactory(shop__village=VillageFactory(township=tree.town), sales=200)
    client = client_for(official)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    page = client.get(reverse("villages:village_detail", args=[shop_year.shop.village.code])).content.decode()

    assert "200 元" in page and "0.02 万元" not in page


# The division picker, per role ---------------------------------------------------------------------------------

def test_a_one_county_official_starts_at_the_townships_of_the_county(official, tree):
    picker = picker_choices({}, user=official)

    assert picker["provinces"] == [(tree.province.code, tree.province.name)]
    assert picker["prefectures"] == [(tree.prefecture.code, tree.prefecture.name)]
    assert picker["counties"] == [(tree.county.code, tree.county.name)]
    assert {code for code, _name in picker["townships"]} == {tree.town.code, tree.subdistrict.code}
    assert picker["selected"] == {"province": "370000", "prefecture": "371700", "county": "371721"}


def test_a_reviewer_of_a_province_is_offered_nothing_to_enter_data_in(reviewer, tree):
    picker = picker_choices({}, user=reviewer)

    assert picker["provinces"] == [] and picker["counties"] == []


def test_an_administrator_starts_from_every_province(administrator, tree):
    picker = picker_choices({}, user=administrator)

    assert {code for code, _name in picker["provinces"]} == {"370000", "320000"}
    assert picker["selected"] == {}


def test_the_public_list_goes_province_then_prefecture_then_county(tree):
    by_province = picker_choices({"province": "370000"})
    by_prefecture = picker_choices({"prefecture": "371700"})

    assert by_province["prefectures"] == [("371700", "菏泽市")] and by_province["counties"] == []
    assert {code for code, _name in by_prefecture["counties"]} == {"371721", "371722"}
    assert by_prefecture["selected"] == {"province": "370000", "prefecture": "371700"}


def test_the_picker_keeps_the_township_sent_after_a_validation_error(client_for, official, tree):
    response = create_village(client_for(official), tree, population="-5")

    assert response.context["picker_selected"]["township"] == tree.town.code
    assert f'<option value="{tree.town.code}" selected>' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("official", {"371721121", "371721001"}),
        ("other_official", set()),
        ("administrator", {"371721121", "371721001"}),
    ],
)
def test_the_township_search_suggests_only_what_the_user_may_use(request, client_for, tree, who, expected):
    client = client_for(request.getfixturevalue(who))

    found = client.get(reverse("villages:division_options"), {"search": "371721", "scope": "mine"}).json()

    assert {row["code"] for row in found["results"]} == expected


@pytest.mark.parametrize(
    ("who", "level", "parent", "expected"),
    [
        ("official", "prefecture", "370000", {"371700"}),
        ("official", "county", "371700", {"371721"}),
        ("other_official", "county", "371700", set()),
        ("administrator", "county", "371700", {"371721", "371722"}),
    ],
)
def test_each_step_of_the_picker_offers_only_the_users_area(request, client_for, tree, who, level, parent, expected):
    client = client_for(request.getfixturevalue(who))

    found = client.get(reverse("villages:division_options"), {"level": level, "parent": parent, "scope": "mine"})

    assert {row["code"] for row in found.json()["results"]} == expected


def test_the_picker_endpoint_runs_a_constant_number_of_queries(
    client_for, official, tree, django_assert_max_num_queries
):
    client = client_for(official)
    with django_assert_max_num_queries(8):
        client.get(reverse("villages:division_options"), {"level": "township", "parent": "371721", "scope": "mine"})


def test_the_picker_follows_irregular_trees_by_parent(db):
    beijing = DivisionFactory(code="110000", name="北京市", level="province", parent=None)
    DivisionFactory(code="110101", name="东城区", level="county", parent=beijing)
    guangdong = DivisionFactory(code="440000", name="广东省", level="province", parent=None)
    dongguan = DivisionFactory(code="441900", name="东莞市", level="prefecture", parent=guangdong)
    DivisionFactory(code="441900003", name="东城街道", level="township", parent=dongguan)

    assert picker_choices({"province": "110000"})["counties"] == [("110101", "东城区")]
    assert picker_choices({"prefecture": "441900"})["townships"] == [("441900003", "东城街道")]
