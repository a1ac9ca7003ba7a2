"""API v1 for spreadsheet imports (`/api/v1/imports/`) and list exports (`/api/v1/exports/`)."""

import csv
import io

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from villages.exports import EXPORT_LISTS, FORMATS, export_response
from villages.imports import IMPORT_KINDS, import_kind
from villages.models import ImportJob
from villages.selectors.jurisdiction import is_administrator
from villages.selectors.visibility import (
    assessments_visible_to,
    reports_visible_to,
    shops_visible_to,
    villages_visible_to,
)
from villages.services.errors import ConflictError
from villages.services.imports import import_job_confirm, import_job_create
from villages.spreadsheets import template_csv, template_xlsx


class ImportJobCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(IMPORT_KINDS)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    errors = ImportErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "file_name", "dry_run", "status", "message", "created_at", "finished_at",
            "rows_processed", "progress", "created_count", "updated_count", "unchanged_count", "invalid_count",
            "errors",
        ]
        read_only_fields = fields


def jobs_visible_to(user):
    if is_administrator(user):
        return ImportJob.objects.all()
    return ImportJob.objects.filter(uploaded_by=user)


def _job_or_404(user, pk) -> ImportJob:
    try:
        return jobs_visible_to(user).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None


def _validation_response(error: ValidationError) -> Response:
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": " ".join(error.messages)}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


class ImportJobListCreate(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImportJobSerializer(many=True))
    def get(self, request):
        jobs = jobs_visible_to(request.user).defer("errors")[:100]
        return Response(ImportJobSerializer(jobs, many=True).data)

    @extend_schema(request=ImportJobCreateSerializer, responses={201: ImportJobSerializer})
    def post(self, request):
        serializer = ImportJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = import_job_create(
                user=request.user,
                kind=serializer.validated_data["kind"],
                uploaded_file=serializer.validated_data["file"],
                dry_run=serializer.validated_data["dry_run"],
            )
        except ValidationError as error:
            return _validation_response(error)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ImportJobSerializer)
    def get(self, request, pk):
        return Response(ImportJobSerializer(_job_or_404(request.user, pk)).data)


class ImportJobConfirm(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ImportJobSerializer)
    def post(self, request, pk):
        job = _job_or_404(request.user, pk)
        try:
            job = import_job_confirm(job=job, by=request.user)
        except ConflictError as error:
            return Response({"detail": str(error.message)}, status=status.HTTP_409_CONFLICT)
        return Response(ImportJobSerializer(job).data)


def errors_csv_response(job: ImportJob) -> HttpResponse:
    """The invalid rows of a job as a CSV file (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("row"), _("column"), _("message")])
    for error in job.errors:
        writer.writerow([error["row"], error["column"], error["message"]])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


class ImportJobErrors(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request, pk):
        return errors_csv_response(_job_or_404(request.user, pk))


def template_response(kind_name: str, extension: str, language: str) -> HttpResponse:
    kind = import_kind(kind_name)
    if extension == "xlsx":
        response = HttpResponse(
            template_xlsx(kind.columns, language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(template_csv(kind.columns, language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind_name}-template-{language}.{extension}"'
    return response


class ImportTemplate(APIView):
    """An empty template for an import kind; `?language=zh` (default) or `en`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, kind, extension):
        if kind not in IMPORT_KINDS or extension not in FORMATS:
            raise Http404
        language = "en" if request.query_params.get("language", "zh").startswith("en") else "zh"
        return template_response(kind, extension, language)


def export_queryset(user, list_name: str, params):
    """The visible rows of a list, narrowed by the common code filters (province, prefecture, county, township)."""
    from rural_services.selectors import service_points_visible_to

    querysets = {
        "villages": (villages_visible_to(user).select_related("township"), "code"),
        "shops": (shops_visible_to(user), "village__code"),
        "reports": (reports_visible_to(user), "village__code"),
        "assessments": (assessments_visible_to(user), "village__code"),
        "service_points": (service_points_visible_to(user), "village__code"),
        "certified": (assessments_visible_to(user).filter(qualified=True), "village__code"),
    }
    queryset, code_path = querysets[list_name]
    lengths = {"province": 2, "prefecture": 4, "county": 6, "township": 9}
    for name, length in lengths.items():
        code = params.get(name, "")
        if code:
            if not code.isdigit():
                raise ValidationError({name: _("Give a division code of digits.")})
            queryset = queryset.filter(**{f"{code_path}__startswith": code[:length]})
    year = params.get("year", "")
    if year and list_name in ("reports", "assessments", "certified"):
        if not year.isdigit():
            raise ValidationError({"year": _("Give a year such as 2023.")})
        queryset = queryset.filter(year=int(year))
    if params.get("status") and list_name in ("reports", "service_points"):
        queryset = queryset.filter(status=params["status"])
    return queryset.order_by(*(["code"] if list_name in ("villages", "service_points") else ["pk"]))


class ListExport(APIView):
    """Download a list as CSV or XLSX, filtered by `province`, `prefecture`, `county`, `township`, `year`, `status`."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, list_name, extension):
        if list_name not in EXPORT_LISTS or extension not in FORMATS:
            raise Http404
        try:
            queryset = export_queryset(request.user, list_name, request.query_params)
        except ValidationError as error:
            return _validation_response(error)
        return export_response(queryset, list_name=list_name, file_format=extension)


import_urlpatterns = [
    path("", ImportJobListCreate.as_view(), name="import-list"),
    path("<int:pk>/", ImportJobDetail.as_view(), name="import-detail"),
    path("<int:pk>/confirm/", ImportJobConfirm.as_view(), name="import-confirm"),
    path("<int:pk>/errors.csv", ImportJobErrors.as_view(), name="import-errors"),
    path("templates/<str:kind>.<str:extension>", ImportTemplate.as_view(), name="import-template"),
]

export_urlpatterns = [
    path("<str:list_name>.<str:extension>", ListExport.as_view(), name="export-list"),
]
