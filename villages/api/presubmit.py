"""API v1 for what a county reads before submitting: `GET reports/{id}/expected-result/` (the expected result
under the year's criteria, the reviewer's warnings, the registered shops' figures) and the submit's answer.

The web confirmation refuses a submission whose declared active shops differ from the registered shops' count
until the county ticks an acknowledgement. The API's `submit` does not refuse it: v1 clients submit such
reports today and API.md lets additions break nothing. It accepts `acknowledge_warnings` and answers, beside
the report, the warnings still to acknowledge (empty when there are none or they were acknowledged).
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import NOT_FOUND, NOT_LOGGED_IN, THROTTLED
from villages.api.lookups import NUMERIC_ID
from villages.api.serializers import AnnualReportSerializer, TransitionSerializer
from villages.selectors.presubmit import report_for_presubmit, report_presubmit_check
from villages.selectors.registered_figures import registered_figures, registered_shops_warning

REPORT_ID = OpenApiParameter(
    "report_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description=_("The report's id.")
)


class WarningSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("A stable name of the warning, e.g. registered_shops_differ."))
    message = serializers.CharField(help_text=_("The warning in the request's language."))


class CriterionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["location", "sales", "shops"])
    passed = serializers.BooleanField()
    actual = serializers.JSONField(help_text=_("The report's figure (the committee type for the location)."))
    required = serializers.JSONField(help_text=_("The threshold (the eligible committee types for the location)."))
    gap = serializers.JSONField(allow_null=True, help_text=_("What is missing; 0 when passed, null for the location."))
    text = serializers.CharField(help_text=_("The criterion and its gap in words, in the request's language."))


class ExpectedResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    criteria_name = serializers.CharField()
    qualified = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=4, decimal_places=1)
    checks = CriterionSerializer(many=True, source="lines")


class RegisteredFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    shop_years = serializers.IntegerField(help_text=_("Shops with figures registered for the year."))
    active_shops = serializers.IntegerField(help_text=_("Of those, active under the registry's rule."))
    ecommerce_sales = serializers.IntegerField(help_text=_("Their summed sales, in whole yuan."))


class PresubmitCheckSerializer(serializers.Serializer):
    expected_result = ExpectedResultSerializer(
        source="expected", allow_null=True, help_text=_("Null when no criteria version covers the year.")
    )
    warnings = WarningSerializer(many=True, source="all_warnings")
    registered = RegisteredFiguresSerializer()
    acknowledgement_required = serializers.SerializerMethodField(
        help_text=_("Whether the declared active shops differ from the registered shops' count.")
    )

    def get_acknowledgement_required(self, check) -> bool:
        return check.to_acknowledge is not None


class SubmitInputSerializer(TransitionSerializer):
    acknowledge_warnings = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("True: the county has checked the difference from the registered shops and submits anyway."),
    )


class SubmittedReportSerializer(AnnualReportSerializer):
    """The submitted report, and the warnings the submission did not acknowledge."""

    unacknowledged_warnings = WarningSerializer(many=True, read_only=True)

    class Meta(AnnualReportSerializer.Meta):
        fields = [*AnnualReportSerializer.Meta.fields, "unacknowledged_warnings"]
        read_only_fields = fields


def submitted_report_answer(report, *, acknowledged: bool) -> dict:
    """The submit's answer: the report, with the registered-shops warning unless it was acknowledged."""
    warning = None
    if not acknowledged:
        registered = registered_figures(village_id=report.village_id, year=report.year)
        warning = registered_shops_warning(declared_active_shops=report.active_shops, registered=registered)
    report.unacknowledged_warnings = [warning] if warning else []
    return SubmittedReportSerializer(report).data


class ReportExpectedResult(APIView):
    """What approving the report's figures would give, and the warnings the reviewer will see (nothing stored)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["reports"],
        summary=_("The expected result and warnings of a report, as the county sees them before submitting"),
        parameters=[REPORT_ID],
        responses={200: PresubmitCheckSerializer, 401: NOT_LOGGED_IN, 404: NOT_FOUND, 429: THROTTLED},
    )
    def get(self, request, report_id):
        if not NUMERIC_ID.match(report_id):
            raise Http404
        report = report_for_presubmit(request.user, int(report_id))
        return Response(PresubmitCheckSerializer(report_presubmit_check(report)).data)
