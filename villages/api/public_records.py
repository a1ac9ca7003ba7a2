"""API of the public records: certificates (`certificates/`) and the status-change log (`status-changes/`).

Both are public and read-only; their filters validate strictly (400 for a malformed value). A page costs a
constant number of queries: the count, the rows with what they show, and for the log the criteria versions.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny

from taobao_site.api_errors import READ_ERRORS
from villages.api.serializers import CheckSerializer
from villages.certificate_documents import pdf_url, verification_url
from villages.models import Certificate
from villages.public_record_filters import STATUS_CHANGES, CertificateFilter, StatusChangeFilter
from villages.selectors.certificates import certificates_for_listing
from villages.selectors.status_changes import status_change_entries, status_changes_for_listing
from villages.status_reasons import REASON_CODES, SOURCE_CODES


class CertificateSerializer(serializers.Serializer):
    serial = serializers.CharField(read_only=True, help_text="e.g. TBV-2024-7K3M-Q9XD")
    village = serializers.CharField(source="village.code", read_only=True)
    year = serializers.IntegerField(read_only=True)
    criteria_version = serializers.CharField(source="criteria_set.name", read_only=True)
    issued_on = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=Certificate.State.values, source="state", read_only=True)
    revoked_on = serializers.DateField(read_only=True, allow_null=True)
    revoked_reason = serializers.SerializerMethodField(
        help_text="why it was revoked: report_reopened or status_lost; null while valid"
    )
    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "string", "enum": list(Certificate.RevokedReason.values), "nullable": True}
    )
    def get_revoked_reason(self, certificate) -> str | None:
        return certificate.revoked_reason or None

    def get_verify_url(self, certificate) -> str:
        return verification_url(certificate.serial)

    def get_pdf_url(self, certificate) -> str:
        return pdf_url(certificate.serial)


class StatusChangeSerializer(serializers.Serializer):
    village = serializers.CharField(source="village.code", read_only=True)
    year = serializers.IntegerField(read_only=True)
    change = serializers.ChoiceField(choices=[value for value, _label in STATUS_CHANGES], read_only=True)
    reason = serializers.CharField(source="reason.text", read_only=True, help_text="in the request's language")
    reason_code = serializers.ChoiceField(choices=list(REASON_CODES), source="reason.code", read_only=True)
    checks = CheckSerializer(many=True, read_only=True)
    data_source = serializers.CharField(
        source="source.text", read_only=True,
        help_text="where the scored figures came from, in the request's language: 'declared', or 'declared, "
                  "checked against platform data (…difference…)'",
    )
    data_source_code = serializers.ChoiceField(choices=list(SOURCE_CODES), source="source.code", read_only=True)
    platform_difference_percent = serializers.DictField(
        source="source.differences", read_only=True, child=serializers.FloatField(allow_null=True),
        help_text="per input checked against the platforms' data (ecommerce_sales, active_shops): (declared − "
                  "platform) in % of the platform's figure; null where the platform's figure is 0; empty if none",
    )


@extend_schema_view(
    list=extend_schema(tags=["certification"], responses={200: CertificateSerializer(many=True), **READ_ERRORS}),
)
class CertificateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Taobao village certificates, valid and revoked (public): look one up by serial, or by village and year."""

    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return certificates_for_listing()


@extend_schema_view(
    list=extend_schema(tags=["certification"], responses={200: StatusChangeSerializer(many=True), **READ_ERRORS}),
)
class StatusChangeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The villages that gained or lost Taobao village status each year, with the reason (public)."""

    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter
    permission_classes = [AllowAny]

    def get_queryset(self):
        return status_changes_for_listing(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(status_change_entries(page), many=True).data)
