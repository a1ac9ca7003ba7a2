"""Certificates of Taobao village status: one per qualified assessment, verifiable by serial, revoked with a reason."""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .certification import CriteriaSet
from .villages import Village

# How serials look: TBV-2024-7K3M-Q9XD (the year, then two groups of four characters drawn at random).
SERIAL_PATTERN = r"^TBV-[0-9]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"
SERIAL = re.compile(SERIAL_PATTERN)


class RevokedReason(models.TextChoices):
    REPORT_REOPENED = "report_reopened", _("the annual report it rests on was reopened for correction")
    STATUS_LOST = "status_lost", _("a rescoring found that the village no longer qualifies")


class Certificate(TimeStampedModel):
    """A Taobao village certificate for one village and year; revoked rows stay, so old serials still verify."""

    RevokedReason = RevokedReason

    class State(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")

    serial = models.CharField(_("serial number"), max_length=24, unique=True)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="certificates"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria version"), on_delete=models.PROTECT, related_name="certificates"
    )
    issuing_authority = models.CharField(_("issuing authority"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("reason for revocation"), max_length=20, choices=RevokedReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-year", "village", "-issued_on", "-id"]
        indexes = [models.Index(fields=["village", "year"], name="certificate_village_year")]
        constraints = [
            # A village holds at most one valid certificate a year; a re-issue comes after a revocation.
            models.UniqueConstraint(
                fields=["village", "year"],
                condition=models.Q(revoked_on__isnull=True),
                name="certificate_one_valid_a_year",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_on__isnull=True, revoked_reason="")
                | (models.Q(revoked_on__isnull=False) & ~models.Q(revoked_reason="")),
                name="certificate_revoked_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_reason="") | models.Q(revoked_reason__in=RevokedReason.values),
                name="certificate_revoked_reason_valid",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def state(self) -> str:
        return self.State.VALID if self.revoked_on is None else self.State.REVOKED

    def get_state_display(self):
        return self.State(self.state).label

