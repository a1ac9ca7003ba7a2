"""County operation centres, village service points and the monthly activity of each point."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages import codes
from villages.models import VersionedModel, Village
from villages.models.base import (
    closed_not_before_opened,
    coordinates_constraints,
    latitude_field,
    longitude_field,
    valid_choice,
    validate_closed_not_before_opened,
)
from villages.models.divisions import division_of_level
from villages.validators import validate_coordinate_pair

MAINLAND_MOBILE_RE = r"^1[3-9][0-9]{9}$"
SERVICE_POINT_CODE_RE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"

class FacilityStatus(models.TextChoices):
    """Where a county centre or a village point stands: both go through the same stages."""

    PLANNED = "planned", _("planned")
    OPEN = "open", _("open")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")



class CountyOperationCenter(VersionedModel):
    Status = FacilityStatus

    county = division_of_level(codes.COUNTY, related_name="operation_centers")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("county operation centre")
        verbose_name_plural = _("county operation centres")
        ordering = ["county", "name"]
        constraints = [
            closed_not_before_opened("center", _("A centre cannot close before it opened.")),
            valid_choice("center", "status", FacilityStatus),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        validate_closed_not_before_opened(self, _("A centre cannot close before it opened."))
        if self.county_id and self.county.level != codes.COUNTY:
            raise ValidationError({"county": _("Choose a county-level division.")})


# The services seeded by migration 0002 stored one bilingual name ("代买 assisted buying"); pages show each in the
# reader's language instead. A service added later shows the name it was given.
SERVICE_LABELS = {
    "assisted_buying": _("assisted buying"),
    "assisted_selling": _("assisted selling of farm produce"),
    "bill_payment": _("bill payment and top-up"),
    "parcel_pickup": _("parcel pickup"),
    "financial_services": _("financial services"),
    "training": _("training"),
    "travel_booking": _("travel booking"),
}


class ServiceKind(models.Model):
    """One of the services a village point offers (assisted buying, parcel pickup, …)."""

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        """The service in the active language (the stored name for a service the catalogue does not know)."""
        return SERVICE_LABELS.get(self.code, self.name)

class NetworkTarget(models.Model):
    """A published goal for the size of the Rural Taobao network, with its source (data, not code)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    announced_on = models.DateField(_("announced on"))
    target_year = models.PositiveSmallIntegerField(
        _("to be reached by"), null=True, blank=True, help_text=_("Empty when the plan gave no year.")
    )
    counties = models.PositiveIntegerField(
        _("counties with an operation centre"), help_text=_("County operation centres (one per county).")
    )
    villages = models.PositiveIntegerField(
        _("village service stations"), help_text=_("Village service stations (one per village).")
    )
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("service network target")
        verbose_name_plural = _("service network targets")
        ordering = ["announced_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(counties__gt=0, villages__gt=0), name="network_target_positive"
            ),
        ]

    def __str__(self):
        return self.name


class ServicePoint(VersionedModel):
    Status = FacilityStatus

    code = models.CharField(
        _("service point code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(
                SERVICE_POINT_CODE_RE,
                _("A service point code has up to 32 letters, digits, hyphens or underscores."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="service_points"
    )
    county_center = models.ForeignKey(
        CountyOperationCenter,
        verbose_name=_("county operation centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_points",
    )
    services = models.ManyToManyField(ServiceKind, verbose_name=_("services"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    partner_name = models.CharField(_("village partner"), max_length=100, blank=True)
    partner_phone = models.CharField(
        _("partner's mobile number"),
        max_length=11,
        blank=True,
        validators=[
            RegexValidator(MAINLAND_MOBILE_RE, _("Enter an 11-digit mainland mobile number, e.g. 13812345678."))
        ],
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[services])

    class Meta:
        verbose_name = _("village service point")
        verbose_name_plural = _("village service points")
        ordering = ["code"]
        indexes = [models.Index(fields=["status"], name="service_point_status")]
        constraints = [
            closed_not_before_opened("point", _("A service point cannot close before it opened.")),
            models.CheckConstraint(
                condition=models.Q(partner_phone="") | models.Q(partner_phone__regex=MAINLAND_MOBILE_RE),
                name="point_partner_phone_mainland_mobile",
            ),
            valid_choice("point", "status", FacilityStatus),
            *coordinates_constraints("point"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        super().clean()
        validate_closed_not_before_opened(self, _("A service point cannot close before it opened."))
        validate_coordinate_pair(self.latitude, self.longitude)
        if self.county_center_id and self.village_id and self.county_center.county_id != self.village.code[:6]:
            raise ValidationError(
                {"county_center": _("The county operation centre must be in the village's county.")}
            )


class ServiceActivity(VersionedModel):
    """A service point's figures for one calendar month."""

    point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), on_delete=models.CASCADE, related_name="activities"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    assisted_purchases = models.PositiveIntegerField(_("assisted purchases"), default=0)
    assisted_purchase_value = models.BigIntegerField(_("value of assisted purchases (RMB yuan)"), default=0)
    produce_sales_value = models.BigIntegerField(_("farm produce sold (RMB yuan)"), default=0)
    parcels = models.PositiveIntegerField(_("parcels handled"), default=0)

    class Meta:
        verbose_name = _("monthly service activity")
        verbose_name_plural = _("monthly service activity")
        ordering = ["point", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "month"],
                name="activity_unique_point_month",
                violation_error_message=_("This service point already has figures for this month."),
            ),
            models.CheckConstraint(
                condition=models.Q(assisted_purchase_value__gte=0, produce_sales_value__gte=0),
                name="activity_values_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.point} {self.month:%Y-%m}"

    def clean(self):
        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the month as its first day, e.g. 2024-03-01.")})
        for field in ("assisted_purchase_value", "produce_sales_value"):
            if (getattr(self, field) or 0) < 0:
                raise ValidationError({field: _("Values cannot be negative.")})
