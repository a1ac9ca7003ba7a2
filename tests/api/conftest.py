"""Fixtures for the API tests: DRF clients, anonymous or authenticated as a registry user."""

import pytest
from rest_framework.test import APIClient


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
