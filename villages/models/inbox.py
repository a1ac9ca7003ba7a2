"""The in-app inbox: one row per notification a user gets, its text kept as catalogue entries, read or unread.

A notification is recorded in the same transaction as the step that causes it (a submission, a review, a
comment, a reminder, a lockout), so a rolled-back step leaves none. Its text is stored the way import messages
are (`villages.stored_messages`): the English msgid and its values, translated into the reader's language when
the inbox is read, since the people told of a step need not speak the language of whoever took it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import valid_choice
from .reports import AnnualReport, TownshipReport


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("report submitted")
    RETURNED = "returned", _("report returned")
    APPROVED = "approved", _("report approved")
    REOPENED = "reopened", _("report reopened")
    COMMENT = "comment", _("new comment")
    WINDOW_CLOSING = "window_closing", _("reporting window closing")
    LOCKOUT = "lockout", _("account locked")


class Notification(models.Model):
    """One entry of one user's inbox; `read_at` is empty while it is unread."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    township_report = models.ForeignKey(
        TownshipReport,
        verbose_name=_("township report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # `villages.stored_messages.freeze` of the text: its msgid and values, rendered when read.
    message = models.JSONField(_("message"), default=dict)
    # Where the entry leads when it names no report (a reminder's completeness page), as a path of this site.
    link = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]
        constraints = [
            valid_choice("notification", "kind", NotificationKind),
            models.CheckConstraint(
                condition=models.Q(report__isnull=True) | models.Q(township_report__isnull=True),
                name="notification_one_report_at_most",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
