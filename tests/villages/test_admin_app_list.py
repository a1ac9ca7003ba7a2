"""The admin's application list written by `villages.admin.app_list` is the one Django's template writes.

The sidebar of every change list is compared in tests/villages/test_admin_result_rows.py (the whole page); here
the index and an application's index, whose lists carry the change and view links, for every role (each sees
other models, some only to view, some without an add link), for a user who may see nothing, in both languages.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import make_user
from tests.villages.test_admin_result_rows import PER_REQUEST, stock_templates
from villages.admin import app_list
from villages.models import COUNTY_OFFICIALS, REVIEWERS

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "administrator", "staff_reviewer", "staff_official", "staff_without_permissions"]


@pytest.fixture
def staff_reviewer(tree):
    return make_user("staff-reviewer", REVIEWERS, [tree.province], is_staff=True)


@pytest.fixture
def staff_official(tree):
    return make_user("staff-official", COUNTY_OFFICIALS, [tree.county], is_staff=True)


@pytest.fixture
def staff_without_permissions(db):
    return make_user("clerk-without-rights", is_staff=True)


def admin_page(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return PER_REQUEST.sub(r"\1''", response.content.decode())


def written_and_stock(client, url, language):
    written = admin_page(client, url, language)
    with override_settings(TEMPLATES=stock_templates()):
        stock = admin_page(client, url, language)
    return written, stock


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_the_index_is_the_page_django_writes(role, language, request, client):
    client.force_login(request.getfixturevalue(role))
    written, stock = written_and_stock(client, reverse("admin:index"), language)
    assert written == stock
    if role == "staff_without_permissions":
        assert "permission to view or edit anything" in written or "没有" in written
    else:
        assert 'class="changelink"' in written or 'class="viewlink"' in written


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_application_index_is_the_page_django_writes(language, superuser, client):
    client.force_login(superuser)
    written, stock = written_and_stock(client, reverse("admin:app_list", args=["villages"]), language)
    assert written == stock
    assert "current-app" in written


def test_a_view_only_model_reads_view_as_in_django(staff_reviewer, client):
    """A reviewer may look at some tables without changing them: those rows carry a view link, not a change link."""
    client.force_login(staff_reviewer)
    written, stock = written_and_stock(client, reverse("admin:index"), "en")
    assert written == stock
    assert 'class="viewlink"' in written


def test_the_list_is_written_by_the_project_not_by_django(superuser, client, monkeypatch):
    """The comparisons above compare two renderings: this shows that the first is the project's."""
    calls = []
    real = app_list.app_list_html
    monkeypatch.setattr("villages.templatetags.registry_admin_list.app_list_html",
                        lambda *args: calls.append(args[1]) or real(*args))
    client.force_login(superuser)
    admin_page(client, reverse("admin:index"), "en")
    assert calls == [True]  # the index has no sidebar: its own list, with the change links
