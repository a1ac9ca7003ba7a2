"""The completeness API: `completeness/` (a season's expected, submitted, on-time and missing reports per area) and
`reporting-tracks/` (the villages a county marks as expected to report for a year)."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from taobao_site.api_errors import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    NOT_LOGGED_IN,
    THROTTLED,
    WRITE_ERRORS,
)
from villages.api.lookups import NUMERIC_ID
from villages.filters import DIVISION_CODE_PATTERNS
from villages.season_forms import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, CompletenessQueryForm
from villages.selectors.completeness import (
    REASONS,
    completeness,
    completeness_area,
    may_follow_completeness,
    reasons_of,
    reporting_tracks_in_scope_of,
)
from villages.selectors.editing import village_for_editing
from villages.services.reporting_tracks import reporting_track_mark, reporting_track_unmark
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

COUNT_HELP = {
    "expected": "villages expected to report for the year",
    "draft": "expected villages whose report is a draft",
    "submitted": "reports waiting for review",
    "returned": "reports returned to the county",
    "approved": "approved reports",
    "missing": "expected villages without any report",
    "on_time": "reports first submitted before the reporting window closed",
}


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text=COUNT_HELP["expected"])
    draft = serializers.IntegerField(help_text=COUNT_HELP["draft"])
    submitted = serializers.IntegerField(help_text=COUNT_HELP["submitted"])
    returned = serializers.IntegerField(help_text=COUNT_HELP["returned"])
    approved = serializers.IntegerField(help_text=COUNT_HELP["approved"])
    missing = serializers.IntegerField(help_text=COUNT_HELP["missing"])
    on_time = serializers.IntegerField(help_text=COUNT_HELP["on_time"])
    on_time_rate = serializers.FloatField(allow_null=True, help_text="on_time / expected; null when none expected")


class ChildAreaSerializer(CountsSerializer):
    code = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    level = serializers.CharField(help_text="province, prefecture, county, or village (the children of a county)")
    status = serializers.CharField(
        allow_blank=True, help_text="villages only: draft, submitted, returned, approved or missing"
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="villages only: why it is expected (certified_last_year, active_shops, tracked, reported)",
    )


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, help_text="empty for the caller's whole jurisdiction")
    name = serializers.CharField(allow_blank=True)
    level = serializers.CharField(help_text="province, prefecture, county, nation or jurisdiction")


class WindowSerializer(serializers.Serializer):
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class MissingVillageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    township = serializers.CharField(help_text="township code")
    reason = serializers.ChoiceField(choices=REASONS, help_text="the first reason, in this order of precedence")
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASONS))


class MissingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MissingVillageSerializer(many=True)


class CompletenessSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    area = AreaSerializer()
    window = WindowSerializer(allow_null=True)
    totals = CountsSerializer()
    children = ChildAreaSerializer(many=True)
    missing = MissingPageSerializer(help_text="the expected villages without a report, last year's Taobao "
                                              "villages first; paged with ?page= and ?page_size=")


def _area_parameter(level):
    return OpenApiParameter(
        level, {"type": "string", "pattern": DIVISION_CODE_PATTERNS[level].pattern}, OpenApiParameter.QUERY,
        description=f"{level} code; at most one of province, prefecture, county",
    )


COMPLETENESS_PARAMETERS = [
    OpenApiParameter("year", {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR_BOUND},
                     OpenApiParameter.QUERY, required=True, description="the report year (up to this year)"),
    _area_parameter("province"),
    _area_parameter("prefecture"),
    _area_parameter("county"),
    OpenApiParameter("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, OpenApiParameter.QUERY,
                     description="page of the missing villages"),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                     OpenApiParameter.QUERY, description=f"missing villages per page (default {DEFAULT_PAGE_SIZE})"),
]


def _counts(counts) -> dict:
    return {**{name: getattr(counts, name) for name in CountsSerializer._declared_fields if name != "on_time_rate"},
            "on_time_rate": counts.on_time_rate}


class CompletenessView(APIView):
    """Completeness and timeliness of a reporting season for an area, per child area, with the missing villages.

    Without an area: the nation by province for administrators, the caller's own divisions for anyone else.
    A county's children are its expected villages. An area outside the caller's jurisdiction answers 404.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["reports"],
        summary=_("Completeness of a reporting season: expected, submitted, on time and missing reports"),
        parameters=COMPLETENESS_PARAMETERS,
        responses={200: CompletenessSerializer, 400: BAD_REQUEST, 401: NOT_LOGGED_IN, 403: FORBIDDEN,
                   404: NOT_FOUND, 429: THROTTLED},
    )
    def get(self, request):
        if not may_follow_completeness(request.user):
            raise PermissionDenied(_("Only county officials, reviewers and administrators follow reporting."))
        form = CompletenessQueryForm(request.query_params)
        if not form.is_valid():
            raise DjangoValidationError({
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): errors
                for name, errors in form.errors.as_data().items()
            })
        area = completeness_area(request.user, form.area)
        season = completeness(request.user, year=form.cleaned_data["year"], area=area)
        page_number, page_size = form.missing_page
        missing = season.missing
        count = missing.count()
        start = (page_number - 1) * page_size
        rows = list(missing[start:start + page_size]) if start < count else []
        url = request.build_absolute_uri()
        answer = {
            "year": season.year,
            "area": {"code": area.code, "name": area.name, "level": area.level},
            "window": season.window and {"opens_on": season.window.opens_on, "closes_on": season.window.closes_on},
            "totals": _counts(season.totals),
            "children": [
                {"code": row.code, "name": row.name, "level": row.level, "status": row.status,
                 "reasons": list(row.reasons), **_counts(row.counts)}
                for row in season.children
            ],
            "missing": {
                "count": count,
                "next": replace_query_param(url, "page", page_number + 1) if start + page_size < count else None,
                "previous": (
                    None if page_number == 1
                    else remove_query_param(url, "page") if page_number == 2
                    else replace_query_param(url, "page", page_number - 1)
                ),
                "results": [
                    {"code": village.code, "name": village.name, "township": village.township_id,
                     "reason": village.reason, "reasons": list(reasons_of(village))}
                    for village in rows
                ],
            },
        }
        return Response(CompletenessSerializer(answer).data)


class ReportingTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    village = serializers.CharField(source="village.code", read_only=True)
    year = serializers.IntegerField(read_only=True)
    marked_by = serializers.CharField(source="marked_by.username", read_only=True, allow_null=True, default=None)
    marked_at = serializers.DateTimeField(read_only=True)


class ReportingTrackInputSerializer(serializers.Serializer):
    village = serializers.RegexField(r"^[0-9]{12}$", max_length=12, help_text="the village's 12-digit code")
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR_BOUND)


class ReportingTrackQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR_BOUND, required=False)


class ReportingTrackListCreate(generics.ListCreateAPIView):
    """The villages of the caller's area tracked for a year (list), and a county's mark on one (create)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReportingTrackSerializer
    filter_backends = []

    def get_queryset(self):
        query = ReportingTrackQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        tracks = reporting_tracks_in_scope_of(self.request.user)
        if "year" in query.validated_data:
            tracks = tracks.filter(year=query.validated_data["year"])
        return tracks

    @extend_schema(
        tags=["reports"],
        parameters=[OpenApiParameter("year", {"type": "integer", "minimum": FIRST_YEAR,
                                               "maximum": LAST_YEAR_BOUND}, OpenApiParameter.QUERY)],
        responses={200: ReportingTrackSerializer(many=True), 400: BAD_REQUEST, 401: NOT_LOGGED_IN,
                   404: NOT_FOUND, 429: THROTTLED},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=["reports"],
        request=ReportingTrackInputSerializer,
        responses={201: ReportingTrackSerializer, **{code: response for code, response in WRITE_ERRORS.items()
                                                     if code != 409}},
    )
    def post(self, request):
        given = ReportingTrackInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        village = village_for_editing(request.user, given.validated_data["village"])
        track = reporting_track_mark(village=village, year=given.validated_data["year"], by=request.user)
        return Response(ReportingTrackSerializer(track).data, status=status.HTTP_201_CREATED)


class ReportingTrackDetail(APIView):
    """One tracked-village mark of the caller's area; a county official takes it away with DELETE."""

    permission_classes = [IsAuthenticated]

    def _track(self, request, pk):
        if not NUMERIC_ID.match(str(pk)):
            raise Http404
        return get_object_or_404(reporting_tracks_in_scope_of(request.user), pk=pk)

    @extend_schema(tags=["reports"], responses={200: ReportingTrackSerializer, 401: NOT_LOGGED_IN,
                                                404: NOT_FOUND, 429: THROTTLED})
    def get(self, request, pk):
        return Response(ReportingTrackSerializer(self._track(request, pk)).data)

    @extend_schema(tags=["reports"], responses={204: None, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND,
                                                429: THROTTLED})
    def delete(self, request, pk):
        reporting_track_unmark(track=self._track(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
