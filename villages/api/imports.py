"""API v1 for spreadsheet imports (`/api/v1/imports/`) and list exports (`/api/v1/exports/`)."""

import csv
import io

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, NOT_LOGGED_IN, THROTTLED
from villages.exports.formats import FORMATS, escape_cell
from villages.exports.sources import EXPORT_SOURCES, filtered_export
from villages.imports import IMPORT_KINDS, import_kind, shown_errors, shown_preview
from villages.imports.template_files import template_csv, template_xlsx
from villages.models import ImportJob
from villages.selectors.visibility import import_jobs_visible_to
from villages.services.imports import import_job_confirm, import_job_create, import_job_retry

JOB_ERRORS = {401: NOT_LOGGED_IN, 404: NOT_FOUND, 429: THROTTLED}


class ImportJobCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted(IMPORT_KINDS)


class ImportErrorSerializer(serializers.Serializer):
    """One problem of a row, in the language of the request; `value` is the offending cell as the file gave it."""

    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()
    value = serializers.CharField()


class PreviewCellSerializer(serializers.Serializer):
    field = serializers.CharField()
    column = serializers.CharField()
    old = serializers.CharField(required=False, help_text="The stored value (updated rows only).")
    new = serializers.CharField()


class PreviewRowSerializer(serializers.Serializer):
    """A row a dry run would write: `created` with its cells, or `updated` with the columns that change."""

    row = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["created", "updated"])
    key = serializers.CharField()
    cells = PreviewCellSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    message = serializers.CharField(source="shown_message", read_only=True)
    errors = serializers.SerializerMethodField()
    preview = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "file_name", "dry_run", "status", "message", "created_at", "started_at", "heartbeat_at",
            "finished_at", "rows_processed", "progress", "created_count", "updated_count", "unchanged_count",
            "invalid_count", "errors", "preview",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job):
        return shown_errors(job)

    @extend_schema_field(PreviewRowSerializer(many=True))
    def get_preview(self, job):
        """The first 50 rows a dry run would create or update (empty after an apply)."""
        return shown_preview(job)


class ImportJobSummarySerializer(serializers.ModelSerializer):
    """A job in the list: its counts without the invalid rows (those are on the job and in its errors CSV)."""

    uploaded_by = serializers.CharField(source="uploaded_by.get_username", read_only=True)
    message = serializers.CharField(source="shown_message", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "file_name", "uploaded_by", "dry_run", "status", "message", "created_at", "finished_at",
            "rows_processed", "progress", "created_count", "updated_count", "unchanged_count", "invalid_count",
        ]
        read_only_fields = fields


def _job_or_404(user, pk) -> ImportJob:
    try:
        return import_jobs_visible_to(user).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None


class ImportJobListCreate(generics.ListAPIView):
    """The caller's import jobs, newest first, paginated like every list; POST a file to start one."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportJobSummarySerializer
    queryset = ImportJob.objects.none()  # the schema's model; get_queryset scopes every real request

    def get_queryset(self):
        return import_jobs_visible_to(self.request.user).select_related("uploaded_by").defer("errors", "preview")

    @extend_schema(responses={200: ImportJobSummarySerializer(many=True), 401: NOT_LOGGED_IN, 429: THROTTLED})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ImportJobCreateSerializer,
        responses={201: ImportJobSerializer, 400: BAD_REQUEST, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 429: THROTTLED},
    )
    def post(self, request):
        serializer = ImportJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = import_job_create(
            user=request.user,
            kind=serializer.validated_data["kind"],
            uploaded_file=serializer.validated_data["file"],
            dry_run=serializer.validated_data["dry_run"],
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ImportJobSerializer, **JOB_ERRORS})
    def get(self, request, pk):
        return Response(ImportJobSerializer(_job_or_404(request.user, pk)).data)


class ImportJobConfirm(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ImportJobSerializer, 409: CONFLICT, **JOB_ERRORS})
    def post(self, request, pk):
        job = import_job_confirm(job=_job_or_404(request.user, pk), by=request.user)
        return Response(ImportJobSerializer(job).data)


class ImportJobRetry(APIView):
    """Start an interrupted or failed job again (the uploader or an administrator)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ImportJobSerializer, 403: FORBIDDEN, 409: CONFLICT, **JOB_ERRORS})
    def post(self, request, pk):
        job = import_job_retry(job=_job_or_404(request.user, pk), by=request.user)
        return Response(ImportJobSerializer(job).data)


def errors_csv_response(job: ImportJob) -> HttpResponse:
    """The invalid rows of a job as a CSV file (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("row"), _("column"), _("value"), _("message")])
    for error in shown_errors(job):
        writer.writerow([error["row"], error["column"], escape_cell(error["value"]), error["message"]])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


class ImportJobErrors(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "text/csv"): str, **JOB_ERRORS})
    def get(self, request, pk):
        return errors_csv_response(_job_or_404(request.user, pk))


def template_response(kind_name: str, extension: str, language: str) -> HttpResponse:
    kind = import_kind(kind_name)
    if extension == "xlsx":
        response = HttpResponse(
            template_xlsx(kind, language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(template_csv(kind, language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind_name}-template-{language}.{extension}"'
    return response


# The allowed values of these path parameters are filled in by villages.api.schema_hooks.file_path_enums.
_FORMAT_PARAMETER = OpenApiParameter("extension", str, OpenApiParameter.PATH, description=_("File format"))


class ImportTemplate(APIView):
    """A template for an import kind: headers, an example row and (XLSX) a notes sheet; `?language=zh` or `en`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, description=_("Import kind")),
            _FORMAT_PARAMETER,
            OpenApiParameter("language", str, enum=["zh", "en"], description=_("Column headings")),
        ],
        responses={(200, "application/octet-stream"): bytes, **JOB_ERRORS},
    )
    def get(self, request, kind, extension):
        if kind not in IMPORT_KINDS or extension not in FORMATS:
            raise Http404
        language = "en" if request.query_params.get("language", "zh").startswith("en") else "zh"
        return template_response(kind, extension, language)


class ListExport(APIView):
    """Download a list as CSV or XLSX, filtered with the list's own FilterSet (the same query as the list API)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("list_name", str, OpenApiParameter.PATH, description=_("List to download")),
            _FORMAT_PARAMETER,
            *(
                OpenApiParameter(name, str, pattern="^[0-9]{6}([0-9]{3})?$", description=_("Division code"))
                for name in ("province", "prefecture", "county", "township")
            ),
            OpenApiParameter("year", int, description=_("Year (reports, assessments, certified)")),
            OpenApiParameter("status", str, description=_("Status (reports, service points)")),
            OpenApiParameter("village", str, pattern="^[0-9]{12}$", description=_("Village code")),
            OpenApiParameter("search", str, description=_("Name or code contains (villages)")),
            OpenApiParameter("committee_type", str, description=_("Committee type (villages)")),
            OpenApiParameter("certified_in", int, description=_("Certified in year (villages)")),
            OpenApiParameter("qualified", bool, description=_("Qualified (assessments)")),
            OpenApiParameter("platform", str, description=_("Platform (shops)")),
            OpenApiParameter("service", str, description=_("Service offered (service points)")),
        ],
        responses={
            (200, "application/octet-stream"): bytes,
            400: BAD_REQUEST,
            401: NOT_LOGGED_IN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def get(self, request, list_name, extension):
        if list_name not in EXPORT_SOURCES or extension not in FORMATS:
            raise Http404
        return filtered_export(request, list_name, extension)
