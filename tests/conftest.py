"""Fixtures shared by every test: users in each role, with their jurisdiction."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from tests.factories import DivisionTreeFactory, UserFactory
from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS, JurisdictionAssignment


def make_user(username, role=None, divisions=(), **extra):
    user = UserFactory(username=username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for division in divisions:
        JurisdictionAssignment.objects.create(user=user, division=division)
    return user


@pytest.fixture
def tree(db):
    """Two provinces, each with a prefecture, a county, a town and a subdistrict."""
    return DivisionTreeFactory.build_tree()


@pytest.fixture
def official(tree):
    return make_user("official", COUNTY_OFFICIALS, [tree.county])


@pytest.fixture
def other_official(tree):
    return make_user("other_official", COUNTY_OFFICIALS, [tree.other_county])


@pytest.fixture
def reviewer(tree):
    return make_user("reviewer", REVIEWERS, [tree.province])


@pytest.fixture
def other_reviewer(tree):
    return make_user("other_reviewer", REVIEWERS, [tree.other_province])


@pytest.fixture
def administrator(db):
    return make_user("administrator", ADMINISTRATORS, is_staff=True)


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for():
    """A logged-in test client for a user."""

    def login(user):
        # English unless a test asks for another language; the site's default is Simplified Chinese.
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Messages raised by services called directly in tests are in English, the source language.

    The site's default language is Simplified Chinese and the catalogue is compiled, so without this a test
    that matches a service's message would depend on whether `make messages` ran. Pages still follow the
    request's language (LocaleMiddleware), which the view tests set explicitly.
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_shared_cache():
    """Each test starts with an empty cache (this process's memory in tests), as a fresh Redis would be: a count
    estimate or a throttle counter kept by one test must not answer another's request."""
    from django.core.cache import cache

    cache.clear()
