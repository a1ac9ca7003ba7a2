"""What registry models share: timestamps and the edit version (abstract bases), checks on coordinates and dates."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CHINA_LATITUDE = (3.5, 53.6)
CHINA_LONGITUDE = (73.4, 135.1)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """An editable record: every saved edit raises `version`; an edit based on an older one is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


def latitude_field():
    return models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(CHINA_LATITUDE[0]), MaxValueValidator(CHINA_LATITUDE[1])],
        help_text=_("Decimal degrees north, inside China (3.5 to 53.6)."),
    )


def longitude_field():
    return models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(CHINA_LONGITUDE[0]), MaxValueValidator(CHINA_LONGITUDE[1])],
        help_text=_("Decimal degrees east, inside China (73.4 to 135.1)."),
    )


def coordinates_constraints(prefix):
    """Database checks that keep coordinates inside China's bounding box, and both or neither given."""
    return [
        models.CheckConstraint(
            condition=models.Q(latitude__isnull=True)
            | models.Q(latitude__gte=CHINA_LATITUDE[0], latitude__lte=CHINA_LATITUDE[1]),
            name=f"{prefix}_latitude_in_china",
        ),
        models.CheckConstraint(
            condition=models.Q(longitude__isnull=True)
            | models.Q(longitude__gte=CHINA_LONGITUDE[0], longitude__lte=CHINA_LONGITUDE[1]),
            name=f"{prefix}_longitude_in_china",
        ),
        models.CheckConstraint(
            condition=models.Q(latitude__isnull=True, longitude__isnull=True)
            | models.Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{prefix}_coordinates_both_or_neither",
        ),
    ]


def valid_choice(prefix, field, choices) -> models.CheckConstraint:
    """The database check that `field` holds one of its `choices` (a TextChoices), whatever wrote the row."""
    condition = models.Q(**{f"{field}__in": choices.values})
    return models.CheckConstraint(condition=condition, name=f"{prefix}_{field}_valid")


def closed_not_before_opened(prefix, message) -> models.CheckConstraint:
    """The database check on `opened_on` and `closed_on`: a place closes on or after the day it opened."""
    return models.CheckConstraint(
        condition=models.Q(closed_on__isnull=True)
        | models.Q(opened_on__isnull=True)
        | models.Q(closed_on__gte=models.F("opened_on")),
        name=f"{prefix}_closed_not_before_opened",
        violation_error_message=message,
    )


def validate_closed_not_before_opened(record, message) -> None:
    """The same rule for `clean()`, with the refusal beside `closed_on`."""
    if record.opened_on and record.closed_on and record.closed_on < record.opened_on:
        raise ValidationError({"closed_on": message})
