"""Writes of the in-app inbox: record a notification for its recipients, mark one or all of them read.

Every notification kind has its sentence here, as a lazy catalogue entry frozen with its values
(`villages.stored_messages`), so the inbox shows it in whatever language its reader uses. The steps that cause
notifications (`villages.notifications` for the review workflow, the comment service, the reminders, the login
lockout) call `notifications_record` inside their own transaction: one INSERT for all recipients, and a
rolled-back step leaves no entry. Users without an e-mail address get their entries all the same.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from villages import stored_messages
from villages.models import COUNTY_OFFICIALS, REVIEWERS, AnnualReport, Notification, ReportComment, TownshipReport
from villages.selectors.jurisdiction import users_responsible_for

Kind = Notification.Kind

# What each kind says; the values come from the step (`villages.notifications` and the hooks below).
TEXTS = {
    Kind.SUBMITTED: _("%(by)s submitted the %(year)s report of %(place)s (%(code)s) for review."),
    Kind.RETURNED: _("%(by)s returned the %(year)s report of %(place)s (%(code)s) for correction: %(comment)s"),
    Kind.APPROVED: _("%(by)s approved the %(year)s report of %(place)s (%(code)s)."),
    Kind.REOPENED: _("%(by)s reopened the approved %(year)s report of %(place)s (%(code)s): %(comment)s"),
    Kind.COMMENT: _("%(by)s commented on the %(year)s report of %(place)s (%(code)s): %(comment)s"),
    Kind.WINDOW_CLOSING: ngettext_lazy(
        "The reporting window for %(year)s closes on %(closes)s; %(count)s of your villages has not submitted "
        "its report yet.",
        "The reporting window for %(year)s closes on %(closes)s; %(count)s of your villages have not submitted "
        "their report yet.",
        "count",
    ),
    Kind.LOCKOUT: _(
        "Logins to your account were blocked after too many failed attempts from the address %(address)s. "
        "If that was not you, tell an administrator."
    ),
}
# A comment is quoted in full up to this length, then cut: the whole thread is on the report's page.
QUOTED_COMMENT_LENGTH = 200


NO_COMMENT = _("(no comment)")


def _quoted(comment: str):
    comment = (comment or "").strip()
    if not comment:
        return NO_COMMENT
    if len(comment) <= QUOTED_COMMENT_LENGTH:
        return comment
    return comment[: QUOTED_COMMENT_LENGTH - 1] + "…"


def report_facts(report: AnnualReport | TownshipReport, by) -> dict:
    """The values a report's notification names: who acted, the year, and the village (or township) and code."""
    if isinstance(report, TownshipReport):
        place, code = report.township.name, report.township_id
    else:
        place, code = report.village.name, report.village.code
    return {"by": by.get_full_name() or by.get_username(), "year": report.year, "place": place, "code": code}


def notifications_record(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    params: dict,
    report: AnnualReport | TownshipReport | None = None,
    link: str = "",
) -> list[Notification]:
    """One inbox entry of `kind` for each recipient (one INSERT), linked to the report if there is one."""
    recipient_ids = sorted(set(recipient_ids))
    if not recipient_ids:
        return []
    params = {**params, "comment": _quoted(params["comment"])} if "comment" in params else params
    message = stored_messages.freeze(TEXTS[kind], params)
    reports = {}
    if isinstance(report, TownshipReport):
        reports["township_report"] = report
    elif report is not None:
        reports["report"] = report
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient_id=recipient_id, kind=kind, message=message, link=link, created_at=now, **reports
        )
        for recipient_id in recipient_ids
    )


def comment_notify(*, comment: ReportComment) -> None:
    """Tell the others who work on the report (its county's officials, its area's reviewers) of a new comment."""
    code = comment.report.village.code
    on_the_report = Q(pk__in=users_responsible_for(code, COUNTY_OFFICIALS).values("pk")) | Q(
        pk__in=users_responsible_for(code, REVIEWERS).values("pk")
    )
    users = get_user_model()._default_manager
    recipient_ids = users.filter(on_the_report).exclude(pk=comment.author_id).values_list("pk", flat=True)
    notifications_record(
        recipient_ids=list(recipient_ids), kind=Kind.COMMENT,
        params={**report_facts(comment.report, comment.author), "comment": comment.text}, report=comment.report,
    )


@transaction.atomic
def notification_mark_read(*, notification: Notification, by) -> Notification:
    """Mark one of the caller's own entries read; one already read keeps the time it was first read."""
    if notification.read_at is None:
        now = timezone.now()
        marked = Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(
            read_at=now
        )
        if marked:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by) -> int:
    """Mark every unread entry of the caller's inbox read; returns how many were."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def lockout_record(*, username: str, address: str | None) -> None:
    """Tell the owner of the account that was just locked, if such an account exists (a guessed name has none)."""
    user_model = get_user_model()
    user_ids = list(user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).values_list(
        "pk", flat=True))
    notifications_record(
        recipient_ids=user_ids, kind=Kind.LOCKOUT, params={"address": address or _("unknown")}
    )
