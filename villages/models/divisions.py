"""Official administrative divisions (province, prefecture, county, township), with the list each comes from.

Most come from the MCA list (`load_divisions`); the county-level development zones and townships that only the
NBS 2023 statistical list carries are created by `import_villages --areas --streets` and marked as such.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages import codes

from .base import valid_choice


class DivisionSource(models.TextChoices):
    MCA_2025 = "mca_2025", _("MCA 2025-12-31")
    NBS_2023 = "nbs_2023", _("NBS 2023")


class Division(models.Model):
    class Level(models.TextChoices):
        PROVINCE = codes.PROVINCE, _("province")
        PREFECTURE = codes.PREFECTURE, _("prefecture")
        COUNTY = codes.COUNTY, _("county")
        TOWNSHIP = codes.TOWNSHIP, _("township")

    Source = DivisionSource

    code = models.CharField(
        _("code"),
        max_length=9,
        primary_key=True,
        validators=[RegexValidator(codes.DIVISION_CODE_RE, _("A division code has 6 or 9 digits."))],
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    source = models.CharField(
        _("source list"),
        max_length=12,
        choices=Source.choices,
        default=Source.MCA_2025,
        help_text=_("The official list the division comes from."),
    )

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "parent"], name="division_level_parent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[c for c, _label in codes.PREFIX_LENGTH.items()]),
                name="division_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level=codes.PROVINCE, parent__isnull=True)
                | (~models.Q(level=codes.PROVINCE) & models.Q(parent__isnull=False)),
                name="division_parent_unless_province",
            ),
            valid_choice("division", "source", DivisionSource),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def code_prefix(self) -> str:
        return codes.code_prefix(self.code, self.level)


def division_of_level(level: str, *, related_name: str) -> models.ForeignKey:
    """A required reference to a division of one level (a township, a county), named after that level.

    Protected: a division goes only once nothing refers to it. Forms and the admin offer only that level.
    """
    return models.ForeignKey(
        Division,
        verbose_name=Division.Level(level).label,
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"level": level},
    )
