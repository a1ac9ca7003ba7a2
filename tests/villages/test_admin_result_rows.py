"""The admin's change lists written by `villages.admin.result_rows` are the pages Django's own rows give.

Every registered admin's change list is rendered twice, as the project serves it (templates/admin/change_list.html,
whose rows `villages.admin.result_rows` writes) and as Django's own templates alone would, in both languages,
plain and sorted (whose links carry the preserved filters), and the two pages must be the same to the byte (but
for the per-request CSRF token and CSP nonce).
"""

import copy
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse

from villages.admin import result_rows

pytestmark = pytest.mark.django_db

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')


def stock_templates():
    """The project's template settings without its own templates folder: Django's change list, not ours."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = []
    return templates


def page(client, model, query, language):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(f"{url}?{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return PER_REQUEST.sub(r"\1''", response.content.decode())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("query", ["", "o=1"])
@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=lambda value: getattr(value, "_meta", None)
                         and value._meta.label)
def test_a_change_list_is_the_page_django_writes(model, model_admin, query, language, one_of_everything,
                                                  superuser, client):
    client.force_login(superuser)
    written = page(client, model, query, language)
    with override_settings(TEMPLATES=stock_templates()):
        stock = page(client, model, query, language)
    assert written == stock
    if model._default_manager.exists():
        assert 'id="result_list"' in written


def test_the_rows_are_written_by_the_project_not_by_django(one_of_everything, superuser, client, monkeypatch):
    """The comparison above compares two renderings: this shows that the first is the project's."""
    written = []
    real_row = result_rows.RowWriter.row
    monkeypatch.setattr(result_rows.RowWriter, "row", lambda self, result: written.append(result) or real_row(
        self, result))
    client.force_login(superuser)
    page(client, type(one_of_everything), "", "en")
    assert written == [one_of_everything]


def test_values_that_need_escaping_are_escaped_as_django_does(one_of_everything, superuser, client):
    one_of_everything.name = '<b>"丁楼" & 村</b>'
    one_of_everything.save()
    client.force_login(superuser)
    written = page(client, type(one_of_everything), "q=%3Cb%3E", "en")
    with override_settings(TEMPLATES=stock_templates()):
        stock = page(client, type(one_of_everything), "q=%3Cb%3E", "en")
    assert written == stock
    assert "&lt;b&gt;&quot;丁楼&quot; &amp; 村&lt;/b&gt;" in written
    assert '<b>"丁楼"' not in written


def test_a_popup_keeps_djangos_own_rows(one_of_everything, superuser, client, monkeypatch):
    monkeypatch.setattr(result_rows.RowWriter, "row", lambda self, result: pytest.fail("popup rows written"))
    client.force_login(superuser)
    assert 'data-popup-opener="' in page(client, type(one_of_everything), "_popup=1&_to_field=id", "en")
