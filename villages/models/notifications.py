"""Outgoing mail: every notification is recorded before it is sent, so a failed or lost send can be retried."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel, valid_choice
from .reports import AnnualReport, TownshipReport


class OutboundMailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed: gave up")


class OutboundMail(TimeStampedModel):
    """One message to one recipient; `next_attempt_at` is when it is due while queued, and empty once done."""

    Status = OutboundMailStatus

    recipient = models.EmailField(_("to"))
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("report"),
        # The record of what was sent outlives a deleted draft.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_mail",
    )
    township_report = models.ForeignKey(
        TownshipReport,
        verbose_name=_("township report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_mail",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=OutboundMailStatus.choices, default=OutboundMailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_mail_due")]
        constraints = [
            valid_choice("outbound_mail", "status", OutboundMailStatus),
            models.CheckConstraint(
                condition=models.Q(status=OutboundMailStatus.QUEUED, next_attempt_at__isnull=False)
                | (~models.Q(status=OutboundMailStatus.QUEUED) & models.Q(next_attempt_at__isnull=True)),
                name="outbound_mail_due_while_queued_only",
            ),
            models.CheckConstraint(
                condition=models.Q(status=OutboundMailStatus.SENT, sent_at__isnull=False)
                | (~models.Q(status=OutboundMailStatus.SENT) & models.Q(sent_at__isnull=True)),
                name="outbound_mail_sent_at_when_sent",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.subject} ({self.get_status_display()})"
