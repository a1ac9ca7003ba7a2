"""Views of the villages API: thin wrappers that call the selectors and services and render their results."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from taobao_site.api_errors import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    NOT_LOGGED_IN,
    READ_ERRORS,
    THROTTLED,
    WRITE_ERRORS,
)
from villages.api import presubmit, serializers
from villages.api.lookups import DIVISION_CODE, TOWNSHIP_CODE, VILLAGE_CODE, ValidatedLookupMixin
from villages.filters import (
    AnnualReportFilter,
    AssessmentFilter,
    DivisionFilter,
    OnlineShopFilter,
    TaobaoTownFilter,
    TownshipReportFilter,
    VillageClusterFilter,
    VillageFilter,
)
from villages.selectors import listings
from villages.selectors.certification import what_if
from villages.selectors.data_version import cached_for_version, published_data_version
from villages.selectors.jurisdiction import is_administrator
from villages.selectors.public_face import published_yearly_statistics
from villages.selectors.reconciliation import platform_figures, report_reconciliation
from villages.selectors.review import report_timeline
from villages.selectors.township_points import township_points_for_listing
from villages.selectors.visibility import (
    assessments_visible_to,
    reports_in_scope_of,
    township_reports_in_scope_of,
    villages_visible_parts,
)
from villages.services import conversions, registry, reports
from villages.services.township_points import township_point_set


def code_parameter(description, pattern):
    return OpenApiParameter(
        "code", {"type": "string", "pattern": pattern}, OpenApiParameter.PATH, description=description
    )


ID_PARAMETER = OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH)
DETAIL_ERRORS = {401: READ_ERRORS[401], 404: NOT_FOUND, 429: THROTTLED}
CREATE_ERRORS = {code: response for code, response in WRITE_ERRORS.items() if code != 404}


def validated_input(serializer_class, request) -> dict:
    """The request body checked by an input serializer (a 400 naming the fields when it is not valid)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def write_schema_arguments(tag, request, response, *, parameters=(), created=False) -> dict:
    """What `write_schema` documents, for an operation that adds a summary or description of its own."""
    return {
        "tags": [tag],
        "parameters": list(parameters),
        "request": request,
        "responses": {201 if created else 200: response, **(CREATE_ERRORS if created else WRITE_ERRORS)},
    }


def write_schema(tag, request, response, *, parameters=(), created=False):
    """The schema of a write operation: its body, its answer and every error it can give."""
    return extend_schema(**write_schema_arguments(tag, request, response, parameters=parameters, created=created))


FIRST_REVIEW_DESCRIPTION = _(
    "In a province with two approval levels, a reviewer of the report's prefecture passes a `submitted` report "
    "to `first_passed`; a reviewer of the province then approves or returns it. 403 for a reviewer of the "
    "province (it may not skip the first level); 409 when the province approves in one step or the report is "
    "not submitted."
)
APPROVE_DESCRIPTION = _(
    "Approve and assess the report. In a province with one approval level (the default): a `submitted` report, "
    "by a reviewer of its prefecture or province. In a province with two levels: a `first_passed` report, by a "
    "reviewer of the province only (403 for the prefecture's; 409 for a report not yet through first review)."
)


class ReviewHistoryMixin:
    """`GET …/{id}/history/`: a report's review timeline (village or township), read by those in its area."""

    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def history(self, request, pk=None):
        events = report_timeline(self.get_object())
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    tags=["auth"],
    request=serializers.AuthTokenRequestSerializer,
    responses={200: serializers.AuthTokenSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    summary=_("Exchange a username and password for an API token"),
)
class AuthTokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token"}`; send it as `Authorization: Token <token>`."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES

    def get_serializer_context(self):
        # The serializer authenticates with this request. Django's own, not DRF's wrapper: django-axes marks a
        # lockout on it, and its middleware, which only sees Django's request, turns that into the 429.
        return {**super().get_serializer_context(), "request": self.request._request}


@extend_schema_view(
    list=extend_schema(tags=["divisions"], responses={200: serializers.DivisionSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(
        tags=["divisions"],
        parameters=[code_parameter(_("Division code, 6 or 9 digits"), DIVISION_CODE.pattern)],
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
    list=extend_schema(tags=["villages"], responses={200: serializers.VillageSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(
        tags=["villages"],
        parameters=[code_parameter(_("Village code, 12 digits"), VILLAGE_CODE.pattern)],
        responses={200: serializers.VillageSerializer, **DETAIL_ERRORS},
    ),
    create=write_schema("villages", serializers.VillageInputSerializer, serializers.VillageSerializer, created=True),
    partial_update=write_schema(
        "villages",
        serializers.VillageUpdateSerializer,
        serializers.VillageSerializer,
        parameters=[code_parameter(_("Village code, 12 digits"), VILLAGE_CODE.pattern)],
    ),
    withdraw=extend_schema(
        tags=["villages"],
        summary=_("Withdraw a village registered by mistake, while nothing depends on it"),
        description=_(
            "County officials in their counties, administrators anywhere. Refused (409) once the village has a "
            "report, shop, assessment or service point, or when it comes from the national list of village "
            "codes. The withdrawal is recorded in the village's history."
        ),
        parameters=[code_parameter(_("Village code, 12 digits"), VILLAGE_CODE.pattern)],
        request=None,
        responses={204: OpenApiResponse(description=_("Withdrawn.")), **WRITE_ERRORS},
    ),
    geojson=extend_schema(
        tags=["villages"],
        summary=_("Certified villages with coordinates, as a GeoJSON FeatureCollection"),
        responses={200: serializers.VillageFeatureCollectionSerializer, 400: BAD_REQUEST, 429: THROTTLED},
    ),
)
class VillageViewSet(ValidatedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Villages: certified ones are public; the rest only inside the caller's jurisdiction."""

    serializer_class = serializers.VillageSerializer
    filterset_class = VillageFilter
    lookup_field = "code"
    lookup_pattern = VILLAGE_CODE

    def get_queryset(self):
        villages = listings.villages_for_listing(self.request.user)
        return listings.without_timestamps(villages) if self.action == "list" else villages

    def count_parts(self, queryset):
        """The list's disjoint parts that are cheaper to count than the list (`villages_visible_parts`), under the
        same filters; None for anything but the list, or where there are none."""
        parts = villages_visible_parts(self.request.user) if self.action == "list" else None
        return None if parts is None else [self.filter_queryset(part) for part in parts]

    def _answer(self, village, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=village.pk)).data, status=status_code)

    def create(self, request):
        village = registry.village_create(
            by=request.user, **validated_input(serializers.VillageInputSerializer, request)
        )
        return self._answer(village, status.HTTP_201_CREATED)

    def partial_update(self, request, code=None):
        village = self.get_object()
        changes = validated_input(serializers.VillageUpdateSerializer, request)
        version = changes.pop("version")
        return self._answer(registry.village_update(village=village, by=request.user, version=version, **changes))

    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def withdraw(self, request, code=None):
        registry.village_withdraw(village=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["get"], pagination_class=None)
    def geojson(self, request):
        # Certified villages are public, so the collection depends on the filters alone, never on the caller.
        params = request.query_params
        filters = sorted((name, params.getlist(name)) for name in VillageFilter.base_filters if name in params)
        features = cached_for_version(
            published_data_version(), "villages-geojson", lambda: self._certified_features(request), key_parts=filters
        )
        return Response({"type": "FeatureCollection", "features": features})

    def _certified_features(self, request) -> list[dict]:
        villages = self.filter_queryset(listings.certified_villages_on_map(request.user))
        rows = villages.values_list("code", "name", "committee_type", "longitude", "latitude")
        return [
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


@extend_schema_view(
    list=extend_schema(tags=["shops"], responses={200: serializers.OnlineShopSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(
        tags=["shops"],
        parameters=[ID_PARAMETER],
        responses={200: serializers.OnlineShopSerializer, **DETAIL_ERRORS},
    ),
    create=write_schema("shops", serializers.OnlineShopInputSerializer, serializers.OnlineShopSerializer, created=True),
    partial_update=write_schema(
        "shops", serializers.OnlineShopUpdateSerializer, serializers.OnlineShopSerializer, parameters=[ID_PARAMETER]
    ),
    destroy=extend_schema(
        tags=["shops"],
        parameters=[ID_PARAMETER],
        responses={204: OpenApiResponse(description=_("Deleted, with its yearly figures.")), **WRITE_ERRORS},
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
        shops = listings.shops_for_listing(self.request.user)
        return listings.with_village_code_only(shops) if self.action == "list" else shops

    def _answer(self, shop, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=shop.pk)).data, status=status_code)

    def create(self, request):
        shop = registry.shop_create(by=request.user, **validated_input(serializers.OnlineShopInputSerializer, request))
        return self._answer(shop, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        shop = self.get_object()
        changes = validated_input(serializers.OnlineShopUpdateSerializer, request)
        version = changes.pop("version")
        return self._answer(registry.shop_update(shop=shop, by=request.user, version=version, **changes))

    def destroy(self, request, pk=None):
        registry.shop_delete(shop=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(tags=["reports"], responses={200: serializers.AnnualReportSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(
        tags=["reports"],
        parameters=[ID_PARAMETER],
        responses={200: serializers.AnnualReportDetailSerializer, **DETAIL_ERRORS},
    ),
    create=write_schema(
        "reports", serializers.AnnualReportInputSerializer, serializers.AnnualReportSerializer, created=True
    ),
    partial_update=write_schema(
        "reports",
        serializers.AnnualReportUpdateSerializer,
        serializers.AnnualReportSerializer,
        parameters=[ID_PARAMETER],
    ),
    submit=write_schema(
        "reports", presubmit.SubmitInputSerializer, presubmit.SubmittedReportSerializer, parameters=[ID_PARAMETER]
    ),
    first_review=extend_schema(
        **write_schema_arguments(
            "reports", serializers.TransitionSerializer, serializers.AnnualReportSerializer, parameters=[ID_PARAMETER]
        ),
        summary=_("First review by the prefecture in a province with two approval levels"),
        description=FIRST_REVIEW_DESCRIPTION,
    ),
    approve=extend_schema(
        **write_schema_arguments(
            "reports", serializers.TransitionSerializer, serializers.AnnualReportSerializer, parameters=[ID_PARAMETER]
        ),
        description=APPROVE_DESCRIPTION,
    ),
    return_report=write_schema(
        "reports",
        serializers.CommentedTransitionSerializer,
        serializers.AnnualReportSerializer,
        parameters=[ID_PARAMETER],
    ),
    reopen=write_schema(
        "reports",
        serializers.CommentedTransitionSerializer,
        serializers.AnnualReportSerializer,
        parameters=[ID_PARAMETER],
    ),
    history=extend_schema(
        tags=["reports"],
        summary=_("The review timeline of a report in the caller's jurisdiction"),
        parameters=[ID_PARAMETER],
        responses={200: serializers.ReviewEventSerializer(many=True), **DETAIL_ERRORS},
    ),
)
class AnnualReportViewSet(
    ValidatedLookupMixin, ReviewHistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Annual e-commerce reports: approved ones are public; the rest only inside the caller's jurisdiction."""

    serializer_class = serializers.AnnualReportSerializer
    filterset_class = AnnualReportFilter

    def get_queryset(self):
        if self.action == "history":
            return reports_in_scope_of(self.request.user).select_related("village")
        if self.action == "approve":
            # The assessment that follows records the platform's figures beside the declaration: read with the row.
            return platform_figures(listings.reports_for_listing(self.request.user))
        reports = listings.reports_for_listing(self.request.user)
        return listings.with_village_code_only(reports) if self.action == "list" else reports

    def get_serializer_class(self):
        if self.action == "history":
            return serializers.ReviewEventSerializer
        return serializers.AnnualReportSerializer

    def _answer(self, report, status_code=status.HTTP_200_OK):
        fresh = listings.reports_for_listing(self.request.user).get(pk=report.pk)
        return Response(serializers.AnnualReportSerializer(fresh).data, status=status_code)

    def retrieve(self, request, pk=None):
        report = self.get_object()
        report.reconciliation = report_reconciliation(request.user, report)
        return Response(serializers.AnnualReportDetailSerializer(report).data)

    def _answer_step(self, report):
        # A workflow step's service returns the row it saved (with its village): no need to read it again.
        return Response(serializers.AnnualReportSerializer(report).data)

    def create(self, request):
        data = validated_input(serializers.AnnualReportInputSerializer, request)
        return self._answer(reports.report_create(by=request.user, **data), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        report = self.get_object()
        changes = validated_input(serializers.AnnualReportUpdateSerializer, request)
        version = changes.pop("version")
        return self._answer(reports.report_update(report=report, by=request.user, version=version, **changes))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        acknowledged = validated_input(presubmit.SubmitInputSerializer, request)["acknowledge_warnings"]
        submitted = reports.report_submit(report=report, by=request.user)
        return Response(presubmit.submitted_report_answer(submitted, acknowledged=acknowledged))

    @action(detail=True, methods=["post"], url_path="first-review", url_name="first-review")
    def first_review(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.TransitionSerializer, request)["comment"]
        return self._answer_step(reports.report_first_review(report=report, by=request.user, comment=comment))

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.TransitionSerializer, request)["comment"]
        return self._answer_step(reports.report_approve(report=report, by=request.user, comment=comment))

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.CommentedTransitionSerializer, request)["comment"]
        return self._answer_step(reports.report_return(report=report, by=request.user, comment=comment))

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.CommentedTransitionSerializer, request)["comment"]
        return self._answer_step(reports.report_reopen(report=report, by=request.user, comment=comment))


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
        page = self.paginate_queryset(published_yearly_statistics())
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


class AdministratorsOnly(BasePermission):
    """Administrators only (others logged in: 403; anonymous callers: 401)."""

    message = _("Only an administrator may read or record conversions of villages and townships.")

    def has_permission(self, request, view):
        return is_administrator(request.user)


ADMINISTRATOR_READ_ERRORS = {**READ_ERRORS, 403: FORBIDDEN}


@extend_schema_view(
    list=extend_schema(
        tags=["divisions"],
        summary=_("Village conversions (code and committee type) with the date they took effect"),
        responses={200: serializers.VillageConversionSerializer(many=True), **ADMINISTRATOR_READ_ERRORS},
    ),
    create=write_schema(
        "divisions",
        serializers.VillageConversionInputSerializer,
        serializers.VillageConversionSerializer,
        created=True,
    ),
)
class VillageConversionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Administrators record that a village took a new code and committee type on a date (村改居). The village
    keeps its reports and assessments; the years from the conversion on are scored with the new type."""

    serializer_class = serializers.VillageConversionSerializer
    permission_classes = [IsAuthenticated, AdministratorsOnly]

    def get_queryset(self):
        return listings.village_conversions_for_listing()

    def create(self, request):
        conversion = conversions.village_conversion_record(
            by=request.user, **validated_input(serializers.VillageConversionInputSerializer, request)
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=conversion.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(
        tags=["divisions"],
        summary=_("Township conversions (code and type) with the date they took effect"),
        responses={200: serializers.TownshipConversionSerializer(many=True), **ADMINISTRATOR_READ_ERRORS},
    ),
    create=write_schema(
        "divisions",
        serializers.TownshipConversionInputSerializer,
        serializers.TownshipConversionSerializer,
        created=True,
    ),
)
class TownshipConversionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Administrators record what a township was before a date (a town that became a subdistrict); the towns
    of the earlier years are judged by that type."""

    serializer_class = serializers.TownshipConversionSerializer
    permission_classes = [IsAuthenticated, AdministratorsOnly]

    def get_queryset(self):
        return listings.township_conversions_for_listing()

    def create(self, request):
        data = validated_input(serializers.TownshipConversionInputSerializer, request)
        record = conversions.township_recode if "new_code" in data else conversions.township_conversion_record
        conversion = record(by=request.user, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=conversion.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(
        tags=["reports"],
        summary=_("Townships' own annual e-commerce figures (for the town rule's scale route)"),
        responses={200: serializers.TownshipReportSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        tags=["reports"],
        parameters=[ID_PARAMETER],
        responses={200: serializers.TownshipReportSerializer, **DETAIL_ERRORS},
    ),
    create=write_schema(
        "reports", serializers.TownshipReportInputSerializer, serializers.TownshipReportSerializer, created=True
    ),
    partial_update=write_schema(
        "reports",
        serializers.TownshipReportUpdateSerializer,
        serializers.TownshipReportSerializer,
        parameters=[ID_PARAMETER],
    ),
    submit=write_schema(
        "reports", serializers.TransitionSerializer, serializers.TownshipReportSerializer, parameters=[ID_PARAMETER]
    ),
    first_review=extend_schema(
        **write_schema_arguments(
            "reports", serializers.TransitionSerializer, serializers.TownshipReportSerializer, parameters=[ID_PARAMETER]
        ),
        summary=_("First review by the prefecture in a province with two approval levels"),
        description=FIRST_REVIEW_DESCRIPTION,
    ),
    approve=extend_schema(
        **write_schema_arguments(
            "reports", serializers.TransitionSerializer, serializers.TownshipReportSerializer, parameters=[ID_PARAMETER]
        ),
        description=APPROVE_DESCRIPTION,
    ),
    return_report=write_schema(
        "reports",
        serializers.CommentedTransitionSerializer,
        serializers.TownshipReportSerializer,
        parameters=[ID_PARAMETER],
    ),
    reopen=write_schema(
        "reports",
        serializers.CommentedTransitionSerializer,
        serializers.TownshipReportSerializer,
        parameters=[ID_PARAMETER],
    ),
    history=extend_schema(
        tags=["reports"],
        summary=_("The review timeline of a township report in the caller's jurisdiction"),
        parameters=[ID_PARAMETER],
        responses={200: serializers.ReviewEventSerializer(many=True), **DETAIL_ERRORS},
    ),
)
class TownshipReportViewSet(
    ValidatedLookupMixin, ReviewHistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A township's own yearly figures, through the same steps and windows as a village's report: approved
    ones are public; the rest only inside the caller's jurisdiction."""

    serializer_class = serializers.TownshipReportSerializer
    filterset_class = TownshipReportFilter

    def get_queryset(self):
        if self.action == "history":
            return township_reports_in_scope_of(self.request.user).select_related("township")
        return listings.township_reports_for_listing(self.request.user)

    def get_serializer_class(self):
        if self.action == "history":
            return serializers.ReviewEventSerializer
        return serializers.TownshipReportSerializer

    def _answer(self, report, status_code=status.HTTP_200_OK):
        fresh = listings.township_reports_for_listing(self.request.user).get(pk=report.pk)
        return Response(serializers.TownshipReportSerializer(fresh).data, status=status_code)

    def create(self, request):
        data = validated_input(serializers.TownshipReportInputSerializer, request)
        return self._answer(reports.township_report_create(by=request.user, **data), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        report = self.get_object()
        changes = validated_input(serializers.TownshipReportUpdateSerializer, request)
        version = changes.pop("version")
        return self._answer(reports.township_report_update(report=report, by=request.user, version=version, **changes))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        validated_input(serializers.TransitionSerializer, request)
        return self._answer(reports.township_report_submit(report=report, by=request.user))

    @action(detail=True, methods=["post"], url_path="first-review", url_name="first-review")
    def first_review(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.TransitionSerializer, request)["comment"]
        return self._answer(reports.township_report_first_review(report=report, by=request.user, comment=comment))

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.TransitionSerializer, request)["comment"]
        return self._answer(reports.township_report_approve(report=report, by=request.user, comment=comment))

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.CommentedTransitionSerializer, request)["comment"]
        return self._answer(reports.township_report_return(report=report, by=request.user, comment=comment))

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        report = self.get_object()
        comment = validated_input(serializers.CommentedTransitionSerializer, request)["comment"]
        return self._answer(reports.township_report_reopen(report=report, by=request.user, comment=comment))


TOWNSHIP_CODE_PARAMETER = code_parameter(_("Township code, 9 digits"), TOWNSHIP_CODE.pattern)


@extend_schema_view(
    list=extend_schema(
        tags=["divisions"],
        summary=_("Townships' representative points in the caller's jurisdiction (for villages without coordinates)"),
        responses={200: serializers.TownshipPointSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        tags=["divisions"],
        parameters=[TOWNSHIP_CODE_PARAMETER],
        responses={200: serializers.TownshipPointSerializer, **DETAIL_ERRORS},
    ),
    create=write_schema(
        "divisions", serializers.TownshipPointInputSerializer, serializers.TownshipPointSerializer, created=True
    ),
    partial_update=write_schema(
        "divisions",
        serializers.TownshipPointUpdateSerializer,
        serializers.TownshipPointSerializer,
        parameters=[TOWNSHIP_CODE_PARAMETER],
    ),
)
class TownshipPointViewSet(
    ValidatedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Where a township is, as its county gives it: county officials set and move the points of their counties'
    townships; reviewers read those of their area. Setting one relinks the clusters placed with it."""

    serializer_class = serializers.TownshipPointSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "township"
    lookup_url_kwarg = "code"
    lookup_pattern = TOWNSHIP_CODE
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return township_points_for_listing(self.request.user)

    def _answer(self, point, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=point.pk)
        return Response(serializers.TownshipPointSerializer(fresh).data, status=status_code)

    def create(self, request):
        data = validated_input(serializers.TownshipPointInputSerializer, request)
        point = township_point_set(by=request.user, **data)
        return self._answer(point, status.HTTP_201_CREATED)

    def partial_update(self, request, code=None):
        point = self.get_object()
        changes = validated_input(serializers.TownshipPointUpdateSerializer, request)
        moved = township_point_set(
            by=request.user,
            township=point.township,
            latitude=changes.get("latitude", point.latitude),
            longitude=changes.get("longitude", point.longitude),
        )
        return self._answer(moved)
