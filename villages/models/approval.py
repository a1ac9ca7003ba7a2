"""How many review levels a province's reports pass before approval (issue #17): data an administrator sets.

A province without a policy row keeps the single level: any reviewer of the report's prefecture or province
approves, returns and reopens. With two levels, a reviewer of the prefecture first-reviews (初审) a submitted
report and a reviewer of the province then approves it (复核); `villages.services.reports` runs the steps.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages import codes

from .base import TimeStampedModel
from .divisions import Division


class ApprovalLevels(models.IntegerChoices):
    ONE = 1, _("one level: a reviewer of the prefecture or province approves")
    TWO = 2, _("two levels: the prefecture first-reviews, then the province approves")


class ProvinceApprovalPolicy(TimeStampedModel):
    Levels = ApprovalLevels

    province = models.OneToOneField(
        Division,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="approval_policy",
        limit_choices_to={"level": codes.PROVINCE},
    )
    levels = models.PositiveSmallIntegerField(
        _("approval levels"), choices=ApprovalLevels.choices, default=ApprovalLevels.ONE
    )

    # Who changed a province's chain of approval, and when: it decides who may approve its reports.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("province approval policy")
        verbose_name_plural = _("province approval policies")
        ordering = ["province"]
        constraints = [
            models.CheckConstraint(condition=models.Q(levels__in=[1, 2]), name="approval_policy_levels_valid"),
        ]

    def __str__(self):
        return f"{self.province}: {self.levels}"

    def clean(self):
        super().clean()
        if self.province_id and self.province.level != codes.PROVINCE:
            raise ValidationError({"province": _("Choose a province.")})
