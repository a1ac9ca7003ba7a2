"""The registry's admin site (taobao_site/admin_site.py) lists what Django's own AdminSite lists, in its order,
with the names already text."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import RequestFactory
from django.utils import translation

from taobao_site.admin_site import RegistryAdminSite
from tests.villages.test_admin_app_list import ROLES, staff_official, staff_reviewer, staff_without_permissions  # noqa: F401

pytestmark = pytest.mark.django_db


def plain_site():
    """Django's own site, with the registry's registrations."""
    site = AdminSite()
    site._registry = admin.site._registry
    return site


def as_text(app_list):
    return [
        {**app, "name": str(app["name"]), "models": [{**model, "name": str(model["name"])} for model in app["models"]]}
        for app in app_list
    ]


def test_the_default_site_is_the_registrys():
    admin.site.name  # noqa: B018 (the default site is made on first use)
    assert type(admin.site._wrapped) is RegistryAdminSite


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", [None, "villages", "auth", "nothing"])
def test_the_application_list_is_djangos_with_text_names(role, language, label, request):
    web_request = RequestFactory().get("/admin/")
    web_request.user = request.getfixturevalue(role)
    with translation.override(language):
        ours = admin.site.get_app_list(web_request, label)
        theirs = as_text(plain_site().get_app_list(web_request, label))
    assert ours == theirs
    for app in ours:
        assert type(app["name"]) is str
        assert all(type(model["name"]) is str for model in app["models"])
    if label == "nothing" or role == "staff_without_permissions":
        assert ours == []
    elif role == "superuser":
        assert len(ours) >= (1 if label else 3)


def test_the_urls_follow_the_script_prefix_of_the_request(superuser):
    from django.urls import get_script_prefix, set_script_prefix

    web_request = RequestFactory().get("/admin/")
    web_request.user = superuser
    before = get_script_prefix()
    try:
        first = admin.site.get_app_list(web_request)
        set_script_prefix("/registry/")
        behind_a_prefix = admin.site.get_app_list(web_request)
        theirs = plain_site().get_app_list(web_request)
    finally:
        set_script_prefix(before)
    urls = [model["admin_url"] for app in behind_a_prefix for model in app["models"]]
    assert urls and all(url.startswith("/registry/admin/") for url in urls)
    assert behind_a_prefix == as_text(theirs)
    assert [model["admin_url"] for app in first for model in app["models"]][0].startswith("/admin/")
