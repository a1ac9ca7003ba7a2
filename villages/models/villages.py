"""Village-level units (村委会, 居委会, other) identified by their 12-digit statistical code."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages import codes
from villages.validators import validate_coordinate_pair

from .base import VersionedModel, coordinates_constraints, latitude_field, longitude_field, valid_choice
from .divisions import division_of_level


class CommitteeType(models.TextChoices):
    NEIGHBOURHOOD_COMMITTEE = codes.NEIGHBOURHOOD_COMMITTEE, _("neighbourhood committee")
    VILLAGE_COMMITTEE = codes.VILLAGE_COMMITTEE, _("village committee")
    OTHER = codes.OTHER_UNIT, _("other village-level unit")

class UrbanRuralCode(models.IntegerChoices):
    MAIN_URBAN_AREA = 111, _("111 main urban area")
    URBAN_RURAL_FRINGE = 112, _("112 urban–rural fringe")
    TOWN_CENTRE = 121, _("121 town centre")
    TOWN_RURAL_FRINGE = 122, _("122 town–rural fringe")
    SPECIAL_AREA = 123, _("123 special area")
    TOWNSHIP_CENTRE = 210, _("210 township centre")
    VILLAGE = 220, _("220 village")


class Village(VersionedModel):
    CommitteeType = CommitteeType

    UrbanRuralCode = UrbanRuralCode

    code = models.CharField(
        _("village code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(codes.VILLAGE_CODE_RE, _("A village code has exactly 12 digits."))],
        help_text=_("The 12-digit statistical code; its first 9 digits are the township's code."),
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    township = division_of_level(codes.TOWNSHIP, related_name="villages")
    committee_type = models.CharField(
        _("committee type"), max_length=24, choices=CommitteeType.choices, editable=False
    )
    households = models.PositiveIntegerField(
        _("households"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    urban_rural_code = models.PositiveSmallIntegerField(
        _("urban–rural classification code"), choices=UrbanRuralCode.choices, null=True, blank=True
    )
    latitude = latitude_field()
    longitude = longitude_field()
    main_products = models.CharField(_("main products"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        indexes = [models.Index(fields=["committee_type", "code"], name="village_type_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$") & models.Q(code__startswith=models.F("township")),
                name="village_code_in_township",
            ),
            models.CheckConstraint(
                condition=models.Q(households__isnull=True) | models.Q(households__gt=0),
                name="village_households_positive",
            ),
            valid_choice("village", "committee_type", CommitteeType),
            models.CheckConstraint(
                condition=models.Q(urban_rural_code__isnull=True)
                | models.Q(urban_rural_code__in=[c for c, _label in UrbanRuralCode.choices]),
                name="village_urban_rural_code_valid",
            ),
            *coordinates_constraints("village"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        if codes.is_village_code(self.code):
            self.committee_type = codes.committee_type_of(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if codes.is_village_code(self.code):
            self.committee_type = codes.committee_type_of(self.code)
            if self.township_id and not self.code.startswith(self.township_id):
                raise ValidationError(
                    {
                        "code": _(
                            "The code %(code)s does not belong to township %(township)s: "
                            "its first 9 digits must be the township's code."
                        )
                        % {"code": self.code, "township": self.township_id}
                    }
                )
        validate_coordinate_pair(self.latitude, self.longitude)

    def unique_error_message(self, model_class, unique_check):
        """A taken code names the village that holds it (Django's generic text names neither), for forms and API.

        The code fixes the county, and only an editor of that county may register it, so whoever sees this
        message may also see the village it names.
        """
        if tuple(unique_check) == ("code",):
            holder = (Village.objects.filter(code=self.code).exclude(pk=self.pk)
                      .select_related("township").only("name", "code", "township__name").first())
            if holder is not None:
                return ValidationError(
                    _("Village code %(code)s is already registered, to %(name)s in %(township)s. Open that "
                      "village to change it, or check the code you typed."),
                    code="unique",
                    params={"code": self.code, "name": holder.name, "township": holder.township.name},
                )
        return super().unique_error_message(model_class, unique_check)

    @property
    def parsed_code(self) -> codes.VillageCode:
        return codes.VillageCode(self.code)

    @property
    def county_code(self) -> str:
        return self.code[:6]

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"
