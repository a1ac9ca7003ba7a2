"""Views of the service-network API: thin wrappers over the rural_services selectors and services."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rural_services.api import serializers
from rural_services.filters import CountyOperationCenterFilter, ServicePointFilter
from rural_services.models import SERVICE_POINT_CODE_RE
from rural_services.selectors import (
    county_centers_for_listing,
    service_points_for_listing,
    service_points_on_map,
)
from rural_services.services import county_center_create, service_point_create, service_point_update
from taobao_site.api_errors import BAD_REQUEST, NOT_FOUND, READ_ERRORS, THROTTLED
from villages.api.lookups import ValidatedLookupMixin
from villages.api.views import validated_input, write_schema

SERVICE_POINT_CODE = re.compile(SERVICE_POINT_CODE_RE)
CODE_PARAMETER = OpenApiParameter(
    "code",
    {"type": "string", "pattern": SERVICE_POINT_CODE_RE},
    OpenApiParameter.PATH,
    description=_("Service point code"),
)
DETAIL_ERRORS = {401: READ_ERRORS[401], 404: NOT_FOUND, 429: THROTTLED}


@extend_schema_view(
    list=extend_schema(
        tags=["service network"],
        responses={200: serializers.CountyOperationCenterSerializer(many=True), **READ_ERRORS},
    ),
    create=write_schema(
        "service network",
        serializers.CountyOperationCenterInputSerializer,
        serializers.CountyOperationCenterSerializer,
        created=True,
    ),
)
class CountyOperationCenterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """County operation centres: open ones are public; the rest only inside the caller's jurisdiction."""

    serializer_class = serializers.CountyOperationCenterSerializer
    filterset_class = CountyOperationCenterFilter

    def get_queryset(self):
        return county_centers_for_listing(self.request.user)

    def create(self, request):
        data = validated_input(serializers.CountyOperationCenterInputSerializer, request)
        center = county_center_create(by=request.user, **data)
        return Response(self.get_serializer(center).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        tags=["service network"],
        responses={200: serializers.ServicePointSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        tags=["service network"],
        parameters=[CODE_PARAMETER],
        responses={200: serializers.ServicePointSerializer, **DETAIL_ERRORS},
    ),
    create=write_schema(
        "service network",
        serializers.ServicePointInputSerializer,
        serializers.ServicePointSerializer,
        created=True,
    ),
    partial_update=write_schema(
        "service network",
        serializers.ServicePointUpdateSerializer,
        serializers.ServicePointSerializer,
        parameters=[CODE_PARAMETER],
    ),
    geojson=extend_schema(
        tags=["service network"],
        summary=_("Service points with coordinates, as a GeoJSON FeatureCollection"),
        responses={
            200: serializers.ServicePointFeatureCollectionSerializer,
            400: BAD_REQUEST,
            429: THROTTLED,
        },
    ),
)
class ServicePointViewSet(
    ValidatedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Village service points: open ones are public without the partner's personal data."""

    serializer_class = serializers.ServicePointSerializer
    filterset_class = ServicePointFilter
    lookup_field = "code"
    lookup_pattern = SERVICE_POINT_CODE

    def get_queryset(self):
        return service_points_for_listing(self.request.user)

    def _answer(self, point, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=point.pk)).data, status=status_code)

    def create(self, request):
        data = validated_input(serializers.ServicePointInputSerializer, request)
        return self._answer(service_point_create(by=request.user, **data), status.HTTP_201_CREATED)

    def partial_update(self, request, code=None):
        point = self.get_object()
        changes = validated_input(serializers.ServicePointUpdateSerializer, request)
        version = changes.pop("version")
        return self._answer(service_point_update(point=point, by=request.user, version=version, **changes))

    @action(detail=False, methods=["get"], pagination_class=None)
    def geojson(self, request):
        points = self.filter_queryset(service_points_on_map(request.user))
        rows = points.values_list("code", "name", "village__code", "status", "longitude", "latitude")
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
                "properties": {"code": code, "name": name, "village": village, "status": status},
            }
            for code, name, village, status, longitude, latitude in rows
        ]
        return Response({"type": "FeatureCollection", "features": features})
