"""The admin writes through the services: versioned edits, scoped lists, the review queue and its actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import AnnualReport, ReviewEvent, Village

Status = AnnualReport.Status


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=800, population=3000)


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _village_form(village, **overrides):
    data = {
        "code": village.code,
        "name": village.name,
        "households": village.households,
        "population": village.population,
        "urban_rural_code": "",
        "latitude": "",
        "longitude": "",
        "main_products": "",
        "edited_version": village.version,
    }
    return {**data, **overrides}


def test_admin_edit_goes_through_the_service(village, official, client_for):
    client = client_for(_staff(official))
    url = reverse("admin:villages_village_change", args=[village.pk])

    response = client.post(url, _village_form(village, households=950))

    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.households, village.version) == (950, 2)
    assert village.history.latest().history_user == official


def test_admin_edit_based_on_an_old_version_saves_nothing_and_keeps_what_was_typed(village, official, client_for):
    client = client_for(_staff(official))
    url = reverse("admin:villages_village_change", args=[village.pk])
    client.post(url, _village_form(village, households=950))

    response = client.post(url, _village_form(village, households=10, population=4321, edited_version=1))

    village.refresh_from_db()
    assert (village.households, village.population) == (950, 3000)
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was saved" in page
    assert 'name="households" value="10"' in page and 'name="population" value="4321"' in page
    # what the other save left, and the version it made, so that saving again is a deliberate replacement
    assert "950" in page and 'name="edited_version" value="2"' in page

    again = client.post(url, _village_form(village, households=10, population=4321, edited_version=2))

    assert again.status_code == 302
    village.refresh_from_db()
    assert (village.households, village.population, village.version) == (10, 4321, 3)


def test_admin_create_refused_by_the_service_keeps_what_was_typed(tree, official, client_for):
    client = client_for(_staff(official))
    data = _village_form(Village(code="320324109227", name="东风村", households=900, population=3000, version=1))
    data.pop("edited_version")

    response = client.post(reverse("admin:villages_village_add"), data)

    assert response.status_code == 200
    assert not Village.objects.filter(code="320324109227").exists()
    page = response.content.decode()
    assert "only in the counties assigned to you" in page
    assert 'value="320324109227"' in page and 'value="东风村"' in page and 'name="households" value="900"' in page


def test_admin_create_derives_the_township(tree, official, client_for):
    client = client_for(_staff(official))
    data = _village_form(Village(code="371721121211", name="张庄村", households=900, population=3000, version=1))
    data.pop("edited_version")

    client.post(reverse("admin:villages_village_add"), data)

    assert Village.objects.get(code="371721121211").township == tree.town


def test_admin_lists_only_the_staff_members_area(village, tree, other_official, client_for):
    VillageFactory(township=tree.other_town, code="320324109227", name="东风村")
    client = client_for(_staff(other_official))

    page = client.get(reverse("admin:villages_village_changelist")).content.decode()

    assert "东风村" in page and "丁楼村" not in page


def test_admin_delete_of_an_approved_report_is_refused(village, administrator, client_for):
    report = AnnualReportFactory(village=village, status=Status.APPROVED)
    client = client_for(administrator)

    url = reverse("admin:villages_annualreport_delete", args=[report.pk])

    response = client.post(url, {"post": "yes"}, follow=True)

    assert AnnualReport.objects.filter(pk=report.pk).exists()
    assert "locked" in response.content.decode()


def test_reviewer_queue_shows_submitted_reports_in_the_area(village, tree, reviewer, client_for):
    AnnualReportFactory(village=village, year=2023, status=Status.SUBMITTED)
    AnnualReportFactory(village=village, year=2022, status=Status.DRAFT)
    AnnualReportFactory(village=VillageFactory(township=tree.other_town), year=2023, status=Status.SUBMITTED)
    client = client_for(_staff(reviewer))

    response = client.get(reverse("admin:villages_annualreport_changelist"), {"queue": "mine"})

    expected = AnnualReport.objects.filter(status=Status.SUBMITTED, village=village)
    assert list(response.context["cl"].queryset) == list(expected)


def test_approve_action_approves_through_the_workflow(village, reviewer, client_for):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED)
    client = client_for(_staff(reviewer))

    client.post(
        reverse("admin:villages_annualreport_changelist"),
        {"action": "approve_reports", ACTION_CHECKBOX_NAME: [report.pk]},
    )

    report.refresh_from_db()
    assert report.status == Status.APPROVED and report.reviewed_by == reviewer
    assert ReviewEvent.objects.filter(report=report, to_status=Status.APPROVED, by=reviewer).exists()


def test_return_action_asks_for_a_comment_before_returning(village, reviewer, client_for):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED)
    client = client_for(_staff(reviewer))
    url = reverse("admin:villages_annualreport_changelist")

    first = client.post(url, {"action": "return_reports", ACTION_CHECKBOX_NAME: [report.pk]})
    assert first.status_code == 200 and 'name="comment"' in first.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED

    client.post(
        url, {"action": "return_reports", ACTION_CHECKBOX_NAME: [report.pk], "apply": "1", "comment": "网店名单缺失"}
    )

    report.refresh_from_db()
    assert (report.status, report.review_comment) == (Status.RETURNED, "网店名单缺失")


def test_county_official_has_no_review_actions(village, official, client_for):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED)
    client = client_for(_staff(official))

    response = client.post(
        reverse("admin:villages_annualreport_changelist"),
        {"action": "approve_reports", ACTION_CHECKBOX_NAME: [report.pk]},
    )

    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert response.status_code == 200


def test_report_change_page_shows_the_timeline_and_warnings(village, official, reviewer, client_for):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED, active_shops=900, households=800)
    client_for(_staff(reviewer)).post(
        reverse("admin:villages_annualreport_changelist"),
        {"action": "approve_reports", ACTION_CHECKBOX_NAME: [report.pk]},
    )

    page = client_for(_staff(reviewer)).get(reverse("admin:villages_annualreport_change", args=[report.pk]))

    content = page.content.decode()
    assert "review timeline" in content.lower()
    assert "900 active shops are declared for only 800 households" in content


def test_the_return_confirmation_carries_report_ids_past_999_unlocalised(village, reviewer, client_for):
    """The site groups thousands (USE_THOUSAND_SEPARATOR): an id in a form value must not become "12,345"."""
    report = AnnualReportFactory(id=12345, village=village, status=Status.SUBMITTED)
    client = client_for(_staff(reviewer))
    url = reverse("admin:villages_annualreport_changelist")

    first = client.post(url, {"action": "return_reports", ACTION_CHECKBOX_NAME: [report.pk]})

    assert f'name="{ACTION_CHECKBOX_NAME}" value="12345"' in first.content.decode()
