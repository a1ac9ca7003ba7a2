"""Fixtures for the API tests: DRF clients, anonymous or authenticated as a registry user."""

import pytest
from rest_framework.test import APIClient

from villages.models import Assessment, CriteriaSet


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def api_for():
    """An API client authenticated as the user given (forced, so no token round trip)."""

    def authenticate(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return authenticate


def list_rows(response):
    """The rows of a successful paginated list answer."""
    assert response.status_code == 200, response.content
    return response.json()["results"]


def make_assessment(village, year, *, qualified, status_change="none", report=None):
    """An assessment as scoring would store it, under the criteria version in force that year."""
    criteria_set = next(c for c in CriteriaSet.objects.all() if c.covers(year))
    checks = [
        {
            "key": "location",
            "passed": True,
            "actual": village.committee_type,
            "required": ["village_committee"],
            "gap": None,
        },
        {"key": "sales", "passed": qualified, "actual": 12_000_000, "required": 10_000_000, "gap": 0},
        {"key": "shops", "passed": True, "actual": 120, "required": 100, "gap": 0},
    ]
    return Assessment.objects.create(
        village=village,
        year=year,
        criteria_set=criteria_set,
        report=report,
        checks=checks,
        inputs={
            "committee_type": village.committee_type,
            "ecommerce_sales": 12_000_000 if qualified else 9_000_000,
            "active_shops": 120,
            "households": 800,
        },
        qualified=qualified,
        score=100 if qualified else 60,
        status_change=status_change,
    )
