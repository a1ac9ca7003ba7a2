"""A township's representative point, entered by its county, for placing villages that have no coordinates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages import codes

from .base import TimeStampedModel, coordinates_constraints, latitude_field, longitude_field
from .divisions import Division


class TownshipPoint(TimeStampedModel):
    """Where a township is, as its county gives it (e.g. the township government's seat).

    The NBS lists carry no coordinates: a Taobao village without its own is placed at its township's point
    for the cluster rule (marked approximate in the cluster), this one if the county entered it, else the
    mean of the township's villages that have coordinates.
    """

    township = models.OneToOneField(
        Division,
        verbose_name=_("township"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="representative_point",
        limit_choices_to={"level": codes.TOWNSHIP},
    )
    latitude = latitude_field()
    longitude = longitude_field()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("township point")
        verbose_name_plural = _("township points")
        ordering = ["township"]
        constraints = [
            *coordinates_constraints("township_point"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=False, longitude__isnull=False),
                name="township_point_located",
            ),
        ]

    def __str__(self):
        return f"{self.township}: {self.latitude}, {self.longitude}"
