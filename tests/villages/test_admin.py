"""The admin: every model's pages render, foreign keys use autocomplete, and staff see only their area."""


import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rural_services.models import CountyOperationCenter, ServiceActivity, ServicePoint
from tests.conftest import make_user
from tests.factories import (
    AnnualReportFactory,
    ReviewEventFactory,
    ServiceActivityFactory,
    ServicePointFactory,
    ShopYearFactory,
    VillageFactory,
)
from villages.models import (
    REVIEWERS,
    AnnualReport,
    Assessment,
    Certificate,
    Division,
    FeedBatch,
    ImportJob,
    Notification,
    OnlineShop,
    OutboundMail,
    ReportAttachment,
    ReportComment,
    ReportingReminder,
    ReportingTrack,
    ReviewEvent,
    ShopYear,
    TaobaoTown,
    Village,
    VillageCluster,
)

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"villages", "rural_services"}),
    key=lambda model: model._meta.label,
)
# Import jobs are made by uploading a file (the admin's own upload view), never by the add form; divisions
# come from the official list (`load_divisions`), never from a hand-filled form.
# A report's attachments and comments come from its page and the API, where the content and the rights are checked.
# Tracked villages are marked on the completeness page or the API (their service checks the county), reminders only
# by `send_reminders`. Feed batches are posted by the platforms through the feed API, never typed in. Inbox
# entries are written by the steps and comments they tell of.
DERIVED_MODELS = {
    Notification,
    Assessment, Certificate, TaobaoTown, VillageCluster, ReviewEvent, ImportJob, Division, OutboundMail,
    ReportAttachment, ReportComment, ReportingTrack, ReportingReminder, FeedBatch,
}
FOREIGN_KEY_TARGETS = {Division, Village, OnlineShop, ServicePoint, CountyOperationCenter}


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registry_model_is_in_the_admin():
    names = {model._meta.model_name for model in REGISTRY_MODELS}
    assert names >= {
        "division",
        "village",
        "onlineshop",
        "shopyear",
        "annualreport",
        "reviewevent",
        "reportingwindow",
        "criteriaset",
        "assessment",
        "taobaotown",
        "villagecluster",
        "jurisdictionassignment",
        "countyoperationcenter",
        "servicekind",
        "servicepoint",
        "serviceactivity",
    }


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda model: model._meta.label)
def test_changelist_and_change_page_render_for_a_superuser(model, one_of_everything, superuser, client):
    client.force_login(superuser)
    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200

    obj = model._default_manager.first()
    assert obj is not None
    assert client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda model: model._meta.label)
def test_add_page_renders_unless_the_registry_derives_the_records(model, tree, superuser, client):
    client.force_login(superuser)
    expected = 403 if model in DERIVED_MODELS else 200
    assert client.get(url(model, "add")).status_code == expected


EDITABLE_MODELS = [model for model in REGISTRY_MODELS if model not in DERIVED_MODELS]


@pytest.mark.parametrize("model", EDITABLE_MODELS, ids=lambda model: model._meta.label)
def test_foreign_keys_to_large_tables_use_autocomplete(model):
    model_admin = admin.site._registry[model]
    big_foreign_keys = {
        field.name
        for field in model._meta.get_fields()
        if field.many_to_one and field.concrete and field.related_model in FOREIGN_KEY_TARGETS
    }
    editable = big_foreign_keys - set(model_admin.readonly_fields)
    assert editable <= set(model_admin.autocomplete_fields)


def test_user_admin_edits_jurisdiction_assignments(tree, superuser, client):
    """The user page lists the assigned divisions, to take back (delete) or add; a row is never edited in place."""
    client.force_login(superuser)
    official = make_user("official", "county_official", [tree.county])

    page = client.get(reverse("admin:auth_user_change", args=[official.pk]))

    assert page.status_code == 200
    assert b'name="jurisdiction_assignments-0-DELETE"' in page.content
    assert b'name="jurisdiction_assignments-0-division"' not in page.content
    assert b'name="jurisdiction_assignments-__prefix__-division"' in page.content
    assert "曹县" in page.content.decode()


def test_village_add_page_has_no_division_drop_down(tree, superuser, client):
    """The township follows from the code (villages.services.registry), so the form offers no division list."""
    client.force_login(superuser)

    page = client.get(url(Village, "add")).content.decode()

    assert 'name="township"' not in page
    assert "371722102" not in page and "黄岗镇" not in page


def test_admin_add_validates_the_village_code(tree, superuser, client):
    client.force_login(superuser)

    response = client.post(
        url(Village, "add"), {"code": "371721999227", "name": "错村", "households": "100"}, follow=True
    )

    assert not Village.objects.exists()
    assert "371721999" in response.content.decode()


def staff_reviewer(tree):
    return make_user("staff_reviewer", REVIEWERS, [tree.province], is_staff=True)


@pytest.fixture
def villages_in_two_provinces(tree):
    cao = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    shaji = VillageFactory(township=tree.other_town, code="320324109210", name="沙集村")
    for village in (cao, shaji):
        report = AnnualReportFactory(village=village)
        ReviewEventFactory(report=report)
        ShopYearFactory(shop__village=village)
        ServiceActivityFactory(point=ServicePointFactory(village=village))
    return cao, shaji


def test_a_reviewer_sees_only_villages_of_their_province(tree, villages_in_two_provinces, client):
    cao, shaji = villages_in_two_provinces
    client.force_login(staff_reviewer(tree))

    changelist = client.get(url(Village, "changelist"))

    shown = {village.code for village in changelist.context["cl"].result_list}
    assert shown == {cao.code}
    assert client.get(url(Village, "change", cao.pk)).status_code == 200
    assert client.get(url(Village, "change", shaji.pk)).status_code == 302


@pytest.mark.parametrize("model", [OnlineShop, ShopYear, AnnualReport, ReviewEvent, ServicePoint, ServiceActivity])
def test_a_reviewer_sees_only_rows_of_their_province(model, tree, villages_in_two_provinces, client):
    client.force_login(staff_reviewer(tree))

    changelist = client.get(url(model, "changelist"))

    assert changelist.status_code == 200
    assert len(changelist.context["cl"].result_list) == 1
    assert changelist.context["cl"].result_count == 1


def test_history_of_a_village_outside_the_area_is_not_shown(tree, villages_in_two_provinces, client):
    _cao, shaji = villages_in_two_provinces
    client.force_login(staff_reviewer(tree))
    version = shaji.history.first()

    assert client.get(url(Village, "history", shaji.pk)).status_code == 404
    assert client.get(url(Village, "simple_history", shaji.pk, version.history_id)).status_code == 404


def test_a_superuser_sees_every_village(villages_in_two_provinces, superuser, client):
    client.force_login(superuser)

    changelist = client.get(url(Village, "changelist"))

    assert changelist.context["cl"].result_count == 2


@pytest.mark.parametrize(
    ("model", "make_rows"),
    [
        (Village, lambda tree, n: VillageFactory.create_batch(n, township=tree.town)),
        (AnnualReport, lambda tree, n: AnnualReportFactory.create_batch(n, village__township=tree.town)),
        (ShopYear, lambda tree, n: ShopYearFactory.create_batch(n, shop__village__township=tree.town)),
        (ServicePoint, lambda tree, n: ServicePointFactory.create_batch(n, village__township=tree.town)),
    ],
    ids=lambda value: value._meta.model_name if hasattr(value, "_meta") else "",
)
def test_changelist_queries_do_not_grow_with_the_rows(model, make_rows, tree, superuser, client):
    client.force_login(superuser)
    make_rows(tree, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url(model, "changelist"))
    make_rows(tree, 12)
    with CaptureQueriesContext(connection) as many:
        client.get(url(model, "changelist"))

    assert len(many) == len(few)


def test_demo_user_model_is_the_registry_user_admin():
    assert type(admin.site._registry[get_user_model()]).__name__ == "RegistryUserAdmin"


def test_the_division_list_shows_which_list_each_division_comes_from(tree, superuser, client):
    Division.objects.create(
        code="371771", name="曹县开发区", level="county", parent=tree.prefecture, source=Division.Source.NBS_2023
    )
    client.force_login(superuser)
    page = client.get("/admin/villages/division/", {"source": "nbs_2023"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "曹县开发区" in text and "NBS 2023" in text and "曹县</a>" not in text
