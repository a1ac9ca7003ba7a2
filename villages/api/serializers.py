"""Serializers of the villages API: explicit output shapes, and separate input shapes where writes happen."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from taobao_site.api_representation import CompiledRepresentation
from villages.api.reconciliation import ReconciliationSerializer
from villages.models import (
    AnnualReport,
    Assessment,
    CriteriaSet,
    Division,
    OnlineShop,
    ReviewEvent,
    TaobaoTown,
    TownshipConversion,
    TownshipPoint,
    TownshipReport,
    Village,
    VillageCluster,
    VillageConversion,
)
from villages.models.base import CHINA_LATITUDE, CHINA_LONGITUDE
from villages.selectors.listings import attach_latest_assessments
from villages.selectors.visibility import villages_visible_to
from villages.services.criteria import CRITERIA_FIELDS
from villages.services.reports import REPORT_FIGURES, TOWNSHIP_REPORT_FIGURES
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

VILLAGE_CODE_PATTERN = r"^[0-9]{12}$"
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1
COORDINATE = {"max_digits": 9, "decimal_places": 6, "coerce_to_string": False}


class DivisionSerializer(CompiledRepresentation, serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "source"]


class LatestAssessmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    qualified = serializers.BooleanField()


class VillageListSerializer(serializers.ListSerializer):
    """A page of villages: their latest assessments are read for the whole page at once (one query)."""

    def to_representation(self, data):
        villages = list(data.all() if hasattr(data, "all") else data)
        attach_latest_assessments(villages)
        return super().to_representation(villages)


class VillageSerializer(CompiledRepresentation, serializers.ModelSerializer):
    township = serializers.CharField(source="township_id", read_only=True)
    county = serializers.CharField(source="county_code", read_only=True)
    province = serializers.CharField(source="province_code", read_only=True)
    latitude = serializers.DecimalField(allow_null=True, read_only=True, **COORDINATE)
    longitude = serializers.DecimalField(allow_null=True, read_only=True, **COORDINATE)
    latest_assessment = serializers.SerializerMethodField()

    class Meta:
        model = Village
        fields = [
            "code",
            "name",
            "township",
            "county",
            "province",
            "committee_type",
            "households",
            "population",
            "urban_rural_code",
            "latitude",
            "longitude",
            "main_products",
            "version",
            "latest_assessment",
        ]
        read_only_fields = fields
        list_serializer_class = VillageListSerializer

    @extend_schema_field(LatestAssessmentSerializer(allow_null=True))
    def get_latest_assessment(self, village):
        """Read off what `attach_latest_assessments` set for the page's villages (one query for a single one)."""
        attach_latest_assessments([village])
        return village.latest_assessment


class OnlineShopSerializer(CompiledRepresentation, serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)

    class Meta:
        model = OnlineShop
        fields = [
            "id",
            "village",
            "platform",
            "platform_shop_id",
            "name",
            "category",
            "opened_on",
            "closed_on",
            "version",
        ]
        read_only_fields = fields


class AnnualReportSerializer(CompiledRepresentation, serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)

    class Meta:
        model = AnnualReport
        fields = [
            "id",
            "village",
            "year",
            *REPORT_FIGURES,
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "reopened",
            "version",
        ]
        read_only_fields = fields


class AnnualReportDetailSerializer(AnnualReportSerializer):
    """A report on its own: also its reconciliation with the platforms' figures (null outside the caller's
    jurisdiction, where the platforms' figures are not shown)."""

    reconciliation = ReconciliationSerializer(read_only=True, allow_null=True)

    class Meta(AnnualReportSerializer.Meta):
        fields = [*AnnualReportSerializer.Meta.fields, "reconciliation"]
        read_only_fields = fields


class InputSourceSerializer(serializers.Serializer):
    """Where an assessment input came from, and the platforms' figure beside it."""

    source = serializers.ChoiceField(choices=["declared"], help_text="scoring is always on the approved declaration")
    check = serializers.ChoiceField(
        choices=["checked", "unchecked"], help_text="checked: the platforms sent a figure to compare with"
    )
    platform = serializers.IntegerField(allow_null=True)
    difference_percent = serializers.FloatField(allow_null=True)
    flagged = serializers.BooleanField(required=False)


class CheckSerializer(serializers.Serializer):
    """One certification criterion; `actual`, `required` and `gap` are numbers, or codes for `location`."""

    key = serializers.ChoiceField(choices=["location", "sales", "shops"])
    passed = serializers.BooleanField()
    actual = serializers.JSONField()
    required = serializers.JSONField()
    gap = serializers.JSONField(allow_null=True)
    certified_in = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="location only: the last earlier year a neighbourhood committee was certified, when that "
        "keeps it eligible under the version's neighbourhood-committee rule; else null",
    )


class AssessmentSerializer(CompiledRepresentation, serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True)
    criteria_version = serializers.CharField(source="criteria_set.name", read_only=True)
    checks = CheckSerializer(many=True, read_only=True)
    input_sources = serializers.DictField(
        child=InputSourceSerializer(),
        read_only=True,
        help_text="per input (ecommerce_sales, active_shops, households): its source and the platforms' figure",
    )

    class Meta:
        model = Assessment
        fields = [
            "village", "year", "qualified", "score", "criteria_version", "checks", "status_change", "input_sources"
        ]
        read_only_fields = fields


class CriteriaSetSerializer(CompiledRepresentation, serializers.ModelSerializer):
    village_min_household_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, read_only=True
    )
    eligible_committee_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Village.CommitteeType.choices), read_only=True
    )

    class Meta:
        model = CriteriaSet
        fields = ["id", *CRITERIA_FIELDS]
        read_only_fields = fields


class TaobaoTownSerializer(CompiledRepresentation, serializers.ModelSerializer):
    township = serializers.CharField(source="township_id", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = TaobaoTown
        fields = [
            "township",
            "township_name",
            "year",
            "taobao_villages",
            "ecommerce_sales",
            "active_shops",
            "route",
            "figures",
        ]
        read_only_fields = fields


class VillageClusterSerializer(CompiledRepresentation, serializers.ModelSerializer):
    counties = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = VillageCluster
        fields = ["id", "year", "size_class", "village_count", "counties", "approximate_villages"]
        read_only_fields = fields


class GeoPointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text=_("[longitude, latitude]")
    )


class VillageFeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    county = serializers.CharField()
    committee_type = serializers.CharField()


class VillageFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    geometry = GeoPointSerializer()
    properties = VillageFeaturePropertiesSerializer()


class VillageFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = VillageFeatureSerializer(many=True)


class AuthTokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)


class AuthTokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class YearlyStatisticsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    taobao_villages = serializers.IntegerField()
    taobao_towns = serializers.IntegerField()
    published_taobao_villages = serializers.IntegerField(allow_null=True)
    published_taobao_towns = serializers.IntegerField(allow_null=True)


class WhatIfRequestSerializer(serializers.Serializer):
    """Trial village thresholds for one year; thresholds left out keep the value of the version in force."""

    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR_BOUND)
    eligible_committee_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Village.CommitteeType.choices), max_length=3, required=False
    )
    village_min_sales = serializers.IntegerField(min_value=0, max_value=MAX_BIGINT, required=False)
    village_min_active_shops = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False)
    village_min_household_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal(0), max_value=Decimal(1), required=False
    )


class WhatIfCountSerializer(serializers.Serializer):
    qualifying_now = serializers.IntegerField(source="now", help_text=_("Qualifying under the version in force."))
    qualifying = serializers.IntegerField(source="then", help_text=_("Qualifying under the trial thresholds."))
    gained = serializers.IntegerField()
    lost = serializers.IntegerField()


class WhatIfProvinceSerializer(WhatIfCountSerializer):
    province = serializers.CharField()


class WhatIfSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    criteria_version = serializers.CharField(source="criteria_set.name")
    total = WhatIfCountSerializer()
    provinces = WhatIfProvinceSerializer(many=True)


class OptionalExceptVersionMixin:
    """For PATCH bodies: every field may be left out except `version`, the version the caller read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


def version_field():
    return serializers.IntegerField(
        min_value=1, max_value=MAX_INT, help_text=_("The version you read; a newer one on the server is a 409.")
    )


def coordinate_input(low, high, *, optional=True, **extra):
    return serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(str(low)),
        max_value=Decimal(str(high)),
        allow_null=optional,
        required=not optional,
        **extra,
    )


class VisibleVillageField(serializers.RegexField):
    """A village given by its 12-digit code, among those the caller may see; validates to the Village row."""

    default_error_messages = {"unknown": _("No village with the code {code} is visible to you.")}

    def __init__(self, **kwargs):
        super().__init__(VILLAGE_CODE_PATTERN, max_length=12, **kwargs)

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)
        if code is None:
            return None
        village = villages_visible_to(self.context["request"].user).filter(code=code).first()
        if village is None:
            self.fail("unknown", code=code)
        return village


class VillageInputSerializer(serializers.Serializer):
    """A new village; the township and committee type follow from the code."""

    code = serializers.RegexField(VILLAGE_CODE_PATTERN, max_length=12)
    name = serializers.CharField(max_length=100)
    households = serializers.IntegerField(min_value=1, max_value=MAX_INT, allow_null=True, required=False)
    population = serializers.IntegerField(min_value=0, max_value=MAX_INT, allow_null=True, required=False)
    urban_rural_code = serializers.ChoiceField(
        choices=Village.UrbanRuralCode.choices, allow_null=True, required=False
    )
    latitude = coordinate_input(*CHINA_LATITUDE)
    longitude = coordinate_input(*CHINA_LONGITUDE)
    main_products = serializers.CharField(max_length=200, allow_blank=True, required=False)


class VillageUpdateSerializer(OptionalExceptVersionMixin, VillageInputSerializer):
    version = version_field()


class OnlineShopInputSerializer(serializers.Serializer):
    village = VisibleVillageField()
    platform = serializers.ChoiceField(choices=OnlineShop.Platform.choices)
    platform_shop_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=100, allow_blank=True, required=False)
    opened_on = serializers.DateField(allow_null=True, required=False)
    closed_on = serializers.DateField(allow_null=True, required=False)


class OnlineShopUpdateSerializer(OptionalExceptVersionMixin, OnlineShopInputSerializer):
    version = version_field()


class AnnualReportFiguresSerializer(serializers.Serializer):
    ecommerce_sales = serializers.IntegerField(
        min_value=0, max_value=MAX_BIGINT, help_text=_("RMB yuan, an integer: 10000000 is RMB 10 million.")
    )
    active_shops = serializers.IntegerField(min_value=0, max_value=MAX_INT)
    households = serializers.IntegerField(min_value=1, max_value=MAX_INT)


class AnnualReportInputSerializer(AnnualReportFiguresSerializer):
    """A new draft report; one per village and year."""

    village = VisibleVillageField()
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR_BOUND)


class AnnualReportUpdateSerializer(OptionalExceptVersionMixin, AnnualReportFiguresSerializer):
    """New figures for a draft or returned report."""

    version = version_field()


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class CommentedTransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text=_("Required: why the report goes back."))


class ReviewEventSerializer(CompiledRepresentation, serializers.ModelSerializer):
    by = serializers.CharField(source="by.get_username", read_only=True)

    class Meta:
        model = ReviewEvent
        fields = ["from_status", "to_status", "by", "at", "comment"]
        read_only_fields = fields


class VillageConversionSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True, help_text="the village's code now")
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, allow_null=True)

    class Meta:
        model = VillageConversion
        fields = [
            "id",
            "village",
            "effective_on",
            "old_code",
            "new_code",
            "old_committee_type",
            "new_committee_type",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class VillageConversionInputSerializer(serializers.Serializer):
    """A village took a new code (and the committee type it names) on a date: `village` is its code now."""

    village = VisibleVillageField()
    effective_on = serializers.DateField()
    new_code = serializers.RegexField(VILLAGE_CODE_PATTERN, max_length=12)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False)


class TownshipConversionSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, allow_null=True)

    class Meta:
        model = TownshipConversion
        fields = [
            "id",
            "township",
            "effective_on",
            "old_code",
            "new_code",
            "old_kind",
            "new_kind",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class TownshipByCodeSerializer(serializers.Serializer):
    """An input naming a township by its 9-digit code; validates to the Division row."""

    township = serializers.RegexField(r"^[0-9]{9}$", max_length=9)

    def validate_township(self, code):
        township = Division.objects.filter(code=code, level="township").first()
        if township is None:
            raise serializers.ValidationError(_("No township has the code %(code)s.") % {"code": code})
        return township


class TownshipConversionInputSerializer(TownshipByCodeSerializer):
    """Either `old_code`: until `effective_on` the township (given by its code now) had that code and the type it
    names; or `new_code` (and perhaps `new_name`): the township (given by its code until now) took that code on
    `effective_on`, and its row and villages are re-coded."""

    effective_on = serializers.DateField()
    old_code = serializers.RegexField(r"^[0-9]{9}$", max_length=9, required=False)
    new_code = serializers.RegexField(r"^[0-9]{9}$", max_length=9, required=False)
    new_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False)

    def validate(self, data):
        if ("old_code" in data) == ("new_code" in data):
            raise serializers.ValidationError(
                {"old_code": _("Give either the old code (the row has the new one) or the new code, not both.")}
            )
        if "new_name" in data and "new_code" not in data:
            raise serializers.ValidationError({"new_name": _("A new name goes with a new code.")})
        return data


class TownshipReportSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township_id", read_only=True)

    class Meta:
        model = TownshipReport
        fields = [
            "id",
            "township",
            "year",
            *TOWNSHIP_REPORT_FIGURES,
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "reopened",
            "version",
        ]
        read_only_fields = fields


class TownshipReportFiguresSerializer(serializers.Serializer):
    ecommerce_sales = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BIGINT,
        help_text=_("The whole township's e-commerce sales, RMB yuan (an integer)."),
    )
    active_shops = serializers.IntegerField(min_value=0, max_value=MAX_INT)


class TownshipReportInputSerializer(TownshipByCodeSerializer, TownshipReportFiguresSerializer):
    """A new draft township report; one per township and year, by a county official of its county."""

    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR_BOUND)


class TownshipReportUpdateSerializer(OptionalExceptVersionMixin, TownshipReportFiguresSerializer):
    """New figures for a draft or returned township report."""

    version = version_field()


class TownshipPointSerializer(serializers.ModelSerializer):
    township = serializers.CharField(source="township_id", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    latitude = serializers.DecimalField(read_only=True, **COORDINATE)
    longitude = serializers.DecimalField(read_only=True, **COORDINATE)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True, allow_null=True)

    class Meta:
        model = TownshipPoint
        fields = ["township", "township_name", "latitude", "longitude", "entered_by", "updated_at"]
        read_only_fields = fields


class TownshipPointCoordinatesSerializer(serializers.Serializer):
    latitude = coordinate_input(
        *CHINA_LATITUDE, optional=False, help_text=_("Decimal degrees north, inside China (3.5 to 53.6).")
    )
    longitude = coordinate_input(
        *CHINA_LONGITUDE, optional=False, help_text=_("Decimal degrees east, inside China (73.4 to 135.1).")
    )


class TownshipPointInputSerializer(TownshipByCodeSerializer, TownshipPointCoordinatesSerializer):
    """Set a township's representative point (or move the one it has), by a county official of its county."""


class TownshipPointUpdateSerializer(TownshipPointCoordinatesSerializer):
    """Move a township's point: either coordinate, or both; the one not given stays as it is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
