"""Serializers of the service-network API: explicit output shapes, separate input shapes for writes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rural_services.models import (
    MAINLAND_MOBILE_RE,
    SERVICE_POINT_CODE_RE,
    CountyOperationCenter,
    ServicePoint,
)
from rural_services.selectors import county_centers_visible_to, may_see_partner_details
from rural_services.services import CENTER_FIELDS, POINT_FIELDS
from taobao_site.api_representation import CompiledRepresentation
from villages import codes
from villages.api.serializers import (
    COORDINATE,
    MAX_BIGINT,
    GeoPointSerializer,
    OptionalExceptVersionMixin,
    VisibleVillageField,
    coordinate_input,
    version_field,
)
from villages.models import Division
from villages.models.base import CHINA_LATITUDE, CHINA_LONGITUDE

MAX_SERVICES_PER_POINT = 32


class CountyOperationCenterSerializer(CompiledRepresentation, serializers.ModelSerializer):
    county = serializers.CharField(source="county_id", read_only=True)

    class Meta:
        model = CountyOperationCenter
        fields = ["id", *CENTER_FIELDS, "version"]
        read_only_fields = fields


class ServicePointSerializer(CompiledRepresentation, serializers.ModelSerializer):
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
        fields = [*POINT_FIELDS, "version"]
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


class CountyCodeField(serializers.RegexField):
    """A county given by its 6-digit code; validates to the Division row."""

    default_error_messages = {"unknown": _("No county with the code {code} exists.")}

    def __init__(self, **kwargs):
        super().__init__(r"^[0-9]{6}$", max_length=6, **kwargs)

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)
        county = Division.objects.filter(code=code, level=codes.COUNTY).first()
        if county is None:
            self.fail("unknown", code=code)
        return county


class VisibleCountyCenterField(serializers.IntegerField):
    """A county operation centre given by its id, among those the caller may see."""

    default_error_messages = {"unknown": _("No county operation centre with the id {id} is visible to you.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_BIGINT, **kwargs)

    def run_validation(self, data=serializers.empty):
        center_id = super().run_validation(data)
        if center_id is None:
            return None
        center = county_centers_visible_to(self.context["request"].user).filter(pk=center_id).first()
        if center is None:
            self.fail("unknown", id=center_id)
        return center


class CountyOperationCenterInputSerializer(serializers.Serializer):
    county = CountyCodeField()
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, allow_blank=True, required=False)
    opened_on = serializers.DateField(allow_null=True, required=False)
    closed_on = serializers.DateField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=CountyOperationCenter.Status.choices, required=False)


class ServicePointInputSerializer(serializers.Serializer):
    code = serializers.RegexField(SERVICE_POINT_CODE_RE, max_length=32)
    name = serializers.CharField(max_length=200)
    village = VisibleVillageField()
    county_center = VisibleCountyCenterField(allow_null=True, required=False)
    services = serializers.ListField(
        child=serializers.RegexField(r"^[a-z0-9_]{1,32}$", max_length=32),
        max_length=MAX_SERVICES_PER_POINT,
        required=False,
        help_text=_("Codes of the services offered, e.g. parcel_pickup."),
    )
    status = serializers.ChoiceField(choices=ServicePoint.Status.choices, required=False)
    opened_on = serializers.DateField(allow_null=True, required=False)
    closed_on = serializers.DateField(allow_null=True, required=False)
    latitude = coordinate_input(*CHINA_LATITUDE)
    longitude = coordinate_input(*CHINA_LONGITUDE)
    partner_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    partner_phone = serializers.RegexField(
        MAINLAND_MOBILE_RE, max_length=11, allow_blank=True, required=False
    )


class ServicePointUpdateSerializer(OptionalExceptVersionMixin, ServicePointInputSerializer):
    version = version_field()
