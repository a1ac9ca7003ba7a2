"""What a reporting season keeps beside the reports: the villages a county tracks for a year, the reminders sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND, validate_report_year

from .notifications import OutboundMail
from .villages import Village


class ReportingTrack(models.Model):
    """A county's mark that a village is expected to report for a year, whatever its certification or shops."""

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.CASCADE, related_name="reporting_tracks"
    )
    year = models.PositiveSmallIntegerField(_("report year"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        # The mark stays when the account that made it goes.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracked village")
        verbose_name_plural = _("tracked villages")
        ordering = ["-year", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="reporting_track_unique_village_year",
                violation_error_message=_("This village is already tracked for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR_BOUND),
                name="reporting_track_year_range",
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"

    def clean(self):
        super().clean()
        if self.year is not None:
            validate_report_year(self.year)


class ReportingReminder(models.Model):
    """One reminder sent to one county official before a reporting window closed: never sent twice.

    Unique per official, year and closing date: a second run of `send_reminders` finds the row and sends
    nothing; a window moved to a later date is a new deadline and earns one new reminder.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("report year"))
    closes_on = models.DateField(_("submissions close on"))
    village_codes = models.JSONField(_("villages listed"), default=list)
    mail = models.ForeignKey(
        OutboundMail, verbose_name=_("mail"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting reminder")
        verbose_name_plural = _("reporting reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "year", "closes_on"], name="reporting_reminder_once_per_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.recipient} {self.year} ({self.closes_on})"
