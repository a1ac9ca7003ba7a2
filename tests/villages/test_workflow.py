"""The review workflow: legal and illegal steps, locking, reporting windows and two reviewers at once."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from tests.conftest import make_user
from tests.factories import AnnualReportFactory, VillageFactory
from villages.models import REVIEWERS, AnnualReport, Assessment, ReportingWindow, ReviewEvent
from villages.services import reports as report_services
from villages.services.errors import ConflictError
from villages.services.registry import village_delete, village_update
from villages.services.reports import (
    report_approve,
    report_create,
    report_delete,
    report_reopen,
    report_return,
    report_submit,
    report_update,
)

Status = AnnualReport.Status


@pytest.fixture
def village(tree):
    return VillageFactory(township=tree.town, code="371721121227", name="丁楼村", households=1200)


@pytest.fixture
def draft(village, official):
    return report_create(
        by=official, village=village, year=2023, ecommerce_sales=15_000_000, active_shops=150, households=1200
    )


def _status(report):
    return AnnualReport.objects.values_list("status", flat=True).get(pk=report.pk)


def test_report_create_starts_as_a_draft_owned_by_its_creator(draft, official):
    assert draft.status == Status.DRAFT
    assert draft.created_by == official
    assert draft.history.get().history_user == official


def test_second_report_for_the_same_village_and_year_is_refused(draft, village, official):
    with pytest.raises(ValidationError) as error:
        report_create(by=official, village=village, year=2023, ecommerce_sales=1, active_shops=1, households=1)
    assert "already has a report for this year" in str(error.value)


def test_submit_moves_a_draft_to_submitted_and_writes_the_timeline(draft, official):
    version_before = draft.version
    submitted = report_submit(report=draft, by=official)

    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_by == official and submitted.submitted_at is not None
    assert submitted.version == version_before + 1
    assert AnnualReport.objects.get(pk=draft.pk).version == version_before + 1
    event = ReviewEvent.objects.get(report=draft)
    assert (event.from_status, event.to_status, event.by) == (Status.DRAFT, Status.SUBMITTED, official)


def test_approve_assesses_the_report_at_once(draft, official, reviewer):
    report_submit(report=draft, by=official)

    approved = report_approve(report=draft, by=reviewer, comment="数据核实无误")

    assert approved.status == Status.APPROVED
    assert approved.reviewed_by == reviewer and approved.review_comment == "数据核实无误"
    assessment = Assessment.objects.get(report=draft)
    assert (assessment.village_id, assessment.year) == (draft.village_id, 2023)


def test_return_requires_a_comment_and_changes_nothing_without_one(draft, official, reviewer):
    report_submit(report=draft, by=official)

    with pytest.raises(ValidationError) as error:
        report_return(report=draft, by=reviewer, comment="   ")

    assert "comment" in error.value.message_dict
    assert _status(draft) == Status.SUBMITTED
    assert ReviewEvent.objects.filter(report=draft).count() == 1


def test_returned_report_can_be_corrected_and_resubmitted(draft, official, reviewer):
    report_submit(report=draft, by=official)
    returned = report_return(report=draft, by=reviewer, comment="网店数量与登记不符")

    corrected = report_update(report=draft, by=official, version=returned.version, active_shops=120)
    resubmitted = report_submit(report=corrected, by=official)

    assert resubmitted.status == Status.SUBMITTED and resubmitted.active_shops == 120
    steps = list(ReviewEvent.objects.filter(report=draft).values_list("from_status", "to_status"))
    assert steps == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.RETURNED),
        (Status.RETURNED, Status.SUBMITTED),
    ]


def test_reopen_returns_the_report_and_withdraws_its_certification(draft, official, reviewer):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)

    reopened = report_reopen(report=draft, by=reviewer, comment="发现重复登记的网店")

    assert reopened.status == Status.RETURNED and reopened.reopened
    assert not Assessment.objects.filter(report=draft).exists()
    assert ReviewEvent.objects.filter(report=draft).last().comment == "发现重复登记的网店"


def test_reopen_requires_a_comment(draft, official, reviewer):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)

    with pytest.raises(ValidationError):
        report_reopen(report=draft, by=reviewer, comment="")
    assert _status(draft) == Status.APPROVED


@pytest.mark.parametrize(
    ("status", "step", "expected_words"),
    [
        (Status.SUBMITTED, "submit", "Only a draft or returned report can be submitted"),
        (Status.APPROVED, "submit", "Only a draft or returned report can be submitted"),
        (Status.DRAFT, "approve", "Only a submitted report can be approved"),
        (Status.RETURNED, "approve", "Only a submitted report can be approved"),
        (Status.APPROVED, "approve", "Only a submitted report can be approved"),
        (Status.DRAFT, "return", "Only a submitted report can be returned"),
        (Status.APPROVED, "return", "Only a submitted report can be returned"),
        (Status.DRAFT, "reopen", "Only an approved report can be reopened"),
        (Status.SUBMITTED, "reopen", "Only an approved report can be reopened"),
        (Status.RETURNED, "reopen", "Only an approved report can be reopened"),
    ],
)
def test_illegal_steps_are_conflicts_that_name_the_current_status(
    village, official, reviewer, status, step, expected_words
):
    report = AnnualReportFactory(village=village, status=status)
    actions = {
        "submit": lambda: report_submit(report=report, by=official),
        "approve": lambda: report_approve(report=report, by=reviewer),
        "return": lambda: report_return(report=report, by=reviewer, comment="请补充"),
        "reopen": lambda: report_reopen(report=report, by=reviewer, comment="请补充"),
    }

    with pytest.raises(ConflictError) as error:
        actions[step]()

    assert expected_words in str(error.value)
    assert str(Status(status).label) in str(error.value)
    assert _status(report) == status and not ReviewEvent.objects.exists()
    assert AnnualReport.objects.get(pk=report.pk).version == report.version


def test_transition_on_an_old_copy_of_the_report_is_judged_on_the_current_status(draft, official, reviewer):
    old_copy = AnnualReport.objects.get(pk=draft.pk)
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)

    with pytest.raises(ConflictError):
        report_return(report=old_copy, by=reviewer, comment="过时的页面")
    assert _status(draft) == Status.APPROVED


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_submitted_and_approved_reports_cannot_be_edited(village, official, status):
    report = AnnualReportFactory(village=village, status=status)

    with pytest.raises(ConflictError) as error:
        report_update(report=report, by=official, version=report.version, ecommerce_sales=1)

    assert "Only a draft or returned report can be changed" in str(error.value)
    report.refresh_from_db()
    assert report.ecommerce_sales == 12_000_000


def test_report_update_with_a_stale_version_is_refused(draft, official):
    report_update(report=draft, by=official, version=1, ecommerce_sales=16_000_000)

    with pytest.raises(ConflictError) as error:
        report_update(report=draft, by=official, version=1, ecommerce_sales=1)

    assert "version 1" in str(error.value)
    draft.refresh_from_db()
    assert draft.ecommerce_sales == 16_000_000 and draft.version == 2


def test_report_update_may_not_touch_the_status(draft, official):
    with pytest.raises(ValidationError):
        report_update(report=draft, by=official, version=1, status=Status.APPROVED)
    assert _status(draft) == Status.DRAFT


def test_approved_report_cannot_be_deleted_even_by_an_administrator(village, administrator):
    report = AnnualReportFactory(village=village, status=Status.APPROVED)

    with pytest.raises(ConflictError):
        report_delete(report=report, by=administrator)
    assert AnnualReport.objects.filter(pk=report.pk).exists()


def test_administrator_deletes_a_draft_and_the_history_keeps_it(draft, administrator):
    report_pk = draft.pk
    report_delete(report=draft, by=administrator)

    assert not AnnualReport.objects.filter(pk=report_pk).exists()
    assert AnnualReport.history.filter(id=report_pk).latest().history_user == administrator


def test_reopen_unlocks_the_report_and_the_village_code(draft, village, official, reviewer, administrator):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)
    with pytest.raises(ConflictError):
        village_update(village=village, by=official, version=village.version, code="371721121211")

    reopened = report_reopen(report=draft, by=reviewer, comment="村代码有误")

    assert report_update(report=draft, by=official, version=reopened.version, active_shops=99).active_shops == 99
    moved = village_update(village=village, by=official, version=village.version, code="371721121211")
    assert moved.code == "371721121211"


def test_village_with_a_freshly_approved_report_cannot_be_deleted(village, reviewer, administrator):
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED)
    report_approve(report=report, by=reviewer)

    with pytest.raises(ConflictError) as error:
        village_delete(village=village, by=administrator)
    assert "approved reports" in str(error.value)


class TestReportingWindow:
    def _window(self, opens_in_days, closes_in_days):
        today = timezone.localdate()
        return ReportingWindow.objects.create(
            year=2023,
            opens_on=today + datetime.timedelta(days=opens_in_days),
            closes_on=today + datetime.timedelta(days=closes_in_days),
        )

    def test_submission_inside_the_window_is_accepted(self, draft, official):
        self._window(-10, 10)
        assert report_submit(report=draft, by=official).status == Status.SUBMITTED

    def test_submission_after_the_window_closed_is_refused_with_its_dates(self, draft, official):
        window = self._window(-30, -1)

        with pytest.raises(ConflictError) as error:
            report_submit(report=draft, by=official)

        message = str(error.value)
        assert window.opens_on.isoformat() in message and window.closes_on.isoformat() in message
        assert _status(draft) == Status.DRAFT and not ReviewEvent.objects.exists()

    def test_submission_before_the_window_opens_is_refused(self, draft, official):
        self._window(1, 30)
        with pytest.raises(ConflictError):
            report_submit(report=draft, by=official)

    def test_year_without_a_window_is_open(self, draft, official):
        ReportingWindow.objects.create(
            year=2022, opens_on=datetime.date(2000, 1, 1), closes_on=datetime.date(2000, 1, 2)
        )
        assert report_submit(report=draft, by=official).status == Status.SUBMITTED

    def test_reopened_report_may_be_resubmitted_after_the_window_closed(self, draft, official, reviewer):
        report_submit(report=draft, by=official)
        report_approve(report=draft, by=reviewer)
        report_reopen(report=draft, by=reviewer, comment="补充材料")
        self._window(-30, -1)

        assert report_submit(report=draft, by=official).status == Status.SUBMITTED

    def test_the_reopening_exempts_only_the_resubmission_that_follows_it(self, draft, official, reviewer):
        report_submit(report=draft, by=official)
        report_approve(report=draft, by=reviewer)
        report_reopen(report=draft, by=reviewer, comment="补充材料")
        self._window(-30, -1)
        report_submit(report=draft, by=official)
        report_return(report=draft, by=reviewer, comment="网店数量有误")

        with pytest.raises(ConflictError) as error:
            report_submit(report=draft, by=official)

        assert "can be submitted only from" in str(error.value)
        assert _status(draft) == Status.RETURNED

    def test_returned_but_never_reopened_report_still_respects_the_window(self, draft, official, reviewer):
        report_submit(report=draft, by=official)
        report_return(report=draft, by=reviewer, comment="补充材料")
        self._window(-30, -1)

        with pytest.raises(ConflictError):
            report_submit(report=draft, by=official)


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL: SQLite has no row locks and serialises whole-database writes.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_approving_at_once_exactly_one_wins(tree, official, reviewer, monkeypatch):
    second_reviewer = make_user("second_reviewer", REVIEWERS, [tree.prefecture])
    village = VillageFactory(township=tree.town)
    report = AnnualReportFactory(village=village, status=Status.SUBMITTED, submitted_by=official)
    real_assess = report_services.report_assess

    def slow_assess(*, report):
        # Hold the row lock a moment so that the other reviewer's UPDATE is really waiting on it.
        result = real_assess(report=report)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(report_services, "report_assess", slow_assess)
    start = threading.Barrier(2)
    outcomes = {}

    def approve(user):
        try:
            start.wait()
            report_approve(report=AnnualReport.objects.get(pk=report.pk), by=user)
            outcomes[user.username] = "approved"
        except ConflictError as error:
            outcomes[user.username] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (reviewer, second_reviewer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    results = sorted(outcomes.values(), key=lambda outcome: outcome != "approved")
    assert len(results) == 2
    assert results[0] == "approved"
    assert isinstance(results[1], ConflictError)
    assert _status(report) == Status.APPROVED
    assert Assessment.objects.filter(village=village, year=report.year).count() == 1
    assert ReviewEvent.objects.filter(report=report, to_status=Status.APPROVED).count() == 1
    assert AnnualReport.objects.get(pk=report.pk).version == report.version + 1


def test_a_step_on_a_row_older_than_the_stored_one_claims_on_the_status_and_answers_with_the_stored_row(
    draft, official, reviewer
):
    """The claim without a re-read is only for the row in hand; an older copy still gets the step, re-read."""
    submitted = report_submit(report=draft, by=official)
    stale = AnnualReport.objects.get(pk=submitted.pk)
    AnnualReport.objects.filter(pk=submitted.pk).update(version=F("version") + 1)
    stored_version = AnnualReport.objects.get(pk=submitted.pk).version

    approved = report_approve(report=stale, by=reviewer)

    assert approved is not stale
    assert approved.status == Status.APPROVED and approved.version == stored_version + 1
    assert AnnualReport.objects.get(pk=submitted.pk).version == stored_version + 1
