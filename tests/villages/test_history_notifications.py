"""Every change is on record (history and review timeline) and the right people are emailed after commit.

Each message is recorded as outgoing mail inside the step's transaction and sent by a task once it commits (the
immediate task backend of the tests sends at once); tests/villages/test_mail_delivery.py covers failures."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import make_user
from tests.factories import VillageFactory
from villages.models import REVIEWERS, AnnualReport, OutboundMail, ReportingWindow
from villages.selectors.review import report_timeline
from villages.services.errors import ConflictError
from villages.services.registry import village_create, village_delete, village_update
from villages.services.reports import report_approve, report_create, report_reopen, report_return, report_submit

Status = AnnualReport.Status


@pytest.fixture
def draft(tree, official):
    village = VillageFactory(township=tree.town, code="371721121227", name="丁楼村")
    return report_create(
        by=official, village=village, year=2023, ecommerce_sales=15_000_000, active_shops=150, households=1200
    )


def test_village_history_records_create_change_and_delete_with_who_and_what(tree, official, administrator):
    village = village_create(by=official, code="371721121211", name="张庄村", households=900)
    village = village_update(village=village, by=official, version=1, households=950)
    village_pk = village.pk
    village_delete(village=village, by=administrator)

    records = list(village.history.model.objects.filter(id=village_pk).order_by("history_date"))
    assert [(record.history_type, record.history_user) for record in records] == [
        ("+", official),
        ("~", official),
        ("-", administrator),
    ]
    change = records[1].diff_against(records[0])
    assert [(delta.field, delta.old, delta.new) for delta in change.changes] == [("households", 900, 950)]
    assert (records[0].version, records[1].version) == (1, 2)


def test_each_report_transition_is_a_history_record_by_the_actor(draft, official, reviewer):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)

    records = draft.history.order_by("history_date")
    assert [(record.status, record.history_user, record.history_change_reason) for record in records] == [
        (Status.DRAFT, official, None),
        (Status.SUBMITTED, official, Status.SUBMITTED),
        (Status.APPROVED, reviewer, Status.APPROVED),
    ]


def test_report_timeline_lists_each_step_in_order_with_comments(draft, official, reviewer, django_assert_num_queries):
    report_submit(report=draft, by=official)
    report_return(report=draft, by=reviewer, comment="补充网店名单")
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer, comment="通过")
    report_reopen(report=draft, by=reviewer, comment="重复计算")

    with django_assert_num_queries(1):
        steps = [
            (event.from_status, event.to_status, event.by.username, event.comment)
            for event in report_timeline(draft)
        ]

    assert steps == [
        (Status.DRAFT, Status.SUBMITTED, "official", ""),
        (Status.SUBMITTED, Status.RETURNED, "reviewer", "补充网店名单"),
        (Status.RETURNED, Status.SUBMITTED, "official", ""),
        (Status.SUBMITTED, Status.APPROVED, "reviewer", "通过"),
        (Status.APPROVED, Status.RETURNED, "reviewer", "重复计算"),
    ]


def test_submission_emails_the_reviewers_of_the_area_only_after_commit(
    draft, tree, official, reviewer, other_reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    prefecture_reviewer = make_user("prefecture_reviewer", REVIEWERS, [tree.prefecture])
    make_user("reviewer_without_email", REVIEWERS, [tree.province], email="")

    with django_capture_on_commit_callbacks() as callbacks:
        report_submit(report=draft, by=official)
        assert mailoutbox == []
    recorded = OutboundMail.objects.filter(report=draft)
    assert sorted(recorded.values_list("recipient", "status")) == sorted(
        [(reviewer.email, "queued"), (prefecture_reviewer.email, "queued")]
    )
    for callback in callbacks:
        callback()

    assert sorted(message.to[0] for message in mailoutbox) == sorted([reviewer.email, prefecture_reviewer.email])
    assert all("丁楼村" in message.subject and "2023" in message.subject for message in mailoutbox)
    assert other_reviewer.email not in {message.to[0] for message in mailoutbox}
    assert set(recorded.values_list("status", "attempts")) == {("sent", 1)}


def test_refused_submission_sends_no_mail(draft, official, mailoutbox, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    ReportingWindow.objects.create(
        year=2023, opens_on=today - datetime.timedelta(days=30), closes_on=today - datetime.timedelta(days=1)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ConflictError):
        report_submit(report=draft, by=official)

    assert callbacks == [] and mailoutbox == []
    assert not OutboundMail.objects.exists()


@pytest.mark.parametrize(
    ("step", "subject_word"),
    [
        (lambda report, by: report_approve(report=report, by=by, comment="核实无误"), "approved"),
        (lambda report, by: report_return(report=report, by=by, comment="核实无误"), "returned"),
    ],
)
def test_approval_and_return_email_the_submitter_with_the_comment(
    draft, official, reviewer, mailoutbox, django_capture_on_commit_callbacks, step, subject_word
):
    report_submit(report=draft, by=official)

    with django_capture_on_commit_callbacks(execute=True):
        step(draft, reviewer)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [official.email]
    assert subject_word in message.subject and "核实无误" in message.body
    assert OutboundMail.objects.get(recipient=official.email, subject=message.subject).status == "sent"


def test_reopen_emails_the_submitter(draft, official, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    report_submit(report=draft, by=official)
    report_approve(report=draft, by=reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        report_reopen(report=draft, by=reviewer, comment="发现重复网店")

    assert [message.to for message in mailoutbox] == [[official.email]]
    assert "reopened" in mailoutbox[0].subject and "发现重复网店" in mailoutbox[0].body
