"""The activity form leaves the first-of-the-month rule to the model: the page still says it beside the month."""

import pytest
from django.urls import reverse

from rural_services.forms import ServiceActivityForm
from rural_services.models import ServiceActivity
from tests.factories import ServiceActivityFactory, ServicePointFactory, VillageFactory

pytestmark = pytest.mark.django_db

FIRST_DAY_RULE = "Give the month as its first day, e.g. 2024-03-01."


def activity_data(**overrides):
    return {
        "month": "2024-03-15",
        "assisted_purchases": "4",
        "assisted_purchase_value": "1000",
        "produce_sales_value": "0",
        "parcels": "50",
        **overrides,
    }


@pytest.fixture
def point(tree):
    return ServicePointFactory(village=VillageFactory(township=tree.town, code=tree.town.code + "227"))


def test_activity_form_alone_accepts_a_month_that_is_not_its_first_day():
    assert ServiceActivityForm(activity_data()).is_valid()


def test_a_month_not_on_its_first_day_is_refused_by_the_model_beside_the_month(client_for, official, point):
    response = client_for(official).post(reverse("rural_services:activity_create", args=[point.code]), activity_data())

    assert response.status_code == 200
    assert response.context["form"].errors["month"] == [FIRST_DAY_RULE]
    assert not ServiceActivity.objects.exists()


def test_editing_a_month_off_its_first_day_is_refused_beside_the_month(client_for, official, point):
    activity = ServiceActivityFactory(point=point)

    response = client_for(official).post(
        reverse("rural_services:activity_edit", args=[activity.pk]), activity_data(version=activity.version)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["month"] == [FIRST_DAY_RULE]
    activity.refresh_from_db()
    assert activity.month.day == 1 and activity.version == 1
