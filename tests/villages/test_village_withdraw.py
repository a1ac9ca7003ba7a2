"""A county withdraws a village it registered by mistake, while nothing depends on it: service, page and API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import (
    AnnualReportFactory,
    CountyOperationCenterFactory,
    OnlineShopFactory,
    ServicePointFactory,
    VillageFactory,
)
from villages.imports.bulk_writes import HISTORY_CREATED, record_history
from villages.models import Village
from villages.services.errors import ConflictError
from villages.services.registry import NATIONAL_LIST_REASON, WITHDRAWN_REASON, village_create, village_withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for():
    def authenticate(user):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(user)
        return client

    return authenticate


@pytest.fixture
def mistake(tree, official):
    """The village of the issue: typed 371721121288, saved under a code nobody typed."""
    return village_create(by=official, township=tree.town, code="371721121371", name="丁楼村")


def test_the_county_official_withdraws_its_mistake_and_the_history_keeps_it(mistake, official):
    village_withdraw(village=mistake, by=official)

    assert not Village.objects.filter(code="371721121371").exists()
    withdrawal = Village.history.filter(code="371721121371", history_type="-").get()
    assert withdrawal.history_user == official
    assert withdrawal.history_change_reason == WITHDRAWN_REASON


def test_an_administrator_may_withdraw_too(mistake, administrator):
    village_withdraw(village=mistake, by=administrator)

    assert not Village.objects.filter(pk=mistake.pk).exists()


@pytest.mark.parametrize("who", ["other_official", "reviewer"])
def test_nobody_else_may_withdraw_it(request, mistake, who):
    with pytest.raises(PermissionDenied):
        village_withdraw(village=mistake, by=request.getfixturevalue(who))

    assert Village.objects.filter(pk=mistake.pk).exists()


@pytest.mark.parametrize(
    ("make_dependent", "named"),
    [
        (lambda village: AnnualReportFactory(village=village), "annual e-commerce reports"),
        (lambda village: OnlineShopFactory(village=village), "online shops"),
        (
            lambda village: ServicePointFactory(
                village=village, county_center=CountyOperationCenterFactory(county=village.township.parent)
            ),
            "service points",
        ),
    ],
)
def test_a_village_something_depends_on_is_not_withdrawn(mistake, official, make_dependent, named):
    make_dependent(mistake)

    with pytest.raises(ConflictError) as refused:
        village_withdraw(village=mistake, by=official)

    assert named in str(refused.value.message)
    assert Village.objects.filter(pk=mistake.pk).exists()


def test_a_village_of_the_national_list_is_not_a_mistake_to_withdraw(tree, official):
    village = Village.objects.create(code="371721121227", name="丁楼村", township=tree.town)
    Village.history.all().delete()
    record_history(Village, [village.pk], history_type=HISTORY_CREATED, reason=NATIONAL_LIST_REASON)

    with pytest.raises(ConflictError) as refused:
        village_withdraw(village=village, by=official)

    assert "national list" in str(refused.value.message)
    assert Village.objects.filter(pk=village.pk).exists()


def test_the_page_asks_then_withdraws(client_for, official, mistake):
    client = client_for(official)
    detail = client.get(reverse("villages:village_detail", args=[mistake.code]))
    assert reverse("villages:village_withdraw", args=[mistake.code]) in detail.content.decode()

    page = client.get(reverse("villages:village_withdraw", args=[mistake.code]))
    assert page.status_code == 200 and "Yes, withdraw the village" in page.content.decode()
    assert "The withdrawal is recorded in the history" in page.content.decode()
    assert "deleted" not in page.content.decode(), "a withdrawal is said in its own words, not a deletion's"

    response = client.post(reverse("villages:village_withdraw", args=[mistake.code]), follow=True)
    assert "withdrawn" in response.content.decode()
    assert not Village.objects.filter(pk=mistake.pk).exists()


def test_the_page_names_what_depends_on_the_village_and_offers_no_button(client_for, official, mistake):
    OnlineShopFactory(village=mistake)

    page = client_for(official).get(reverse("villages:village_withdraw", args=[mistake.code]))

    text = page.content.decode()
    assert "online shops" in text and "Yes, withdraw the village" not in text
    assert "It cannot be withdrawn now:" in text and "cannot be deleted" not in text
    refused = client_for(official).post(reverse("villages:village_withdraw", args=[mistake.code]), follow=True)
    assert "cannot be withdrawn" in refused.content.decode()
    assert Village.objects.filter(pk=mistake.pk).exists()


def test_the_page_is_not_for_a_reviewer_nor_outside_the_area(client_for, reviewer, other_official, mistake):
    url = reverse("villages:village_withdraw", args=[mistake.code])

    assert client_for(reviewer).post(url).status_code == 403
    assert client_for(other_official).post(url).status_code == 404
    assert Village.objects.filter(pk=mistake.pk).exists()


def test_the_api_withdraws_through_the_same_service(api_for, official, other_official, reviewer, mistake):
    url = f"/api/v1/villages/{mistake.code}/withdraw/"

    assert api_for(reviewer).post(url).status_code == 403
    assert api_for(other_official).post(url).status_code == 404
    assert api_for(official).post(url).status_code == 204
    assert not Village.objects.filter(pk=mistake.pk).exists()


def test_the_api_refuses_with_409_once_something_depends_on_it(api_for, official, mistake):
    AnnualReportFactory(village=mistake)

    response = api_for(official).post(f"/api/v1/villages/{mistake.code}/withdraw/")

    assert response.status_code == 409
    assert "annual e-commerce reports" in response.content.decode()


def test_withdrawing_is_for_villages_registered_by_the_county_and_shown_only_to_it(client_for, reviewer, tree):
    village = VillageFactory(township=tree.town)

    detail = client_for(reviewer).get(reverse("villages:village_detail", args=[village.code]))

    assert reverse("villages:village_withdraw", args=[village.code]) not in detail.content.decode()


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_answers_401(client, mistake):
    page = client.post(reverse("villages:village_withdraw", args=[mistake.code]))
    api = APIClient().post(f"/api/v1/villages/{mistake.code}/withdraw/")

    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert api.status_code == 401
    assert Village.objects.filter(pk=mistake.pk).exists()
