"""Online shops registered to a village, and each shop's figures for a year."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages.scoring import is_active_shop
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND, validate_report_year

from .base import VersionedModel, closed_not_before_opened, valid_choice, validate_closed_not_before_opened
from .villages import Village


class Platform(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    ALIBABA_1688 = "1688", _("1688")
    XIANYU = "xianyu", _("Xianyu")
    ALIEXPRESS = "aliexpress", _("AliExpress")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    JD = "jd", _("JD.com")
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    OTHER = "other", _("other platform")


class OnlineShop(VersionedModel):
    Platform = Platform

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="shops"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    platform_shop_id = models.CharField(_("shop ID on the platform"), max_length=64)
    name = models.CharField(_("shop name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("online shop")
        verbose_name_plural = _("online shops")
        ordering = ["village", "platform", "platform_shop_id"]
        # The admin lists a village's shops together in this order, page after page, without a sort.
        indexes = [models.Index(fields=["village", "id"], name="shop_village_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_shop_id"],
                name="shop_unique_platform_id",
                violation_error_message=_("A shop with this ID is already registered on this platform."),
            ),
            valid_choice("shop", "platform", Platform),
            closed_not_before_opened("shop", _("A shop cannot close before it opened.")),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_platform_display()} {self.platform_shop_id})"

    def clean(self):
        super().clean()
        validate_closed_not_before_opened(self, _("A shop cannot close before it opened."))


class ShopYear(VersionedModel):
    """A shop's figures for one year, from which the active-shop rule decides whether it counts."""

    shop = models.ForeignKey(
        OnlineShop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sales = models.BigIntegerField(_("sales (RMB yuan)"), default=0)
    orders_last_3_months = models.PositiveIntegerField(_("orders in the last 3 months"), default=0)
    days_open = models.PositiveSmallIntegerField(
        _("days open"), default=0, validators=[MaxValueValidator(366)]
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("shop figures for a year")
        verbose_name_plural = _("shop figures by year")
        ordering = ["shop", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "year"],
                name="shop_year_unique",
                violation_error_message=_("This shop already has figures for this year."),
            ),
            models.CheckConstraint(condition=models.Q(sales__gte=0), name="shop_year_sales_not_negative"),
            models.CheckConstraint(
                condition=models.Q(days_open__lte=366), name="shop_year_days_open_at_most_366"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR_BOUND),
                name="shop_year_year_range",
            ),
        ]

    def __str__(self):
        return f"{self.shop} {self.year}"

    def clean(self):
        super().clean()
        if self.sales is not None and self.sales < 0:
            raise ValidationError({"sales": _("Sales cannot be negative.")})
        if self.year is not None:
            validate_report_year(self.year, "year")

    @property
    def is_active(self) -> bool:
        return is_active_shop(days_open=self.days_open, orders_last_3_months=self.orders_last_3_months)

