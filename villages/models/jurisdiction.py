"""Which divisions a user answers for: counties for county officials, prefectures or provinces for reviewers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .divisions import Division

COUNTY_OFFICIALS = "county_official"
REVIEWERS = "reviewer"
ADMINISTRATORS = "administrator"


class JurisdictionAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="jurisdiction_assignments",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": ["province", "prefecture", "county"]},
    )

    # Who assigned or took back a division, and when: assignments decide who sees and changes what.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jurisdiction assignment")
        verbose_name_plural = _("jurisdiction assignments")
        ordering = ["user", "division"]
        constraints = [
            models.UniqueConstraint(fields=["user", "division"], name="jurisdiction_unique_user_division"),
        ]

    def __str__(self):
        return f"{self.user} → {self.division}"
