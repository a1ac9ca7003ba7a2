"""Abstract bases every registry model shares: timestamps, and the edit version for optimistic concurrency."""

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
