"""Serializers of the service-network API: explicit output shapes, separate input shapes for writes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rural_services.models import CountyOperationCenter, ServicePoint
from rural_services.selectors import may_see_partner_details
from villages.api.serializers import COORDINATE, GeoPointSerializer


class CountyOperationCenterSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", read_only=True)

    class Meta:
        model = CountyOperationCenter
        fields = ["id", "county", "name", "address", "opened_on", "closed_on", "status", "version"]
        read_only_fields = fields


class ServicePointSerializer(serializers.ModelSerializer):
    """Partner name and phone are null for callers without jurisdiction over the point's village."""

    village = serializers.CharField(source="village.code", read_only=True)
    county_center = serializers.IntegerField(source="county_center_id", allow_null=True, read_only=True)
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    latitude = serializers.DecimalField(allow_null=True, read_only=True, **COORDINATE)
    longitude = serializers.DecimalField(allow_null=True, read_only=True, **COORDINATE)
    partner_name = serializers.SerializerMethodField()
    partner_phone = serializers.SerializerMethodField()

    class Meta:
        model = ServicePoint
        fields = [
            "code",
            "name",
            "village",
            "county_center",
            "services",
            "status",
            "opened_on",
            "closed_on",
            "latitude",
            "longitude",
            "partner_name",
            "partner_phone",
            "version",
        ]
        read_only_fields = fields

    def _partner_visible(self, point) -> bool:
        request = self.context.get("request")
        return request is not None and may_see_partner_details(request.user, point)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_partner_name(self, point):
        return point.partner_name if self._partner_visible(point) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_partner_phone(self, point):
        return point.partner_phone if self._partner_visible(point) else None


class ServicePointFeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    village = serializers.CharField()
    status = serializers.CharField()


class ServicePointFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    geometry = GeoPointSerializer()
    properties = ServicePointFeaturePropertiesSerializer()


class ServicePointFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = ServicePointFeatureSerializer(many=True)
