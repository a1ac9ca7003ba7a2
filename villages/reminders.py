"""Reminders before a reporting window closes: each county official hears, once, which villages still owe a report.

`manage.py send_reminders` (daily, from cron or the `registry-reminders.timer`) looks for the windows that close
within `REMINDER_DAYS_BEFORE_CLOSE` days (today included). For each, the villages expected to report
(`villages.selectors.completeness`) whose report is missing, a draft or returned are grouped by the county
officials whose divisions contain them, in two queries whatever the number of villages. Each official gets an
entry in their in-app inbox, and each with an e-mail address one message listing their villages, recorded as
an `OutboundMail` row and handed to the delivery task after commit, the same path as the review notifications
(`villages.notifications`).

Idempotent: a `ReportingReminder` row (unique per official, year and closing date) is created in the same
transaction as the mail and the inbox entry, so a second run, or two runs at once, sends nobody the same
reminder twice. A window moved to a later date is a new deadline and earns one new reminder.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from villages.models import (
    COUNTY_OFFICIALS,
    AnnualReport,
    JurisdictionAssignment,
    Notification,
    OutboundMail,
    ReportingReminder,
    ReportingWindow,
)
from villages.selectors.completeness import REASON_LABELS, expected_villages
from villages.selectors.jurisdiction import outermost_prefixes
from villages.services.inbox import notifications_record
from villages.tasks import outbound_mail_enqueue

Status = AnnualReport.Status
STILL_TO_SUBMIT = (Status.DRAFT, Status.RETURNED)


@dataclass(frozen=True)
class OwedReport:
    code: str
    name: str
    status: str  # "" when there is no report at all
    reason: str


def windows_closing_soon(today: datetime.date):
    """Windows that close within the reminder period: from today to REMINDER_DAYS_BEFORE_CLOSE days ahead."""
    last_day = today + datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE_CLOSE)
    return ReportingWindow.objects.filter(closes_on__gte=today, closes_on__lte=last_day).order_by("closes_on")


def owed_reports(year: int, prefixes: list[str]) -> list[OwedReport]:
    """The expected villages under `prefixes` whose report for `year` is missing, a draft or returned."""
    rows = (
        expected_villages(year, tuple(prefixes), deadline=None)
        .filter(Q(report_of_year__id__isnull=True) | Q(report_status__in=STILL_TO_SUBMIT))
        .order_by("reason_rank", "code")
        .values_list("code", "name", "report_status", "reason")
    )
    return [OwedReport(code, name, status or "", reason) for code, name, status, reason in rows]


def _officials_with_prefixes() -> dict:
    """{county official: their division prefixes}, for the active officials (with an e-mail address or not)."""
    assignments = (
        JurisdictionAssignment.objects.filter(
            user__is_active=True, user__groups__name=COUNTY_OFFICIALS
        )
        .select_related("user", "division")
        .order_by("user__username", "division__code")
    )
    officials = defaultdict(list)
    for assignment in assignments:
        officials[assignment.user].append(assignment.division.code_prefix)
    return officials


def _completeness_page(window: ReportingWindow) -> str:
    return reverse("villages:completeness") + "?" + urlencode({"year": window.year})


def _message(window: ReportingWindow, owed: list[OwedReport]) -> tuple[str, str]:
    facts = {"year": window.year, "closes": window.closes_on.isoformat(), "count": len(owed)}
    subject = _("[Taobao village registry] %(subject)s") % {
        "subject": _("%(count)s reports for %(year)s still to submit by %(closes)s") % facts}
    lines = []
    for report in owed:
        state = AnnualReport.Status(report.status).label if report.status else _("no report yet")
        lines.append(_("- %(name)s (%(code)s): %(state)s; expected because: %(reason)s") % {
            "name": report.name, "code": report.code, "state": state, "reason": REASON_LABELS[report.reason]})
    page = settings.SITE_URL.rstrip("/") + _completeness_page(window)
    body = (
        _("The reporting window for %(year)s closes on %(closes)s. These villages of yours have not submitted "
          "their report yet:") % facts
        + "\n\n" + "\n".join(lines) + "\n\n"
        + _("See where your counties stand: %(url)s") % {"url": page} + "\n"
    )
    return subject, body


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send the reminders due today that nobody has had yet; returns how many were sent."""
    today = today or timezone.localdate()
    windows = list(windows_closing_soon(today))
    if not windows:
        return 0
    officials = _officials_with_prefixes()
    all_prefixes = outermost_prefixes(prefix for prefixes in officials.values() for prefix in prefixes)
    sent = 0
    for window in windows:
        owed = owed_reports(window.year, all_prefixes) if all_prefixes else []
        for official, prefixes in officials.items():
            theirs = [report for report in owed if report.code.startswith(tuple(prefixes))]
            if theirs and _remind(official, window, theirs):
                sent += 1
    return sent


def _remind(official, window: ReportingWindow, owed: list[OwedReport]) -> bool:
    """Record the reminder, its inbox entry and its mail (for an official with an address) together; False when
    this official already had it."""
    subject, body = _message(window, owed)
    try:
        with transaction.atomic():
            reminder, created = ReportingReminder.objects.get_or_create(
                recipient=official, year=window.year, closes_on=window.closes_on,
                defaults={"village_codes": [report.code for report in owed]},
            )
            if not created:
                return False
            notifications_record(
                recipient_ids=[official.pk], kind=Notification.Kind.WINDOW_CLOSING,
                params={"year": window.year, "closes": window.closes_on.isoformat(), "count": len(owed)},
                link=_completeness_page(window),
            )
            if not official.email:
                return True
            mail = OutboundMail.objects.create(
                recipient=official.email, subject=subject, body=body, next_attempt_at=timezone.now()
            )
            ReportingReminder.objects.filter(pk=reminder.pk).update(mail=mail)
            transaction.on_commit(lambda: outbound_mail_enqueue(mail.pk))
    except IntegrityError:
        # Another run recorded the same reminder at the same moment: it sends it, this one does not.
        return False
    return True

