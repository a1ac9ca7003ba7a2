"""The reconciliation in the API: per report, the declared figures beside the platforms' (`GET reconciliation/`)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from taobao_site.api_errors import READ_ERRORS
from villages.filters import ReconciliationFilter
from villages.selectors.reconciliation import attach_reconciliations, reconciliations_in_scope


class FigureComparisonSerializer(serializers.Serializer):
    """One figure: declared by the county, from the platforms' data, and how far apart."""

    declared = serializers.IntegerField()
    platform = serializers.IntegerField(
        allow_null=True, help_text="null when the platforms sent no figures for the village and year"
    )
    difference = serializers.IntegerField(allow_null=True, help_text="declared − platform")
    difference_percent = serializers.FloatField(
        allow_null=True, help_text="(declared − platform) in % of the platform's figure, one decimal; null if it is 0"
    )
    flagged = serializers.BooleanField(help_text="the difference is beyond the tolerance")


class ReconciliationSerializer(serializers.Serializer):
    """A report's declaration against the platforms' figures for its village and year."""

    tolerance_percent = serializers.IntegerField(source="sales.tolerance_percent")
    has_platform_figures = serializers.BooleanField()
    flagged = serializers.BooleanField()
    ecommerce_sales = FigureComparisonSerializer(
        source="sales", help_text="per platform its own village total if it sent one, else the sum of its shops"
    )
    active_shops = FigureComparisonSerializer(help_text="counted from the platforms' shop figures, registry rule")
    unregistered_shops = serializers.IntegerField(help_text="shops the platforms list in the village, not registered")
    unknown_registered_shops = serializers.IntegerField(
        help_text="registered shops of a platform that listed the village, but not them"
    )


class ReportReconciliationSerializer(serializers.Serializer):
    """One row of `reconciliation/`: the report, its village and its reconciliation."""

    report = serializers.IntegerField(source="pk")
    village = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    year = serializers.IntegerField()
    status = serializers.CharField()
    reconciliation = ReconciliationSerializer()


@extend_schema_view(
    list=extend_schema(
        tags=["reports"],
        summary=_("Reports of the caller's jurisdiction against the platforms' figures, the largest gaps first"),
        responses={200: ReportReconciliationSerializer(many=True), **READ_ERRORS},
    ),
)
class ReconciliationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Declared vs platform figures per report, the difference and whether it is beyond the tolerance.

    Only the caller's own jurisdiction: the platforms' figures are not public.
    """

    serializer_class = ReportReconciliationSerializer
    filterset_class = ReconciliationFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return reconciliations_in_scope(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(attach_reconciliations(page), many=True).data)
