"""The admin assigns divisions, takes them back and sets reporting windows only through the services."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import make_user
from tests.factories import ReportingWindowFactory
from villages.models import COUNTY_OFFICIALS, Division, JurisdictionAssignment, ReportingWindow

pytestmark = pytest.mark.django_db

ASSIGNMENTS = "jurisdiction_assignments"


@pytest.fixture
def newcomer(tree):
    return make_user("newcomer", COUNTY_OFFICIALS)


def staff_official_with(official, *codenames):
    """A county official let into the admin with the given permissions: the services must still refuse them."""
    official.is_staff = True
    official.save(update_fields=["is_staff"])
    official.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return official


def user_change_data(user, *, total, initial, rows):
    """The user page's POST: the account as it is, and the assignment rows of the inline."""
    data = {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": user.date_joined.date().isoformat(),
        "date_joined_1": user.date_joined.time().replace(microsecond=0).isoformat(),
        "groups": list(user.groups.values_list("pk", flat=True)),
        f"{ASSIGNMENTS}-TOTAL_FORMS": str(total),
        f"{ASSIGNMENTS}-INITIAL_FORMS": str(initial),
        f"{ASSIGNMENTS}-MIN_NUM_FORMS": "0",
        f"{ASSIGNMENTS}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{ASSIGNMENTS}-{index}-{name}": value for name, value in row.items()})
    return data


def post_user_page(client, user, data):
    return client.post(reverse("admin:auth_user_change", args=[user.pk]), data)


# Jurisdiction assignments


def test_an_administrator_assigns_a_division_and_the_history_records_who(tree, newcomer, administrator, client_for):
    response = client_for(administrator).post(
        reverse("admin:villages_jurisdictionassignment_add"), {"user": newcomer.pk, "division": tree.county.pk}
    )

    assert response.status_code == 302
    assignment = JurisdictionAssignment.objects.get(user=newcomer)
    record = assignment.history.get()
    assert (record.history_type, record.history_user, record.division_id) == ("+", administrator, tree.county.pk)


def test_a_staff_member_who_is_not_an_administrator_cannot_assign(tree, official, newcomer, client_for):
    staff = staff_official_with(official, "add_jurisdictionassignment", "view_jurisdictionassignment")

    response = client_for(staff).post(
        reverse("admin:villages_jurisdictionassignment_add"), {"user": newcomer.pk, "division": tree.county.pk}
    )

    assert response.status_code == 200
    assert "Only an administrator may assign divisions" in response.content.decode()
    assert not JurisdictionAssignment.objects.filter(user=newcomer).exists()
    assert not JurisdictionAssignment.history.filter(user_id=newcomer.pk).exists()


def test_an_assignment_is_taken_back_in_the_admin_through_the_service(official, administrator, client_for):
    assignment = official.jurisdiction_assignments.get()

    response = client_for(administrator).post(
        reverse("admin:villages_jurisdictionassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not JurisdictionAssignment.objects.filter(pk=assignment.pk).exists()
    latest = JurisdictionAssignment.history.latest()
    assert (latest.history_type, latest.history_user) == ("-", administrator)


def test_an_assignment_is_never_edited_in_place(official, superuser, client_for):
    assignment = official.jurisdiction_assignments.get()
    model_admin = admin.site._registry[JurisdictionAssignment]

    response = client_for(superuser).post(
        reverse("admin:villages_jurisdictionassignment_change", args=[assignment.pk]),
        {"user": official.pk, "division": assignment.division_id},
    )

    assert response.status_code == 403
    assert "delete_selected" not in model_admin.get_actions(response.wsgi_request)


def test_unassigning_through_the_user_inline_goes_through_the_service(tree, official, administrator, client_for):
    assignment = official.jurisdiction_assignments.get()
    row = {"id": assignment.pk, "user": official.pk, "DELETE": "on"}

    response = post_user_page(
        client_for(administrator), official, user_change_data(official, total=1, initial=1, rows=[row])
    )

    assert response.status_code == 302
    assert not official.jurisdiction_assignments.exists()
    latest = JurisdictionAssignment.history.latest()
    assert (latest.history_type, latest.history_user, latest.division_id) == ("-", administrator, tree.county.pk)


def test_assigning_through_the_user_inline_goes_through_the_service(tree, newcomer, administrator, client_for):
    row = {"id": "", "user": newcomer.pk, "division": tree.other_county.pk}

    response = post_user_page(
        client_for(administrator), newcomer, user_change_data(newcomer, total=1, initial=0, rows=[row])
    )

    assert response.status_code == 302
    assignment = newcomer.jurisdiction_assignments.get()
    assert assignment.division == tree.other_county
    assert assignment.history.get().history_user == administrator


def test_a_staff_member_who_is_not_an_administrator_cannot_assign_in_the_user_inline(
    tree, official, newcomer, client_for
):
    staff = staff_official_with(official, "change_user", "view_user", "add_jurisdictionassignment")
    row = {"id": "", "user": newcomer.pk, "division": tree.county.pk}

    response = post_user_page(client_for(staff), newcomer, user_change_data(newcomer, total=1, initial=0, rows=[row]))

    assert response.status_code == 200
    assert "Only an administrator may assign divisions" in response.content.decode()
    assert not newcomer.jurisdiction_assignments.exists()


def test_a_staff_member_who_is_not_an_administrator_cannot_unassign_in_the_user_inline(official, client_for):
    assignment = official.jurisdiction_assignments.get()
    staff = staff_official_with(
        official, "change_user", "view_user", "view_jurisdictionassignment", "delete_jurisdictionassignment"
    )
    row = {"id": assignment.pk, "user": official.pk, "DELETE": "on"}

    response = post_user_page(client_for(staff), official, user_change_data(official, total=1, initial=1, rows=[row]))

    assert response.status_code == 200
    assert "Only an administrator may assign divisions" in response.content.decode()
    assert official.jurisdiction_assignments.get() == assignment


def test_deleting_a_user_takes_back_their_assignments_in_the_history(tree, official, administrator, client_for):
    response = client_for(administrator).post(reverse("admin:auth_user_delete", args=[official.pk]), {"post": "yes"})

    assert response.status_code == 302
    latest = JurisdictionAssignment.history.latest()
    assert (latest.history_type, latest.history_user, latest.user_id) == ("-", administrator, official.pk)


# Reporting windows


def window_data(window, **overrides):
    return {"year": window.year, "opens_on": window.opens_on, "closes_on": window.closes_on, **overrides}


def test_a_reporting_window_edit_in_the_admin_goes_through_the_service(administrator, client_for):
    window = ReportingWindowFactory(year=2024)

    response = client_for(administrator).post(
        reverse("admin:villages_reportingwindow_change", args=[window.pk]),
        window_data(window, closes_on="2024-11-30"),
    )

    assert response.status_code == 302
    window.refresh_from_db()
    assert window.closes_on == datetime.date(2024, 11, 30)
    latest = window.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", administrator)


def test_a_window_closing_before_it_opens_is_refused_beside_the_closing_date(administrator, client_for):
    window = ReportingWindowFactory(year=2024)

    response = client_for(administrator).post(
        reverse("admin:villages_reportingwindow_change", args=[window.pk]), window_data(window, closes_on="2024-06-01")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["closes_on"] == ["The window cannot close before it opens."]
    window.refresh_from_db()
    assert window.closes_on == datetime.date(2024, 10, 31) and window.history.count() == 1


def test_a_staff_member_who_is_not_an_administrator_cannot_move_a_window(official, client_for):
    window = ReportingWindowFactory(year=2024)
    staff = staff_official_with(official, "change_reportingwindow")

    response = client_for(staff).post(
        reverse("admin:villages_reportingwindow_change", args=[window.pk]), window_data(window, closes_on="2024-12-31")
    )

    assert response.status_code == 200
    assert "Only an administrator may set the reporting windows." in response.content.decode()
    window.refresh_from_db()
    assert window.closes_on == datetime.date(2024, 10, 31)


def test_an_administrator_adds_and_removes_a_window_through_the_service(administrator, client_for):
    client = client_for(administrator)

    client.post(
        reverse("admin:villages_reportingwindow_add"),
        {"year": 2025, "opens_on": "2026-01-01", "closes_on": "2026-03-31"},
    )
    window = ReportingWindow.objects.get(year=2025)
    client.post(reverse("admin:villages_reportingwindow_delete", args=[window.pk]), {"post": "yes"})

    assert not ReportingWindow.objects.exists()
    assert list(ReportingWindow.history.order_by("history_id").values_list("history_type", "history_user")) == [
        ("+", administrator.pk),
        ("-", administrator.pk),
    ]


# Divisions


def test_divisions_are_read_only_in_the_admin(tree, superuser, client_for):
    client = client_for(superuser)
    change_url = reverse("admin:villages_division_change", args=[tree.county.pk])

    page = client.get(change_url)
    response = client.post(change_url, {"code": tree.county.code, "name": "改名县", "level": "county"})

    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert response.status_code == 403
    assert Division.objects.get(pk=tree.county.pk).name == tree.county.name
