"""Views of the villages API: thin wrappers that call the selectors and services and render their results."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from taobao_site.api_errors import BAD_REQUEST, NOT_FOUND, NOT_LOGGED_IN, READ_ERRORS, THROTTLED
from villages.api import serializers
from villages.api.lookups import DIVISION_CODE, VILLAGE_CODE, ValidatedLookupMixin
from villages.filters import (
    AnnualReportFilter,
    AssessmentFilter,
    DivisionFilter,
    OnlineShopFilter,
    TaobaoTownFilter,
    VillageClusterFilter,
    VillageFilter,
)
from villages.selectors import listings
from villages.selectors.certification import what_if
from villages.selectors.statistics import yearly_statistics
from villages.selectors.visibility import assessments_visible_to


def code_parameter(description):
    return OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description=description)


ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
DETAIL_ERRORS = {401: READ_ERRORS[401], 404: NOT_FOUND, 429: THROTTLED}


@extend_schema(
    tags=["auth"],
    request=serializers.AuthTokenRequestSerializer,
    responses={200: serializers.AuthTokenSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    summary=_("Exchange a username and password for an API token"),
)
class AuthTokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token"}`; send it as `Authorization: Token <token>`."""

    parser_classes = [JSONParser]
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES


@extend_schema_view(
    list=extend_schema(
        tags=["divisions"], responses={200: serializers.DivisionSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        tags=["divisions"],
        parameters=[code_parameter(_("Division code, 6 or 9 digits"))],
        responses={200: serializers.DivisionSerializer, **DETAIL_ERRORS},
    ),
)
class DivisionViewSet(ValidatedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Official administrative divisions (public)."""

    serializer_class = serializers.DivisionSerializer
    filterset_class = DivisionFilter
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_pattern = DIVISION_CODE

    def get_queryset(self):
        return listings.divisions_for_listing()


@extend_schema_view(
    list=extend_schema(
        tags=["villages"], responses={200: serializers.VillageSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        tags=["villages"],
        parameters=[code_parameter(_("Village code, 12 digits"))],
        responses={200: serializers.VillageSerializer, **DETAIL_ERRORS},
    ),
    geojson=extend_schema(
        tags=["villages"],
        summary=_("Certified villages with coordinates, as a GeoJSON FeatureCollection"),
        responses={200: serializers.VillageFeatureCollectionSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    ),
)
class VillageViewSet(
    ValidatedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Villages: certified ones are public; the rest only inside the caller's jurisdiction."""

    serializer_class = serializers.VillageSerializer
    filterset_class = VillageFilter
    lookup_field = "code"
    lookup_pattern = VILLAGE_CODE

    def get_queryset(self):
        return listings.villages_for_listing(self.request.user)

    @action(detail=False, methods=["get"], pagination_class=None)
    def geojson(self, request):
        villages = self.filter_queryset(listings.certified_villages_on_map(request.user))
        rows = villages.values_list("code", "name", "committee_type", "longitude", "latitude")
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
                "properties": {
                    "code": code,
                    "name": name,
                    "county": code[:6],
                    "committee_type": committee_type,
                },
            }
            for code, name, committee_type, longitude, latitude in rows
        ]
        return Response({"type": "FeatureCollection", "features": features})


@extend_schema_view(
    list=extend_schema(
        tags=["shops"], responses={200: serializers.OnlineShopSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        tags=["shops"],
        parameters=[ID_PARAMETER],
        responses={200: serializers.OnlineShopSerializer, **DETAIL_ERRORS},
    ),
)
class OnlineShopViewSet(
    ValidatedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Online shops: only inside the caller's jurisdiction, so a login is needed."""

    serializer_class = serializers.OnlineShopSerializer
    filterset_class = OnlineShopFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return listings.shops_for_listing(self.request.user)


@extend_schema_view(
    list=extend_schema(
        tags=["reports"], responses={200: serializers.AnnualReportSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        tags=["reports"],
        parameters=[ID_PARAMETER],
        responses={200: serializers.AnnualReportSerializer, **DETAIL_ERRORS},
    ),
)
class AnnualReportViewSet(
    ValidatedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Annual e-commerce reports: approved ones are public; the rest only inside the caller's jurisdiction."""

    serializer_class = serializers.AnnualReportSerializer
    filterset_class = AnnualReportFilter

    def get_queryset(self):
        return listings.reports_for_listing(self.request.user)


@extend_schema_view(
    list=extend_schema(
        tags=["certification"], responses={200: serializers.AssessmentSerializer(many=True), **READ_ERRORS}
    ),
)
class AssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Yearly assessments of villages against the criteria in force (public: from approved reports)."""

    serializer_class = serializers.AssessmentSerializer
    filterset_class = AssessmentFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return listings.assessments_for_listing(self.request.user)


@extend_schema_view(
    list=extend_schema(
        tags=["certification"], responses={200: serializers.CriteriaSetSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        tags=["certification"],
        parameters=[ID_PARAMETER],
        responses={200: serializers.CriteriaSetSerializer, **DETAIL_ERRORS},
    ),
)
class CriteriaSetViewSet(ValidatedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Criteria versions with their thresholds and the years they apply to (public)."""

    serializer_class = serializers.CriteriaSetSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return listings.criteria_sets_for_listing()

    @extend_schema(
        tags=["certification"],
        summary=_("What if: how many villages would qualify under trial thresholds, gained and lost"),
        request=serializers.WhatIfRequestSerializer,
        responses={200: serializers.WhatIfSerializer, 400: BAD_REQUEST, 401: NOT_LOGGED_IN, 429: THROTTLED},
    )
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def simulate(self, request):
        trial = serializers.WhatIfRequestSerializer(data=request.data)
        trial.is_valid(raise_exception=True)
        result = what_if(base=assessments_visible_to(request.user), **trial.validated_data)
        return Response(serializers.WhatIfSerializer(result).data)


class YearlyStatisticsViewSet(viewsets.GenericViewSet):
    """Taobao villages and towns per year, in the registry and as AliResearch published them (public)."""

    serializer_class = serializers.YearlyStatisticsSerializer
    permission_classes = [AllowAny]
    filter_backends = []

    @extend_schema(
        tags=["certification"],
        responses={200: serializers.YearlyStatisticsSerializer(many=True), **READ_ERRORS},
    )
    def list(self, request):
        page = self.paginate_queryset(yearly_statistics())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        tags=["certification"], responses={200: serializers.TaobaoTownSerializer(many=True), **READ_ERRORS}
    ),
)
class TaobaoTownViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Taobao towns by year (public)."""

    serializer_class = serializers.TaobaoTownSerializer
    filterset_class = TaobaoTownFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return listings.taobao_towns_for_listing()


@extend_schema_view(
    list=extend_schema(
        tags=["certification"],
        responses={200: serializers.VillageClusterSerializer(many=True), **READ_ERRORS},
    ),
)
class VillageClusterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Taobao village clusters by year (public)."""

    serializer_class = serializers.VillageClusterSerializer
    filterset_class = VillageClusterFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return listings.clusters_for_listing()
