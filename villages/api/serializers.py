"""Serializers of the villages API: explicit output shapes, and separate input shapes where writes happen."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from villages.models import (
    AnnualReport,
    Assessment,
    CriteriaSet,
    Division,
    OnlineShop,
    TaobaoTown,
    Village,
    VillageCluster,
)
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1
COORDINATE = {"max_digits": 9, "decimal_places": 6, "coerce_to_string": False}


class DivisionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]


class LatestAssessmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    qualified = serializers.BooleanField()


class VillageSerializer(serializers.ModelSerializer):
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

    @extend_schema_field(LatestAssessmentSerializer(allow_null=True))
    def get_latest_assessment(self, village):
        """Read off the annotations that `villages_for_listing` adds; no query per row."""
        year = getattr(village, "latest_assessment_year", None)
        if year is None:
            return None
        return {"year": year, "qualified": village.latest_assessment_qualified}


class OnlineShopSerializer(serializers.ModelSerializer):
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


class AnnualReportSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)

    class Meta:
        model = AnnualReport
        fields = [
            "id",
            "village",
            "year",
            "ecommerce_sales",
            "active_shops",
            "households",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "reopened",
            "version",
        ]
        read_only_fields = fields


class CheckSerializer(serializers.Serializer):
    """One certification criterion; `actual`, `required` and `gap` are numbers, or codes for `location`."""

    key = serializers.ChoiceField(choices=["location", "sales", "shops"])
    passed = serializers.BooleanField()
    actual = serializers.JSONField()
    required = serializers.JSONField()
    gap = serializers.JSONField(allow_null=True)


class AssessmentSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True)
    criteria_version = serializers.CharField(source="criteria_set.name", read_only=True)
    checks = CheckSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["village", "year", "qualified", "score", "criteria_version", "checks", "status_change"]
        read_only_fields = fields


class CriteriaSetSerializer(serializers.ModelSerializer):
    village_min_household_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, coerce_to_string=False, read_only=True
    )
    eligible_committee_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Village.CommitteeType.choices), read_only=True
    )

    class Meta:
        model = CriteriaSet
        fields = [
            "id",
            "name",
            "first_year",
            "last_year",
            "eligible_committee_types",
            "village_min_sales",
            "village_min_active_shops",
            "village_min_household_share",
            "town_min_taobao_villages",
            "town_scale_route",
            "town_min_sales",
            "town_min_active_shops",
            "subdistricts_can_be_towns",
            "cluster_min_villages",
            "cluster_large_min_villages",
            "cluster_super_large_over_villages",
            "source",
        ]
        read_only_fields = fields


class TaobaoTownSerializer(serializers.ModelSerializer):
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
        ]
        read_only_fields = fields


class VillageClusterSerializer(serializers.ModelSerializer):
    counties = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = VillageCluster
        fields = ["id", "year", "size_class", "village_count", "counties"]
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
