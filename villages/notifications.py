"""Emails about the review workflow: reviewers hear of submissions, submitters of returns and approvals.

Messages are composed inside the service's transaction but sent only once it commits
(`transaction.on_commit`), so a rolled-back step never sends mail. The backend comes from settings
(console locally, SMTP from the environment in production).
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils.translation import gettext as _

from villages.models import REVIEWERS, AnnualReport, ReviewEvent
from villages.selectors.jurisdiction import users_responsible_for


def _send_after_commit(messages: list[EmailMessage]) -> None:
    if not messages:
        return

    def send():
        get_connection(fail_silently=False).send_messages(messages)

    transaction.on_commit(send)


def _message(subject: str, body: str, recipient: str) -> EmailMessage:
    return EmailMessage(
        subject=_("[Taobao village registry] %(subject)s") % {"subject": subject},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )


def _report_facts(report: AnnualReport) -> dict:
    return {
        "village": report.village.name,
        "code": report.village.code,
        "year": report.year,
        "sales": report.ecommerce_sales,
        "active_shops": report.active_shops,
        "households": report.households,
    }


def report_submitted(*, report: AnnualReport, event: ReviewEvent) -> None:
    """Tell every reviewer whose prefecture or province contains the village that a report awaits review."""
    facts = {**_report_facts(report), "by": event.by.get_full_name() or event.by.get_username()}
    subject = _("Report for %(village)s (%(code)s), %(year)s, submitted for review") % facts
    body = _(
        "%(by)s submitted the %(year)s e-commerce report of %(village)s (%(code)s) for review.\n\n"
        "E-commerce sales: RMB %(sales)s\nActive online shops: %(active_shops)s\nHouseholds: %(households)s\n"
    ) % facts
    reviewers = users_responsible_for(report.village.code, REVIEWERS).exclude(email="")
    _send_after_commit([_message(subject, body, email) for email in reviewers.values_list("email", flat=True)])


def report_reviewed(*, report: AnnualReport, event: ReviewEvent) -> None:
    """Tell the official who submitted the report that it was approved, returned or reopened, and why."""
    submitter = report.submitted_by
    if submitter is None or not submitter.email:
        return
    facts = {
        **_report_facts(report),
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
    _send_after_commit([_message(subject, body, submitter.email)])
