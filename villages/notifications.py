"""Emails about the review workflow: reviewers hear of submissions, submitters of returns and approvals.

Village reports and townships' own reports are told the same way, each message linked to its report.

Each message also lands in the recipients' in-app inbox (`villages.services.inbox`), in the same transaction,
one entry per user, users without an e-mail address included.

Mail never breaks a request. A step records each message as an `OutboundMail` row inside its own transaction
(so a rolled-back step records nothing) and, once it has committed, hands the row to the `deliver_outbound_mail`
task (`db_worker` in production; at once under the immediate backend of tests and `make run`), which sends it
with a timeout and retries it with backoff (villages/mail_delivery.py). A message whose task could not be
enqueued, or was lost with its worker, is sent by `manage.py send_queued_mail`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from villages.models import REVIEWERS, AnnualReport, Notification, OutboundMail, ReviewEvent, TownshipReport
from villages.money import format_yuan
from villages.selectors.jurisdiction import users_responsible_for
from villages.services.inbox import notifications_record, report_facts
from villages.tasks import outbound_mail_enqueue

Status = OutboundMail.Status


@transaction.atomic
def outbound_mail_retry_now(*, mails: QuerySet) -> int:
    """Make queued or failed messages due now and send them; one already sent is never sent again."""
    retried = list(mails.exclude(status=Status.SENT).values_list("pk", flat=True))
    OutboundMail.objects.filter(pk__in=retried).update(
        status=Status.QUEUED, next_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue_each(retried))
    return len(retried)


def _enqueue_each(mail_ids: list[int]) -> None:
    for mail_id in mail_ids:
        outbound_mail_enqueue(mail_id)


@dataclass(frozen=True)
class _Mailed:
    """What a message says of a report, a village's or a township's own: its place, figures, page and row."""

    facts: dict
    submitted_body: str
    url_name: str
    link: dict


def _mailed(report: AnnualReport | TownshipReport) -> _Mailed:
    facts = {"year": report.year, "sales": format_yuan(report.ecommerce_sales), "active_shops": report.active_shops}
    if isinstance(report, TownshipReport):
        return _Mailed(
            facts={**facts, "village": report.township.name, "code": report.township_id},
            submitted_body=_(
                "%(by)s submitted the township's own %(year)s e-commerce report of %(village)s (%(code)s) for "
                "review.\n\nE-commerce sales: %(sales)s\nActive online shops: %(active_shops)s\n"
            ),
            url_name="villages:township_report_detail",
            link={"township_report": report},
        )
    return _Mailed(
        facts={**facts, "village": report.village.name, "code": report.village.code, "households": report.households},
        submitted_body=_(
            "%(by)s submitted the %(year)s e-commerce report of %(village)s (%(code)s) for review.\n\n"
            "E-commerce sales: %(sales)s\nActive online shops: %(active_shops)s\nHouseholds: %(households)s\n"
        ),
        url_name="villages:report_detail",
        link={"report": report},
    )


def _record_and_send_after_commit(mailed: _Mailed, messages: list[tuple[str, str, str]]) -> None:
    if not messages:
        return
    mails = OutboundMail.objects.bulk_create(
        OutboundMail(
            recipient=recipient,
            subject=_("[Taobao village registry] %(subject)s") % {"subject": subject},
            body=body,
            next_attempt_at=timezone.now(),
            **mailed.link,
        )
        for recipient, subject, body in messages
    )
    transaction.on_commit(lambda: _enqueue_each([mail.pk for mail in mails]))


def report_url(report: AnnualReport | TownshipReport) -> str:
    """The report's page as an absolute address (SITE_URL): mail is sent by a worker, with no request to ask."""
    return settings.SITE_URL.rstrip("/") + reverse(_mailed(report).url_name, args=[report.pk])


def _with_link(body: str, report) -> str:
    return body + "\n" + _("Open the report: %(url)s") % {"url": report_url(report)} + "\n"


def report_submitted(*, report: AnnualReport | TownshipReport, event: ReviewEvent) -> None:
    """Tell every reviewer whose prefecture or province contains the village (or the township) that a report
    awaits review."""
    mailed = _mailed(report)
    facts = {**mailed.facts, "by": event.by.get_full_name() or event.by.get_username()}
    subject = _("Report for %(village)s (%(code)s), %(year)s, submitted for review") % facts
    body = _with_link(mailed.submitted_body % facts, report)
    reviewers = list(users_responsible_for(facts["code"], REVIEWERS).values_list("pk", "email"))
    notifications_record(
        recipient_ids=[pk for pk, _email in reviewers], kind=Notification.Kind.SUBMITTED,
        params=report_facts(report, event.by), report=report,
    )
    _record_and_send_after_commit(mailed, [(email, subject, body) for _pk, email in reviewers if email])


def report_reviewed(*, report: AnnualReport | TownshipReport, event: ReviewEvent) -> None:
    """Tell the official who submitted the report that it was approved, returned or reopened, and why."""
    submitter = report.submitted_by
    if submitter is None:
        return
    _record_in_inbox(report, event, submitter)
    if not submitter.email:
        return
    mailed = _mailed(report)
    facts = {
        **mailed.facts,
        "status": AnnualReport.Status(event.to_status).label,
        "by": event.by.get_full_name() or event.by.get_username(),
        "comment": event.comment or _("(no comment)"),
    }
    if event.to_status == AnnualReport.Status.APPROVED:
        subject = _("Report for %(village)s (%(code)s), %(year)s, approved") % facts
    elif event.from_status == AnnualReport.Status.APPROVED:
        subject = _("Report for %(village)s (%(code)s), %(year)s, reopened: please correct it") % facts
    else:
        subject = _("Report for %(village)s (%(code)s), %(year)s, returned: please correct it") % facts
    body = _(
        "%(by)s reviewed the %(year)s e-commerce report of %(village)s (%(code)s); it is now %(status)s.\n\n"
        "Reviewer's comment: %(comment)s\n"
    ) % facts
    _record_and_send_after_commit(mailed, [(submitter.email, subject, _with_link(body, report))])


def _record_in_inbox(report: AnnualReport | TownshipReport, event: ReviewEvent, submitter) -> None:
    """The submitter's inbox entry for a review step: approved, reopened or returned, as the mail says."""
    if event.to_status == AnnualReport.Status.APPROVED:
        kind = Notification.Kind.APPROVED
    elif event.from_status == AnnualReport.Status.APPROVED:
        kind = Notification.Kind.REOPENED
    else:
        kind = Notification.Kind.RETURNED
    notifications_record(
        recipient_ids=[submitter.pk], kind=kind,
        params={**report_facts(report, event.by), "comment": event.comment}, report=report,
    )
