"""The platforms' own figures: who may post them (feed tokens), each posted batch, and the figures themselves."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.scoring import is_active_shop
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

from .base import TimeStampedModel, valid_choice
from .shops import Platform
from .villages import Village

# The role of a platform or a provincial data office: it may post platform figures and do nothing else.
DATA_FEEDS = "data_feed"


class FeedToken(TimeStampedModel):
    """A secret issued in the admin to a data-feed user; only its digest is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("data-feed user"), on_delete=models.PROTECT,
        related_name="feed_tokens",
    )
    label = models.CharField(_("label"), max_length=200, help_text=_("Who holds it, e.g. the platform's team."))
    key_digest = models.CharField(_("digest of the secret"), max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("first characters of the secret"), max_length=8, editable=False)
    expires_on = models.DateField(_("expires on"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why it was revoked"), max_length=200, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("data-feed token")
        verbose_name_plural = _("data-feed tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.label} ({self.key_prefix}…)"

    def is_usable(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and today <= self.expires_on


class FeedBatchKind(models.TextChoices):
    SHOP_YEARS = "shop_years", _("per-shop yearly figures")
    VILLAGE_YEARS = "village_years", _("per-village totals")


class FeedBatchStatus(models.TextChoices):
    PENDING = "pending", _("waiting to run")
    RUNNING = "running", _("running")
    APPLIED = "applied", _("applied")
    REJECTED = "rejected", _("rejected: invalid rows, nothing changed")
    FAILED = "failed", _("failed: nothing was changed (the message says why)")
    INTERRUPTED = "interrupted", _("interrupted: the server stopped while it ran; nothing was changed")


class FeedBatch(models.Model):
    """One posted batch: who sent it, when, which year, how many rows, and what happened to them."""

    Kind = FeedBatchKind
    Status = FeedBatchStatus

    token = models.ForeignKey(
        FeedToken, verbose_name=_("token"), on_delete=models.PROTECT, related_name="batches"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what is fed"), max_length=16, choices=FeedBatchKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=FeedBatchStatus.choices, default=FeedBatchStatus.PENDING
    )
    message = models.TextField(_("message"), blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid"), default=0)
    errors = models.JSONField(_("invalid rows"), default=list, blank=True)
    # A large batch waits for the worker as a file (the request only stores it); small ones run at once.
    file = models.FileField(_("file"), upload_to="feed/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("data-feed batch")
        verbose_name_plural = _("data-feed batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            valid_choice("feed_batch", "kind", FeedBatchKind),
            valid_choice("feed_batch", "status", FeedBatchStatus),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year or ''} #{self.pk}"


def _year_range(prefix):
    return models.CheckConstraint(
        condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR_BOUND), name=f"{prefix}_year_range"
    )


class PlatformShopYear(TimeStampedModel):
    """A shop's figures for a year as the platform sees them, attributed by the platform to a village."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    platform_shop_id = models.CharField(_("shop ID on the platform"), max_length=64)
    village = models.ForeignKey(
        Village, verbose_name=_("village (platform's attribution)"), on_delete=models.PROTECT,
        related_name="platform_shop_years",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    shop_name = models.CharField(_("shop name"), max_length=200, blank=True)
    sales = models.BigIntegerField(_("sales (RMB yuan)"), default=0)
    orders_last_3_months = models.PositiveIntegerField(_("orders in the last 3 months"), default=0)
    days_open = models.PositiveSmallIntegerField(_("days open"), default=0)
    batch = models.ForeignKey(
        FeedBatch, verbose_name=_("last batch"), on_delete=models.PROTECT, related_name="shop_years"
    )

    class Meta:
        verbose_name = _("platform shop figures")
        verbose_name_plural = _("platform shop figures")
        ordering = ["village", "year", "platform", "platform_shop_id"]
        indexes = [models.Index(fields=["village", "year"], name="platform_shop_village_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_shop_id", "year"], name="platform_shop_year_unique"
            ),
            valid_choice("platform_shop_year", "platform", Platform),
            models.CheckConstraint(condition=models.Q(sales__gte=0), name="platform_shop_year_sales_not_negative"),
            models.CheckConstraint(
                condition=models.Q(days_open__lte=366), name="platform_shop_year_days_open_at_most_366"
            ),
            _year_range("platform_shop_year"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} {self.platform_shop_id} {self.year}"

    @property
    def is_active(self) -> bool:
        return is_active_shop(days_open=self.days_open, orders_last_3_months=self.orders_last_3_months)


class PlatformVillageYear(TimeStampedModel):
    """A village's totals for a year as one platform reports them (sales and its own count of active shops)."""

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="platform_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    sales = models.BigIntegerField(_("sales (RMB yuan)"), default=0)
    active_shops = models.PositiveIntegerField(_("active shops (platform's count)"), default=0)
    batch = models.ForeignKey(
        FeedBatch, verbose_name=_("last batch"), on_delete=models.PROTECT, related_name="village_years"
    )

    class Meta:
        verbose_name = _("platform village totals")
        verbose_name_plural = _("platform village totals")
        ordering = ["village", "year", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "platform"], name="platform_village_year_unique"),
            valid_choice("platform_village_year", "platform", Platform),
            models.CheckConstraint(
                condition=models.Q(sales__gte=0), name="platform_village_year_sales_not_negative"
            ),
            _year_range("platform_village_year"),
        ]

    def __str__(self):
        return f"{self.village_id} {self.year} {self.get_platform_display()}"
