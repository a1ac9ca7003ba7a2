"""API v1 for a report's evidence and discussion: `reports/{id}/attachments/` and `reports/{id}/comments/`.

Only the people who work on a report (its county's officials, its area's reviewers, administrators) reach
these routes; for anyone else the report does not exist (404), approved or not. An attachment's `url` is its
download here (`.../attachments/{attachment_id}/file/`), under the same rule; nothing serves stored files
publicly.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    NOT_LOGGED_IN,
    THROTTLED,
    TOO_LARGE,
)
from taobao_site.api_parsers import RegistryJSONParser
from villages.api.lookups import NUMERIC_ID
from villages.models import ReportAttachment, ReportComment
from villages.selectors.evidence import (
    attachment_for_reading,
    report_attachments,
    report_comments,
    report_for_evidence,
)
from villages.services.evidence import attachment_delete, attachment_upload, comment_add
from villages.views.evidence import attachment_file_response

REPORT_ID = OpenApiParameter(
    "report_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description=_("The report's id.")
)
ATTACHMENT_ID = OpenApiParameter(
    "attachment_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH,
    description=_("The attachment's id."),
)
LIST_ERRORS = {401: NOT_LOGGED_IN, 404: NOT_FOUND, 429: THROTTLED}
WRITE_ERRORS = {
    400: BAD_REQUEST, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT, 413: TOO_LARGE,
    429: THROTTLED,
}


def _id_or_404(value: str) -> int:
    """A path id as a number; a malformed or huge one answers 404 before it reaches the database."""
    if not NUMERIC_ID.match(value):
        raise Http404
    return int(value)


class ReportAttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment) -> str:
        """The download, for callers who may read the report's evidence."""
        path = reverse("api:report-attachment-file", args=[attachment.report_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A PDF, PNG, JPEG or XLSX file; its content decides, not its name."))


class ReportCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = ReportComment
        fields = ["id", "author", "text", "at"]
        read_only_fields = fields


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=ReportComment.MAX_LENGTH)


class _ReportScopedList(generics.GenericAPIView):
    """A paginated list under one report that the caller works on (404 for anyone else)."""

    permission_classes = [IsAuthenticated]

    def _report(self, request, report_id):
        return report_for_evidence(request.user, _id_or_404(report_id))

    def _page(self, rows, serializer_class):
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer_class(page, many=True, context={"request": self.request}).data)


class ReportAttachmentList(_ReportScopedList):
    """A report's evidence files, oldest first; POST one (multipart) while the report is a draft or returned."""

    serializer_class = ReportAttachmentSerializer
    queryset = ReportAttachment.objects.none()  # the schema's model; every request lists one report's rows
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["reports"],
        summary=_("The evidence files of a report"),
        parameters=[REPORT_ID],
        responses={200: ReportAttachmentSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request, report_id):
        report = self._report(request, report_id)
        return self._page(report_attachments(report), ReportAttachmentSerializer)

    @extend_schema(
        tags=["reports"],
        summary=_("Attach an evidence file (multipart, field `file`) to a draft or returned report"),
        parameters=[REPORT_ID],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: ReportAttachmentSerializer, **WRITE_ERRORS},
    )
    def post(self, request, report_id):
        report = self._report(request, report_id)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachment_upload(report=report, by=request.user, uploaded_file=serializer.validated_data["file"])
        return Response(
            ReportAttachmentSerializer(attachment, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ReportAttachmentDetail(APIView):
    """DELETE an attachment: its county (or an administrator) while the report is a draft or returned."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["reports"],
        summary=_("Remove an attachment of a draft or returned report (its county; 409 once submitted or approved)"),
        parameters=[REPORT_ID, ATTACHMENT_ID],
        responses={204: OpenApiResponse(description=_("Removed.")), **{
            code: answer for code, answer in WRITE_ERRORS.items() if code not in (400, 413)}},
    )
    def delete(self, request, report_id, attachment_id):
        attachment = attachment_for_reading(request.user, _id_or_404(report_id), _id_or_404(attachment_id))
        attachment_delete(attachment=attachment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportAttachmentFile(APIView):
    """The attachment's file, as a download with the content type its content proved."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["reports"],
        summary=_("Download an attachment (as a file, never shown inline)"),
        parameters=[REPORT_ID, ATTACHMENT_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The file, with the content type its content proved.")
            ),
            **LIST_ERRORS,
        },
    )
    def get(self, request, report_id, attachment_id):
        attachment = attachment_for_reading(request.user, _id_or_404(report_id), _id_or_404(attachment_id))
        return attachment_file_response(attachment)


class ReportCommentList(_ReportScopedList):
    """A report's comment thread, oldest first; anyone who works on the report may POST `{"text": ...}`."""

    serializer_class = ReportCommentSerializer
    queryset = ReportComment.objects.none()  # the schema's model; every request lists one report's rows
    parser_classes = [RegistryJSONParser]

    @extend_schema(
        tags=["reports"],
        summary=_("The comment thread of a report"),
        parameters=[REPORT_ID],
        responses={200: ReportCommentSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request, report_id):
        report = self._report(request, report_id)
        return self._page(report_comments(report), ReportCommentSerializer)

    @extend_schema(
        tags=["reports"],
        summary=_("Add a comment to a report's thread"),
        parameters=[REPORT_ID],
        request=CommentInputSerializer,
        responses={201: ReportCommentSerializer, **{
            code: answer for code, answer in WRITE_ERRORS.items() if code not in (409,)}},
    )
    def post(self, request, report_id):
        report = self._report(request, report_id)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_add(report=report, by=request.user, text=serializer.validated_data["text"])
        return Response(ReportCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
