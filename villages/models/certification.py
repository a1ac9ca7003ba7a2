"""Criteria versions, the yearly assessment of each village, and the Taobao towns and clusters derived from them."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages import codes, scoring

from .base import TimeStampedModel, valid_choice
from .divisions import division_of_level
from .reports import AnnualReport
from .villages import Village

# The names migration 0002 gives the published versions (also the API's `criteria_version`), as pages say them.
CRITERIA_LABELS = {
    "AliResearch 2009–2018": _("AliResearch, 2009–2018"),
    "AliResearch 2019": _("AliResearch, 2019"),
    "AliResearch 2020 onward": _("AliResearch, 2020 onward"),
}


class NeighbourhoodCommitteeRule(models.TextChoices):
    KEEP_CERTIFIED = scoring.NEIGHBOURHOOD_COMMITTEES_KEEP_CERTIFIED, _("keep their eligibility (no new ones)")
    EXCLUDED = scoring.NEIGHBOURHOOD_COMMITTEES_EXCLUDED, _("excluded as well (strict reading)")


class CriteriaSet(TimeStampedModel):
    """One version of the published certification rules and the years it applies to."""

    NeighbourhoodCommitteeRule = NeighbourhoodCommitteeRule

    name = models.CharField(_("name"), max_length=100, unique=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(
        _("last year"), null=True, blank=True, help_text=_("Empty while the version is still in force.")
    )
    eligible_committee_types = models.JSONField(
        _("committee types that count"),
        default=list,
        help_text=_("Which village-level units can be Taobao villages."),
    )
    village_min_sales = models.BigIntegerField(_("village: minimum e-commerce sales (RMB yuan)"))
    village_min_active_shops = models.PositiveIntegerField(_("village: minimum active shops"))
    village_min_household_share = models.DecimalField(
        _("village: minimum share of households with an active shop"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    town_min_taobao_villages = models.PositiveSmallIntegerField(_("town: minimum Taobao villages"))
    town_scale_route = models.BooleanField(
        _("town: scale route exists"), help_text=_("Towns may also qualify on sales and active shops alone.")
    )
    town_min_sales = models.BigIntegerField(
        _("town: sales must exceed (RMB yuan)"), null=True, blank=True
    )
    town_min_active_shops = models.PositiveIntegerField(_("town: active shops must exceed"), null=True, blank=True)
    subdistricts_can_be_towns = models.BooleanField(_("subdistricts can be Taobao towns"))
    neighbourhood_committee_rule = models.CharField(
        _("neighbourhood committees certified before"),
        max_length=16,
        choices=NeighbourhoodCommitteeRule.choices,
        default=NeighbourhoodCommitteeRule.KEEP_CERTIFIED,
        help_text=_(
            "Where neighbourhood committees are not a type that counts: whether one that was a Taobao village "
            "in an earlier year keeps its eligibility (2020: no new neighbourhood committees are admitted)."
        ),
    )
    cluster_min_villages = models.PositiveSmallIntegerField(_("cluster: minimum Taobao villages"), default=10)
    cluster_large_min_villages = models.PositiveSmallIntegerField(
        _("large cluster: minimum Taobao villages"), default=30
    )
    cluster_super_large_over_villages = models.PositiveSmallIntegerField(
        _("super-large cluster: more than this many Taobao villages"), default=100
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        ordering = ["first_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__isnull=True) | models.Q(last_year__gte=models.F("first_year")),
                name="criteria_years_ordered",
                violation_error_message=_("The last year cannot come before the first year."),
            ),
            models.CheckConstraint(
                condition=models.Q(village_min_sales__gte=0), name="criteria_village_sales_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(village_min_household_share__gte=0, village_min_household_share__lte=1),
                name="criteria_household_share_fraction",
            ),
            models.CheckConstraint(
                condition=models.Q(town_scale_route=False)
                | models.Q(town_min_sales__isnull=False, town_min_active_shops__isnull=False),
                name="criteria_scale_route_has_thresholds",
                violation_error_message=_("The town scale route needs both a sales and an active-shop threshold."),
            ),
            models.CheckConstraint(
                condition=models.Q(cluster_large_min_villages__gte=models.F("cluster_min_villages")),
                name="criteria_cluster_sizes_ordered",
            ),
            valid_choice("criteria", "neighbourhood_committee_rule", NeighbourhoodCommitteeRule),
        ]

    def __str__(self):
        end = self.last_year or "…"
        return f"{self.name} ({self.first_year}–{end})"

    @property
    def label(self):
        """The version's name in the active language: the seeded versions are named in English in the data."""
        return CRITERIA_LABELS.get(self.name, self.name)

    # What may still change once a version has assessments: its label, and its end year, so that a new
    # version can take over; the assessments keep pointing at the version they were scored on until rescored.
    EDITABLE_WHEN_USED = ("name", "source", "last_year")

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def overlapping_versions(self):
        """Other versions that cover at least one of this version's years."""
        others = CriteriaSet.objects.exclude(pk=self.pk) if self.pk else CriteriaSet.objects.all()
        others = others.filter(models.Q(last_year__isnull=True) | models.Q(last_year__gte=self.first_year))
        if self.last_year is not None:
            others = others.filter(first_year__lte=self.last_year)
        return others

    def locked_changes(self) -> list[str]:
        """Fields changed against the stored row that a version with assessments may no longer change."""
        if self.pk is None or not self.assessments.exists():
            return []
        stored = CriteriaSet.objects.get(pk=self.pk)
        changed = [
            f.name
            for f in self._meta.concrete_fields
            if f.name not in self.EDITABLE_WHEN_USED
            and not isinstance(f, (models.AutoField, models.DateTimeField))
            and f.to_python(getattr(self, f.attname)) != getattr(stored, f.attname)
        ]
        return changed

    def clean(self):
        super().clean()
        errors = {}
        if self.last_year is not None and self.first_year and self.last_year < self.first_year:
            errors["last_year"] = _("The last year cannot come before the first year.")
        elif self.first_year is not None:
            clash = self.overlapping_versions().first()
            if clash is not None:
                errors["first_year"] = _(
                    "These years overlap with the version %(version)s: a year has one version."
                ) % {"version": clash}
        allowed = {c for c, _label in Village.CommitteeType.choices}
        if not isinstance(self.eligible_committee_types, list) or not set(self.eligible_committee_types) <= allowed:
            errors["eligible_committee_types"] = _("Choose committee types among: %(types)s.") % {
                "types": ", ".join(sorted(allowed))
            }
        locked = self.locked_changes()
        if locked:
            errors[NON_FIELD_ERRORS] = _(
                "This version has assessments, so %(fields)s can no longer change: add a new version "
                "for the coming years instead."
            ) % {"fields": ", ".join(str(self._meta.get_field(name).verbose_name) for name in locked)}
        if errors:
            raise ValidationError(errors)


class Assessment(TimeStampedModel):
    """The scored result of one village for one year, with the inputs and criteria it was scored on."""

    class StatusChange(models.TextChoices):
        NEW = "new", _("newly certified")
        RETAINED = "retained", _("certified again")
        LOST = "lost", _("certification lost")
        NONE = "none", _("not certified")

    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria version"), on_delete=models.PROTECT, related_name="assessments"
    )
    report = models.OneToOneField(
        AnnualReport,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment",
    )
    inputs = models.JSONField(_("inputs"), default=dict)
    checks = models.JSONField(_("checks"), default=list)
    # Per input: where it came from (the approved declaration) and the platform's figure beside it, if any.
    # A database default too: the rescoring upsert inserts rows in SQL without naming this column.
    input_sources = models.JSONField(
        _("sources of the inputs"), default=dict, db_default=models.Value({}, models.JSONField()), blank=True
    )
    qualified = models.BooleanField(_("qualified"))
    score = models.DecimalField(
        _("readiness score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status_change = models.CharField(
        _("status change"), max_length=10, choices=StatusChange.choices, default=StatusChange.NONE
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "village"]
        # With the village last it covers "the qualified villages of a year" (towns, clusters, rescoring,
        # status changes) without reading the assessment rows and their JSON.
        indexes = [
            models.Index(fields=["year", "qualified", "village"], name="assessment_year_qual_village"),
            # The admin's order (newest year first, then by village), read page by page without a sort.
            models.Index(fields=["-year", "village"], name="assessment_year_village"),
            # The certified villages (qualified in some year), read whole by the public lists and their counts: a
            # few thousand entries, where the index above holds every assessment of every year.
            models.Index(fields=["village"], condition=models.Q(qualified=True), name="assessment_qualified_village"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"], name="assessment_unique_village_year"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="assessment_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.year}: {'✔' if self.qualified else '✘'}"


class TaobaoTown(models.Model):
    """A township that qualifies as a Taobao town in a year, and by which route."""

    class Route(models.TextChoices):
        VILLAGES = "villages", _("by its Taobao villages")
        SCALE = "scale", _("by sales and active shops")

    class Figures(models.TextChoices):
        VILLAGES_SUM = "villages_sum", _("sum over its registered villages")
        TOWNSHIP_REPORT = "township_report", _("the township's own report")

    township = division_of_level(codes.TOWNSHIP, related_name="taobao_town_years")
    year = models.PositiveSmallIntegerField(_("year"))
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria version"), on_delete=models.PROTECT, related_name="+"
    )
    route = models.CharField(_("route"), max_length=10, choices=Route.choices)
    taobao_villages = models.PositiveIntegerField(_("Taobao villages"))
    ecommerce_sales = models.BigIntegerField(_("e-commerce sales (RMB yuan)"))
    active_shops = models.PositiveIntegerField(_("active shops"))
    figures = models.CharField(
        _("sales and shops from"),
        max_length=16,
        choices=Figures.choices,
        default=Figures.VILLAGES_SUM,
        help_text=_("The township's own approved report, or the sum over its registered villages."),
    )

    class Meta:
        verbose_name = _("Taobao town")
        verbose_name_plural = _("Taobao towns")
        ordering = ["-year", "township"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year"], name="taobao_town_unique_year"),
        ]

    def __str__(self):
        return f"{self.township.name} {self.year}"


class VillageCluster(models.Model):
    """A connected group of Taobao villages in a year (淘宝村集群)."""

    class SizeClass(models.TextChoices):
        CLUSTER = "cluster", _("cluster")
        LARGE = "large", _("large cluster")
        SUPER_LARGE = "super_large", _("super-large cluster")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    size_class = models.CharField(_("size class"), max_length=12, choices=SizeClass.choices)
    village_count = models.PositiveIntegerField(_("Taobao villages"))
    counties = models.JSONField(_("county codes"), default=list)
    approximate_villages = models.PositiveIntegerField(
        _("villages placed approximately"),
        default=0,
        help_text=_("Villages without coordinates, linked at their township's representative point."),
    )
    villages = models.ManyToManyField(Village, verbose_name=_("villages"), related_name="clusters")

    class Meta:
        verbose_name = _("Taobao village cluster")
        verbose_name_plural = _("Taobao village clusters")
        ordering = ["-year", "-village_count"]

    def __str__(self):
        return f"{self.year} {self.get_size_class_display()} ({self.village_count})"
