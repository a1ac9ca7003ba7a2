"""Change lists that read only their `list_columns` (villages/admin/scoped.py) show what whole rows show, and read
no column per row afterwards."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.api.conftest import make_assessment
from tests.factories import OnlineShopFactory, VillageFactory
from tests.villages.test_admin_result_rows import page

pytestmark = pytest.mark.django_db

NARROWED = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if getattr(model_admin, "list_columns", None)
    ),
    key=lambda item: item[0]._meta.label,
)


def test_the_large_tables_read_only_their_columns():
    assert {model._meta.model_name for model, _admin in NARROWED} >= {"village", "onlineshop", "assessment"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("query", ["", "o=1", "o=-2.3"])
@pytest.mark.parametrize(("model", "model_admin"), NARROWED, ids=lambda value: getattr(value, "_meta", None)
                         and value._meta.label)
def test_the_page_is_the_one_whole_rows_give(model, model_admin, query, language, one_of_everything, superuser,
                                             client, monkeypatch):
    client.force_login(superuser)
    narrowed = page(client, model, query, language)
    monkeypatch.setattr(model_admin, "list_columns", None)
    assert page(client, model, query, language) == narrowed
    assert 'id="result_list"' in narrowed


def more_rows(tree):
    for number in range(8):
        village = VillageFactory(township=tree.town, name=f"多村{number}")
        OnlineShopFactory(village=village)
        make_assessment(village, 2023, qualified=number % 2 == 0)


@pytest.mark.parametrize(("model", "model_admin"), NARROWED, ids=lambda value: getattr(value, "_meta", None)
                         and value._meta.label)
def test_more_rows_read_no_more_queries(model, model_admin, one_of_everything, superuser, client, tree):
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    more_rows(tree)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert model._default_manager.count() >= 8
