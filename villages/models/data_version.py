"""The version of the published data: one row that every approval, reopening and rescoring changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedDataVersion(models.Model):
    """What the public pages were last computed from: a fresh token on every change, and when it changed.

    The cached public face (dashboard, statistics, map data) is stored under keys that contain `token`, so a
    change is seen on the next request by every app server, and a flushed cache only costs a recomputation.
    The token is random rather than a counter so that a database restored from a backup, or a test database
    rolled back, can never meet cache entries computed from other data under the same key.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("published data version")
        verbose_name_plural = _("published data versions")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="published_data_version_single_row"),
        ]

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
