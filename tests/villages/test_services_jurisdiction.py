"""Jurisdiction and reporting-window services: administrators only, validated, each change in the history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_user
from tests.factories import ReportingWindowFactory
from villages.models import COUNTY_OFFICIALS, JurisdictionAssignment, ReportingWindow
from villages.selectors.jurisdiction import jurisdiction_prefixes
from villages.services.jurisdiction import jurisdiction_assign, jurisdiction_unassign
from villages.services.windows import reporting_window_create, reporting_window_delete, reporting_window_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(tree):
    return make_user("newcomer", COUNTY_OFFICIALS)


def test_an_administrator_assigns_a_county_and_the_history_names_them(tree, newcomer, administrator):
    assignment = jurisdiction_assign(user=newcomer, division=tree.county, by=administrator, reason="新任")

    record = assignment.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == ("+", administrator, "新任")
    assert (record.user_id, record.division_id) == (newcomer.pk, tree.county.pk)


def test_the_assigned_user_answers_for_the_county_at_once(tree, newcomer, administrator):
    assert jurisdiction_prefixes(newcomer) == ()

    jurisdiction_assign(user=newcomer, division=tree.county, by=administrator)

    assert jurisdiction_prefixes(newcomer) == (tree.county.code,)


@pytest.mark.parametrize("role", ["official", "reviewer"])
def test_only_an_administrator_may_assign(tree, newcomer, request, role):
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        jurisdiction_assign(user=newcomer, division=tree.county, by=request.getfixturevalue(role))
    assert not JurisdictionAssignment.objects.filter(user=newcomer).exists()


def test_a_township_cannot_be_assigned(tree, newcomer, administrator):
    with pytest.raises(ValidationError) as refused:
        jurisdiction_assign(user=newcomer, division=tree.town, by=administrator)
    assert "division" in refused.value.message_dict


def test_the_same_division_cannot_be_assigned_twice(tree, official, administrator):
    with pytest.raises(ValidationError):
        jurisdiction_assign(user=official, division=tree.county, by=administrator)
    assert JurisdictionAssignment.objects.filter(user=official).count() == 1


def test_unassigning_is_recorded_and_the_user_loses_the_county(tree, official, administrator):
    assert jurisdiction_prefixes(official) == (tree.county.code,)
    assignment = official.jurisdiction_assignments.get()

    jurisdiction_unassign(assignment=assignment, by=administrator)

    assert not JurisdictionAssignment.objects.filter(user=official).exists()
    assert JurisdictionAssignment.history.latest().history_type == "-"
    assert JurisdictionAssignment.history.latest().history_user == administrator
    assert jurisdiction_prefixes(official) == ()


def test_a_county_official_cannot_take_back_their_own_county(official):
    with pytest.raises(PermissionDenied):
        jurisdiction_unassign(assignment=official.jurisdiction_assignments.get(), by=official)
    assert official.jurisdiction_assignments.exists()


def test_an_administrator_sets_a_window_and_the_history_names_them(administrator):
    window = reporting_window_create(
        by=administrator, year=2024, opens_on=datetime.date(2025, 1, 1), closes_on=datetime.date(2025, 3, 31)
    )

    assert window.history.get().history_user == administrator


def test_moving_a_window_is_recorded_with_its_author(administrator):
    window = ReportingWindowFactory(year=2024)

    moved = reporting_window_update(window=window, by=administrator, closes_on=datetime.date(2024, 11, 30))

    window.refresh_from_db()
    assert window.closes_on == moved.closes_on == datetime.date(2024, 11, 30)
    latest = window.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", administrator)


def test_a_window_closing_before_it_opens_is_refused_beside_the_closing_date(administrator):
    window = ReportingWindowFactory(year=2024)

    with pytest.raises(ValidationError) as refused:
        reporting_window_update(window=window, by=administrator, closes_on=datetime.date(2024, 6, 1))

    assert refused.value.message_dict["closes_on"] == ["The window cannot close before it opens."]
    window.refresh_from_db()
    assert window.closes_on == datetime.date(2024, 10, 31)


def test_a_window_refuses_fields_it_does_not_have(administrator):
    with pytest.raises(ValidationError) as refused:
        reporting_window_update(window=ReportingWindowFactory(year=2024), by=administrator, created_at=None)
    assert "created_at" in refused.value.message_dict


@pytest.mark.parametrize("role", ["official", "reviewer"])
def test_only_an_administrator_may_set_move_or_remove_a_window(request, role):
    user = request.getfixturevalue(role)
    window = ReportingWindowFactory(year=2024)

    with pytest.raises(PermissionDenied):
        reporting_window_create(
            by=user, year=2025, opens_on=datetime.date(2026, 1, 1), closes_on=datetime.date(2026, 3, 31)
        )
    with pytest.raises(PermissionDenied):
        reporting_window_update(window=window, by=user, closes_on=datetime.date(2024, 12, 31))
    with pytest.raises(PermissionDenied):
        reporting_window_delete(window=window, by=user)
    assert list(ReportingWindow.objects.values_list("year", "closes_on")) == [(2024, datetime.date(2024, 10, 31))]


def test_removing_a_window_is_recorded_with_its_author(administrator):
    window = ReportingWindowFactory(year=2024)

    reporting_window_delete(window=window, by=administrator)

    assert not ReportingWindow.objects.exists()
    latest = ReportingWindow.history.latest()
    assert (latest.history_type, latest.history_user, latest.year) == ("-", administrator, 2024)
