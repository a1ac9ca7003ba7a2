"""Effective-dated division facts: a village's or a township's conversion (code and type) and when it took effect.

A village converted to a neighbourhood committee (村改居) or a town made a subdistrict (镇改街道) is judged for
each year by what it was in that year: a conversion that took effect in year E changes the facts of E and
later years; earlier years keep the old code's type. The village itself (its reports, assessments) is the
same row across a code change.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages import codes

from .base import TimeStampedModel, valid_choice
from .divisions import division_of_level
from .villages import CommitteeType, Village


class TownshipKind(models.TextChoices):
    SUBDISTRICT = codes.SUBDISTRICT, _("subdistrict")
    TOWN = codes.TOWN, _("town")
    TOWNSHIP = codes.TOWNSHIP_UNIT, _("township (乡)")
    OTHER = codes.OTHER_TOWNSHIP_UNIT, _("other township-level unit")


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class VillageConversion(TimeStampedModel):
    """A village-level unit's code and committee type changed on `effective_on` (e.g. 村委会 → 居委会)."""

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.CASCADE, related_name="conversions"
    )
    effective_on = models.DateField(_("took effect on"))
    old_code = models.CharField(_("old code"), max_length=12)
    new_code = models.CharField(_("new code"), max_length=12)
    old_committee_type = models.CharField(_("old committee type"), max_length=24, choices=CommitteeType.choices)
    new_committee_type = models.CharField(_("new committee type"), max_length=24, choices=CommitteeType.choices)
    note = models.TextField(_("note"), blank=True, help_text=_("The decision or list that records the change."))
    recorded_by = _recorded_by()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("village conversion")
        verbose_name_plural = _("village conversions")
        ordering = ["village", "effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "effective_on"],
                name="village_conversion_once_a_day",
                violation_error_message=_("This village already has a conversion on that date."),
            ),
            valid_choice("village_conversion", "old_committee_type", CommitteeType),
            valid_choice("village_conversion", "new_committee_type", CommitteeType),
        ]

    def __str__(self):
        return f"{self.old_code} → {self.new_code} ({self.effective_on})"


class TownshipConversion(TimeStampedModel):
    """A township-level unit's code and type changed on `effective_on` (e.g. 阎庄镇 → 阎庄街道).

    `township` is the division as it is now (its code is `new_code`); the old code is kept as a fact.
    """

    township = division_of_level(codes.TOWNSHIP, related_name="conversions")
    effective_on = models.DateField(_("took effect on"))
    old_code = models.CharField(_("old code"), max_length=9)
    new_code = models.CharField(_("new code"), max_length=9)
    old_kind = models.CharField(_("old type"), max_length=12, choices=TownshipKind.choices)
    new_kind = models.CharField(_("new type"), max_length=12, choices=TownshipKind.choices)
    note = models.TextField(_("note"), blank=True, help_text=_("The decision or list that records the change."))
    recorded_by = _recorded_by()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("township conversion")
        verbose_name_plural = _("township conversions")
        ordering = ["township", "effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "effective_on"],
                name="township_conversion_once_a_day",
                violation_error_message=_("This township already has a conversion on that date."),
            ),
            valid_choice("township_conversion", "old_kind", TownshipKind),
            valid_choice("township_conversion", "new_kind", TownshipKind),
        ]

    def __str__(self):
        return f"{self.old_code} → {self.new_code} ({self.effective_on})"
