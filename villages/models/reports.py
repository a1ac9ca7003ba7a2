"""Annual e-commerce reports of a village (and of a township), their review timeline, and the reporting windows."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages import codes
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND, validate_report_year

from .base import TimeStampedModel, VersionedModel, valid_choice
from .divisions import division_of_level
from .villages import Village


def _user_of_step(verbose_name) -> models.ForeignKey:
    """Who took a step of the report (created, submitted, reviewed it): empty until then, and kept on record."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    # Only in a province with two approval levels (`ProvinceApprovalPolicy`): the prefecture passed it (初审),
    # the province has still to approve it (复核).
    FIRST_PASSED = "first_passed", _("passed first review")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class AnnualReport(VersionedModel):
    Status = Status

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    ecommerce_sales = models.BigIntegerField(
        _("e-commerce sales (RMB yuan)"), validators=[MinValueValidator(0)]
    )
    active_shops = models.PositiveIntegerField(_("active online shops"))
    households = models.PositiveIntegerField(_("households"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = _user_of_step(_("created by"))
    submitted_by = _user_of_step(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = _user_of_step(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    reopened = models.BooleanField(
        _("reopened by a reviewer"),
        default=False,
        help_text=_("A reopened report may be resubmitted outside the reporting window."),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("annual e-commerce report")
        verbose_name_plural = _("annual e-commerce reports")
        ordering = ["-year", "village"]
        permissions = [
            ("submit_annualreport", _("Can submit annual reports for review")),
            ("review_annualreport", _("Can approve, return and reopen annual reports")),
        ]
        indexes = [
            models.Index(fields=["status", "year"], name="report_status_year"),
            # The admin's order (newest year first, then by village), read page by page without a sort.
            models.Index(fields=["-year", "village"], name="report_year_village"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="report_unique_village_year",
                violation_error_message=_("This village already has a report for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(ecommerce_sales__gte=0), name="report_sales_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(households__gt=0), name="report_households_positive"),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR_BOUND), name="report_year_range"
            ),
            valid_choice("report", "status", Status),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"

    def clean(self):
        super().clean()
        if self.year is not None:
            validate_report_year(self.year)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class TownshipReport(VersionedModel):
    """A township's own e-commerce figures for a year (all its shops, not only its registered villages').

    The 2019 town rule's scale route counts the township's whole e-commerce; once approved, these figures
    stand in for the sum over its registered villages. Entered by the county, reviewed like a village's report
    (`villages.services.reports`: the same steps, the same windows, a timeline of ReviewEvents, the same mail).
    """

    Status = Status

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    township = division_of_level(codes.TOWNSHIP, related_name="township_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    ecommerce_sales = models.BigIntegerField(
        _("e-commerce sales (RMB yuan)"), validators=[MinValueValidator(0)]
    )
    active_shops = models.PositiveIntegerField(_("active online shops"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = _user_of_step(_("created by"))
    submitted_by = _user_of_step(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = _user_of_step(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    reopened = models.BooleanField(
        _("reopened by a reviewer"),
        default=False,
        help_text=_("A reopened report may be resubmitted outside the reporting window."),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("township annual report")
        verbose_name_plural = _("township annual reports")
        ordering = ["-year", "township"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year"],
                name="township_report_unique_year",
                violation_error_message=_("This township already has a report for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(ecommerce_sales__gte=0), name="township_report_sales_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR_BOUND),
                name="township_report_year_range",
            ),
            valid_choice("township_report", "status", Status),
        ]

    def __str__(self):
        return f"{self.township} {self.year}"

    def clean(self):
        super().clean()
        if self.year is not None:
            validate_report_year(self.year)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class ReviewEvent(models.Model):
    """One step of a report's review timeline: from which status to which, by whom, when and why.

    The step belongs to a village's report or to a township's own report, exactly one of the two.
    """

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_events",
    )
    township_report = models.ForeignKey(
        TownshipReport,
        verbose_name=_("township report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_events",
    )
    from_status = models.CharField(_("from status"), max_length=12, choices=AnnualReport.Status.choices)
    to_status = models.CharField(_("to status"), max_length=12, choices=AnnualReport.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review timeline")
        ordering = ["report", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, township_report__isnull=True)
                | models.Q(report__isnull=True, township_report__isnull=False),
                name="review_event_of_one_report",
            ),
        ]
        indexes = [models.Index(fields=["township_report", "at"], name="review_event_township_at")]

    def __str__(self):
        return f"{self.report or self.township_report}: {self.from_status} → {self.to_status}"


class ReportingWindow(TimeStampedModel):
    """When county staff may submit the reports of a year."""

    year = models.PositiveSmallIntegerField(_("report year"), unique=True)
    opens_on = models.DateField(_("submissions open on"))
    closes_on = models.DateField(_("submissions close on"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("reporting window")
        verbose_name_plural = _("reporting windows")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="window_closes_not_before_opens",
                violation_error_message=_("The window cannot close before it opens."),
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.opens_on} – {self.closes_on}"

    def clean(self):
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The window cannot close before it opens.")})
